//! Checking that `current_decisions` (kept by `record_decisions`) agrees with
//! the latest event of every item, so nobody changed an outcome without an
//! event, that the per-control counts agree with `current_decisions`, and
//! that each control's stored item range and total agree with its items.

use rusqlite::Connection;

use super::{LogProblem, LogReport, ProblemKind};

/// Rows of `current_decisions` whose item's latest event says otherwise, and
/// items whose latest event is a decision but that have no current row.
const DISAGREEING: &str = "
WITH latest AS (SELECT item_id, max(id) AS id FROM decision_events GROUP BY item_id)
SELECT cd.item_id, cd.campaign_id, cd.event_id, cd.decision, l.id, e.action, e.campaign_id
FROM current_decisions cd
LEFT JOIN latest l ON l.item_id = cd.item_id
LEFT JOIN decision_events e ON e.id = l.id
WHERE l.id IS NULL OR e.action = 'undo' OR cd.event_id <> l.id
   OR cd.decision <> e.action OR cd.campaign_id <> e.campaign_id
UNION ALL
SELECT l.item_id, e.campaign_id, NULL, NULL, l.id, e.action, e.campaign_id
FROM latest l JOIN decision_events e ON e.id = l.id
WHERE e.action <> 'undo'
  AND NOT EXISTS (SELECT 1 FROM current_decisions cd WHERE cd.item_id = l.item_id)
ORDER BY 1";

pub(super) fn check(conn: &Connection, report: &mut LogReport) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(DISAGREEING)?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let item: i64 = row.get(0)?;
        let current_event: Option<i64> = row.get(2)?;
        let current: Option<String> = row.get(3)?;
        let latest_event: Option<i64> = row.get(4)?;
        let latest: Option<String> = row.get(5)?;
        let campaign: Option<i64> = row.get::<_, Option<i64>>(6)?.or(row.get(1)?);
        let current_text = match (current, current_event) {
            (Some(decision), Some(event)) => format!("{decision} (event {event})"),
            _ => "undecided".to_owned(),
        };
        let latest_text = match (latest, latest_event) {
            (Some(action), Some(event)) => format!("{action} (event {event})"),
            _ => "no event at all".to_owned(),
        };
        report.problems.push(LogProblem {
            kind: ProblemKind::Projection,
            campaign_id: campaign,
            event_id: current_event.or(latest_event),
            item_id: Some(item),
            detail: format!(
                "the item's current decision reads {current_text} but its latest event is {latest_text}: the outcome was changed without an event"
            ),
        });
    }
    Ok(())
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
