//! Merging a returned packet into its campaign's workspace (PRODUCT.md §9).
//!
//! Before anything is written: the file must be an intact packet this
//! workspace issued (its record matches the issued one and the campaign's
//! fingerprint), sealed with the key registered for its reviewer, with an
//! unbroken decision chain whose every event is the reviewer's, on an item
//! issued in that packet. Then its events are appended to the workspace's
//! chain in order, with their original times and reviewer, the seal's key
//! id and the file's SHA-256, through the same checks as any decision, in
//! one transaction with the record of the merge.
//!
//! An item decided in the workspace (or from another packet) after the
//! packet was issued, or reassigned since, is a conflict: they are listed
//! and nothing of the packet is merged until the user prefers one side.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use minisign::PublicKey;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use super::info::{self, OwnLog, PacketInfo};
use crate::actor::Actor;
use crate::campaign::decisions::{DecisionRequest, EventExtras, record_in_transaction};
use crate::campaign::{Campaign, find_campaign, reviewer_keys};
use crate::model::DecisionAction;
use crate::reviewers::registry;
use crate::text::for_display;
use crate::workspace::{SCHEMA_VERSION, Workspace};

/// Which side wins an item both changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Prefer {
    /// The packet's decisions are appended after the workspace's.
    Packet,
    /// The packet's decisions on conflicting items are left out.
    Workspace,
}

impl Prefer {
    pub fn as_str(self) -> &'static str {
        match self {
            Prefer::Packet => "packet",
            Prefer::Workspace => "workspace",
        }
    }
}

/// An item both the packet and the workspace changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub item: i64,
    pub why: String,
}

/// What merging one packet did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Merged(Merged),
    /// This very file was merged before; nothing changed.
    AlreadyMerged {
        packet: i64,
        merged_at: String,
    },
    /// Nothing merged: these items conflict and no side was preferred.
    Conflicts {
        packet: i64,
        conflicts: Vec<Conflict>,
    },
}

/// A packet merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub packet: i64,
    pub campaign: i64,
    pub reviewer: String,
    pub key_id: String,
    pub sha256: String,
    pub items: u64,
    pub decisions: u64,
    pub skipped: u64,
    pub conflicts: usize,
}

/// Why a packet was refused; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Checks the packet at `path` and merges it into `workspace`.
pub fn merge(
    workspace: &mut Workspace,
    path: &Path,
    prefer: Option<Prefer>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let shown = path.display().to_string();
    let refuse = |why: String| -> color_eyre::Report {
        eyre!(Refused(format!(
            "refused {shown}: {why}; nothing was merged"
        )))
    };
    // The file's SHA-256 (the evidence names it) is computed on a second
    // core while the packet's decision chain is read and checked.
    let hasher = {
        let path = path.to_path_buf();
        std::thread::spawn(move || -> std::io::Result<String> {
            let bytes = std::fs::read(path)?;
            Ok(hex::encode(Sha256::digest(&bytes)))
        })
    };
    let whole = whole_file(path).wrap_err_with(|| format!("reading the packet {shown}"))?;
    let packet = open_packet_read_only(path, whole).map_err(&refuse)?;
    let info = info::read(&packet)
        .map_err(|err| refuse(format!("it cannot be read as a review packet ({err})")))?
        .ok_or_else(|| {
            refuse("it is not a review packet (it holds no packet record)".to_owned())
        })?;
    let log = info::own_log(&packet, &info).map_err(|err| refuse(format!("{err}")))?;
    let sha256 = hasher
        .join()
        .map_err(|_| eyre!("computing the SHA-256 of {shown} failed"))?
        .wrap_err_with(|| format!("reading the packet {shown}"))?;
    let conn = &workspace.conn;
    if let Some((packet_id, merged_at)) = conn
        .query_row(
            "SELECT packet_id, merged_at FROM packet_merges WHERE sha256 = ?1",
            [&sha256],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
    {
        return Ok(Outcome::AlreadyMerged {
            packet: packet_id,
            merged_at,
        });
    }
    let (issued, campaign) = check_issued(conn, &info).map_err(&refuse)?;
    let Some(key_id) = info.key_id.clone().filter(|_| info.is_sealed()) else {
        return Err(refuse(format!(
            "packet {} is not sealed; the reviewer seals it with `recert packet seal {} --key recert.key` before returning it",
            info.id, shown
        )));
    };
    let public = registered_key(conn, &info.reviewer).map_err(&refuse)?;
    super::seal::check(&info, &log, &public)
        .map_err(|why| refuse(format!("packet {} {why}", info.id)))?;
    check_events(conn, &info, &log).map_err(&refuse)?;
    drop(packet);
    let conflicts = conflicts(conn, &campaign, &info, issued.watermark, &log)?;
    if !conflicts.is_empty() && prefer.is_none() {
        return Ok(Outcome::Conflicts {
            packet: info.id,
            conflicts,
        });
    }
    let skip: HashSet<i64> = if prefer == Some(Prefer::Workspace) {
        conflicts.iter().map(|c| c.item).collect()
    } else {
        HashSet::new()
    };
    let merged = append(
        &mut workspace.conn,
        &campaign,
        &info,
        &log,
        &skip,
        &Appending {
            key_id: &key_id,
            sha256: &sha256,
            prefer: prefer.filter(|_| !conflicts.is_empty()),
            actor,
            now,
        },
    )
    .map_err(|err| match err.downcast::<crate::campaign::DecideError>() {
        Ok(decide) => refuse(format!(
            "its decisions do not hold in this workspace: {decide}"
        )),
        Err(err) => err,
    })?;
    Ok(Outcome::Merged(Merged {
        conflicts: conflicts.len(),
        ..merged
    }))
}

/// The packet was issued by this workspace, for a campaign whose items
/// are still those it was issued from, and was not merged from other bytes.
fn check_issued(conn: &Connection, info: &PacketInfo) -> Result<(Issued, Campaign), String> {
    let issued = issued_packet(conn, info.id).map_err(|err| err.to_string())?;
    let foreign = "it is not a packet this workspace issued (a packet of another workspace or campaign, or its record was changed)";
    let Some(issued) = issued else {
        return Err(format!("{foreign}: no packet {} was issued here", info.id));
    };
    if issued.campaign_id != info.campaign_id
        || issued.reviewer != info.reviewer
        || issued.fingerprint != info.fingerprint
        || issued.at != info.issued_at
    {
        return Err(format!(
            "{foreign}: packet {} here was issued to {} for campaign {} at {}",
            info.id,
            for_display(&issued.reviewer),
            issued.campaign_id,
            issued.at
        ));
    }
    // The fingerprint was compared above with the one this workspace
    // computed from the campaign's items when it issued the packet; those
    // items never change.
    let campaign =
        find_campaign(conn, &info.campaign_id.to_string()).map_err(|err| err.to_string())?;
    if let Some(merged_at) = conn
        .query_row(
            "SELECT merged_at FROM packet_merges WHERE packet_id = ?1",
            [info.id],
            |row| row.get::<_, String>(0),
        )
        .optional()
        .map_err(|err| err.to_string())?
    {
        return Err(format!(
            "packet {} was merged at {merged_at} from a file with other bytes; a packet is merged once",
            info.id
        ));
    }
    Ok((issued, campaign))
}

/// Every event of the packet is its reviewer's decision on an item issued
/// in it.
fn check_events(conn: &Connection, info: &PacketInfo, log: &OwnLog) -> Result<(), String> {
    let issued_items = packet_items(conn, info.id).map_err(|err| err.to_string())?;
    for event in &log.events {
        if !issued_items.contains(&event.item_id) {
            return Err(format!(
                "its decision event {} is for item {}, which was not issued in packet {}",
                event.id, event.item_id, info.id
            ));
        }
        if event.reviewer != info.reviewer {
            return Err(format!(
                "its decision event {} was recorded by {}, not by the packet's reviewer {}",
                event.id,
                for_display(&event.reviewer),
                for_display(&info.reviewer)
            ));
        }
        if event.action == DecisionAction::Reassign {
            return Err(format!(
                "its decision event {} is a reassignment; a packet records decisions only",
                event.id
            ));
        }
    }
    Ok(())
}

/// Whether an SQLite file is as long as its header says: `Some(false)`
/// for a truncated copy, `None` when the header does not say (then SQLite
/// checks the whole file). Reading the header is instant where a
/// `quick_check` of a 100,000-item packet took a tenth of a second.
fn whole_file(path: &Path) -> std::io::Result<Option<bool>> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let length = file.metadata()?.len();
    let mut header = [0_u8; 100];
    if file.read_exact(&mut header).is_err() {
        return Ok(Some(false));
    }
    Ok(header_says_whole(&header, length))
}

fn header_says_whole(header: &[u8; 100], length: u64) -> Option<bool> {
    if &header[..16] != b"SQLite format 3\0" {
        return Some(false);
    }
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        size => u64::from(size),
    };
    // The page count is valid when the change counter matches the
    // "version valid for" number (every SQLite since 3.7.0 writes both).
    if be32(24) != be32(92) || be32(28) == 0 {
        return None;
    }
    Some(length == page_size * u64::from(be32(28)))
}

/// Opens the packet without writing to it, and checks that it is whole.
fn open_packet_read_only(path: &Path, whole: Option<bool>) -> Result<Connection, String> {
    if whole == Some(false) {
        return Err(
            "it is damaged: shorter or longer than its SQLite header says, or no SQLite file at all (truncated or corrupted in transfer? copy it again)"
                .to_owned(),
        );
    }
    let damaged = |err: rusqlite::Error| {
        format!(
            "it is damaged or not an SQLite file (truncated or corrupted in transfer? copy it again): {err}"
        )
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(damaged)?;
    // Read through a memory map: the whole decision log is read and hashed.
    conn.pragma_update(None, "mmap_size", 1_i64 << 30)
        .map_err(damaged)?;
    let check: String = if whole.is_some() {
        "ok".to_owned()
    } else {
        conn.query_row("PRAGMA quick_check", [], |row| row.get(0))
            .map_err(damaged)?
    };
    if check != "ok" {
        return Err(format!(
            "it is damaged (truncated or corrupted in transfer? copy it again): {check}"
        ));
    }
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(damaged)?;
    if version != SCHEMA_VERSION {
        return Err(format!(
            "it has schema version {version} and this recert merges version {SCHEMA_VERSION}; use the same recert release on both machines"
        ));
    }
    Ok(conn)
}

struct Issued {
    campaign_id: i64,
    reviewer: String,
    fingerprint: String,
    at: String,
    watermark: i64,
}

fn issued_packet(conn: &Connection, id: i64) -> rusqlite::Result<Option<Issued>> {
    conn.query_row(
        "SELECT campaign_id, reviewer, fingerprint, issued_at, watermark FROM packets WHERE id = ?1",
        [id],
        |row| {
            Ok(Issued {
                campaign_id: row.get(0)?,
                reviewer: row.get(1)?,
                fingerprint: row.get(2)?,
                at: row.get(3)?,
                watermark: row.get(4)?,
            })
        },
    )
    .optional()
}

fn packet_items(conn: &Connection, id: i64) -> rusqlite::Result<HashSet<i64>> {
    let mut statement = conn.prepare("SELECT item_id FROM packet_items WHERE packet_id = ?1")?;
    statement.query_map([id], |row| row.get(0))?.collect()
}

/// The public key registered for `reviewer`.
fn registered_key(conn: &Connection, reviewer: &str) -> Result<PublicKey, String> {
    let how = format!(
        "register it with `recert reviewer add {} --pubkey THEIR.pub` (the recert.pub of the key they seal with)",
        for_display(reviewer)
    );
    let entry = registry::find(conn, reviewer)
        .map_err(|err| format!("looking up the reviewer's key: {err}"))?;
    let Some(base64) = entry.and_then(|e| e.public_key) else {
        return Err(format!(
            "no public key is registered for its reviewer {}, so its seal cannot be checked; {how}",
            for_display(reviewer)
        ));
    };
    PublicKey::from_base64(&base64).map_err(|err| {
        format!(
            "the key registered for {} is unreadable ({err})",
            for_display(reviewer)
        )
    })
}

/// Items the packet decided that the workspace changed after the packet
/// was issued (any decision event, a reassignment among them), or that are
/// no longer assigned to the packet's reviewer.
fn conflicts(
    conn: &Connection,
    campaign: &Campaign,
    info: &PacketInfo,
    watermark: i64,
    log: &OwnLog,
) -> Result<Vec<Conflict>> {
    let mut touched: Vec<i64> = log.events.iter().map(|e| e.item_id).collect();
    touched.sort_unstable();
    touched.dedup();
    let keys = reviewer_keys(conn, campaign, &info.reviewer)?;
    let keys: HashSet<String> = keys.into_iter().collect();
    let mut statement = conn.prepare(
        "SELECT j.value, it.assigned_reviewer,
                (SELECT e.action || ' by ' || e.reviewer || ' at ' || e.decided_at
                 FROM decision_events e WHERE e.item_id = j.value AND e.id > ?2
                 ORDER BY e.id DESC LIMIT 1)
         FROM json_each(?1) j JOIN items it ON it.id = j.value",
    )?;
    let ids = serde_json::to_string(&touched)?;
    let mut rows = statement.query((ids, watermark))?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        let item: i64 = row.get(0)?;
        let assigned: String = row.get(1)?;
        let later: Option<String> = row.get(2)?;
        let mut why = Vec::new();
        if let Some(later) = later {
            why.push(format!(
                "changed in the workspace after the packet was issued (last: {})",
                for_display(&later)
            ));
        }
        if !keys.contains(&assigned) {
            why.push(format!("reassigned to {}", for_display(&assigned)));
        }
        if !why.is_empty() {
            found.push(Conflict {
                item,
                why: why.join("; "),
            });
        }
    }
    Ok(found)
}

struct Appending<'a> {
    key_id: &'a str,
    sha256: &'a str,
    prefer: Option<Prefer>,
    actor: &'a Actor,
    now: DateTime<Utc>,
}

/// Appends the packet's events (but those of `skip`) and records the
/// merge, in one transaction.
fn append(
    conn: &mut Connection,
    campaign: &Campaign,
    info: &PacketInfo,
    log: &OwnLog,
    skip: &HashSet<i64>,
    how: &Appending<'_>,
) -> Result<Merged> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) FROM decision_events",
        [],
        |r| r.get(0),
    )?;
    let events: Vec<_> = log
        .events
        .iter()
        .filter(|e| !skip.contains(&e.item_id))
        .collect();
    let mut items: HashSet<i64> = HashSet::new();
    let mut start = 0;
    while start < events.len() {
        let first = events[start];
        // A run of events recorded together (one decision over many
        // items) is appended as one request.
        let mut end = start + 1;
        while end < events.len() && same_request(first, events[end]) {
            end += 1;
        }
        let ids: Vec<i64> = events[start..end].iter().map(|e| e.item_id).collect();
        items.extend(&ids);
        let at = DateTime::parse_from_rfc3339(&first.decided_at)
            .map_err(|err| eyre!("decision event {} has an unreadable time ({err})", first.id))?
            .with_timezone(&Utc);
        if at.to_rfc3339_opts(SecondsFormat::Millis, true) != first.decided_at {
            bail!(
                "decision event {} has a time recert does not write ({}); the packet was changed",
                first.id,
                first.decided_at
            );
        }
        let extras = first.extras.clone().unwrap_or_default();
        let request = DecisionRequest {
            items: &ids,
            action: first.action,
            justification: first.justification.as_deref(),
            extras: EventExtras {
                basis: extras.basis,
                valid_until: extras.valid_until,
                assignee: None,
                stage: None,
                decided_key: Some(how.key_id.to_owned()),
                packet_sha256: Some(how.sha256.to_owned()),
            },
        };
        let actor = Actor {
            reviewer: first.reviewer.clone(),
            os_user: first.os_user.clone(),
            host: first.host.clone(),
        };
        record_in_transaction(&tx, campaign, std::slice::from_ref(&request), &actor, at)?;
        start = end;
    }
    let after: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) FROM decision_events",
        [],
        |r| r.get(0),
    )?;
    let appended = u64::try_from(after - before).unwrap_or(0);
    let skipped = (log.events.len() - events.len()) as u64;
    tx.execute(
        "INSERT INTO packet_merges (packet_id, sha256, key_id, items, decisions, skipped, prefer,
             first_event, last_event, merged_at, os_user, host)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        (
            info.id,
            how.sha256,
            how.key_id,
            i64::try_from(items.len()).unwrap_or(i64::MAX),
            i64::try_from(appended).unwrap_or(i64::MAX),
            i64::try_from(skipped).unwrap_or(i64::MAX),
            how.prefer.map(Prefer::as_str),
            (after > before).then_some(before + 1),
            (after > before).then_some(after),
            how.now.to_rfc3339_opts(SecondsFormat::Millis, true),
            &how.actor.os_user,
            &how.actor.host,
        ),
    )?;
    tx.commit()?;
    Ok(Merged {
        packet: info.id,
        campaign: campaign.id,
        reviewer: info.reviewer.clone(),
        key_id: how.key_id.to_owned(),
        sha256: how.sha256.to_owned(),
        items: items.len() as u64,
        decisions: appended,
        skipped,
        conflicts: 0,
    })
}

/// Whether two events were recorded by one decision (same action, words,
/// person, machine, time and extras), so they can be appended together.
fn same_request(
    a: &crate::campaign::decisions::DecisionEvent,
    b: &crate::campaign::decisions::DecisionEvent,
) -> bool {
    a.action == b.action
        && a.justification == b.justification
        && a.reviewer == b.reviewer
        && a.os_user == b.os_user
        && a.host == b.host
        && a.decided_at == b.decided_at
        && a.extras.as_ref().map(|e| (e.basis, &e.valid_until))
            == b.extras.as_ref().map(|e| (e.basis, &e.valid_until))
}
