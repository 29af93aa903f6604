//! The index against plain SQL: for every control of the fixture and every
//! search, sort and filter, the indexed queries list the same rows in the
//! same order as one SQL query over `item_view` (with a Unicode case fold
//! registered as a function, so `ZOË` finds `Zoë` in both).

use rusqlite::Connection;
use std::fmt::Write as _;

use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;

use super::cache::Indexes;
use super::{ControlIndex, DictBuilder, fold, load};
use crate::model::{Delta, IdentityKind, Signal};
use crate::tui::data::indexed::{self, Selected};
use crate::tui::fixture::{self, REVIEWER};
use crate::tui::query::{Anchor, DecisionFilter, Filter, Key, KindFilter, Query, Sort};

const CONTROLS: [&str; 4] = ["5.16", "5.17", "5.18", "8.2"];

fn register_fold(conn: &Connection) {
    conn.create_scalar_function("fold", 1, FunctionFlags::SQLITE_DETERMINISTIC, |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.map(|text| fold(&text)))
    })
    .expect("register fold");
}

/// The rows of `query` by one plain SQL statement.
fn by_sql(conn: &Connection, query: &Query, mine: &[String]) -> Vec<i64> {
    let mut sql =
        "SELECT item_id FROM item_view WHERE campaign_id = 1 AND control_id = ?".to_owned();
    let mut params = vec![Value::Text(query.control.clone())];
    let filter = &query.filter;
    match filter.decision {
        DecisionFilter::Any => {}
        DecisionFilter::Undecided => sql.push_str(" AND decision IS NULL"),
        DecisionFilter::Certified => sql.push_str(" AND decision = 'certify'"),
        DecisionFilter::Revoked => sql.push_str(" AND decision = 'revoke'"),
    }
    if let Some(signal) = filter.signal {
        let _ = write!(sql, " AND signal_mask & {} != 0", signal.bit());
    }
    if let Some(system) = &filter.system {
        sql.push_str(" AND system = ?");
        params.push(Value::Text(system.clone()));
    }
    match filter.kind {
        Some(KindFilter::Kind(kind)) => {
            let _ = write!(sql, " AND identity_kind = '{}'", kind.as_str());
        }
        Some(KindFilter::Orphaned) => sql.push_str(" AND identity_kind IS NULL"),
        None => {}
    }
    if let Some(delta) = filter.delta {
        let _ = write!(sql, " AND delta = '{}'", delta.as_str());
    }
    if filter.mine {
        sql.push_str(" AND assigned_reviewer IN (SELECT value FROM json_each(?))");
        params.push(Value::Text(
            serde_json::to_string(mine).expect("fixture query"),
        ));
    }
    let needle = query.search.trim();
    if !needle.is_empty() {
        sql.push_str(
            " AND (instr(fold(identity_id), fold(?1000)) OR instr(fold(identity_name), fold(?1000))
                   OR instr(fold(account), fold(?1000)) OR instr(fold(system), fold(?1000))
                   OR instr(fold(entitlement), fold(?1000)))",
        );
    }
    match query.sort.column() {
        Some(column) => {
            let _ = write!(sql, " ORDER BY {column}, item_id");
        }
        None => sql.push_str(" ORDER BY item_id"),
    }
    let mut statement = conn.prepare(&sql).expect(&sql);
    for (n, value) in params.into_iter().enumerate() {
        statement
            .raw_bind_parameter(n + 1, value)
            .expect("fixture query");
    }
    if !needle.is_empty() {
        statement
            .raw_bind_parameter(1000, needle)
            .expect("fixture query");
    }
    let mut rows = statement.raw_query();
    let mut ids = Vec::new();
    while let Some(row) = rows.next().expect("fixture query") {
        ids.push(row.get(0).expect("fixture query"));
    }
    ids
}

fn queries() -> Vec<Query> {
    let searches = [
        "",
        "zoë",
        "ZOË MÜLLER",
        "王芳",
        "jira",
        "e4",
        "CRM",
        "x.example",
        "nothing-matches",
    ];
    let filters = [
        Filter::default(),
        Filter {
            decision: DecisionFilter::Undecided,
            ..Filter::default()
        },
        Filter {
            decision: DecisionFilter::Certified,
            ..Filter::default()
        },
        Filter {
            signal: Some(Signal::Dormant),
            ..Filter::default()
        },
        Filter {
            system: Some("jira".to_owned()),
            ..Filter::default()
        },
        Filter {
            system: Some("no-such-system".to_owned()),
            ..Filter::default()
        },
        Filter {
            kind: Some(KindFilter::Kind(IdentityKind::Human)),
            ..Filter::default()
        },
        Filter {
            kind: Some(KindFilter::Orphaned),
            ..Filter::default()
        },
        Filter {
            delta: Some(Delta::New),
            ..Filter::default()
        },
        Filter {
            mine: true,
            ..Filter::default()
        },
    ];
    let sorts = [Sort::Item, Sort::Identity, Sort::System, Sort::Entitlement];
    let mut all = Vec::new();
    for control in CONTROLS {
        for search in searches {
            for filter in &filters {
                for sort in sorts {
                    all.push(Query {
                        control: control.to_owned(),
                        filter: filter.clone(),
                        search: search.to_owned(),
                        sort,
                    });
                }
            }
        }
    }
    all
}

#[test]
fn every_query_lists_what_plain_sql_lists_in_the_same_order() {
    let ws = fixture::workspace();
    register_fold(&ws.conn);
    let mine = vec![REVIEWER.to_owned()];
    let mut indexes = Indexes::new(&ws.conn, 1);
    let mut nonempty = 0;
    for query in queries() {
        let expected = by_sql(&ws.conn, &query, &mine);
        nonempty += usize::from(!expected.is_empty());
        let (index, positions) = indexes
            .select(&ws.conn, &query, &mine)
            .expect("fixture query");
        let selected = Selected::new(&index, &positions, &query);
        let listed = indexed::matching_ids(&ws.conn, &selected).expect("fixture query");
        assert_eq!(listed, expected, "{query:?}");
        let page = indexed::page(&ws.conn, &selected, &Anchor::First, 2).expect("fixture query");
        let first: Vec<i64> = page.rows.iter().map(|r| r.item_id).collect();
        assert_eq!(
            first,
            expected.iter().copied().take(2).collect::<Vec<_>>(),
            "{query:?}"
        );
        assert_eq!(page.at_end, expected.len() <= 2, "{query:?}");
    }
    // The queries are not all trivially empty.
    assert!(nonempty > 100, "only {nonempty} queries matched anything");
}

#[test]
fn paging_forwards_and_backwards_walks_the_whole_order() {
    let ws = fixture::workspace();
    let mut indexes = Indexes::new(&ws.conn, 1);
    let query = Query {
        control: "5.18".to_owned(),
        sort: Sort::System,
        ..Query::default()
    };
    let (index, positions) = indexes
        .select(&ws.conn, &query, &[])
        .expect("fixture query");
    let selected = Selected::new(&index, &positions, &query);
    let all = indexed::matching_ids(&ws.conn, &selected).expect("fixture query");
    assert_eq!(all.len(), 5);
    // Two rows at a time from the top, each page starting at the row after the last.
    let mut seen = Vec::new();
    let mut anchor = Anchor::First;
    loop {
        let page = indexed::page(&ws.conn, &selected, &anchor, 2).expect("fixture query");
        let last = page.rows.last().cloned();
        seen.extend(page.rows.iter().map(|r| r.item_id));
        if page.at_end {
            break;
        }
        let last = last.expect("fixture query");
        anchor = Anchor::From(Key {
            value: Some(last.system.clone()),
            id: last.item_id + 1,
        });
    }
    assert_eq!(seen, all);
    // The last page backwards ends at the last row.
    let page = indexed::page(&ws.conn, &selected, &Anchor::Last, 2).expect("fixture query");
    assert_eq!(
        page.rows.iter().map(|r| r.item_id).collect::<Vec<_>>(),
        all[3..]
    );
    assert!(page.at_end && !page.at_start);
    // Up to a key includes the key's row.
    let key = Key {
        value: Some(page.rows[0].system.clone()),
        id: page.rows[0].item_id,
    };
    let page = indexed::page(&ws.conn, &selected, &Anchor::UpTo(key), 2).expect("fixture query");
    assert_eq!(
        page.rows.iter().map(|r| r.item_id).collect::<Vec<_>>(),
        all[2..4]
    );
}

#[test]
fn next_undecided_skips_decided_rows_in_the_sorted_order() {
    let ws = fixture::workspace();
    let mut indexes = Indexes::new(&ws.conn, 1);
    // Item 7 (jira user of E1) is certified in the fixture.
    let query = Query {
        control: "5.18".to_owned(),
        search: "jira".to_owned(),
        ..Query::default()
    };
    let (index, positions) = indexes
        .select(&ws.conn, &query, &[])
        .expect("fixture query");
    let selected = Selected::new(&index, &positions, &query);
    assert_eq!(
        indexed::matching_ids(&ws.conn, &selected).expect("fixture query"),
        [6, 7, 8]
    );
    let first = indexed::next_undecided(&ws.conn, &selected, None)
        .expect("fixture query")
        .expect("fixture query");
    assert_eq!(first.id, 6);
    let next = indexed::next_undecided(&ws.conn, &selected, Some(&first))
        .expect("fixture query")
        .expect("fixture query");
    assert_eq!(next.id, 8, "item 7 is decided");
    assert_eq!(
        indexed::next_undecided(&ws.conn, &selected, Some(&next)).expect("fixture query"),
        None
    );
}

#[test]
fn the_filter_menu_lists_the_controls_systems_in_name_order() {
    let ws = fixture::workspace();
    let index: ControlIndex = load::load(&ws.conn, 1, "5.18").expect("fixture query");
    assert_eq!(index.system_names(), ["crm", "jira", "vpn"]);
    assert_eq!(index.rows.len(), 5);
}

#[test]
fn a_dictionary_keeps_each_text_once_and_ranks_in_byte_order() {
    let mut builder = DictBuilder::default();
    let ids: Vec<u32> = ["b", "a", "b", "Ä", "B"]
        .iter()
        .map(|t| builder.id(t))
        .collect();
    assert_eq!(ids, [0, 1, 0, 2, 3]);
    let dict = builder.finish();
    assert_eq!(dict.len(), 4);
    assert_eq!((dict.get(0), dict.get(2)), ("b", "Ä"));
    // Byte order, as SQLite's ORDER BY: "B" < "a" < "b" < "Ä".
    assert_eq!(dict.rank, [2, 1, 3, 0]);
    assert_eq!(dict.containing("ä"), [false, false, true, false]);
    assert_eq!(dict.containing("b"), [true, false, false, true]);
}

#[test]
fn forgetting_drops_the_indexes_so_reassigned_items_are_read_again() {
    let ws = fixture::workspace();
    let mut indexes = Indexes::new(&ws.conn, 1);
    let query = Query {
        control: "5.18".to_owned(),
        filter: Filter {
            mine: true,
            ..Filter::default()
        },
        sort: Sort::System,
        ..Query::default()
    };
    let mine = vec!["OWNER".to_owned()];
    let count = |indexes: &mut Indexes| {
        indexes
            .select(&ws.conn, &query, &mine)
            .expect("fixture query")
            .1
            .len()
    };
    assert_eq!(count(&mut indexes), 1);
    ws.conn
        .execute(
            "UPDATE items SET assigned_reviewer = 'OWNER' WHERE id = 9",
            [],
        )
        .expect("fixture query");
    assert_eq!(
        count(&mut indexes),
        1,
        "the index answers from memory until forgotten"
    );
    indexes.forget();
    assert_eq!(count(&mut indexes), 2);
}

#[test]
fn search_folds_case_beyond_ascii() {
    let ws = fixture::workspace();
    let mut indexes = Indexes::new(&ws.conn, 1);
    for search in ["ZOË MÜLLER", "zoë", "王芳", "FINANCE-REPORTS"] {
        let control = if search == "王芳" || search.starts_with("FIN") {
            "5.16"
        } else {
            "5.18"
        };
        let query = Query {
            control: control.to_owned(),
            search: search.to_owned(),
            ..Query::default()
        };
        let (_, positions) = indexes
            .select(&ws.conn, &query, &[])
            .expect("fixture query");
        assert!(!positions.is_empty(), "{search} found nothing in {control}");
    }
}

#[test]
fn a_row_stays_small_enough_for_a_million_items_in_64_mb() {
    assert!(std::mem::size_of::<super::Row>() <= 32);
}

#[test]
fn a_dictionary_grows_without_losing_or_doubling_a_text() {
    let mut builder = DictBuilder::default();
    let texts: Vec<String> = (0..5000).map(|n| format!("E{n:07}")).collect();
    let first: Vec<u32> = texts.iter().map(|t| builder.id(t)).collect();
    let again: Vec<u32> = texts.iter().rev().map(|t| builder.id(t)).collect();
    assert_eq!(first, (0..5000).collect::<Vec<u32>>());
    assert_eq!(again, (0..5000).rev().collect::<Vec<u32>>());
    let dict = builder.finish();
    assert_eq!(dict.len(), 5000);
    assert_eq!(dict.get(4321), "E0004321");
}
