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
