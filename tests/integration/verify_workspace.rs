//! `recert verify` without FILE: the workspace's own decision log, checked
//! after an attacker edited it with plain SQL.

use predicates::prelude::*;
use rusqlite::Connection;

use crate::decide_faults::campaign_of;
use crate::support::Scratch;

fn decided(scratch: &Scratch) {
    campaign_of(scratch, 4);
    scratch
        .recert()
        .args(["decide", "Q4", "1", "2", "--certify", "--reviewer", "R"])
        .assert()
        .success();
    scratch
        .recert()
        .args(["decide", "Q4", "3", "--revoke", "--reviewer", "R"])
        .args(["--justification", "left"])
        .assert()
        .success();
}

#[test]
fn an_untouched_workspace_verifies_with_its_chain_heads() {
    let scratch = Scratch::new();
    decided(&scratch);
    let head: String = Connection::open(scratch.workspace())
        .expect("open")
        .query_row(
            "SELECT event_hash FROM decision_events ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("head");
    scratch
        .recert()
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            ": intact (3 events in 1 campaign)",
        ))
        .stdout(predicate::str::contains(format!(
            "campaign 1 \"Q4\": 3 events, chain head {head}"
        )));
}

#[test]
fn an_event_edited_with_plain_sql_is_named_and_fails() {
    let scratch = Scratch::new();
    decided(&scratch);
    Connection::open(scratch.workspace())
        .expect("open")
        .execute_batch(
            "DROP TRIGGER decision_events_append_only_update;
             UPDATE decision_events SET action = 'certify', justification = NULL WHERE id = 3;
             UPDATE current_decisions SET decision = 'certify' WHERE item_id = 3;",
        )
        .expect("tamper");
    scratch
        .recert()
        .args(["verify", "--workspace"])
        .arg(scratch.workspace())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("TAMPERED, 3 problems"))
        .stdout(predicate::str::contains(
            "trigger decision_events_append_only_update is missing",
        ))
        // The progress counts were left as they were: they give it away too.
        .stdout(predicate::str::contains(
            "control 5.18's progress reads 2 certified and 1 revoked but its items' current decisions are 3 certified and 0 revoked",
        ))
        .stderr(predicate::str::contains(
            "was changed outside recert: event 3, item 3, campaign 1 (altered)",
        ));
}

#[test]
fn a_missing_workspace_is_not_created_by_verify() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("verify")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
    assert!(!scratch.workspace().exists());
}
