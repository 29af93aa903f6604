//! `recert decide` from the command line: what is recorded, and every refusal
//! (exit 1, the reason on stderr, nothing written).

use predicates::prelude::*;
use serde_json::Value;

use crate::campaign::{campaign, item};
use crate::support::Scratch;

fn decide(scratch: &Scratch, args: &[&str]) -> assert_cmd::assert::Assert {
    scratch.recert().arg("decide").arg("Q4").args(args).assert()
}

#[test]
fn a_decision_is_recorded_and_shown_on_the_item() {
    let scratch = Scratch::new();
    campaign(&scratch);
    decide(
        &scratch,
        &[
            "1",
            "--revoke",
            "--justification",
            "left in August",
            "--reviewer",
            "M1",
        ],
    )
    .success()
    .stdout(
        "Recorded revoke on item 1 in campaign 1 (Q4) by M1 (tester@".to_owned()
            + &hostname()
            + ").\n",
    );
    let revoked = item(&scratch, 1);
    assert_eq!(revoked["decision"], "revoke");
    assert_eq!(revoked["justification"], "left in August");
    assert!(
        revoked["decided_by"]
            .as_str()
            .is_some_and(|by| by.starts_with("M1 (tester@")),
        "{revoked}"
    );
    decide(&scratch, &["1", "--undo", "--reviewer", "M1"]).success();
    assert_eq!(item(&scratch, 1)["decision"], Value::Null);
}

fn hostname() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

#[test]
fn the_reviewer_comes_from_the_environment_too() {
    let scratch = Scratch::new();
    campaign(&scratch);
    scratch
        .recert()
        .env("RECERT_REVIEWER", "M1")
        .args(["decide", "Q4", "5", "6", "--certify"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "Recorded certify on items 5, 6 in campaign 1 (Q4) by M1",
        ));
}

#[test]
fn refusals_exit_1_with_the_reason_and_change_nothing() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let before = scratch.dump();
    let cases: [(&[&str], &str); 6] = [
        (
            &["1", "--revoke", "--reviewer", "M1"],
            "every revoke needs a justification",
        ),
        (
            &["10", "--certify", "--reviewer", "E3"],
            "certifying an item with risk signals (privileged) needs a justification",
        ),
        (
            &[
                "10",
                "--certify",
                "--justification",
                "mine",
                "--reviewer",
                "eve@x.example",
            ],
            // The e-mail names E1: the own access of the person, as recorded.
            "item 10 is E1's own access",
        ),
        (
            &["99", "--certify", "--reviewer", "M1"],
            "item 99 is not in campaign \"Q4\"",
        ),
        (
            &["5", "--undo", "--reviewer", "M1"],
            "item 5 has no decision to undo",
        ),
        (
            &["1", "--certify", "--revoke", "--reviewer", "M1"],
            "cannot be used with",
        ),
    ];
    for (args, message) in cases {
        let assert = decide(&scratch, args).stderr(predicate::str::contains(message));
        let code = assert.get_output().status.code();
        assert!(matches!(code, Some(1 | 2)), "{args:?}: {code:?}");
    }
    assert_eq!(scratch.dump(), before);
}

#[test]
fn a_signed_off_campaign_refuses_changes() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let conn = rusqlite::Connection::open(scratch.workspace()).expect("open");
    conn.execute(
        "INSERT INTO signoffs VALUES (1, 'M1', 'tester', 'host', '2026-12-01T00:00:00Z', 'done', ?1)",
        ["0".repeat(64)],
    )
    .expect("sign off");
    drop(conn);
    decide(&scratch, &["1", "--certify", "--reviewer", "M1"])
        .code(1)
        .stderr(predicate::str::contains(
            "campaign \"Q4\" is signed off and locked",
        ));
    let status: Value = serde_json::from_slice(
        &scratch
            .recert()
            .args(["status", "Q4", "--json"])
            .output()
            .expect("status")
            .stdout,
    )
    .expect("json");
    assert_eq!(status["campaign"]["state"], "signed_off");
}
