//! `recert decide` under faults: a loop of decisions killed with `kill -9`
//! loses none it acknowledged, and two reviewers deciding at once in two
//! processes lose nothing, never see "database is locked", and leave an
//! intact hash chain.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use recert::integrity::verify_decision_log;
use rusqlite::Connection;

use crate::support::Scratch;

/// `n` plain grants (no signal: certifying needs no justification), each
/// held by its own employee of manager M1, and campaign "Q4" over them.
/// Returns the item ids.
pub fn campaign_of(scratch: &Scratch, n: usize) -> Vec<i64> {
    let mut identities = String::from("identity_id,kind,status,manager_id\nM1,human,active,\n");
    let mut entitlements =
        String::from("identity_id,system,entitlement,type,privileged,granted_at,last_used_at\n");
    for i in 1..=n {
        let _ = writeln!(identities, "E{i},human,active,M1");
        let _ = writeln!(
            entitlements,
            "E{i},app,user-{i},role,false,2025-01-01,2026-11-20"
        );
    }
    let files = [
        scratch.file("identities.csv", &identities),
        scratch.file("entitlements.csv", &entitlements),
    ];
    scratch.import(&files);
    // The reviewers the tests decide and sign off as, besides the persons.
    scratch.known_reviewers(&["tester", "R", "R1", "R2", "CISO"]);
    scratch.campaign("Q4", &["--default-reviewer", "iam-lead"]);
    let conn = Connection::open(scratch.workspace()).expect("open");
    let mut statement = conn
        .prepare("SELECT id FROM items ORDER BY id")
        .expect("items");
    let items: Vec<i64> = statement
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("ids");
    assert_eq!(items.len(), n);
    items
}

fn decided(scratch: &Scratch) -> Vec<(i64, String)> {
    let conn = Connection::open(scratch.workspace()).expect("open");
    let mut statement = conn
        .prepare("SELECT item_id, decision FROM current_decisions ORDER BY item_id")
        .expect("prepare");
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn log_is_intact(scratch: &Scratch) -> u64 {
    let conn = Connection::open(scratch.workspace()).expect("open");
    let report = verify_decision_log(&conn).expect("verify");
    assert!(report.is_intact(), "{:?}", report.problems);
    report.events()
}

/// The item of an acknowledgment line such as
/// "Recorded certify on item 5 in campaign 1 (Q4) by R (u@h)."
fn acknowledged_item(line: &str) -> Option<i64> {
    line.strip_prefix("Recorded certify on item ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

#[test]
fn kill_9_during_a_loop_of_decisions_loses_none_that_was_acknowledged() {
    let scratch = Scratch::new();
    let items = campaign_of(&scratch, 120);
    let ids: Vec<String> = items.iter().map(i64::to_string).collect();
    // The shell loop is the reviewer's script; its process group is killed at once.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"for item in $ITEMS; do "$RECERT" decide Q4 "$item" --certify --reviewer R || exit 1; done"#)
        .env("ITEMS", ids.join(" "))
        .env("RECERT", assert_cmd::cargo::cargo_bin("recert"))
        .env_remove(crate::support::UNSET[0])
        .env_remove(crate::support::UNSET[1])
        .env("RECERT_WORKSPACE", scratch.workspace())
        .env("USER", "tester")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("spawn the loop");
    let group = child.id();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut acknowledged = Vec::new();
    for line in lines.by_ref() {
        acknowledged.extend(acknowledged_item(&line.expect("line")));
        if acknowledged.len() == 25 {
            // Land the kill somewhere inside the next decide's run.
            std::thread::sleep(Duration::from_millis(7));
            let killed = Command::new("kill")
                .args(["-9", "--", &format!("-{group}")])
                .status()
                .expect("kill");
            assert!(killed.success());
            break;
        }
    }
    // Whatever the loop printed before it died was acknowledged too.
    acknowledged.extend(
        lines
            .map_while(Result::ok)
            .filter_map(|l| acknowledged_item(&l)),
    );
    child.wait().expect("wait");
    assert!(acknowledged.len() >= 25 && acknowledged.len() < items.len());

    let decided = decided(&scratch);
    for item in &acknowledged {
        assert!(
            decided.contains(&(*item, "certify".to_owned())),
            "item {item} was acknowledged but is not in the workspace"
        );
    }
    // At most the decision in flight at the kill committed without being printed.
    assert!(decided.len() <= acknowledged.len() + 1, "{decided:?}");
    assert_eq!(log_is_intact(&scratch), decided.len() as u64);
    // And reviewing goes on where it stopped.
    let next = items[decided.len()].to_string();
    scratch
        .recert()
        .args(["decide", "Q4", &next, "--certify", "--reviewer", "R"])
        .assert()
        .success();
}

#[test]
fn two_reviewers_deciding_the_same_items_at_once_lose_nothing() {
    const ITEMS: usize = 30;
    let scratch = Scratch::new();
    let items = campaign_of(&scratch, ITEMS);
    let reviewer = |name: &'static str, action: &'static [&'static str]| {
        let scratch_path = scratch.workspace();
        let items = items.clone();
        std::thread::spawn(move || {
            let mut failures = Vec::new();
            for item in items {
                let output = Command::new(assert_cmd::cargo::cargo_bin("recert"))
                    .args(["decide", "Q4", &item.to_string(), "--reviewer", name])
                    .args(action)
                    .env("RECERT_WORKSPACE", &scratch_path)
                    .env_remove(crate::support::UNSET[0])
                    .env_remove(crate::support::UNSET[1])
                    .env("USER", name)
                    .output()
                    .expect("run decide");
                if !output.status.success() {
                    failures.push(String::from_utf8_lossy(&output.stderr).into_owned());
                }
            }
            failures
        })
    };
    let certifier = reviewer("R1", &["--certify"]);
    let revoker = reviewer("R2", &["--revoke", "--justification", "left the team"]);
    let failures: Vec<String> = [certifier, revoker]
        .into_iter()
        .flat_map(|t| t.join().expect("reviewer thread"))
        .collect();
    assert!(
        failures.is_empty(),
        "decide failed under concurrency: {failures:?}"
    );

    let events = log_is_intact(&scratch);
    assert_eq!(
        events,
        2 * ITEMS as u64,
        "every decision of both reviewers is an event"
    );
    let conn = Connection::open(scratch.workspace()).expect("open");
    let per_item: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT item_id FROM decision_events GROUP BY item_id
             HAVING count(DISTINCT reviewer) = 2)",
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(
        per_item,
        i64::try_from(ITEMS).expect("fits"),
        "each item got one event from each reviewer"
    );
    // The current decision is whichever event came last.
    let stale: i64 = conn
        .query_row(
            "SELECT count(*) FROM current_decisions cd
             WHERE cd.event_id <> (SELECT max(id) FROM decision_events e WHERE e.item_id = cd.item_id)",
            [],
            |row| row.get(0),
        )
        .expect("stale");
    assert_eq!(stale, 0);
    assert_eq!(decided(&scratch).len(), ITEMS);
}
