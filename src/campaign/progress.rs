//! A campaign's progress per control: items, decided, certified, revoked and
//! how many items carry each signal.

use color_eyre::eyre::Result;
use rusqlite::Connection;

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
    let mut progress = match reviewer {
        None => stored_progress(conn, campaign)?,
        Some(reviewer) => reviewer_progress(conn, campaign, reviewer)?,
    };
    progress.sort_by(|a, b| compare_ids(&a.control_id, &b.control_id));
    Ok(progress)
}

/// One reviewer's progress, counted from their items: `control_stats` holds
/// the whole campaign's counts only. The rows are read through the reviewer
/// ranges and tallied here: twenty `sum()`s per row in SQL cost more than
/// reading the row (a default reviewer may hold tens of thousands of items,
/// and the review counts them at every launch).
fn reviewer_progress(
    conn: &Connection,
    campaign: &Campaign,
    reviewer: &str,
) -> Result<Vec<ControlProgress>> {
    let keys = serde_json::to_string(&reviewer_keys(conn, campaign, reviewer)?)?;
    let sql = format!(
        "SELECT it.control_id, it.signal_mask, cd.decision
         FROM items it LEFT JOIN current_decisions cd ON cd.item_id = it.id
         WHERE {}",
        super::ranges::assigned_to(super::ranges::ITEMS_AS_IT, "?1", "?2")
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query((campaign.id, keys))?;
    let mut tallies: Vec<(String, Tally)> = Vec::new();
    while let Some(row) = rows.next()? {
        let control = row.get_ref(0)?.as_str()?;
        let at = tallies
            .iter()
            .position(|(id, _)| id == control)
            .unwrap_or_else(|| {
                tallies.push((control.to_owned(), Tally::default()));
                tallies.len() - 1
            });
        let decision = row.get_ref(2)?.as_str_or_null()?;
        tallies[at].1.count(row.get(1)?, decision);
    }
    let catalog = Catalog::builtin();
    Ok(tallies
        .into_iter()
        .map(|(control_id, tally)| ControlProgress {
            title: catalog.title(&control_id).to_owned(),
            control_id,
            total: tally.total,
            decided: tally.certified + tally.revoked,
            certified: tally.certified,
            revoked: tally.revoked,
            signals: Signal::ALL
                .iter()
                .zip(tally.signals)
                .filter(|(_, n)| *n > 0)
                .map(|(signal, n)| (*signal, n))
                .collect(),
        })
        .collect())
}

/// One control's counts while a reviewer's items are read.
#[derive(Debug, Default)]
struct Tally {
    total: u64,
    certified: u64,
    revoked: u64,
    signals: [u64; Signal::COUNT],
}

impl Tally {
    fn count(&mut self, mask: u32, decision: Option<&str>) {
        self.total += 1;
        match decision {
            Some("certify") => self.certified += 1,
            Some("revoke") => self.revoked += 1,
            _ => {}
        }
        for (n, signal) in Signal::ALL.iter().enumerate() {
            if mask & signal.bit() != 0 {
                self.signals[n] += 1;
            }
        }
    }
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

/// The whole campaign's progress from `control_stats`, which campaign
/// creation writes and every decision keeps current: a few rows however
/// many items.
fn stored_progress(conn: &Connection, campaign: &Campaign) -> Result<Vec<ControlProgress>> {
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
    Ok(progress)
}

#[cfg(test)]
mod stats_tests {
    use super::*;
    use crate::campaign::{CampaignSpec, find_campaign};
    use crate::model::DecisionAction;
    use crate::workspace::Workspace;

    /// Two items under 5.18 reviewed by M1, the second dormant, and one
    /// under 8.2 reviewed by the system owner O1.
    fn workspace() -> Workspace {
        crate::test_support::campaign_workspace(
            &[
                (
                    "identities.csv",
                    "identity_id,manager_id\nE1,M1\nE2,M1\nM1,\nO1,\n",
                ),
                ("systems.csv", "system,owner_id\napp,O1\n"),
                (
                    "entitlements.csv",
                    "identity_id,system,entitlement,privileged,last_used_at\n\
                     E1,app,user,false,2026-11-20\n\
                     E2,app,user,false,2026-01-02\n\
                     E1,app,admin,true,2026-11-20\n",
                ),
            ],
            &CampaignSpec {
                as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
                ..CampaignSpec::new("Q4")
            },
        )
    }

    fn decide(ws: &mut Workspace, item: i64, action: DecisionAction) {
        crate::test_support::decide(ws, "Q4", &[item], action, Some("why"), "M1").expect("decide");
    }

    fn progress(ws: &Workspace, reviewer: Option<&str>) -> Vec<ControlProgress> {
        let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
        campaign_progress(&ws.conn, &campaign, reviewer).expect("progress")
    }

    /// The stored counts, checked against the items counted per reviewer.
    fn stored(ws: &Workspace) -> Vec<(u64, u64, u64)> {
        let stored = progress(ws, None);
        let mut counted = progress(ws, Some("M1"));
        counted.extend(progress(ws, Some("O1")));
        counted.sort_by(|a, b| compare_ids(&a.control_id, &b.control_id));
        assert_eq!(stored, counted, "stored counts match the items");
        stored
            .iter()
            .map(|p| (p.certified, p.revoked, p.decided))
            .collect()
    }

    #[test]
    fn stored_counts_follow_decisions_changes_and_undos() {
        let mut ws = workspace();
        let fresh = progress(&ws, None);
        let ids: Vec<&str> = fresh.iter().map(|p| p.control_id.as_str()).collect();
        assert_eq!(ids, ["5.18", "8.2"]);
        assert_eq!(fresh[0].signals, vec![(Signal::Dormant, 1)]);
        assert_eq!(fresh[1].signals, vec![(Signal::Privileged, 1)]);
        assert_eq!(stored(&ws), [(0, 0, 0), (0, 0, 0)]);
        decide(&mut ws, 1, DecisionAction::Certify);
        decide(&mut ws, 2, DecisionAction::Certify);
        decide(&mut ws, 2, DecisionAction::Revoke);
        decide(&mut ws, 3, DecisionAction::Revoke);
        assert_eq!(stored(&ws), [(1, 1, 2), (0, 1, 1)]);
        decide(&mut ws, 1, DecisionAction::Undo);
        assert_eq!(stored(&ws), [(0, 1, 1), (0, 1, 1)]);
    }

    #[test]
    fn a_reviewer_sees_only_their_items() {
        let ws = workspace();
        let mine = progress(&ws, Some("M1"));
        assert_eq!(mine.len(), 1);
        assert_eq!((mine[0].control_id.as_str(), mine[0].total), ("5.18", 2));
    }
}
