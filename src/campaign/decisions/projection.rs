//! Keeping `current_decisions`, the first reviews awaiting a second one
//! (`pending_reviews`) and the decision counts of `control_stats` in step
//! with newly appended events, set-based, inside the decision's own
//! transaction (migration 0004 explains why not by trigger).

use rusqlite::Connection;

use super::DecideError;
use crate::model::Decision;

/// What a run of appended events does to the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The events' decisions become the items' current decisions (a
    /// decision outside a second-review control, or a close-out).
    Decide,
    /// The items' current decisions (or first reviews) are withdrawn.
    Undo,
    /// A first review: the items await a second reviewer, undecided.
    FirstReview,
    /// A second reviewer agreed: decided, both events kept.
    Agree,
    /// A second reviewer disagreed: undecided again.
    Disagree,
}

impl Outcome {
    /// The decision the items' counts move to.
    pub fn counts_to(self, decision: Option<Decision>) -> Option<Decision> {
        match self {
            Outcome::Decide | Outcome::Agree => decision,
            Outcome::Undo | Outcome::FirstReview | Outcome::Disagree => None,
        }
    }
}

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

/// The events `first..=last` (one request) as items' ids.
const ITEMS: &str = "SELECT item_id FROM decision_events WHERE id BETWEEN ?1 AND ?2";

/// Applies the events `first..=last` (one request, so one action and one
/// outcome) to the projection, and the count changes `check` found. A
/// control without its counts row is an error: the counts would be wrong
/// from then on, and campaign creation always writes that row.
pub(super) fn apply(
    conn: &Connection,
    campaign_id: i64,
    outcome: Outcome,
    (first, last): (i64, i64),
    changes: &[CountChange],
) -> Result<(), DecideError> {
    // An item named twice gets its later event: rows go in id order and replace.
    let decide =
        "INSERT OR REPLACE INTO current_decisions (item_id, campaign_id, event_id, decision)
         SELECT item_id, campaign_id, id, action FROM decision_events
         WHERE id BETWEEN ?1 AND ?2 ORDER BY id";
    let withdraw = format!("DELETE FROM current_decisions WHERE item_id IN ({ITEMS})");
    let unpend = format!("DELETE FROM pending_reviews WHERE item_id IN ({ITEMS})");
    let statements: Vec<&str> = match outcome {
        Outcome::Decide => vec![decide, &unpend],
        Outcome::Undo => vec![&withdraw, &unpend],
        Outcome::FirstReview => vec![
            &withdraw,
            "INSERT OR REPLACE INTO pending_reviews (item_id, campaign_id, event_id, decision)
             SELECT item_id, campaign_id, id, action FROM decision_events
             WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
        ],
        Outcome::Agree => vec![
            "INSERT OR REPLACE INTO current_decisions
                 (item_id, campaign_id, event_id, decision, first_event_id)
             SELECT e.item_id, e.campaign_id, e.id, e.action, p.event_id
             FROM decision_events e JOIN pending_reviews p ON p.item_id = e.item_id
             WHERE e.id BETWEEN ?1 AND ?2 ORDER BY e.id",
            &unpend,
        ],
        Outcome::Disagree => vec![&unpend],
    };
    // Most campaigns never have a first review waiting: then a decision
    // pays one look-up for it, not a pass over its events.
    let any_pending: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM pending_reviews WHERE campaign_id = ?1)")?
        .query_row([campaign_id], |row| row.get(0))?;
    for sql in statements {
        if sql == unpend && !any_pending {
            continue;
        }
        conn.prepare_cached(sql)?.execute((first, last))?;
    }
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
