//! Keeping `current_decisions` and the decision counts of `control_stats` in
//! step with newly appended events, set-based, inside the decision's own
//! transaction (migration 0004 explains why not by trigger).

use rusqlite::Connection;

use super::DecideError;
use crate::model::{Decision, DecisionAction};

/// How one decision moves a control's certified and revoked counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CountChange {
    pub control_id: String,
    pub certified: i64,
    pub revoked: i64,
}

impl CountChange {
    pub fn new(control_id: &str) -> CountChange {
        CountChange {
            control_id: control_id.to_owned(),
            certified: 0,
            revoked: 0,
        }
    }

    /// One item of the control going from `old` to `new` (`None` = undecided).
    pub fn record(&mut self, old: Option<Decision>, new: Option<Decision>) {
        let count = |decision| i64::from(new == Some(decision)) - i64::from(old == Some(decision));
        self.certified += count(Decision::Certify);
        self.revoked += count(Decision::Revoke);
    }
}

/// Makes the events `first..=last` (one request, so one action) the current
/// decisions of their items, and applies the count changes `check` found.
/// A control without its counts row is an error: the counts would be wrong
/// from then on, and campaign creation always writes that row.
pub(super) fn apply(
    conn: &Connection,
    campaign_id: i64,
    action: DecisionAction,
    (first, last): (i64, i64),
    changes: &[CountChange],
) -> Result<(), DecideError> {
    let project = if action.decision().is_some() {
        // An item named twice gets its later event: rows go in id order and replace.
        "INSERT OR REPLACE INTO current_decisions (item_id, campaign_id, event_id, decision)
         SELECT item_id, campaign_id, id, action FROM decision_events
         WHERE id BETWEEN ?1 AND ?2 ORDER BY id"
    } else {
        "DELETE FROM current_decisions
         WHERE item_id IN (SELECT item_id FROM decision_events WHERE id BETWEEN ?1 AND ?2)"
    };
    conn.prepare_cached(project)?.execute((first, last))?;
    let mut update = conn.prepare_cached(
        "UPDATE control_stats SET certified = certified + ?3, revoked = revoked + ?4
         WHERE campaign_id = ?1 AND control_id = ?2",
    )?;
    for change in changes {
        let updated = update.execute((
            campaign_id,
            &change.control_id,
            change.certified,
            change.revoked,
        ))?;
        if updated != 1 {
            return Err(DecideError::MissingCounts {
                campaign_id,
                control_id: change.control_id.clone(),
            });
        }
    }
    Ok(())
}
