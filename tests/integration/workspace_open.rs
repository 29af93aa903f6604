//! Opening the workspace: only commands that bring data in create one, a
//! file that is not a workspace or sits where others can replace it is
//! refused by name, and a bad busy timeout is refused instead of panicking.

use std::os::unix::fs::PermissionsExt;

use predicates::prelude::*;
use rusqlite::Connection;

use crate::decide_faults::campaign_of;
use crate::support::Scratch;

/// Every command that only reads or changes an existing workspace.
const NEEDS_A_WORKSPACE: &[&[&str]] = &[
    &["status"],
    &["status", "Q4"],
    &["items", "Q4"],
    &["campaign", "list"],
    &["decide", "Q4", "1", "--certify"],
    &["signoff", "Q4"],
    &["export", "Q4", "-o", "evidence.csv"],
    &["report", "Q4", "-o", "report.html"],
    &["verify"],
];

#[test]
fn no_command_but_import_creates_a_workspace_at_a_mistyped_path() {
    let scratch = Scratch::new();
    for args in NEEDS_A_WORKSPACE {
        scratch
            .recert()
            .current_dir(scratch.dir.path())
            .args(*args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "there is no workspace at {}",
                scratch.workspace().display()
            )))
            .stderr(predicate::str::contains("recert import FILE"));
        assert!(!scratch.workspace().exists(), "recert {args:?} created it");
    }
    let identities = scratch.file("identities.csv", "identity_id\nE1\n");
    scratch.import(&[identities]);
    assert!(scratch.workspace().exists(), "import creates the workspace");
}

#[test]
fn an_empty_file_is_not_taken_for_a_workspace() {
    let scratch = Scratch::new();
    std::fs::write(scratch.workspace(), "").expect("empty");
    for args in NEEDS_A_WORKSPACE {
        scratch
            .recert()
            .current_dir(scratch.dir.path())
            .args(*args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "is an empty file, not a recert workspace",
            ));
    }
    assert_eq!(
        std::fs::metadata(scratch.workspace()).expect("meta").len(),
        0
    );
    // Bringing data in still makes a workspace of it.
    let identities = scratch.file("identities.csv", "identity_id\nE1\n");
    scratch.import(&[identities]);
    scratch
        .recert()
        .args(["campaign", "list"])
        .assert()
        .success();
}

#[test]
fn a_workspace_in_a_directory_everyone_may_write_is_refused_unless_sticky() {
    let scratch = Scratch::new();
    campaign_of(&scratch, 2);
    let dir = scratch.dir.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    scratch
        .recert()
        .args(["status", "Q4"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "which every user may write to (mode 777, no sticky bit)",
        ))
        .stderr(predicate::str::contains("chmod o-w"));
    // Nor is a new one created there.
    let other = dir.join("new.db");
    let identities = scratch.file("identities.csv", "identity_id\nE1\n");
    scratch
        .recert()
        .arg("--workspace")
        .arg(&other)
        .arg("import")
        .arg(&identities)
        .assert()
        .code(1);
    assert!(!other.exists());
    // With the sticky bit (as /tmp has) nobody else can replace the file.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o1777)).expect("chmod");
    scratch.recert().args(["status", "Q4"]).assert().success();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
}

#[test]
fn a_busy_timeout_that_is_no_number_of_milliseconds_is_refused() {
    let scratch = Scratch::new();
    campaign_of(&scratch, 2);
    for bad in ["99999999999999", "2147483648", "-5", "ten", "1.5"] {
        scratch
            .recert()
            .args(["status", "Q4"])
            .env("RECERT_BUSY_TIMEOUT_MS", bad)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "RECERT_BUSY_TIMEOUT_MS is \"{bad}\""
            )))
            .stderr(predicate::str::contains("from 0 to 2147483647"));
    }
    scratch
        .recert()
        .args(["status", "Q4"])
        .env("RECERT_BUSY_TIMEOUT_MS", "2147483647")
        .assert()
        .success();
}

#[test]
fn a_file_that_is_no_workspace_is_named_with_what_to_do() {
    let scratch = Scratch::new();
    let notes = scratch.file("notes.txt", &"my notes, not a workspace\n".repeat(200));
    scratch
        .recert()
        .arg("--workspace")
        .arg(&notes)
        .args(["campaign", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{} is not a recert workspace",
            notes.display()
        )))
        .stderr(predicate::str::contains("--workspace"));
    // Another program's SQLite database is not migrated into a workspace.
    let other = scratch.dir.path().join("other.db");
    Connection::open(&other)
        .expect("open")
        .execute_batch("CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('x');")
        .expect("other db");
    let before = std::fs::read(&other).expect("read");
    let identities = scratch.file("identities.csv", "identity_id\nE1\n");
    scratch
        .recert()
        .arg("--workspace")
        .arg(&other)
        .arg("import")
        .arg(&identities)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "is an SQLite database but not a recert workspace",
        ));
    assert_eq!(std::fs::read(&other).expect("read"), before);
}

#[test]
fn a_damaged_workspace_is_named_with_how_to_recover() {
    let scratch = Scratch::new();
    campaign_of(&scratch, 50);
    let conn = Connection::open(scratch.workspace()).expect("open");
    conn.execute_batch("PRAGMA journal_mode = DELETE;")
        .expect("checkpoint");
    drop(conn);
    // Overwrite the pages after the first with noise, as a failing disk might.
    let mut bytes = std::fs::read(scratch.workspace()).expect("read");
    for (i, byte) in bytes.iter_mut().enumerate().skip(4096) {
        *byte = u8::try_from(i % 251).expect("byte");
    }
    std::fs::write(scratch.workspace(), bytes).expect("write");
    scratch
        .recert()
        .args(["items", "Q4"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "workspace {} is damaged",
            scratch.workspace().display()
        )))
        .stderr(predicate::str::contains("backup"));
}
