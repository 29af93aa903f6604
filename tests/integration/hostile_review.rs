//! Hostile data through a whole review at the command line: `items`,
//! `status` and `campaign list` print no control characters and keep their
//! columns, and every CSV recert writes has its formulas neutralised.

use unicode_width::UnicodeWidthStr;

use crate::hostile::{HOSTILE, assert_no_controls, hostile_entitlements, hostile_identities};
use crate::support::Scratch;

/// A campaign (with a hostile name) over the hostile company, every item
/// decided with a hostile justification.
pub fn hostile_campaign(scratch: &Scratch) -> &'static str {
    const NAME: &str = "Q4 \u{1b}]0;pwned\u{7}\u{202E}review";
    let files = [
        scratch.file("identities.csv", &hostile_identities()),
        scratch.file("entitlements.csv", &hostile_entitlements()),
    ];
    scratch.import(&files);
    scratch.known_reviewers(&["tester", "R"]);
    scratch.campaign(NAME, &["--default-reviewer", "iam-lead"]);
    let items: Vec<String> = (1..=HOSTILE.len() + 1).map(|i| i.to_string()).collect();
    scratch
        .recert()
        .args(["decide", "1"])
        .args(&items)
        .args(["--revoke", "--reviewer", "R"])
        .args([
            "--justification",
            "=HYPERLINK(\"http://evil\") \u{1b}[2J gone",
        ])
        .assert()
        .success();
    NAME
}

/// Runs recert; what it prints for people (not `--csv` or `--json`, which
/// carry the data as recorded) must hold no control characters.
fn run(scratch: &Scratch, args: &[&str]) -> String {
    let output = scratch.recert().args(args).output().expect("run");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?}: {stderr}");
    if !args.iter().any(|a| *a == "--csv" || *a == "--json") {
        assert_no_controls(&format!("{args:?} stdout"), &stdout);
    }
    assert_no_controls(&format!("{args:?} stderr"), &stderr);
    stdout
}

#[test]
fn items_status_and_campaign_list_show_hostile_data_cleaned_and_aligned() {
    let scratch = Scratch::new();
    hostile_campaign(&scratch);
    let table = run(&scratch, &["items", "1"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), HOSTILE.len() + 2, "{table}");
    // Every column but the last ends at the same terminal column.
    let before_last = |line: &str| {
        let last = line.rsplit("  ").next().unwrap_or("");
        line.width() - last.width()
    };
    let header = before_last(lines[0]);
    for line in &lines[1..] {
        assert_eq!(
            before_last(line),
            header,
            "misaligned row:\n{line}\n{}",
            lines[0]
        );
        assert!(line.ends_with("revoke"), "{line}");
    }
    assert!(
        table.contains("admintxt.exe"),
        "the override is gone, the text stays: {table}"
    );
    run(&scratch, &["items", "1", "--json"]);
    let status = run(&scratch, &["status", "1"]);
    assert!(status.contains("Q4 ]0;pwnedreview"), "{status}");
    run(&scratch, &["status", "1", "--json"]);
    run(&scratch, &["campaign", "list"]);
}

/// Panics naming the first cell a spreadsheet would run as a formula.
pub fn assert_no_formulas(what: &str, csv_text: &str) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    for (line, record) in reader.records().enumerate() {
        let record = record.expect("well-formed CSV");
        for cell in &record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what} record {line} holds a live formula: {cell:?}"
            );
        }
    }
}

#[test]
fn items_csv_neutralises_every_formula() {
    let scratch = Scratch::new();
    hostile_campaign(&scratch);
    let csv_text = run(&scratch, &["items", "1", "--csv"]);
    assert!(csv_text.contains("'=HYPERLINK"), "{csv_text}");
    assert!(csv_text.contains("'=cmd|"), "{csv_text}");
    assert_no_formulas("items --csv", &csv_text);
}
