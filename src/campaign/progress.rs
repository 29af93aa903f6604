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
    if let Some(reviewer) = reviewer {
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
         FROM items it LEFT JOIN current_decisions cd ON cd.item_id = it.id
         WHERE it.campaign_id = ?{filter}
         GROUP BY it.control_id"
    );
    let catalog = Catalog::builtin();
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    let mut progress = Vec::new();
    while let Some(row) = rows.next()? {
        let control_id: String = row.get(0)?;
        let mut signals = Vec::new();
        for (index, signal) in Signal::ALL.iter().enumerate() {
            let count: u64 = row.get(5 + index)?;
            if count > 0 {
                signals.push((*signal, count));
            }
        }
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
