//! Several recert processes writing one workspace at once: a writer waits
//! for the lock (busy timeout) and, if it truly cannot get it, says so
//! clearly and changes nothing.

use std::time::{Duration, Instant};

use predicates::prelude::*;
use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use crate::crash::{base, big_entitlements, spawn};
use crate::support::Scratch;

/// Whether some other process holds the workspace's write lock right now.
pub fn write_lock_taken(scratch: &Scratch) -> bool {
    let Ok(mut conn) = Connection::open(scratch.workspace()) else {
        return false;
    };
    // rusqlite waits 5 s by default; a probe must not.
    conn.busy_timeout(Duration::ZERO).expect("busy timeout");
    match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => {
            drop(tx);
            false
        }
        Err(err) => err.sqlite_error_code() == Some(ErrorCode::DatabaseBusy),
    }
}

#[test]
fn a_second_import_waits_for_the_first_and_a_third_that_cannot_wait_refuses_clearly() {
    let scratch = Scratch::new();
    base(&scratch);
    let big = scratch.file("big.csv", &big_entitlements(20_000));
    let mut first = spawn(&scratch, &["import".as_ref(), big.as_os_str()], &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !write_lock_taken(&scratch) {
        assert!(
            first.try_wait().expect("try_wait").is_none(),
            "the first import finished before it was seen holding the lock"
        );
        assert!(
            Instant::now() < deadline,
            "the first import never took the lock"
        );
        std::thread::sleep(Duration::from_millis(2));
    }

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
    let patient = spawn(
        &scratch,
        &["import".as_ref(), patient_file.as_os_str()],
        &[("RECERT_BUSY_TIMEOUT_MS", "300000")],
    );
    let first = first.wait_with_output().expect("first");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let patient = patient.wait_with_output().expect("patient");
    assert!(
        patient.status.success(),
        "{}",
        String::from_utf8_lossy(&patient.stderr)
    );

    let conn = Connection::open(scratch.workspace()).expect("open");
    let files: Vec<(String, i64)> = conn
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
            ("big.csv".to_owned(), 0),
            ("patient.csv".to_owned(), 1)
        ],
        "the waiting import ran after the first, and the refused one left nothing"
    );
}
