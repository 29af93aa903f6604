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
        .stderr(predicate::str::contains("there is no workspace at"));
    assert!(!scratch.workspace().exists());
}

#[test]
fn an_empty_file_is_refused_not_reported_intact() {
    let scratch = Scratch::new();
    std::fs::write(scratch.workspace(), "").expect("empty");
    scratch
        .recert()
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("intact").not())
        .stderr(predicate::str::contains(
            "is an empty file, not a recert workspace",
        ));
    assert_eq!(
        std::fs::metadata(scratch.workspace()).expect("meta").len(),
        0
    );
}

/// The workspace's files (itself, -wal, -shm, backups) and their bytes.
fn files_beside(scratch: &Scratch) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(scratch.dir.path())
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("workspace.db"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn verify_checks_a_read_only_workspace_without_changing_a_byte() {
    let scratch = Scratch::new();
    decided(&scratch);
    // As a copy handed to an auditor might be: one file, rollback journal.
    Connection::open(scratch.workspace())
        .expect("open")
        .execute_batch("PRAGMA journal_mode = DELETE;")
        .expect("journal");
    std::fs::set_permissions(
        scratch.workspace(),
        std::os::unix::fs::PermissionsExt::from_mode(0o400),
    )
    .expect("chmod");
    let before = files_beside(&scratch);
    scratch
        .recert()
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            ": intact (3 events in 1 campaign)",
        ));
    assert_eq!(
        files_beside(&scratch),
        before,
        "verify wrote to the workspace"
    );
}

#[test]
fn verify_never_upgrades_an_older_workspace_and_says_how() {
    let scratch = Scratch::new();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/workspaces/schema-v1.db");
    std::fs::copy(&fixture, scratch.workspace()).expect("copy");
    std::fs::set_permissions(
        scratch.workspace(),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .expect("chmod");
    let before = files_beside(&scratch);
    scratch
        .recert()
        .arg("verify")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has schema version 1"))
        .stderr(predicate::str::contains(
            "checking never changes a workspace, so upgrade it first",
        ));
    assert_eq!(
        files_beside(&scratch),
        before,
        "verify migrated or backed up"
    );
}
