//! Checking that the projections recert keeps beside the decision events
//! agree with what the events give, item by item: `current_decisions` (the
//! latest decision, and for a second review both reviews), the first
//! reviews awaiting a second reviewer (`pending_reviews`) and the reviewer
//! each item is assigned to; so nobody changed an outcome or an assignment
//! without an event. Also that the per-control counts agree with
//! `current_decisions`, and each control's stored item range and total with
//! its items.

use rusqlite::Connection;

use super::{LogProblem, LogReport, ProblemKind};
use crate::model::Decision;

/// Every event in item order, with what the projections hold for its item.
const EVENTS_BY_ITEM: &str = "
SELECT e.item_id, e.id, e.campaign_id, e.action, e.stage, e.assignee,
       cd.event_id, cd.decision, cd.first_event_id, cd.campaign_id,
       p.event_id, p.decision, it.assigned_reviewer, it.initial_reviewer
FROM decision_events e
LEFT JOIN current_decisions cd ON cd.item_id = e.item_id
LEFT JOIN pending_reviews p ON p.item_id = e.item_id
LEFT JOIN items it ON it.id = e.item_id
ORDER BY e.item_id, e.id";

/// Projection rows of items that have no event at all.
const WITHOUT_EVENTS: &str = "
SELECT cd.item_id, cd.campaign_id, cd.event_id, 'current', cd.decision
FROM current_decisions cd
WHERE NOT EXISTS (SELECT 1 FROM decision_events e WHERE e.item_id = cd.item_id)
UNION ALL
SELECT p.item_id, p.campaign_id, p.event_id, 'pending', p.decision
FROM pending_reviews p
WHERE NOT EXISTS (SELECT 1 FROM decision_events e WHERE e.item_id = p.item_id)
UNION ALL
SELECT it.id, it.campaign_id, NULL, 'assigned', it.initial_reviewer
FROM items it
WHERE it.initial_reviewer IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM decision_events e WHERE e.item_id = it.id)
ORDER BY 1";

/// A decision as the projection holds it: event, decision, first review.
type Held = Option<(i64, Decision, Option<i64>)>;

/// What one item's events give, folded in order.
#[derive(Debug, Default)]
struct Derived {
    campaign: i64,
    /// The current decision: its event, the decision and the first review's event.
    current: Held,
    /// A first review awaiting a second reviewer: its event and decision.
    pending: Option<(i64, Decision)>,
    /// The latest event that is not a reassignment, as `action (event N)`.
    latest: Option<String>,
    /// The latest reassignment: its event and assignee.
    assignee: Option<(i64, String)>,
}

/// What the projections hold for one item.
#[derive(Debug, Default)]
struct Stored {
    current: Held,
    current_campaign: Option<i64>,
    pending: Option<(i64, Decision)>,
    assigned: Option<String>,
    initial: Option<String>,
}

impl Derived {
    fn apply(&mut self, id: i64, action: &str, stage: Option<i64>, assignee: Option<String>) {
        if action == "reassign" {
            self.assignee = Some((id, assignee.unwrap_or_default()));
            return;
        }
        self.latest = Some(format!("{action} (event {id})"));
        let decision = match action {
            "certify" => Decision::Certify,
            "revoke" => Decision::Revoke,
            _ => {
                self.current = None;
                self.pending = None;
                return;
            }
        };
        match (stage, self.pending.take()) {
            (Some(1), _) => {
                self.current = None;
                self.pending = Some((id, decision));
            }
            (Some(2), Some((first, agreed))) if agreed == decision => {
                self.current = Some((id, decision, Some(first)));
            }
            (Some(2), Some(_)) => self.current = None,
            _ => self.current = Some((id, decision, None)),
        }
    }
}

pub(super) fn check(conn: &Connection, report: &mut LogReport) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(EVENTS_BY_ITEM)?;
    let mut rows = statement.query([])?;
    let mut item: Option<(i64, Derived, Stored)> = None;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        if item.as_ref().is_none_or(|(current, _, _)| *current != id) {
            if let Some((done, derived, stored)) = item.take() {
                compare(done, &derived, &stored, report);
            }
            let stored = Stored {
                current: held(row.get(6)?, row.get::<_, Option<String>>(7)?, row.get(8)?),
                current_campaign: row.get(9)?,
                pending: held(row.get(10)?, row.get::<_, Option<String>>(11)?, None)
                    .map(|(event, decision, _)| (event, decision)),
                assigned: row.get(12)?,
                initial: row.get(13)?,
            };
            let derived = Derived {
                campaign: row.get(2)?,
                ..Derived::default()
            };
            item = Some((id, derived, stored));
        }
        if let Some((_, derived, _)) = item.as_mut() {
            let action: String = row.get(3)?;
            derived.apply(row.get(1)?, &action, row.get(4)?, row.get(5)?);
        }
    }
    if let Some((done, derived, stored)) = item.take() {
        compare(done, &derived, &stored, report);
    }
    let mut statement = conn.prepare(WITHOUT_EVENTS)?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let kind: String = row.get(3)?;
        let value: String = row.get(4)?;
        let event: Option<i64> = row.get(2)?;
        let at = event.map(|e| format!(" (event {e})")).unwrap_or_default();
        let value = crate::text::for_display(&value);
        let detail = match kind.as_str() {
            "current" => format!(
                "the item's current decision reads {value}{at} but its latest event is no event at all: the outcome was changed without an event"
            ),
            "pending" => format!(
                "the item awaits a second review after a first review to {value}{at} but it has no event at all: a review was changed without an event"
            ),
            _ => format!(
                "the item records a reassignment from {value} but has no reassign event: the assignment was changed without an event"
            ),
        };
        report.problems.push(LogProblem {
            kind: ProblemKind::Projection,
            campaign_id: row.get(1)?,
            event_id: event,
            item_id: row.get(0)?,
            detail,
        });
    }
    Ok(())
}

/// A stored decision, when its cells read as one (an unknown spelling
/// reads as none, which then differs from what the events give).
fn held(event: Option<i64>, decision: Option<String>, first: Option<i64>) -> Held {
    let decision = match decision?.as_str() {
        "certify" => Decision::Certify,
        "revoke" => Decision::Revoke,
        _ => return None,
    };
    Some((event?, decision, first))
}

fn describe(current: Held) -> String {
    match current {
        Some((event, decision, None)) => format!("{decision} (event {event})"),
        Some((event, decision, Some(first))) => {
            format!("{decision} (event {event}, after the first review in event {first})")
        }
        None => "undecided".to_owned(),
    }
}

fn compare(item: i64, derived: &Derived, stored: &Stored, report: &mut LogReport) {
    let mut problem = |event_id: Option<i64>, detail: String| {
        report.problems.push(LogProblem {
            kind: ProblemKind::Projection,
            campaign_id: Some(derived.campaign),
            event_id,
            item_id: Some(item),
            detail,
        });
    };
    let campaign_moved =
        stored.current.is_some() && stored.current_campaign != Some(derived.campaign);
    if stored.current != derived.current || campaign_moved {
        let event = stored.current.map(|c| c.0).or(derived.current.map(|c| c.0));
        let latest = derived
            .latest
            .clone()
            .unwrap_or_else(|| "no decision event".to_owned());
        let expected = if derived.current.is_some_and(|(_, _, first)| first.is_some())
            || derived.pending.is_some()
        {
            format!("; its events give {}", describe(derived.current))
        } else {
            String::new()
        };
        problem(
            event,
            format!(
                "the item's current decision reads {} but its latest event is {latest}{expected}: the outcome was changed without an event",
                describe(stored.current)
            ),
        );
    } else if stored.pending != derived.pending {
        let text = |pending: Option<(i64, Decision)>| match pending {
            Some((event, decision)) => format!("a first review to {decision} (event {event})"),
            None => "no first review".to_owned(),
        };
        problem(
            stored.pending.or(derived.pending).map(|p| p.0),
            format!(
                "the item awaits a second review after {} but its events give {}: a review was changed without an event",
                text(stored.pending),
                text(derived.pending)
            ),
        );
    }
    match &derived.assignee {
        Some((event, assignee))
            if stored.assigned.as_deref() != Some(assignee.as_str())
                || stored.initial.is_none() =>
        {
            problem(
                Some(*event),
                format!(
                    "the item is assigned to {} but its latest reassignment (event {event}) gave it to {}: the assignment was changed without an event",
                    crate::text::for_display(stored.assigned.as_deref().unwrap_or("nobody")),
                    crate::text::for_display(assignee)
                ),
            );
        }
        None if stored.initial.is_some() => problem(
            None,
            format!(
                "the item records a reassignment from {} but has no reassign event: the assignment was changed without an event",
                crate::text::for_display(stored.initial.as_deref().unwrap_or_default())
            ),
        ),
        _ => {}
    }
}

/// Controls whose stored certified/revoked counts differ from their items'
/// current decisions. recert moves both in one transaction, so a difference
/// means an edit outside recert (or a campaign's progress faked).
const MISCOUNTED: &str = "
WITH counted AS (
    SELECT it.campaign_id, it.control_id,
           sum(cd.decision = 'certify') AS certified, sum(cd.decision = 'revoke') AS revoked
    FROM current_decisions cd JOIN items it ON it.id = cd.item_id
    GROUP BY it.campaign_id, it.control_id)
SELECT s.campaign_id, s.control_id, s.certified, s.revoked,
       coalesce(c.certified, 0), coalesce(c.revoked, 0)
FROM control_stats s
LEFT JOIN counted c ON c.campaign_id = s.campaign_id AND c.control_id = s.control_id
WHERE s.certified <> coalesce(c.certified, 0) OR s.revoked <> coalesce(c.revoked, 0)
ORDER BY s.campaign_id, s.control_id";

pub(super) fn check_counts(conn: &Connection, report: &mut LogReport) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(MISCOUNTED)?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let control: String = row.get(1)?;
        let (stored_certified, stored_revoked): (i64, i64) = (row.get(2)?, row.get(3)?);
        let (certified, revoked): (i64, i64) = (row.get(4)?, row.get(5)?);
        report.problems.push(control_problem(
            row.get(0)?,
            format!(
                "control {}'s progress reads {stored_certified} certified and {stored_revoked} revoked but its items' current decisions are {certified} certified and {revoked} revoked: the counts were changed outside recert",
                crate::text::for_display(&control)
            ),
        ));
    }
    Ok(())
}

/// Controls whose stored total or id range (migration 0005) disagrees with
/// their items, and items under a control that a campaign with stored
/// counts does not list. The review, `recert items` and the evidence export
/// read a control's items through its range, so an item moved outside it
/// would silently drop out of all three.
const MISPLACED: &str = "
WITH counted AS (
    SELECT campaign_id, control_id, count(*) AS items, min(id) AS first, max(id) AS last
    FROM items GROUP BY campaign_id, control_id)
SELECT s.campaign_id, s.control_id, s.total, s.first_item, s.last_item,
       coalesce(c.items, 0), c.first, c.last
FROM control_stats s
LEFT JOIN counted c ON c.campaign_id = s.campaign_id AND c.control_id = s.control_id
WHERE s.total <> coalesce(c.items, 0)
   OR (s.first_item IS NOT NULL AND (c.first < s.first_item OR c.last > s.last_item))
UNION ALL
SELECT c.campaign_id, c.control_id, 0, NULL, NULL, c.items, c.first, c.last
FROM counted c
WHERE EXISTS (SELECT 1 FROM control_stats s WHERE s.campaign_id = c.campaign_id)
  AND NOT EXISTS (SELECT 1 FROM control_stats s
                  WHERE s.campaign_id = c.campaign_id AND s.control_id = c.control_id)
ORDER BY 1, 2";

pub(super) fn check_ranges(conn: &Connection, report: &mut LogReport) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(MISPLACED)?;
    let mut rows = statement.query([])?;
    let range = |first: Option<i64>, last: Option<i64>| match (first, last) {
        (Some(first), Some(last)) => format!("ids {first}-{last}"),
        _ => "no ids".to_owned(),
    };
    while let Some(row) = rows.next()? {
        let control: String = row.get(1)?;
        let stored = format!(
            "{}, {}",
            crate::text::count(row.get::<_, i64>(2)?, "item"),
            range(row.get(3)?, row.get(4)?)
        );
        let found = format!(
            "{}, {}",
            crate::text::count(row.get::<_, i64>(5)?, "item"),
            range(row.get(6)?, row.get(7)?)
        );
        report.problems.push(control_problem(
            row.get(0)?,
            format!(
                "control {} is recorded with {stored} but holds {found}: items were added, removed or moved outside recert, and the review and evidence would not show them all",
                crate::text::for_display(&control)
            ),
        ));
    }
    Ok(())
}

/// Items outside every id run recorded for the reviewer they were created
/// for (migration 0014), per campaign that records runs. A reviewer's
/// queue (mine only, `status --reviewer`, `reassign --from`, packets) is
/// read through those runs, so such an item would drop out of it.
const OUTSIDE_RUNS: &str = "
SELECT it.campaign_id, count(*), min(it.id)
FROM items it
WHERE EXISTS (SELECT 1 FROM reviewer_ranges r WHERE r.campaign_id = it.campaign_id)
  AND NOT EXISTS (SELECT 1 FROM reviewer_ranges rr
                  WHERE rr.campaign_id = it.campaign_id
                    AND rr.reviewer = coalesce(it.initial_reviewer, it.assigned_reviewer)
                    AND rr.first_item <= it.id AND it.id <= rr.last_item)
GROUP BY it.campaign_id
ORDER BY it.campaign_id";

pub(super) fn check_reviewer_runs(
    conn: &Connection,
    report: &mut LogReport,
) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(OUTSIDE_RUNS)?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let (count, first): (i64, i64) = (row.get(1)?, row.get(2)?);
        report.problems.push(control_problem(
            row.get(0)?,
            format!(
                "{} outside the runs of ids recorded for the reviewers the items were created for (the first: item {first}): items or runs were changed outside recert, and reviewers' own lists would not show them",
                crate::text::count(count, "item")
            ),
        ));
    }
    Ok(())
}

/// A finding about one control's stored data rather than one event.
fn control_problem(campaign_id: i64, detail: String) -> LogProblem {
    LogProblem {
        kind: ProblemKind::Projection,
        campaign_id: Some(campaign_id),
        event_id: None,
        item_id: None,
        detail,
    }
}
