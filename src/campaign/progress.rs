//! A campaign's progress per control: items, decided, certified, revoked and
//! how many items carry each signal.

use std::fmt::Write;

use color_eyre::eyre::Result;
use rusqlite::{Connection, params_from_iter, types::Value};

use super::catalog::{Catalog, compare_ids};
use super::lookup::Campaign;
use super::reviewer::reviewer_keys;
use crate::model::Signal;

/// The progress of one control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlProgress {
    pub control_id: String,
    pub title: String,
    pub total: u64,
    pub decided: u64,
    pub certified: u64,
    pub revoked: u64,
    /// Items carrying each signal, in signal order; signals no item carries are left out.
    pub signals: Vec<(Signal, u64)>,
}

impl ControlProgress {
    pub fn undecided(&self) -> u64 {
        self.total - self.decided
    }
}

/// Progress per control, ordered by control id numerically (5.3 < 5.15 <
/// 8.2); with a reviewer, only the items assigned to them.
pub fn campaign_progress(
    conn: &Connection,
    campaign: &Campaign,
    reviewer: Option<&str>,
) -> Result<Vec<ControlProgress>> {
    if reviewer.is_none() {
        if let Some(progress) = stored_progress(conn, campaign)? {
            return Ok(progress);
        }
    }
    let mut signal_sums = String::new();
    for signal in Signal::ALL {
        let _ = write!(
            signal_sums,
            ", sum((it.signal_mask & {}) <> 0)",
            signal.bit()
        );
    }
    let mut values: Vec<Value> = vec![Value::Integer(campaign.id)];
    let mut filter = String::new();
    // Without statistics SQLite prefers the control index (it saves the
    // GROUP BY sort) and scans every item; one reviewer's items are few, so
    // read them through the reviewer index instead.
    let mut index = "";
    if let Some(reviewer) = reviewer {
        index = " INDEXED BY items_by_reviewer";
        let keys = reviewer_keys(conn, campaign, reviewer)?;
        filter = format!(
            " AND it.assigned_reviewer IN ({})",
            vec!["?"; keys.len()].join(", ")
        );
        values.extend(keys.into_iter().map(Value::Text));
    }
    let sql = format!(
        "SELECT it.control_id, count(*), count(cd.item_id),
                coalesce(sum(cd.decision = 'certify'), 0), coalesce(sum(cd.decision = 'revoke'), 0)
                {signal_sums}
         FROM items it{index} LEFT JOIN current_decisions cd ON cd.item_id = it.id
         WHERE it.campaign_id = ?{filter}
         GROUP BY it.control_id"
    );
    let catalog = Catalog::builtin();
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    let mut progress = Vec::new();
    while let Some(row) = rows.next()? {
        let control_id: String = row.get(0)?;
        let signals = signal_counts(row, 5)?;
        progress.push(ControlProgress {
            title: catalog.title(&control_id).to_owned(),
            control_id,
            total: row.get(1)?,
            decided: row.get(2)?,
            certified: row.get(3)?,
            revoked: row.get(4)?,
            signals,
        });
    }
    progress.sort_by(|a, b| compare_ids(&a.control_id, &b.control_id));
    Ok(progress)
}

/// `signal_0, signal_1, …`: the `control_stats` column of each signal, in
/// signal order (migrations 0003 and 0007).
pub fn signal_columns() -> String {
    (0..Signal::COUNT)
        .map(|bit| format!("signal_{bit}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The per-signal counts in the columns from `first` on, in signal
/// order, leaving out signals no item carries.
fn signal_counts(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Vec<(Signal, u64)>> {
    let mut signals = Vec::new();
    for (index, signal) in Signal::ALL.iter().enumerate() {
        let count: u64 = row.get(first + index)?;
        if count > 0 {
            signals.push((*signal, count));
        }
    }
    Ok(signals)
}

/// Stores the per-control totals, signal counts, decision counts and id
/// ranges of a campaign built with plain SQL (tests, benches) in
/// `control_stats`, as campaign creation does for its own campaigns;
/// `record_decisions` keeps the decision counts current from then on.
pub fn record_control_stats(conn: &Connection, campaign_id: i64) -> rusqlite::Result<()> {
    let sums: Vec<String> = (0..Signal::COUNT)
        .map(|bit| format!("sum((it.signal_mask & {}) <> 0)", 1_u32 << bit))
        .collect();
    conn.execute(
        &format!(
            "INSERT INTO control_stats (campaign_id, control_id, total, {}, certified, revoked,
                 first_item, last_item)
             SELECT it.campaign_id, it.control_id, count(*), {},
                 coalesce(sum(cd.decision = 'certify'), 0), coalesce(sum(cd.decision = 'revoke'), 0),
                 min(it.id), max(it.id)
             FROM items it LEFT JOIN current_decisions cd ON cd.item_id = it.id
             WHERE it.campaign_id = ?1
             GROUP BY it.control_id",
            signal_columns(),
            sums.join(", ")
        ),
        [campaign_id],
    )?;
    Ok(())
}

/// The whole campaign's progress from `control_stats`: a few rows however
/// many items. `None` for a campaign without stored counts (one built by
/// hand in SQL), which the scanning query above still serves.
fn stored_progress(conn: &Connection, campaign: &Campaign) -> Result<Option<Vec<ControlProgress>>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT control_id, total, certified, revoked, {}
         FROM control_stats WHERE campaign_id = ?1",
        signal_columns()
    ))?;
    let catalog = Catalog::builtin();
    let mut rows = statement.query([campaign.id])?;
    let mut progress = Vec::new();
    while let Some(row) = rows.next()? {
        let control_id: String = row.get(0)?;
        let certified: u64 = row.get(2)?;
        let revoked: u64 = row.get(3)?;
        let signals = signal_counts(row, 4)?;
        progress.push(ControlProgress {
            title: catalog.title(&control_id).to_owned(),
            control_id,
            total: row.get(1)?,
            decided: certified + revoked,
            certified,
            revoked,
            signals,
        });
    }
    if progress.is_empty() {
        return Ok(None);
    }
    progress.sort_by(|a, b| compare_ids(&a.control_id, &b.control_id));
    Ok(Some(progress))
}

#[cfg(test)]
mod stats_tests {
    use super::*;
    use crate::campaign::find_campaign;
    use crate::model::DecisionAction;
    use crate::workspace::Workspace;

    /// Two items under 5.18, one dormant, built in SQL without stored counts.
    fn workspace() -> Workspace {
        crate::test_support::workspace_with(&format!(
            "INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
                 VALUES (1, 1, 'entitlements', 'canonical', 'entitlements', 'e.csv', '{h}', 2);
             INSERT INTO grants (id, snapshot_id, line, identity_ref, system, entitlement, type, privileged)
                 VALUES (1, 1, 2, 'E1', 'app', 'user', 'role', 0), (2, 1, 3, 'E2', 'app', 'user', 'role', 0);
             INSERT INTO campaigns (id, name, as_of, justify_mask, rules, created_at, created_by)
                 VALUES (1, 'Q4', '2026-11-30', 0, '', '2026-11-30T00:00:00Z', 'u');
             INSERT INTO items (id, campaign_id, control_id, grant_row, signal_mask, reasons,
                 recommendation, recommendation_reason, assigned_reviewer)
                 VALUES (1, 1, '5.18', 1, 0, '[]', 'certify', 'no risk', 'M1'),
                        (2, 1, '5.18', 2, {dormant}, '[\"x\"]', 'revoke', 'dormant', 'M1');",
            h = "a".repeat(64),
            dormant = Signal::Dormant.bit(),
        ))
    }

    fn decide(ws: &mut Workspace, item: i64, action: DecisionAction) {
        crate::test_support::decide(ws, "Q4", &[item], action, Some("why"), "M1").expect("decide");
    }

    fn progress(ws: &Workspace) -> Vec<ControlProgress> {
        let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
        campaign_progress(&ws.conn, &campaign, None).expect("progress")
    }

    #[test]
    fn stored_counts_follow_decisions_changes_and_undos() {
        let mut ws = workspace();
        let scanned = progress(&ws);
        record_control_stats(&ws.conn, 1).expect("stats");
        assert_eq!(progress(&ws), scanned, "stored counts match the scan");
        decide(&mut ws, 1, DecisionAction::Certify);
        decide(&mut ws, 2, DecisionAction::Certify);
        decide(&mut ws, 2, DecisionAction::Revoke);
        let stored = progress(&ws);
        assert_eq!(
            (stored[0].certified, stored[0].revoked, stored[0].decided),
            (1, 1, 2)
        );
        assert_eq!(stored[0].signals, vec![(Signal::Dormant, 1)]);
        decide(&mut ws, 1, DecisionAction::Undo);
        let stored = progress(&ws);
        assert_eq!(
            (stored[0].certified, stored[0].revoked, stored[0].decided),
            (0, 1, 1)
        );
        ws.conn
            .execute("DELETE FROM control_stats", [])
            .expect("forget stats");
        assert_eq!(
            progress(&ws),
            stored,
            "the scan agrees with the stored counts"
        );
    }
}
