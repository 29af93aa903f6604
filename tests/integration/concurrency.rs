//! Several writers on one workspace at once: a writer waits for the lock
//! (busy timeout) and, if it truly cannot get it, says so clearly and
//! changes nothing.
//!
//! The test itself holds the write lock, as another recert process would, so
//! what happens while the workspace is locked does not depend on how fast
//! the binary under test is (a debug build's slowness once hid a race here).

use std::time::Duration;

use predicates::prelude::*;
use rusqlite::{Connection, TransactionBehavior};

use crate::crash::{base, spawn};
use crate::support::Scratch;

#[test]
fn an_import_waits_for_the_lock_holder_and_one_that_cannot_wait_refuses_clearly() {
    let scratch = Scratch::new();
    base(&scratch);
    let before = scratch.dump();
    let mut holder = Connection::open(scratch.workspace()).expect("open");
    let lock = holder
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("take the write lock");

    let impatient = scratch.file(
        "impatient.csv",
        "identity_id,system,entitlement\nE1,app,impatient\n",
    );
    scratch
        .recert()
        .env("RECERT_BUSY_TIMEOUT_MS", "200")
        .arg("import")
        .arg(&impatient)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is busy: another recert process"))
        .stderr(predicate::str::contains(
            "held its write lock for over 0.2 s, so nothing was changed",
        ));

    let patient_file = scratch.file(
        "patient.csv",
        "identity_id,system,entitlement\nE1,app,patient\n",
    );
    let mut patient = spawn(
        &scratch,
        &["import".as_ref(), patient_file.as_os_str()],
        &[("RECERT_BUSY_TIMEOUT_MS", "300000")],
    );
    // However long it runs, it cannot finish while the lock is held.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        patient.try_wait().expect("try_wait").is_none(),
        "an import finished while another connection held the write lock"
    );
    assert_eq!(
        scratch.dump(),
        before,
        "nothing was written while the lock was held"
    );
    drop(lock);
    let patient = patient.wait_with_output().expect("patient");
    assert!(
        patient.status.success(),
        "{}",
        String::from_utf8_lossy(&patient.stderr)
    );

    let files: Vec<(String, i64)> = holder
        .prepare("SELECT file_name, current FROM snapshots WHERE kind = 'entitlements' ORDER BY id")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        files,
        [
            ("entitlements.csv".to_owned(), 0),
            ("patient.csv".to_owned(), 1)
        ],
        "the waiting import ran once the lock was free, and the refused one left nothing"
    );
}
