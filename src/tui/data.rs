//! The TUI's queries: keyset pages of `item_view` over one control's id
//! range (`campaign::ranges`), the per-control counts, and what bulk
//! decisions need.
//! Nothing here loads a whole campaign. Queries that search, sort or
//! filter go through the control's in-memory index instead (`indexed`).

pub mod indexed;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::counts::{Before, ControlCounts};
use super::query::{Anchor, DecisionFilter, Key, KindFilter, Query, Sort};
use crate::campaign::{Campaign, ItemRecord, campaign_progress, policy, ranges};
use crate::model::Decision;

/// Which campaign, which `assigned_reviewer` values are the reviewer's,
/// and the keys the reviewer holds access under.
#[derive(Debug, Clone)]
pub struct Scope {
    pub campaign: i64,
    /// A JSON array of the reviewer's keys, bound for `json_each`.
    mine: String,
    /// The same keys, for the in-memory index.
    mine_keys: Vec<String>,
    /// The reviewer's own keys (`reviewers::own_keys`), to spot their own access.
    own: Vec<String>,
}

impl Scope {
    pub fn new(campaign: i64, reviewer_keys: &[String], own_keys: &[String]) -> Scope {
        Scope {
            campaign,
            mine: serde_json::to_string(reviewer_keys).unwrap_or_else(|_| "[]".to_owned()),
            mine_keys: reviewer_keys.to_vec(),
            own: own_keys.to_vec(),
        }
    }

    pub fn own_keys(&self) -> &[String] {
        &self.own
    }

    /// The `assigned_reviewer` values that name the reviewer.
    pub fn mine_keys(&self) -> &[String] {
        &self.mine_keys
    }
}

/// A window of the table and whether it touches either end of the query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub rows: Vec<ItemRecord>,
    pub at_start: bool,
    pub at_end: bool,
}

/// The WHERE clause of a query (without paging) and its parameters.
fn conditions(scope: &Scope, query: &Query) -> (String, Vec<Value>) {
    // ?1, ?2 and with `mine` ?3 (the reviewer's keys); every later `?`
    // numbers on from there, in push order.
    let mut sql = if query.filter.mine {
        ranges::in_control_assigned_to(ranges::VIEW, "?1", "?2", "?3")
    } else {
        ranges::in_control(ranges::VIEW, "?1", "?2")
    };
    let mut params = vec![
        Value::Integer(scope.campaign),
        Value::Text(query.control.clone()),
    ];
    if query.filter.mine {
        params.push(Value::Text(scope.mine.clone()));
    }
    let filter = &query.filter;
    match filter.decision {
        DecisionFilter::Any => {}
        DecisionFilter::Undecided => sql.push_str(" AND decision IS NULL"),
        DecisionFilter::Certified => sql.push_str(" AND decision = 'certify'"),
        DecisionFilter::Revoked => sql.push_str(" AND decision = 'revoke'"),
    }
    if let Some(signal) = filter.signal {
        sql.push_str(" AND (signal_mask & ?) != 0");
        params.push(Value::Integer(i64::from(signal.bit())));
    }
    if let Some(system) = &filter.system {
        sql.push_str(" AND system = ?");
        params.push(Value::Text(system.clone()));
    }
    match filter.kind {
        Some(KindFilter::Kind(kind)) => {
            sql.push_str(" AND identity_kind = ?");
            params.push(Value::Text(kind.as_str().to_owned()));
        }
        Some(KindFilter::Orphaned) => sql.push_str(" AND identity_kind IS NULL"),
        None => {}
    }
    if let Some(delta) = filter.delta {
        sql.push_str(" AND delta = ?");
        params.push(Value::Text(delta.as_str().to_owned()));
    }
    let search = query.search.trim();
    if !search.is_empty() {
        // Field by field, as the index matches (`index::Matcher`); the TUI
        // searches through the index, which also folds non-ASCII case.
        sql.push_str(" AND (");
        let fields = [
            "identity_id",
            "identity_name",
            "account",
            "system",
            "entitlement",
        ];
        for (n, field) in fields.iter().enumerate() {
            if n > 0 {
                sql.push_str(" OR ");
            }
            sql.push_str("instr(lower(");
            sql.push_str(field);
            sql.push_str("), lower(?)) > 0");
            params.push(Value::Text(search.to_owned()));
        }
        sql.push(')');
    }
    (sql, params)
}

/// `ORDER BY` for the query's sort, forwards or backwards.
fn order(sort: Sort, backwards: bool) -> String {
    let dir = if backwards { "DESC" } else { "ASC" };
    match sort.column() {
        Some(column) => format!("ORDER BY {column} {dir}, item_id {dir}"),
        None => format!("ORDER BY item_id {dir}"),
    }
}

/// A keyset condition: rows at or after (`>=`) / strictly after (`>`) / at or before `key`.
fn keyset(sort: Sort, op: &str, key: &Key, params: &mut Vec<Value>) -> String {
    if let Some(column) = sort.column() {
        params.push(Value::Text(key.value.clone().unwrap_or_default()));
        params.push(Value::Integer(key.id));
        format!(" AND ({column}, item_id) {op} (?, ?)")
    } else {
        params.push(Value::Integer(key.id));
        format!(" AND item_id {op} ?")
    }
}

/// Up to `limit` rows of the query starting or ending at `anchor`.
pub fn page(
    conn: &Connection,
    scope: &Scope,
    query: &Query,
    anchor: &Anchor,
    limit: usize,
) -> rusqlite::Result<Page> {
    let (mut sql, mut params) = conditions(scope, query);
    let backwards = matches!(anchor, Anchor::Last | Anchor::UpTo(_));
    match anchor {
        Anchor::First | Anchor::Last => {}
        Anchor::From(key) => sql.push_str(&keyset(query.sort, ">=", key, &mut params)),
        Anchor::UpTo(key) => sql.push_str(&keyset(query.sort, "<=", key, &mut params)),
    }
    // One row more than asked tells whether the window reaches the end.
    let statement = format!(
        "SELECT {} FROM item_view WHERE {sql} {} LIMIT {}",
        ItemRecord::COLUMNS,
        order(query.sort, backwards),
        limit + 1
    );
    let mut statement = conn.prepare_cached(&statement)?;
    let mut rows = statement
        .query_map(params_from_iter(params), ItemRecord::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    if backwards {
        rows.reverse();
    }
    Ok(match anchor {
        Anchor::First => Page {
            rows,
            at_start: true,
            at_end: !more,
        },
        Anchor::Last => Page {
            rows,
            at_start: !more,
            at_end: true,
        },
        Anchor::From(_) => Page {
            rows,
            at_start: false,
            at_end: !more,
        },
        Anchor::UpTo(_) => Page {
            rows,
            at_start: !more,
            at_end: false,
        },
    })
}

/// The first undecided row of the query strictly after `after` (from the top when `None`).
pub fn next_undecided(
    conn: &Connection,
    scope: &Scope,
    query: &Query,
    after: Option<&Key>,
) -> rusqlite::Result<Option<Key>> {
    let (mut sql, mut params) = conditions(scope, query);
    sql.push_str(" AND decision IS NULL");
    if let Some(key) = after {
        sql.push_str(&keyset(query.sort, ">", key, &mut params));
    }
    let statement = format!(
        "SELECT {} FROM item_view WHERE {sql} {} LIMIT 1",
        ItemRecord::COLUMNS,
        order(query.sort, false)
    );
    let mut statement = conn.prepare_cached(&statement)?;
    let mut rows = statement.query_map(params_from_iter(params), ItemRecord::from_row)?;
    rows.next()
        .transpose()
        .map(|item| item.map(|item| Key::of(&item, query.sort)))
}

/// The ids of every item the query matches, in table order (a bulk target).
pub fn matching_ids(conn: &Connection, scope: &Scope, query: &Query) -> rusqlite::Result<Vec<i64>> {
    let (sql, params) = conditions(scope, query);
    let statement = format!(
        "SELECT item_id FROM item_view WHERE {sql} {}",
        order(query.sort, false)
    );
    let mut statement = conn.prepare_cached(&statement)?;
    statement
        .query_map(params_from_iter(params), |row| row.get(0))?
        .collect()
}

/// What a bulk decision needs to know about each of its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    pub id: i64,
    pub before: Before,
    pub recommendation: Decision,
    pub signals: u32,
    /// The reviewer's own access, which they may not decide.
    pub own: bool,
    /// A first review awaits a second reviewer (the item is undecided).
    pub awaiting: bool,
    /// Its certification carries over the baseline's (basis `carry-over`).
    pub carry_over: bool,
}

/// The current state of `ids` in the campaign (unknown ids are left out).
pub fn item_states(
    conn: &Connection,
    scope: &Scope,
    ids: &[i64],
) -> rusqlite::Result<Vec<ItemState>> {
    let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
    let mut statement = conn.prepare_cached(
        "SELECT it.id, it.control_id, cd.decision, it.recommendation, it.signal_mask,
                it.assigned_reviewer IN (SELECT value FROM json_each(?3)),
                coalesce(i.identity_id, g.identity_ref), i.email, g.identity_ref,
                p.item_id IS NOT NULL, it.carry_over
         FROM json_each(?2) j CROSS JOIN items it ON it.id = j.value
         JOIN grants g ON g.id = it.grant_row
         LEFT JOIN identities i ON i.id = it.identity_row
         LEFT JOIN current_decisions cd ON cd.item_id = it.id
         LEFT JOIN pending_reviews p ON p.item_id = it.id
         WHERE it.campaign_id = ?1",
    )?;
    statement
        .query_map((scope.campaign, ids, &scope.mine), |row| {
            let holder: [Option<String>; 3] = [row.get(6)?, row.get(7)?, row.get(8)?];
            Ok(ItemState {
                id: row.get(0)?,
                before: Before {
                    control: row.get(1)?,
                    decision: row.get(2)?,
                    mine: row.get(5)?,
                },
                recommendation: row.get(3)?,
                signals: row.get(4)?,
                own: policy::is_own_access(&scope.own, holder.iter().flatten().map(String::as_str)),
                awaiting: row.get(9)?,
                carry_over: row.get::<_, Option<bool>>(10)?.unwrap_or(false),
            })
        })?
        .collect()
}

/// Progress of every control of the campaign, for everyone and for the
/// reviewer: read once when the review opens, then kept up to date in memory.
pub fn control_counts(
    conn: &Connection,
    campaign: &Campaign,
    reviewer: &str,
) -> color_eyre::Result<Vec<ControlCounts>> {
    let all = campaign_progress(conn, campaign, None)?;
    let mine = campaign_progress(conn, campaign, Some(reviewer))?;
    Ok(all
        .into_iter()
        .map(|p| {
            let own = mine.iter().find(|m| m.control_id == p.control_id);
            let mut signals = [0; crate::model::Signal::COUNT];
            for (signal, n) in &p.signals {
                signals[*signal as usize] = *n;
            }
            ControlCounts {
                control: p.control_id,
                title: p.title,
                total: p.total,
                decided: p.decided,
                certified: p.certified,
                revoked: p.revoked,
                mine_total: own.map_or(0, |m| m.total),
                mine_decided: own.map_or(0, |m| m.decided),
                signals,
            }
        })
        .collect())
}

/// The systems of one control, for the filter menu.
pub fn systems(conn: &Connection, scope: &Scope, control: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT DISTINCT g.system FROM items it JOIN grants g ON g.id = it.grant_row
         WHERE {} ORDER BY g.system",
        ranges::in_control(ranges::ITEMS_AS_IT, "?1", "?2")
    ))?;
    statement
        .query_map((scope.campaign, control), |row| row.get(0))?
        .collect()
}

/// Whether the campaign has been signed off (perhaps by another process).
pub fn is_signed_off(conn: &Connection, campaign: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM signoffs WHERE campaign_id = ?1)",
        [campaign],
        |row| row.get(0),
    )
}

/// The names of the people an item's detail mentions (manager, owner,
/// assigned reviewer, system owner), from the identities the campaign was
/// created from: named by identity_id or, as HR exports and correlation
/// allow, by e-mail. Keys that name no imported identity are left out.
pub fn people(
    conn: &Connection,
    campaign: i64,
    item: i64,
) -> rusqlite::Result<Vec<(String, String)>> {
    let keys: [Option<String>; 4] = conn.query_row(
        "SELECT manager_id, owner_id, assigned_reviewer, system_owner
         FROM item_view WHERE item_id = ?1",
        [item],
        |row| Ok([row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?]),
    )?;
    let keys: Vec<&str> = keys.iter().flatten().map(String::as_str).collect();
    names_by_key(conn, campaign, &keys)
}

/// The display names of the people named by these keys (an id, an e-mail,
/// a UPN), from the identities the campaign was created from, persons (HR,
/// canonical) before directory accounts; keys that name no identity are
/// left out.
pub fn names_by_key(
    conn: &Connection,
    campaign: i64,
    keys: &[&str],
) -> rusqlite::Result<Vec<(String, String)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let keys = serde_json::to_string(keys).unwrap_or_else(|_| "[]".to_owned());
    // Two lookups through the folded-key indexes (migration 0011), not one
    // join on `id OR email`, which SQLite answers by scanning identities;
    // CROSS JOIN and `+` keep SQLite 3.50 from scanning the campaign's
    // identities by snapshot and probing the few hits with a bloom filter.
    let mut statement = conn.prepare_cached(
        "WITH keys(value, folded) AS (SELECT value, lower(trim(value)) FROM json_each(?2)),
              hits(value, row) AS (
                  SELECT k.value, i.id FROM keys k
                  JOIN identities i ON lower(trim(i.identity_id)) = k.folded
                  UNION
                  SELECT k.value, i.id FROM keys k
                  JOIN identities i ON lower(trim(i.email)) = k.folded AND i.email IS NOT NULL)
         SELECT h.value, i.display_name FROM hits h
         CROSS JOIN identities i ON i.id = h.row
         CROSS JOIN snapshots s ON s.id = i.snapshot_id
         WHERE +i.snapshot_id IN (SELECT snapshot_id FROM campaign_snapshots WHERE campaign_id = ?1)
           AND s.kind = 'identities' AND coalesce(trim(i.display_name), '') != ''
         ORDER BY s.scope <> 'canonical', i.id",
    )?;
    let mut names: Vec<(String, String)> = Vec::new();
    let mut rows = statement.query((campaign, keys))?;
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        if !names.iter().any(|(known, _)| *known == key) {
            names.push((key, row.get(1)?));
        }
    }
    Ok(names)
}
