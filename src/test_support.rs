//! What the unit tests that build campaigns with raw SQL share: recording a
//! decision at a fixed time, and reading query rows as tuples.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, Row};

use crate::actor::Actor;
use crate::campaign::{DecideError, DecisionRequest, find_campaign, record_decisions};
use crate::model::DecisionAction;
use crate::workspace::Workspace;

/// An in-memory workspace holding import 1 (2026-11-01, by u on h) and
/// then whatever `sql` inserts: the start of every raw-SQL fixture.
pub fn workspace_with(sql: &str) -> Workspace {
    let ws = Workspace::open_in_memory().expect("workspace");
    ws.conn
        .execute(
            "INSERT INTO imports VALUES (1, '2026-11-01T00:00:00Z', 'u', 'h')",
            [],
        )
        .expect("import");
    ws.conn.execute_batch(sql).expect("fixture");
    ws
}

/// 2026-12-01 at `hour`:00 UTC, the day after the fixtures' as-of date.
pub fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0)
        .single()
        .expect("time")
}

/// Records `action` on `items` of `campaign` (id or name) by `reviewer`, at 09:00.
pub fn decide(
    ws: &mut Workspace,
    campaign: &str,
    items: &[i64],
    action: DecisionAction,
    justification: Option<&str>,
    reviewer: &str,
) -> Result<usize, DecideError> {
    let campaign = find_campaign(&ws.conn, campaign).expect("campaign");
    record_decisions(
        &mut ws.conn,
        &campaign,
        &DecisionRequest {
            items,
            action,
            justification,
            extras: crate::campaign::EventExtras::default(),
        },
        &Actor::fixed(reviewer),
        at(9),
    )
}

/// Every row of `sql`, read by `read`.
pub fn rows<T>(
    conn: &Connection,
    sql: &str,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Vec<T> {
    let mut statement = conn.prepare(sql).expect("prepare");
    statement
        .query_map([], read)
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}
