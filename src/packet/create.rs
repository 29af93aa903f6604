//! Writing a review packet: a new SQLite file with the workspace's schema,
//! filled from the workspace with one reviewer's items of one campaign and
//! only the rows those items point at (grants, holders, systems, their
//! snapshots and links, the items' decision history), the campaign's rules,
//! the reviewer's own identity rows (for the own-access rule) and the
//! packet record. It is built by inserting into a fresh file, so no page of
//! it ever held anything else of the workspace.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use color_eyre::eyre::{Result, WrapErr, bail};
use rusqlite::{Connection, TransactionBehavior};

use super::fingerprint::campaign_fingerprint;
use crate::actor::Actor;
use crate::campaign::{Campaign, CampaignState, reviewer_keys};
use crate::workspace::Workspace;

/// What [`create`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub id: i64,
    pub reviewer: String,
    pub items: u64,
    pub decided: u64,
    pub fingerprint: String,
}

/// Writes the packet of `reviewer` (a canonical reviewer name) for
/// `campaign` to `path`, which must not exist, and records it as issued in
/// the workspace. Nothing is left behind on failure.
pub fn create(
    workspace: &mut Workspace,
    campaign: &Campaign,
    reviewer: &str,
    path: &Path,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Issued> {
    if campaign.state == CampaignState::SignedOff {
        bail!(
            "campaign {} ({}) is signed off: its decisions can no longer change, so there is nothing to review in a packet",
            campaign.id,
            crate::text::for_display(&campaign.name)
        );
    }
    if campaign.evidence_format < 2 {
        bail!(
            "campaign {} was created before recert had review packets; its evidence keeps the first format, which cannot name the key a decision was sealed with; create a new campaign to use packets",
            campaign.id
        );
    }
    if fs::symlink_metadata(path).is_ok() {
        bail!(
            "{} exists; recert never overwrites a packet (a reviewer may be working on it): give another file name",
            path.display()
        );
    }
    let temp = temp_path(path);
    let _ = fs::remove_file(&temp);
    let built = build(workspace, campaign, reviewer, path, &temp, actor, now);
    let issued = match built {
        Ok(issued) => issued,
        Err(err) => {
            let _ = fs::remove_file(&temp);
            return Err(err);
        }
    };
    if let Err(err) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(err).wrap_err_with(|| {
            format!(
                "moving the packet into place at {} (packet {} is recorded as issued; create it again under another name)",
                path.display(),
                issued.id
            )
        });
    }
    Ok(issued)
}

/// The ids of the rows a packet takes, gathered before they are copied.
const PICK_TABLES: &str = "DROP TABLE IF EXISTS temp.pick_items;
         DROP TABLE IF EXISTS temp.pick_identities;
         DROP TABLE IF EXISTS temp.pick_links;
         DROP TABLE IF EXISTS temp.pick_snapshots;
         CREATE TEMP TABLE pick_items (id INTEGER PRIMARY KEY);
         CREATE TEMP TABLE pick_identities (id INTEGER PRIMARY KEY);
         CREATE TEMP TABLE pick_links (id INTEGER PRIMARY KEY);
         CREATE TEMP TABLE pick_snapshots (id INTEGER PRIMARY KEY);";

/// `FILE.part-PID` beside the target: renamed over it once complete.
fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".part-{}", std::process::id()));
    path.with_file_name(name)
}

fn build(
    workspace: &mut Workspace,
    campaign: &Campaign,
    reviewer: &str,
    path: &Path,
    temp: &Path,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Issued> {
    // The empty packet, migrated to the current schema, then filled
    // through the workspace's connection.
    drop(Workspace::create_packet_file(temp)?);
    let conn = &mut workspace.conn;
    conn.execute("ATTACH DATABASE ?1 AS pk", [temp.to_string_lossy()])
        .wrap_err_with(|| format!("opening the new packet {}", temp.display()))?;
    let result = fill(conn, campaign, reviewer, path, actor, now);
    let detached = conn.execute("DETACH DATABASE pk", []);
    let issued = result?;
    detached?;
    Ok(issued)
}

fn fill(
    conn: &mut Connection,
    campaign: &Campaign,
    reviewer: &str,
    path: &Path,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Issued> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let keys = reviewer_keys(&tx, campaign, reviewer)?;
    let keys_json = serde_json::to_string(&keys)?;
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM main.packets",
        [],
        |r| r.get(0),
    )?;
    let watermark: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) FROM main.decision_events",
        [],
        |r| r.get(0),
    )?;
    let fingerprint = campaign_fingerprint(&tx, campaign.id)?;
    let issued_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    tx.execute_batch(PICK_TABLES)?;
    let items = tx.execute(
        "INSERT INTO temp.pick_items SELECT id FROM main.items
         WHERE campaign_id = ?1 AND assigned_reviewer IN (SELECT value FROM json_each(?2))",
        (campaign.id, &keys_json),
    )?;
    if items == 0 {
        bail!(
            "no item of campaign {} ({}) is assigned to {}; nothing to put in a packet (see `recert status {} --by-reviewer`)",
            campaign.id,
            crate::text::for_display(&campaign.name),
            crate::text::for_display(reviewer),
            campaign.id
        );
    }
    copy_rows(&tx, campaign.id, reviewer)?;
    count_controls(&tx)?;
    let (base_event, base_hash): (i64, Option<String>) = tx.query_row(
        "SELECT coalesce(max(id), 0), (SELECT event_hash FROM pk.decision_events ORDER BY id DESC LIMIT 1)
         FROM pk.decision_events",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let base_hash = base_hash.unwrap_or_else(|| crate::chain::GENESIS.to_owned());
    tx.execute(
        "INSERT INTO pk.packet (id, campaign_id, reviewer, fingerprint, issued_at, issued_by,
             base_event, base_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        (
            id,
            campaign.id,
            reviewer,
            &fingerprint,
            &issued_at,
            actor.to_string(),
            base_event,
            &base_hash,
        ),
    )?;
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    tx.execute(
        "INSERT INTO main.packets (id, campaign_id, reviewer, fingerprint, file_name, item_count,
             watermark, issued_at, os_user, host)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        (
            id,
            campaign.id,
            reviewer,
            &fingerprint,
            &file_name,
            i64::try_from(items).unwrap_or(i64::MAX),
            watermark,
            &issued_at,
            &actor.os_user,
            &actor.host,
        ),
    )?;
    tx.execute(
        "INSERT INTO main.packet_items SELECT ?1, id FROM temp.pick_items",
        [id],
    )?;
    let decided: u64 = tx.query_row("SELECT count(*) FROM pk.current_decisions", [], |r| {
        r.get(0)
    })?;
    tx.execute_batch(PICK_TABLES)?;
    tx.commit()?;
    Ok(Issued {
        id,
        reviewer: reviewer.to_owned(),
        items: items as u64,
        decided,
        fingerprint,
    })
}

/// Copies every row the picked items need into the packet (ids kept, so
/// the packet's events name the workspace's items), in foreign-key order.
/// The baseline's items stay behind: the packet has no prior decisions.
fn copy_rows(conn: &Connection, campaign_id: i64, reviewer: &str) -> rusqlite::Result<()> {
    // The reviewer's own rows (the own-access rule needs their keys) and
    // the accounts the campaign linked to them.
    conn.execute(
        "INSERT OR IGNORE INTO temp.pick_identities
         SELECT i.id FROM main.identities i
         WHERE i.identity_id = ?2 AND i.snapshot_id IN (
             SELECT snapshot_id FROM main.campaign_snapshots WHERE campaign_id = ?1
             UNION SELECT id FROM main.snapshots WHERE kind = 'identities' AND current = 1)",
        (campaign_id, reviewer),
    )?;
    conn.execute(
        "INSERT INTO pk.reviewers SELECT * FROM main.reviewers WHERE name_key = ?1",
        [crate::reviewers::name::fold(reviewer)],
    )?;
    conn.execute_batch(&format!(
        "INSERT OR IGNORE INTO temp.pick_links
             SELECT link_row FROM main.items WHERE id IN (SELECT id FROM temp.pick_items) AND link_row IS NOT NULL;
         INSERT OR IGNORE INTO temp.pick_links
             SELECT id FROM main.campaign_links WHERE campaign_id = {campaign_id}
               AND person_row IN (SELECT id FROM temp.pick_identities);
         INSERT OR IGNORE INTO temp.pick_identities
             SELECT identity_row FROM main.items WHERE id IN (SELECT id FROM temp.pick_items) AND identity_row IS NOT NULL;
         INSERT OR IGNORE INTO temp.pick_identities
             SELECT account_row FROM main.campaign_links WHERE id IN (SELECT id FROM temp.pick_links) AND account_row IS NOT NULL;
         INSERT OR IGNORE INTO temp.pick_identities
             SELECT person_row FROM main.campaign_links WHERE id IN (SELECT id FROM temp.pick_links) AND person_row IS NOT NULL;
         INSERT OR IGNORE INTO temp.pick_snapshots
             SELECT snapshot_id FROM main.campaign_snapshots WHERE campaign_id = {campaign_id};
         INSERT OR IGNORE INTO temp.pick_snapshots
             SELECT snapshot_id FROM main.identities WHERE id IN (SELECT id FROM temp.pick_identities);
         INSERT OR IGNORE INTO temp.pick_snapshots
             SELECT g.snapshot_id FROM main.items it JOIN main.grants g ON g.id = it.grant_row
             WHERE it.id IN (SELECT id FROM temp.pick_items);
         INSERT OR IGNORE INTO temp.pick_snapshots
             SELECT s.snapshot_id FROM main.items it JOIN main.systems s ON s.id = it.system_row
             WHERE it.id IN (SELECT id FROM temp.pick_items);

         INSERT INTO pk.imports SELECT * FROM main.imports
             WHERE id IN (SELECT import_id FROM main.snapshots WHERE id IN (SELECT id FROM temp.pick_snapshots));
         INSERT INTO pk.snapshots SELECT * FROM main.snapshots WHERE id IN (SELECT id FROM temp.pick_snapshots);
         INSERT INTO pk.campaigns (id, name, period, as_of, due, default_reviewer, justify_mask, rules,
                 created_at, created_by, evidence_format, link_watermark, baseline_id)
             SELECT id, name, period, as_of, due, default_reviewer, justify_mask, rules,
                 created_at, created_by, evidence_format, link_watermark, NULL
             FROM main.campaigns WHERE id = {campaign_id};
         INSERT INTO pk.campaign_snapshots SELECT * FROM main.campaign_snapshots WHERE campaign_id = {campaign_id};
         INSERT INTO pk.identities SELECT * FROM main.identities WHERE id IN (SELECT id FROM temp.pick_identities);
         INSERT INTO pk.systems SELECT * FROM main.systems
             WHERE id IN (SELECT system_row FROM main.items WHERE id IN (SELECT id FROM temp.pick_items));
         INSERT INTO pk.grants SELECT * FROM main.grants
             WHERE id IN (SELECT grant_row FROM main.items WHERE id IN (SELECT id FROM temp.pick_items));
         INSERT INTO pk.campaign_links SELECT * FROM main.campaign_links WHERE id IN (SELECT id FROM temp.pick_links);
         INSERT INTO pk.items (id, campaign_id, control_id, grant_row, identity_row, system_row, signal_mask,
                 reasons, recommendation, recommendation_reason, assigned_reviewer, link_row,
                 initial_reviewer, grant_key, prior_item, delta, carry_over)
             SELECT id, campaign_id, control_id, grant_row, identity_row, system_row, signal_mask,
                 reasons, recommendation, recommendation_reason, assigned_reviewer, link_row,
                 initial_reviewer, grant_key, NULL, delta, carry_over
             FROM main.items WHERE id IN (SELECT id FROM temp.pick_items);
         INSERT INTO pk.decision_events SELECT * FROM main.decision_events
             WHERE item_id IN (SELECT id FROM temp.pick_items) ORDER BY id;
         INSERT INTO pk.current_decisions SELECT * FROM main.current_decisions
             WHERE item_id IN (SELECT id FROM temp.pick_items);
         INSERT INTO pk.pending_reviews SELECT * FROM main.pending_reviews
             WHERE item_id IN (SELECT id FROM temp.pick_items);",
    ))
}

/// The packet's per-control counts, over its own items only.
fn count_controls(conn: &Connection) -> rusqlite::Result<()> {
    let signals = crate::campaign::progress::signal_columns();
    let sums = (0..crate::model::Signal::COUNT)
        .map(|bit| format!("sum((it.signal_mask >> {bit}) & 1)"))
        .collect::<Vec<_>>()
        .join(", ");
    conn.execute(
        &format!(
            "INSERT INTO pk.control_stats (campaign_id, control_id, total, first_item, last_item,
                 certified, revoked, {signals})
             SELECT it.campaign_id, it.control_id, count(*), min(it.id), max(it.id),
                 coalesce(sum(cd.decision = 'certify'), 0), coalesce(sum(cd.decision = 'revoke'), 0), {sums}
             FROM pk.items it LEFT JOIN pk.current_decisions cd ON cd.item_id = it.id
             GROUP BY it.campaign_id, it.control_id"
        ),
        [],
    )?;
    Ok(())
}
