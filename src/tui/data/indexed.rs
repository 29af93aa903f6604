//! The table's queries answered from a control's [`ControlIndex`]: the
//! index picks and orders the rows, SQL adds what changes while the
//! reviewer works (decisions) and the full records of the page shown.
//! Same results as the SQL of `data`, in milliseconds at a million items.

use std::collections::HashMap;

use rusqlite::Connection;

use super::Page;
use crate::campaign::ItemRecord;
use crate::tui::index::ControlIndex;
use crate::tui::query::{Anchor, DecisionFilter, Key, Query};

/// Rows checked for their decision in one statement at first; later
/// batches double, so a rare decision costs few statements.
const FIRST_BATCH: usize = 64;
const LARGEST_BATCH: usize = 8192;

/// The rows of one query: the index, and the positions it selected in table order.
pub struct Selected<'a> {
    pub index: &'a ControlIndex,
    pub positions: &'a [u32],
    pub query: &'a Query,
}

impl<'a> Selected<'a> {
    pub fn new(index: &'a ControlIndex, positions: &'a [u32], query: &'a Query) -> Selected<'a> {
        Selected {
            index,
            positions,
            query,
        }
    }

    fn id(&self, at: usize) -> i64 {
        self.index.id(&self.index.rows[self.positions[at] as usize])
    }

    /// The position of the first row at or after `key` in table order.
    fn at_or_after(&self, key: &Key) -> usize {
        self.index.position(
            self.positions,
            self.query.sort,
            key.value.as_deref(),
            key.id,
        )
    }

    /// The position just past `key` (ids are integers, so "at or before
    /// (value, id)" is "before (value, id + 1)").
    fn after(&self, key: &Key) -> usize {
        self.index.position(
            self.positions,
            self.query.sort,
            key.value.as_deref(),
            key.id.saturating_add(1),
        )
    }

    fn key(&self, id: i64, at: usize) -> Key {
        let row = &self.index.rows[self.positions[at] as usize];
        Key {
            value: self
                .index
                .sort_value(row, self.query.sort)
                .map(str::to_owned),
            id,
        }
    }

    /// Up to `wanted` ids passing the decision filter, walking from
    /// position `from` forwards or (from just before `from`) backwards.
    fn walk(
        &self,
        conn: &Connection,
        from: usize,
        backwards: bool,
        decision: DecisionFilter,
        wanted: usize,
    ) -> rusqlite::Result<Vec<(i64, usize)>> {
        if decision == DecisionFilter::Any {
            let range = if backwards {
                from.saturating_sub(wanted)..from
            } else {
                from.min(self.positions.len())
                    ..from.saturating_add(wanted).min(self.positions.len())
            };
            let mut found: Vec<(i64, usize)> = range.map(|at| (self.id(at), at)).collect();
            if backwards {
                found.reverse();
            }
            return Ok(found);
        }
        let mut found = Vec::new();
        let mut batch = FIRST_BATCH.max(wanted).min(LARGEST_BATCH);
        let mut next = from;
        while found.len() < wanted {
            let range = if backwards {
                if next == 0 {
                    break;
                }
                next.saturating_sub(batch)..next
            } else {
                if next >= self.positions.len() {
                    break;
                }
                next..(next + batch).min(self.positions.len())
            };
            next = if backwards { range.start } else { range.end };
            let mut candidates: Vec<(i64, usize)> = range.map(|at| (self.id(at), at)).collect();
            if backwards {
                candidates.reverse();
            }
            let ids: Vec<i64> = candidates.iter().map(|(id, _)| *id).collect();
            let decisions = decisions(conn, &ids)?;
            candidates.retain(|(id, _)| passes(decision, decisions.get(id)));
            found.extend(candidates.into_iter().take(wanted - found.len()));
            batch = (batch * 2).min(LARGEST_BATCH);
        }
        Ok(found)
    }
}

fn passes(filter: DecisionFilter, decision: Option<&String>) -> bool {
    match filter {
        DecisionFilter::Any => true,
        DecisionFilter::Undecided => decision.is_none(),
        DecisionFilter::Certified => decision.is_some_and(|d| d == "certify"),
        DecisionFilter::Revoked => decision.is_some_and(|d| d == "revoke"),
    }
}

/// The current decision of each of `ids` that has one.
fn decisions(conn: &Connection, ids: &[i64]) -> rusqlite::Result<HashMap<i64, String>> {
    let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
    let mut statement = conn.prepare_cached(
        "SELECT cd.item_id, cd.decision FROM json_each(?1) j
         CROSS JOIN current_decisions cd ON cd.item_id = j.value",
    )?;
    statement
        .query_map([ids], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect()
}

/// The full records of `ids`, in that order.
fn records(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<ItemRecord>> {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {} FROM item_view WHERE item_id IN (SELECT value FROM json_each(?1))",
        ItemRecord::COLUMNS
    ))?;
    let mut by_id: HashMap<i64, ItemRecord> = statement
        .query_map([json], ItemRecord::from_row)?
        .map(|item| item.map(|item| (item.item_id, item)))
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Up to `limit` rows of the selection starting or ending at `anchor`.
pub fn page(
    conn: &Connection,
    selected: &Selected<'_>,
    anchor: &Anchor,
    limit: usize,
) -> rusqlite::Result<Page> {
    let decision = selected.query.filter.decision;
    let (from, backwards) = match anchor {
        Anchor::First => (0, false),
        Anchor::Last => (selected.positions.len(), true),
        Anchor::From(key) => (selected.at_or_after(key), false),
        Anchor::UpTo(key) => (selected.after(key), true),
    };
    // One row more than asked tells whether the window reaches the end.
    let mut found = selected.walk(conn, from, backwards, decision, limit + 1)?;
    let more = found.len() > limit;
    found.truncate(limit);
    if backwards {
        found.reverse();
    }
    let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    let rows = records(conn, &ids)?;
    let (at_start, at_end) = match anchor {
        Anchor::First => (true, !more),
        Anchor::Last => (!more, true),
        Anchor::From(_) => (false, !more),
        Anchor::UpTo(_) => (!more, false),
    };
    Ok(Page {
        rows,
        at_start,
        at_end,
    })
}

/// The first undecided row strictly after `after` (from the top when `None`).
pub fn next_undecided(
    conn: &Connection,
    selected: &Selected<'_>,
    after: Option<&Key>,
) -> rusqlite::Result<Option<Key>> {
    if matches!(
        selected.query.filter.decision,
        DecisionFilter::Certified | DecisionFilter::Revoked
    ) {
        return Ok(None);
    }
    let from = after.map_or(0, |key| selected.after(key));
    let found = selected.walk(conn, from, false, DecisionFilter::Undecided, 1)?;
    Ok(found.first().map(|(id, at)| selected.key(*id, *at)))
}

/// The ids of every row of the selection that passes the decision filter, in table order.
pub fn matching_ids(conn: &Connection, selected: &Selected<'_>) -> rusqlite::Result<Vec<i64>> {
    let decision = selected.query.filter.decision;
    selected
        .walk(conn, 0, false, decision, selected.positions.len())
        .map(|found| found.into_iter().map(|(id, _)| id).collect())
}
