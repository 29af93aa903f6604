//! Tests of the evidence export against the fixture campaign (`evidence::fixture`).

use super::*;
use crate::evidence::fixture;
use crate::evidence::format::{EvidenceFormat, Field};
use crate::model::DecisionAction;

fn export(ws: &crate::workspace::Workspace) -> (String, EvidenceSummary) {
    let campaign = fixture::campaign(ws);
    let mut bytes = Vec::new();
    let summary = write_evidence(&ws.conn, &campaign, &mut bytes).expect("export");
    (String::from_utf8(bytes).expect("utf-8"), summary)
}

fn records(csv_text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.expect("csv").iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn rows_follow_control_number_then_item_id() {
    let mut ws = fixture::workspace();
    fixture::decide_all(&mut ws);
    let (text, summary) = export(&ws);
    let rows = records(&text);
    assert_eq!(rows[0], EvidenceFormat::One.columns());
    let order: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[4].as_str(), r[6].as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("5.16", "1"),
            ("5.16", "2"),
            ("5.17", "3"),
            ("5.18", "4"),
            ("8.2", "5")
        ]
    );
    assert_eq!(summary.rows, 5);
    assert_eq!(
        (summary.certified, summary.revoked, summary.undecided),
        (3, 2, 0)
    );
    assert!(text.ends_with('\n') && !text.contains('\r'));
}

#[test]
fn every_row_is_chained_to_the_one_before() {
    let mut ws = fixture::workspace();
    fixture::decide_all(&mut ws);
    let (text, summary) = export(&ws);
    let mut prev = GENESIS.to_owned();
    let format = EvidenceFormat::One;
    for row in &records(&text)[1..] {
        assert_eq!(row[format.prev_hash()], prev);
        let hash = crate::chain::link(&prev, &row[..format.hashed_cells()]);
        assert_eq!(row[format.row_hash()], hash);
        prev = hash;
    }
    assert_eq!(summary.last_hash, prev);
}

#[test]
fn cells_are_written_as_the_design_says() {
    let mut ws = fixture::workspace();
    fixture::decide_all(&mut ws);
    let (text, _) = export(&ws);
    let rows = records(&text);
    let orphan = &rows[1];
    assert_eq!(
        orphan[0..6],
        [
            "1",
            "Q4 review",
            "2026-Q4",
            "2026-11-30",
            "5.16",
            "Identity management"
        ]
    );
    assert_eq!(orphan[7..12], ["ghost", "", "", "", "crm"]);
    assert_eq!(
        orphan[12], "'@admins",
        "formula-like entitlement neutralised"
    );
    assert_eq!(orphan[15], "orphaned;new");
    assert_eq!(orphan[18], "revoke");
    assert_eq!(orphan[19], "'=orphaned, remove");
    assert_eq!(orphan[20], "M1 (tester@testhost)");
    assert_eq!(orphan[21], "2026-12-01T09:00:00.000Z");
    assert_eq!(orphan[22], fixture::source_sha());
    let terminated = &rows[2];
    assert!(
        terminated[8].starts_with("'=HYPERLINK("),
        "{:?}",
        &terminated[8]
    );
    assert_eq!(terminated[10], "terminated");
    let service = &rows[3];
    assert_eq!(service[8], "CI, \"deploy\" bot");
    assert_eq!(service[14], "false");
    assert_eq!(rows[5][14], "true");
}

#[test]
fn undecided_items_export_with_empty_decision_cells() {
    let mut ws = fixture::workspace();
    fixture::decide(&mut ws, &[5], DecisionAction::Certify, "needed");
    let (text, summary) = export(&ws);
    assert_eq!(summary.undecided, 4);
    let rows = records(&text);
    assert_eq!(rows[1][18..22], ["", "", "", ""]);
}

#[test]
fn an_undo_leaves_the_item_undecided_in_the_evidence() {
    let mut ws = fixture::workspace();
    fixture::decide_all(&mut ws);
    fixture::decide(&mut ws, &[1], DecisionAction::Undo, "mistake");
    let (_, summary) = export(&ws);
    assert_eq!((summary.revoked, summary.undecided), (1, 1));
}

#[test]
fn a_campaign_without_items_has_only_the_header() {
    let ws = fixture::workspace();
    ws.conn.execute("DELETE FROM items", []).expect("empty");
    let (text, summary) = export(&ws);
    assert_eq!(
        text,
        format!("{}\n", EvidenceFormat::One.columns().join(","))
    );
    assert_eq!(summary.last_hash, GENESIS);
}

#[test]
fn decision_times_are_rfc3339_utc_with_milliseconds() {
    assert_eq!(
        rfc3339_utc("2026-12-01T09:00:00.000Z"),
        "2026-12-01T09:00:00.000Z"
    );
    assert_eq!(
        rfc3339_utc("2026-12-01T10:00:00+01:00"),
        "2026-12-01T09:00:00.000Z"
    );
    assert_eq!(rfc3339_utc("yesterday"), "yesterday");
    assert_eq!(rfc3339_utc(""), "");
}

/// A format-2 campaign writes the format-2 columns, with the holder's key
/// as `account` and every decision's basis; the chain covers all of them.
#[test]
fn a_format_2_campaign_writes_the_format_2_columns() {
    let mut ws = fixture::workspace();
    ws.conn
        .execute("UPDATE campaigns SET evidence_format = 2", [])
        .expect("format 2");
    fixture::decide_all(&mut ws);
    fixture::decide(&mut ws, &[2], DecisionAction::Undo, "not yet");
    let (text, summary) = export(&ws);
    let rows = records(&text);
    let format = EvidenceFormat::Two;
    assert_eq!(rows[0], format.columns());
    let cell =
        |row: &Vec<String>, field: Field| row[format.position(field).expect("column")].clone();
    let orphan = &rows[1];
    assert_eq!(cell(orphan, Field::ItemId), "1");
    assert_eq!(cell(orphan, Field::Account), "ghost");
    assert_eq!(cell(orphan, Field::Decision), "revoke");
    assert_eq!(cell(orphan, Field::DecisionBasis), "reviewer");
    assert_eq!(cell(orphan, Field::ValidUntil), "");
    let undone = rows
        .iter()
        .find(|r| cell(r, Field::ItemId) == "2")
        .expect("item 2");
    assert_eq!(cell(undone, Field::Decision), "");
    assert_eq!(
        cell(undone, Field::DecisionBasis),
        "",
        "undecided: no basis"
    );
    let mut prev = GENESIS.to_owned();
    for row in &rows[1..] {
        let hash = crate::chain::link(&prev, &row[..format.hashed_cells()]);
        assert_eq!(row[format.row_hash()], hash);
        prev = hash;
    }
    assert_eq!(summary.last_hash, prev);
}
