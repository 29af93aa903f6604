//! What the CLI prints besides its data: errors with each cause once, usage
//! errors from clap (exit 2), tables that fit 80 columns, and plurals.

use predicates::prelude::*;
use rusqlite::Connection;

use crate::campaign::campaign;
use crate::support::Scratch;

/// A campaign whose database refuses every new decision event with `boom`,
/// as a full disk or a damaged file would refuse it.
fn refusing_campaign() -> Scratch {
    let scratch = Scratch::new();
    campaign(&scratch);
    Connection::open(scratch.workspace())
        .expect("open")
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON decision_events
             BEGIN SELECT RAISE(ABORT, 'boom: the disk is full'); END;",
        )
        .expect("trigger");
    scratch
}

#[test]
fn a_database_error_names_its_cause_once() {
    let scratch = refusing_campaign();
    let before = scratch.dump();
    let output = scratch
        .recert()
        .args(["decide", "Q4", "5", "--certify"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).expect("utf-8");
    assert_eq!(
        stderr.matches("boom: the disk is full").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.starts_with("recert: recording the decision\n"),
        "{stderr}"
    );
    assert_eq!(scratch.dump(), before);
}

#[test]
fn bad_option_values_are_usage_errors_that_change_nothing() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let before = scratch.dump();
    let cases: [(&[&str], &str); 6] = [
        (
            &["items", "Q4", "--signal", "bogus"],
            "invalid value 'bogus' for '--signal <SIGNAL>'",
        ),
        (
            &["items", "Q4", "--control", "9.9"],
            "invalid value '9.9' for '--control <ID>': not a control in the catalog",
        ),
        (
            &["campaign", "create", "--name", "x", "--due", "31/12/2026"],
            "invalid value '31/12/2026' for '--due <DATE>': not a date; write it as YYYY-MM-DD",
        ),
        (
            &["campaign", "create", "--name", "x", "--as-of", "2026-02-30"],
            "invalid value '2026-02-30' for '--as-of <DATE>'",
        ),
        (
            &["campaign", "create", "--name", "x", "--kind", "robot"],
            "invalid value 'robot' for '--kind <K>'",
        ),
        (
            &[
                "campaign",
                "create",
                "--name",
                "x",
                "--controls",
                "5.16,9.1",
            ],
            "invalid value '9.1' for '--controls <IDS>'",
        ),
    ];
    for (args, message) in cases {
        scratch
            .recert()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(message));
    }
    assert_eq!(scratch.dump(), before);
    // Values are still matched ignoring ASCII case.
    scratch
        .recert()
        .args(["items", "Q4", "--signal", "DORMANT", "--json"])
        .assert()
        .success();
}

#[test]
fn a_value_recert_never_writes_is_refused_not_read_as_a_default() {
    let scratch = Scratch::new();
    campaign(&scratch);
    // What the sqlite3 shell allows: write past the schema's CHECK constraints.
    Connection::open(scratch.workspace())
        .expect("open")
        .execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             UPDATE items SET recommendation = 'maybe' WHERE id = 3;",
        )
        .expect("tamper");
    let output = scratch
        .recert()
        .args(["items", "Q4", "--json"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).expect("utf-8");
    assert!(
        stderr.starts_with("recert: reading item 3 of campaign 1\n"),
        "{stderr}"
    );
    let refusal = "\"maybe\" is not a decision; expected one of certify, revoke";
    assert_eq!(stderr.matches(refusal).count(), 1, "{stderr}");
}
