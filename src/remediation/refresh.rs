//! Checking the snapshots imported since the last look against every
//! followed revocation of their scope: one pass over each new snapshot's
//! grants, hash-joined by grant key, whatever the number of revocations.

use foldhash::{HashMap, HashSet};
use rusqlite::Connection;

use super::report::{self, Counts};
use super::track::track_items;
use crate::campaign::grant_key;
use crate::workspace::readers;

/// What a refresh found for one campaign whose revocations it checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub campaign_id: i64,
    pub campaign: String,
    /// The campaign's revocations by state, after the refresh.
    pub counts: Counts,
}

/// [`refresh`] in its own immediate transaction (after an import).
pub fn refresh_now(
    conn: &mut Connection,
    today: chrono::NaiveDate,
) -> rusqlite::Result<Vec<Resolved>> {
    // Every check inserted references a revocation and a snapshot read in
    // the same transaction: per-row foreign-key lookups would prove nothing
    // and double the cost of a hundred thousand checks.
    let foreign_keys: bool = conn.pragma_query_value(None, "foreign_keys", |row| row.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let resolved = (|| {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let resolved = refresh(&tx, today)?;
        tx.commit()?;
        Ok(resolved)
    })();
    conn.pragma_update(None, "foreign_keys", foreign_keys)?;
    resolved
}

impl Resolved {
    /// `campaign "2026-Q4" (3): 115 revocations now removed, 115 pending`.
    pub fn describe(&self) -> String {
        let counts = &self.counts;
        let mut parts = vec![
            format!(
                "{} now removed",
                crate::text::count(counts.removed, "revocation")
            ),
            format!("{} pending", counts.pending),
        ];
        if counts.over_sla > 0 {
            parts.push(format!("{} of them over the SLA", counts.over_sla));
        }
        if counts.reappeared > 0 {
            parts.push(format!("{} reappeared", counts.reappeared));
        }
        if counts.not_rechecked > 0 {
            parts.push(format!("{} not re-checked", counts.not_rechecked));
        }
        format!(
            "campaign {:?} ({}): {}",
            crate::text::for_display(&self.campaign),
            self.campaign_id,
            parts.join(", ")
        )
    }
}

/// Follows what needs following, in the caller's transaction: campaigns
/// signed off without tracking (before schema 9) get their revoked items
/// listed, and every entitlements snapshot newer than a campaign's last
/// check is compared with its revocations of that scope. Returns the
/// campaigns that got new checks. `today` dates the pending counts.
pub fn refresh(conn: &Connection, today: chrono::NaiveDate) -> rusqlite::Result<Vec<Resolved>> {
    // A sign-off this build did not see (an older recert's, after the
    // upgrade migrated the others): snapshots up to its second came before it.
    conn.execute(
        "INSERT INTO remediation_campaigns (campaign_id, last_snapshot, checked_through)
         SELECT so.campaign_id, coalesce(
             (SELECT max(sn.id) FROM snapshots sn JOIN imports im ON im.id = sn.import_id
              WHERE substr(im.imported_at, 1, 19) <= substr(so.signed_at, 1, 19)), 0), 0
         FROM signoffs so
         WHERE so.campaign_id NOT IN (SELECT campaign_id FROM remediation_campaigns)",
        [],
    )?;
    // Only rows just added can be behind their own sign-off point.
    conn.execute(
        "UPDATE remediation_campaigns SET checked_through = last_snapshot
         WHERE checked_through < last_snapshot",
        [],
    )?;
    let untracked: Vec<i64> = conn
        .prepare("SELECT campaign_id FROM remediation_campaigns WHERE tracked = 0")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for campaign in untracked {
        track_items(conn, campaign)?;
        // Its decisions are a later campaign's baseline too.
        crate::campaign::baseline::record_sign_off(conn, campaign)?;
    }
    let newest: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM snapshots", [], |row| {
        row.get(0)
    })?;
    let behind: Vec<(i64, i64)> = conn
        .prepare(
            "SELECT campaign_id, checked_through FROM remediation_campaigns
             WHERE checked_through < ?1 ORDER BY campaign_id",
        )?
        .query_map([newest], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // Every revocation to check, by snapshot: (item, grant key text).
    let mut work: HashMap<i64, Vec<(i64, String)>> = HashMap::default();
    let mut checked: Vec<i64> = Vec::new();
    for (campaign, through) in &behind {
        let mut snapshots = conn.prepare_cached(
            "SELECT sn.id, sn.scope FROM snapshots sn
             WHERE sn.kind = 'entitlements' AND sn.id > ?2
               AND sn.scope IN (SELECT scope FROM remediation WHERE campaign_id = ?1)
             ORDER BY sn.id",
        )?;
        let found: Vec<(i64, String)> = snapshots
            .query_map((campaign, through), |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if !found.is_empty() {
            checked.push(*campaign);
        }
        for (snapshot, scope) in found {
            let mut items = conn.prepare_cached(
                "SELECT item_id, grant_key FROM remediation WHERE campaign_id = ?1 AND scope = ?2",
            )?;
            let rows = items.query_map((campaign, &scope), |row| Ok((row.get(0)?, row.get(1)?)))?;
            let list = work.entry(snapshot).or_default();
            for row in rows {
                list.push(row?);
            }
        }
    }
    let mut snapshots: Vec<i64> = work.keys().copied().collect();
    snapshots.sort_unstable();
    for snapshot in snapshots {
        if let Some(items) = work.remove(&snapshot) {
            check_snapshot(conn, snapshot, &items)?;
        }
    }
    conn.execute(
        "UPDATE remediation_campaigns SET checked_through = ?1 WHERE checked_through < ?1",
        [newest],
    )?;
    let mut resolved = Vec::with_capacity(checked.len());
    for campaign in checked {
        let name: String = conn.query_row(
            "SELECT name FROM campaigns WHERE id = ?1",
            [campaign],
            |row| row.get(0),
        )?;
        let counts = report::counts_of(conn, campaign, today)?;
        resolved.push(Resolved {
            campaign_id: campaign,
            campaign: name,
            counts,
        });
    }
    Ok(resolved)
}

/// Reads the snapshot's grants once and records, for each revocation,
/// whether its grant is still there.
fn check_snapshot(
    conn: &Connection,
    snapshot: i64,
    items: &[(i64, String)],
) -> rusqlite::Result<()> {
    let mut wanted: HashMap<&str, Vec<i64>> = HashMap::default();
    let mut systems: HashSet<&str> = HashSet::default();
    for (item, key) in items {
        wanted.entry(key.as_str()).or_default().push(*item);
        systems.insert(key.split('\u{1f}').next().unwrap_or(""));
    }
    let (low, high): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT min(id), max(id) FROM grants WHERE snapshot_id = ?1",
        [snapshot],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut present: HashSet<&str> = HashSet::default();
    if let (Some(low), Some(high)) = (low, high) {
        // A million-grant export is a second of key building on one core.
        let threads = readers::threads_for(high - low + 1);
        let found = readers::over_ranges(conn, (low, high), threads, |conn, _, range| {
            present_in(conn, snapshot, range, &wanted, &systems)
        })?;
        present.extend(found.into_iter().flatten());
    }
    // Inserted in key order, so consecutive inserts touch neighbouring pages.
    let mut checks: Vec<(i64, bool)> = wanted
        .iter()
        .flat_map(|(key, items)| {
            let here = present.contains(key);
            items.iter().map(move |item| (*item, here))
        })
        .collect();
    checks.sort_unstable();
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO remediation_checks (item_id, snapshot_id, present) VALUES (?1, ?2, ?3)",
    )?;
    for (item, here) in checks {
        insert.execute((item, snapshot, here))?;
    }
    Ok(())
}

/// The wanted keys among the snapshot's grants with ids in `low..=high`.
fn present_in<'a>(
    conn: &Connection,
    snapshot: i64,
    (low, high): (i64, i64),
    wanted: &HashMap<&'a str, Vec<i64>>,
    systems: &HashSet<&str>,
) -> rusqlite::Result<Vec<&'a str>> {
    // One import writes a snapshot's grants with consecutive ids: read
    // them by range in the table's own order.
    let mut select = conn.prepare_cached(
        "SELECT system, entitlement, identity_ref FROM grants NOT INDEXED
         WHERE id BETWEEN ?1 AND ?2 AND snapshot_id = ?3",
    )?;
    let mut rows = select.query((low, high, snapshot))?;
    let mut system = String::new();
    let mut key = String::new();
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        // Most grants are on systems nothing was revoked on.
        crate::identity::keys::fold_into(row.get_ref(0)?.as_str()?, &mut system);
        if !systems.contains(system.as_str()) {
            continue;
        }
        grant_key::text_into(
            row.get_ref(0)?.as_str()?,
            row.get_ref(1)?.as_str()?,
            row.get_ref(2)?.as_str()?,
            &mut key,
        );
        if let Some((known, _)) = wanted.get_key_value(key.as_str()) {
            found.push(*known);
        }
    }
    Ok(found)
}
