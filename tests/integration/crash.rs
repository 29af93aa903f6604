//! `kill -9` in the middle of a write: on restart the workspace shows the old
//! state or the complete new one, never a half-written import, and nothing
//! acknowledged is lost.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Scratch;

const BASE_IDENTITIES: &str = "identity_id,kind,status\nE1,human,active\nE2,human,active\n";
const BASE_ENTITLEMENTS: &str = "identity_id,system,entitlement\nE1,app,user\nE2,app,admin\n";

/// An entitlements export of `rows` grants, big enough that importing it
/// takes a while and spills pages into the write-ahead log before commit.
pub fn big_entitlements(rows: usize) -> String {
    let mut out = String::with_capacity(rows * 80);
    out.push_str("identity_id,system,entitlement,type,privileged,granted_at,last_used_at\n");
    for i in 0..rows {
        let _ = writeln!(
            out,
            "E{},system-{},entitlement-{i:07},role,{},2026-01-{:02},2026-11-{:02}",
            i % 5000,
            i % 37,
            i % 11 == 0,
            1 + i % 28,
            1 + i % 28
        );
    }
    out
}

/// The recert binary as a plain child process we can SIGKILL.
pub fn spawn(scratch: &Scratch, args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Child {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("recert"));
    for name in crate::support::UNSET {
        command.env_remove(name);
    }
    command
        .args(args)
        .env("RECERT_WORKSPACE", scratch.workspace())
        .env_remove("RECERT_REVIEWER")
        .env("USER", "tester")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    command.spawn().expect("spawn recert")
}

pub fn wal(scratch: &Scratch) -> PathBuf {
    let mut name = scratch.workspace().into_os_string();
    name.push("-wal");
    PathBuf::from(name)
}

/// Waits until the write-ahead log holds more than `bytes` (the import is
/// surely inside its transaction) or the child exits; true when it is still running.
pub fn wait_for_wal(scratch: &Scratch, child: &mut Child, bytes: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if child.try_wait().expect("try_wait").is_some() {
            return false;
        }
        let size = std::fs::metadata(wal(scratch)).map_or(0, |m| m.len());
        if size > bytes {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the import neither grew the WAL past {bytes} bytes nor finished in 120 s");
}

pub fn base(scratch: &Scratch) {
    let identities = scratch.file("identities.csv", BASE_IDENTITIES);
    let entitlements = scratch.file("entitlements.csv", BASE_ENTITLEMENTS);
    scratch
        .recert()
        .arg("import")
        .arg(&identities)
        .arg(&entitlements)
        .assert()
        .success();
}

fn integrity_ok(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("open after the crash");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
}

#[test]
fn kill_9_during_an_import_leaves_the_old_or_the_complete_new_state() {
    const ROWS: usize = 60_000;
    let scratch = Scratch::new();
    base(&scratch);
    let before = scratch.dump();
    let big = scratch.file("big-entitlements.csv", &big_entitlements(ROWS));
    let mut child = spawn(&scratch, &["import".as_ref(), big.as_os_str()], &[]);
    let killed = wait_for_wal(&scratch, &mut child, 256 * 1024);
    if killed {
        child.kill().expect("SIGKILL");
    }
    let status = child.wait().expect("wait");

    integrity_ok(&scratch.workspace());
    let after = scratch.dump();
    let conn = rusqlite::Connection::open(scratch.workspace()).expect("open");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    let big_snapshots =
        count("SELECT count(*) FROM snapshots WHERE file_name = 'big-entitlements.csv'");
    eprintln!(
        "killed mid-import: {killed}; the import's snapshot is there: {}",
        big_snapshots > 0
    );
    if big_snapshots == 0 {
        assert!(killed, "the import finished without importing: {status:?}");
        assert_eq!(after, before, "a killed import left part of itself behind");
    } else {
        // The commit won the race against the kill: all of it must be there.
        assert_eq!(
            count(
                "SELECT row_count FROM snapshots WHERE file_name = 'big-entitlements.csv' AND current = 1"
            ),
            i64::try_from(ROWS).expect("rows")
        );
        assert_eq!(
            count(
                "SELECT count(*) FROM grants g JOIN snapshots s ON s.id = g.snapshot_id WHERE s.current = 1"
            ),
            i64::try_from(ROWS).expect("rows")
        );
    }
    // The workspace is usable afterwards: a new import completes.
    let again = scratch.file("again.csv", BASE_ENTITLEMENTS);
    scratch
        .recert()
        .arg("import")
        .arg(&again)
        .assert()
        .success();
    assert_eq!(
        count(
            "SELECT count(*) FROM grants g JOIN snapshots s ON s.id = g.snapshot_id WHERE s.current = 1"
        ),
        2
    );
}
