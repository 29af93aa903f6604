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

/// A company whose names, systems and entitlements are longer than any
/// 80-column table has room for.
fn long_names() -> Scratch {
    let scratch = Scratch::new();
    let identities = scratch.file(
        "identities.csv",
        "identity_id,display_name,kind,status,manager_id\n\
         E1,Maximilian Alexander von Hohenzollern-Sigmaringen,human,terminated,M1\n\
         M1,Mia Manager,human,active,\n",
    );
    let grants = scratch.file(
        "entitlements.csv",
        "identity_id,system,entitlement,type,privileged\n\
         E1,production-kubernetes-cluster-eu-west-1,arn:aws:iam::123456789012:role/AdministratorAccess,role,true\n",
    );
    scratch.import(&[identities, grants]);
    scratch.campaign(
        "2026-Q4 quarterly access review of every production system in every region",
        &["--period", "2026-Q4", "--due", "2026-12-31"],
    );
    scratch
}

fn stdout(scratch: &Scratch, args: &[&str]) -> String {
    let output = scratch.recert().args(args).output().expect("run");
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).expect("utf-8")
}

fn widest_line(text: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

#[test]
fn status_items_and_campaign_list_fit_80_columns_and_wide_shows_every_column() {
    let scratch = long_names();
    for args in [&["items", "1"][..], &["status", "1"], &["campaign", "list"]] {
        let text = stdout(&scratch, args);
        assert!(widest_line(&text) <= 80, "{args:?}:\n{text}");
        assert!(
            text.contains('…'),
            "{args:?} cuts long text with an ellipsis:\n{text}"
        );
    }
    let items = stdout(&scratch, &["items", "1"]);
    assert!(items.contains("E1 Maximilian A…"), "{items}");
    assert!(!items.contains("SIGNALS"), "{items}");

    let wide = stdout(&scratch, &["items", "1", "--wide"]);
    assert!(
        wide.contains("SIGNALS") && wide.contains("REVIEWER"),
        "{wide}"
    );
    assert!(wide.contains("terminated,privileged"), "{wide}");
    let status = stdout(&scratch, &["status", "1", "--wide"]);
    assert!(status.contains("terminated 1, privileged 1"), "{status}");
    assert!(
        status.contains("in every region\" (2026-Q4), as of 2026-11-30, due 2026-12-31: open"),
        "{status}"
    );
    let list = stdout(&scratch, &["campaign", "list", "--wide"]);
    assert!(
        list.contains("AS OF") && list.contains("every region"),
        "{list}"
    );
}

#[test]
fn counts_of_one_are_singular_everywhere() {
    let scratch = Scratch::new();
    let identities = scratch.file("identities.csv", "identity_id,manager_id\nE1,M1\n");
    let grants = scratch.file(
        "entitlements.csv",
        "identity_id,system,entitlement\nE1,app,user\n",
    );
    let imported = stdout(&scratch, &["import", identities.to_str().expect("path")]);
    assert!(
        imported.contains("Imported 1 snapshot (import #1)"),
        "{imported}"
    );
    assert!(imported.contains("1 row\n"), "{imported}");
    assert!(
        imported.contains("Workspace now holds 1 identity, 0 grants, 0 systems."),
        "{imported}"
    );
    scratch.import(&[grants]);
    scratch.known_reviewers(&["tester", "M1"]);
    scratch.campaign("Q4", &[]);
    let status = stdout(&scratch, &["status", "Q4"]);
    assert!(status.contains("1 of 1 item undecided."), "{status}");
    scratch
        .recert()
        .args(["signoff", "Q4"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("1 item still undecided (items 1)"));
    scratch
        .recert()
        .args(["decide", "Q4", "1", "--certify", "--reviewer", "M1"])
        .assert()
        .success();
    let evidence = scratch.dir.path().join("evidence.csv");
    let history = scratch.dir.path().join("history.csv");
    let path = |p: &std::path::Path| p.to_str().expect("path").to_owned();
    let exported = stdout(&scratch, &["export", "Q4", "-o", &path(&evidence)]);
    assert!(
        exported.contains(": 1 row of campaign 1 (Q4)"),
        "{exported}"
    );
    let events = stdout(
        &scratch,
        &["export", "Q4", "--history", "-o", &path(&history)],
    );
    assert!(
        events.contains(": 1 decision event of campaign 1"),
        "{events}"
    );
    let verified = stdout(&scratch, &["verify", &path(&evidence)]);
    assert!(
        verified.contains("intact: 1 row of campaign 1 (Q4)"),
        "{verified}"
    );
    let log = stdout(&scratch, &["verify"]);
    assert!(log.contains(": intact (1 event in 1 campaign)"), "{log}");
    assert!(
        log.contains("campaign 1 \"Q4\": 1 event, chain head"),
        "{log}"
    );
    let signed = stdout(&scratch, &["signoff", "Q4"]);
    assert!(
        signed.contains(": 1 item, 1 certified, 0 revoked"),
        "{signed}"
    );
}

#[test]
fn items_piped_into_head_end_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let scratch = Scratch::new();
    scratch
        .import(&["identities.csv", "entitlements.csv", "systems.csv"].map(crate::support::sample));
    scratch.campaign("Q4", &[]);
    // Each listing is far larger than a pipe's buffer, so recert is still
    // writing when the reader stops after one line.
    for format in [&[][..], &["--csv"], &["--json"]] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("recert"))
            .env("RECERT_WORKSPACE", scratch.workspace())
            .env_remove(crate::support::UNSET[0])
            .env_remove(crate::support::UNSET[1])
            .args(["items", "Q4"])
            .args(format)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("first line");
        let output = child.wait_with_output().expect("wait");
        assert!(!first.is_empty());
        assert_eq!(
            (
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).as_ref()
            ),
            (Some(0), ""),
            "{format:?}"
        );
    }
}
