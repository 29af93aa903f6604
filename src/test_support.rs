//! What the unit tests share: a campaign created the way `recert campaign
//! create` does it, the raw-SQL start of a fixture, recording a decision at a
//! fixed time, and reading query rows as tuples.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, Row};

use crate::actor::Actor;
use crate::campaign::{
    CampaignSpec, DecideError, DecisionRequest, create_campaign, find_campaign, record_decisions,
};
use crate::import::{ImportOptions, Progress, Source, import_sources};
use crate::model::DecisionAction;
use crate::workspace::Workspace;

/// An in-memory workspace with `files` (file name, CSV text) imported on
/// 2026-11-01 and the campaign of `spec` created from them on 2026-11-30,
/// both through the code the CLI runs (as reviewer "u", tester@testhost).
/// Fixtures describe their data as exports, so their items carry the
/// controls, signals, reviewers and per-control counts a real campaign has.
pub fn campaign_workspace(files: &[(&str, &str)], spec: &CampaignSpec) -> Workspace {
    let mut ws = Workspace::open_in_memory().expect("workspace");
    let sources: Vec<Source<'_>> = files
        .iter()
        .map(|(name, text)| Source::Bytes(name, text.as_bytes()))
        .collect();
    import_sources(
        &mut ws.conn,
        &sources,
        &ImportOptions::default(),
        &Actor::fixed("u"),
        november(1),
        Progress::hidden(),
    )
    .unwrap_or_else(|err| panic!("fixture import: {err}"));
    create(&mut ws, spec);
    ws
}

/// Creates one more campaign, as [`campaign_workspace`] does; returns its id.
pub fn create(ws: &mut Workspace, spec: &CampaignSpec) -> i64 {
    create_campaign(&mut ws.conn, spec, &Actor::fixed("u"), november(30)).expect("fixture campaign")
}

fn november(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 0, 0, 0)
        .single()
        .expect("time")
}

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

/// Records the per-control counts and id ranges, and the reviewer ranges,
/// of campaign `campaign_id` as campaign creation does, for a fixture that inserted its items with raw
/// SQL (hand-picked reasons and ids out of control order, which no export
/// produces). Run it again after adding items: it replaces the rows.
pub fn record_control_stats(conn: &Connection, campaign_id: i64) {
    conn.execute(
        "INSERT OR REPLACE INTO control_stats (campaign_id, control_id, total, signal_0, signal_1,
             signal_2, signal_3, signal_4, signal_5, signal_6, signal_7, certified, revoked,
             first_item, last_item)
         SELECT it.campaign_id, it.control_id, count(*),
             sum((it.signal_mask & 1) <> 0), sum((it.signal_mask & 2) <> 0),
             sum((it.signal_mask & 4) <> 0), sum((it.signal_mask & 8) <> 0),
             sum((it.signal_mask & 16) <> 0), sum((it.signal_mask & 32) <> 0),
             sum((it.signal_mask & 64) <> 0), sum((it.signal_mask & 128) <> 0),
             coalesce(sum(cd.decision = 'certify'), 0), coalesce(sum(cd.decision = 'revoke'), 0),
             min(it.id), max(it.id)
         FROM items it LEFT JOIN current_decisions cd ON cd.item_id = it.id
         WHERE it.campaign_id = ?1
         GROUP BY it.control_id",
        [campaign_id],
    )
    .expect("control stats");
    crate::campaign::ranges::record_reviewer_ranges(conn, "main", campaign_id)
        .expect("reviewer ranges");
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
