//! `recert demo`: the embedded sample company as a fresh workspace with a
//! campaign, and never on top of a workspace that holds anything.

use predicates::prelude::*;

use crate::support::Scratch;

#[test]
fn demo_builds_the_sample_campaign_and_says_where() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Demo workspace: {}",
            scratch.workspace().display()
        )))
        .stdout(predicate::str::contains(
            "\"Demo 2026-Q4\": 1475 review items",
        ))
        .stdout(predicate::str::contains(
            "Not a terminal, so the review is not opened.",
        ))
        .stderr(predicate::str::contains(
            "\"tester\" is not a person of the sample company, so the demo registered it as a reviewer",
        ));
    // The OS user the demo runs as is a known reviewer of its workspace.
    scratch
        .recert()
        .args([
            "decide",
            "Demo 2026-Q4",
            "1",
            "--revoke",
            "--justification",
            "demo",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("by tester (tester@"));
    let status = scratch
        .recert()
        .args(["status", "Demo 2026-Q4", "--json"])
        .output()
        .expect("status");
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(status["total"], 1475);
    assert_eq!(status["decided"], 1);
    assert_eq!(status["campaign"]["period"], "2026-Q4");
}

#[test]
fn demo_refuses_a_workspace_that_holds_data() {
    let scratch = Scratch::new();
    scratch.recert().arg("demo").assert().success();
    let before = scratch.dump();
    scratch
        .recert()
        .arg("demo")
        .assert()
        .failure()
        .stderr(predicate::str::contains("already holds data"));
    assert_eq!(scratch.dump(), before, "nothing was added");
}

#[test]
fn demo_accepts_an_empty_file() {
    let scratch = Scratch::new();
    std::fs::write(scratch.workspace(), b"").expect("empty file");
    scratch.recert().arg("demo").assert().success();
}
