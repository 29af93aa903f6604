//! Tampering with an exported evidence file is found and the row named.

use super::*;
use crate::evidence::export::write_evidence;
use crate::evidence::fixture;

/// The fixture's evidence, one string per line (no cell holds a newline).
fn lines() -> Vec<String> {
    let mut ws = fixture::workspace();
    fixture::decide_all(&mut ws);
    let mut bytes = Vec::new();
    write_evidence(&ws.conn, &fixture::campaign(&ws), &mut bytes).expect("export");
    String::from_utf8(bytes)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn check(lines: &[String]) -> Verification {
    check_chain(format!("{}\n", lines.join("\n")).as_bytes())
}

fn first_problem(lines: &[String]) -> String {
    let result = check(lines);
    assert_eq!(result.problems.len(), 1, "{:?}", result.problems);
    result.problems[0].to_string()
}

#[test]
fn an_untouched_export_is_intact() {
    let lines = lines();
    let result = check(&lines);
    assert!(result.is_intact(), "{:?}", result.problems);
    assert_eq!(result.rows, 5);
    assert_eq!(result.campaign_name.as_deref(), Some("Q4 review"));
    assert_eq!(result.last_line, Some(6));
    assert_eq!(result.last_item.as_deref(), Some("5"));
}

#[test]
fn an_edited_cell_names_its_row() {
    let mut lines = lines();
    lines[3] = lines[3].replace("still needed", "still needed!");
    assert!(
        first_problem(&lines).starts_with("line 4 (item_id 3): row_hash does not match"),
        "{}",
        first_problem(&lines)
    );
}

#[test]
fn a_deleted_row_names_the_row_after_the_gap() {
    let mut lines = lines();
    lines.remove(2);
    assert!(
        first_problem(&lines).starts_with("line 3 (item_id 3): prev_hash does not continue"),
        "{}",
        first_problem(&lines)
    );
}

#[test]
fn an_inserted_row_is_named() {
    let mut lines = lines();
    let copy = lines[2].clone();
    lines.insert(4, copy);
    assert!(
        first_problem(&lines).starts_with("line 5 (item_id 2): prev_hash does not continue"),
        "{}",
        first_problem(&lines)
    );
}

#[test]
fn reordered_rows_are_named() {
    let mut lines = lines();
    lines.swap(3, 4);
    assert!(
        first_problem(&lines).starts_with("line 4 (item_id 4): prev_hash"),
        "{}",
        first_problem(&lines)
    );
}

#[test]
fn a_changed_header_is_named() {
    let mut lines = lines();
    lines[0] = lines[0].replace("justification", "reason");
    assert_eq!(
        first_problem(&lines),
        "line 1: the header is not an evidence header (closest: format 1): column 20 is \"reason\", expected \"justification\""
    );
}

#[test]
fn a_row_with_a_missing_cell_is_named() {
    let mut lines = lines();
    let cut = lines[5].rfind(',').expect("comma");
    lines[5].truncate(cut);
    assert_eq!(
        first_problem(&lines),
        "line 6 (item_id 5): the row has 24 cells, expected 25"
    );
}

#[test]
fn an_empty_file_is_not_evidence() {
    assert!(first_problem(&[]).contains("the file is empty"));
}

#[test]
fn a_spreadsheet_stripping_the_apostrophes_is_explained() {
    let mut lines = lines();
    // Row 1 (line 2) is item 1 with the cells '@admins and '=orphaned, remove.
    lines[1] = lines[1].replace(",'@admins,", ",@admins,");
    let problem = first_problem(&lines);
    assert!(
        problem.starts_with("line 2 (item_id 1): row_hash matches only once the formula-like cells get back their leading '"),
        "{problem}"
    );
}
