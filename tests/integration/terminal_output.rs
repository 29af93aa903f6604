//! What recert prints, when the reader has gone and when it quotes the
//! user: a closed stdout ends a command quietly (exit 0, no panic, the work
//! kept), and no error message or path reaches the terminal with its
//! control characters.

use std::process::Stdio;

use rusqlite::Connection;

use crate::decide_faults::campaign_of;
use crate::hostile::assert_no_controls;
use crate::support::Scratch;

/// Runs recert with `args` whose stdout reader has already exited; returns
/// the exit code and stderr.
fn with_closed_stdout(scratch: &Scratch, args: &[&str]) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("recert"))
        .args(args)
        .env("RECERT_WORKSPACE", scratch.workspace())
        .env("USER", "tester")
        .env_remove("RECERT_REVIEWER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn recert");
    // Close the only read end before recert has started: its first write
    // to stdout fails with EPIPE, as under `recert items Q4 | head -0`.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_every_command_quietly_and_keeps_the_work() {
    let scratch = Scratch::new();
    campaign_of(&scratch, 300);
    let evidence = scratch.dir.path().join("evidence.csv");
    let evidence = evidence.to_str().expect("utf-8 path");
    for args in [
        &["items", "Q4"][..],
        &["items", "Q4", "--json"],
        &["items", "Q4", "--csv"],
        &["status", "Q4"],
        &["status", "Q4", "--json"],
        &["campaign", "list"],
        &["campaign", "list", "--json"],
        &["controls"],
        &["formats", "--json"],
        &["decide", "Q4", "1", "2", "--certify", "--reviewer", "R"],
        &["export", "Q4", "-o", evidence],
        &["verify", evidence],
        &["verify"],
    ] {
        let (code, stderr) = with_closed_stdout(&scratch, args);
        assert_eq!(code, Some(0), "recert {args:?} failed: {stderr}");
        assert_eq!(stderr, "", "recert {args:?} printed on stderr");
    }
    let decided: i64 = Connection::open(scratch.workspace())
        .expect("open")
        .query_row("SELECT count(*) FROM current_decisions", [], |r| r.get(0))
        .expect("count");
    assert_eq!(decided, 2, "the decision made before the write is kept");
    assert!(std::path::Path::new(evidence).exists());
}

#[test]
fn error_messages_never_echo_control_characters() {
    let scratch = Scratch::new();
    campaign_of(&scratch, 2);
    let hostile = "Q5\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202E}";
    for args in [
        vec!["status", hostile],
        vec!["items", hostile],
        vec!["decide", hostile, "1", "--certify"],
        vec!["export", hostile, "-o", "x.csv"],
        vec!["signoff", hostile],
        vec!["report", hostile, "-o", "r.html"],
    ] {
        let output = scratch.recert().args(&args).output().expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("Q5"), "{args:?}: {stderr}");
        assert_no_controls(&format!("{args:?} stderr"), &stderr);
    }
    // Paths are echoed as given: a file in a missing directory, then a key
    // directory already holding a key.
    let dir = scratch.dir.path().join("out\u{1b}]0;pwned\u{7}");
    let keys: &[&std::ffi::OsStr] = &[
        "keygen".as_ref(),
        "--no-password".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
    ];
    let evidence = dir.join("e.csv");
    let report = dir.join("r.html");
    let export: &[&std::ffi::OsStr] = &[
        "export".as_ref(),
        "Q4".as_ref(),
        "-o".as_ref(),
        evidence.as_os_str(),
    ];
    let html: &[&std::ffi::OsStr] = &[
        "report".as_ref(),
        "Q4".as_ref(),
        "-o".as_ref(),
        report.as_os_str(),
    ];
    for args in [export, html, keys] {
        if args == keys {
            std::fs::create_dir_all(dir.join("recert.key")).expect("dir");
        }
        let output = scratch.recert().args(args).output().expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("out]0;pwned"), "{args:?}: {stderr}");
        assert_no_controls(&format!("{args:?} stderr"), &stderr);
    }
}
