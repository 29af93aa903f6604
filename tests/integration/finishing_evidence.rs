//! Finishing a campaign, as the evidence shows it (issue #14): a second
//! review for privileged access, the independence warnings at sign-off and
//! in the report, and the sign-off statement whole in the record, the
//! report and (on one line) the signature's trusted comment.

use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::prelude::*;
use rusqlite::Connection;

use crate::finishing::{company, id, item};
use crate::support::Scratch;

fn host() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

fn decide(
    scratch: &Scratch,
    item: &str,
    action: &str,
    why: &str,
    who: &str,
) -> assert_cmd::assert::Assert {
    scratch
        .recert()
        .args([
            "decide",
            "Q4",
            item,
            action,
            "--justification",
            why,
            "--reviewer",
            who,
        ])
        .assert()
}

fn export(scratch: &Scratch, extra: &[&str], name: &str) -> String {
    let path = scratch.dir.path().join(name);
    scratch
        .recert()
        .args(["export", "Q4"])
        .args(extra)
        .arg("-o")
        .arg(&path)
        .assert()
        .success();
    std::fs::read_to_string(path).expect("export")
}

#[test]
fn a_second_reviewer_must_differ_and_agree_before_an_item_is_decided() {
    let scratch = Scratch::new();
    company(&scratch, true, "2099-12-31");
    let e2 = id(&scratch, "E2", "prod");
    decide(&scratch, &e2, "--certify", "on-call admin", "O1")
        .success()
        .stdout(predicate::str::ends_with(
            "1 item awaits a second review by a different reviewer before it is decided.\n",
        ));
    let first = item(&scratch, "E2", "prod");
    assert_eq!(first["decision"], serde_json::Value::Null);
    assert_eq!(first["awaiting_second_review"], "certify");
    assert_eq!(first["first_review_by"], "O1");
    let status = scratch
        .recert()
        .args(["status", "Q4"])
        .output()
        .expect("status");
    let status = String::from_utf8(status.stdout).expect("utf-8");
    assert!(
        status.contains("1 item awaits a second review by a different reviewer"),
        "{status}"
    );
    // The same reviewer, however spelled, is not a second reviewer.
    let before = scratch.dump();
    for same in ["O1", "olu@x.example", "OLU@X.EXAMPLE"] {
        decide(&scratch, &e2, "--certify", "again", same)
            .code(1)
            .stderr(predicate::str::contains(format!(
                "item {e2} needs a second, different reviewer: O1 made its first review"
            )));
    }
    assert_eq!(scratch.dump(), before);
    decide(&scratch, &e2, "--certify", "agreed", "M1").success();
    let decided = item(&scratch, "E2", "prod");
    assert_eq!(decided["decision"], "certify");
    assert_eq!(decided["first_review_by"], "O1");
    // Evidence: the final decision and both deciders; history: both reviews.
    let evidence = export(&scratch, &[], "evidence.csv");
    let row = evidence
        .lines()
        .find(|l| l.contains(",prod,admin,") && l.contains(",E2,"))
        .expect("row");
    assert!(
        row.contains(&format!(",O1 (tester@{h}); M1 (tester@{h}),", h = host())),
        "{row}"
    );
    assert!(row.contains(",agreed,"), "{row}");
    let history = export(&scratch, &["--history"], "history.csv");
    let stages: Vec<&str> = history
        .lines()
        .filter(|l| l.contains(&format!(",{e2},certify,")))
        .collect();
    assert_eq!(stages.len(), 2, "{history}");
    assert!(
        stages[0].contains(",on-call admin,O1,") && stages[0].contains(",reviewer,,,1,"),
        "{}",
        stages[0]
    );
    assert!(
        stages[1].contains(",agreed,M1,") && stages[1].contains(",reviewer,,,2,"),
        "{}",
        stages[1]
    );
    scratch.recert().arg("verify").assert().success();
    scratch
        .recert()
        .arg("verify")
        .arg(scratch.dir.path().join("evidence.csv"))
        .assert()
        .success();
}

#[test]
fn a_disagreeing_second_review_reopens_the_item_with_both_justifications() {
    let scratch = Scratch::new();
    company(&scratch, true, "2099-12-31");
    let e2 = id(&scratch, "E2", "prod");
    decide(&scratch, &e2, "--certify", "needed for on-call", "O1").success();
    decide(&scratch, &e2, "--revoke", "left on-call in October", "M1")
        .success()
        .stdout(predicate::str::contains(
            "1 item is undecided again: the second review disagreed with the first",
        ));
    let reopened = item(&scratch, "E2", "prod");
    assert_eq!(reopened["decision"], serde_json::Value::Null);
    assert_eq!(reopened["awaiting_second_review"], serde_json::Value::Null);
    let history = export(&scratch, &["--history"], "history.csv");
    assert!(history.contains("needed for on-call"), "{history}");
    assert!(history.contains("left on-call in October"), "{history}");
    scratch
        .recert()
        .args(["signoff", "Q4", "--reviewer", "M1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("still undecided"));
    scratch.recert().arg("verify").assert().success();
}

/// Everything decided by one reviewer who holds privileged `prod` access
/// and is nobody's assigned reviewer, in one go.
fn decided_by_one(scratch: &Scratch) {
    company(scratch, false, "2099-12-31");
    // E2 holds privileged prod access and decides everything but their own.
    let all: Vec<String> = crate::finishing::items(scratch)
        .iter()
        .filter(|i| i["account"] != "E2")
        .map(|i| i["item_id"].to_string())
        .collect();
    scratch
        .recert()
        .args(["decide", "Q4"])
        .args(&all)
        .args([
            "--revoke",
            "--justification",
            "no longer needed",
            "--reviewer",
            "E2",
        ])
        .assert()
        .success();
    let own: Vec<String> = crate::finishing::items(scratch)
        .iter()
        .filter(|i| i["account"] == "E2")
        .map(|i| i["item_id"].to_string())
        .collect();
    scratch
        .recert()
        .args(["decide", "Q4"])
        .args(&own)
        .args(["--certify", "--justification", "needed", "--reviewer", "O1"])
        .assert()
        .success();
}

#[test]
fn sign_off_and_the_report_warn_about_the_reviews_independence() {
    let scratch = Scratch::new();
    decided_by_one(&scratch);
    let output = scratch
        .recert()
        .args([
            "signoff",
            "Q4",
            "--reviewer",
            "bo@x.example",
            "--statement",
            "done",
        ])
        .output()
        .expect("signoff");
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    for expected in [
        "independence warnings (recert report lists them too):",
        "  - the signer E2 made 4 of the 6 decisions",
        "  - E2 decided 1 item assigned to M1",
        "  - E2 decided 2 items assigned to O1",
        "  - E2 decided 1 item assigned to iam-lead",
        "  - O1 decided 1 item assigned to M1",
        "  - E2 decided privileged access on prod while holding privileged access there themselves",
        "  - E2 made 3 of their 4 decisions less than 5 s after the one before",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    let report = scratch.dir.path().join("report.html");
    scratch
        .recert()
        .args(["report", "Q4", "-o"])
        .arg(&report)
        .assert()
        .success();
    let page = std::fs::read_to_string(&report).expect("report");
    assert!(page.contains("<h2>Independence</h2>"), "{page}");
    assert!(
        page.contains("the signer E2 made 4 of the 6 decisions"),
        "{page}"
    );
    assert!(page.contains("<h2>Close-out decisions (0)</h2>"), "{page}");
}

#[test]
fn the_report_lists_close_out_decisions_apart() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    scratch.known_reviewers(&["CISO"]);
    scratch
        .recert()
        .args([
            "close",
            "Q4",
            "--undecided",
            "revoke",
            "--reason",
            "nobody answered",
        ])
        .args(["--reviewer", "CISO"])
        .assert()
        .success();
    let report = scratch.dir.path().join("report.html");
    scratch
        .recert()
        .args(["report", "Q4", "-o"])
        .arg(&report)
        .assert()
        .success();
    let page = std::fs::read_to_string(&report).expect("report");
    assert!(page.contains("<h2>Close-out decisions (6)</h2>"), "{page}");
    assert!(page.contains("<td>nobody answered</td>"), "{page}");
    assert!(page.contains("CISO (tester@"), "{page}");
}

fn keygen(scratch: &Scratch) -> PathBuf {
    let keys = scratch.dir.path().join("keys");
    scratch
        .recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&keys)
        .assert()
        .success();
    keys
}

fn trusted_comment(signature: &Path) -> String {
    std::fs::read_to_string(signature)
        .expect("signature")
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: ").map(str::to_owned))
        .expect("trusted comment")
}

/// A decided campaign signed off with `statement` and a key; returns the
/// signed evidence and the public key.
fn signed_with(scratch: &Scratch, statement: &str) -> (PathBuf, PathBuf) {
    decided_by_one(scratch);
    scratch.known_reviewers(&["CISO"]);
    let keys = keygen(scratch);
    let evidence = scratch.dir.path().join("evidence.csv");
    scratch
        .recert()
        .args([
            "signoff",
            "Q4",
            "--reviewer",
            "CISO",
            "--statement",
            statement,
            "--key",
        ])
        .arg(keys.join("recert.key"))
        .arg("-o")
        .arg(&evidence)
        .assert()
        .success();
    (evidence, keys.join("recert.pub"))
}

fn minisign_accepts(evidence: &Path, public: &Path) {
    let checked = Command::new("minisign")
        .arg("-Vm")
        .arg(evidence)
        .arg("-p")
        .arg(public)
        .output()
        .expect("minisign must be installed for this test");
    assert!(checked.status.success(), "{checked:?}");
}

#[test]
fn a_multi_line_statement_is_kept_whole_and_signed_on_one_line() {
    let scratch = Scratch::new();
    let statement = "I reviewed every item.\nExceptions: the \"prod\" admins; see CHG-4711.";
    let (evidence, public) = signed_with(&scratch, statement);
    let recorded: String = Connection::open(scratch.workspace())
        .expect("open")
        .query_row("SELECT statement FROM signoffs", [], |r| r.get(0))
        .expect("statement");
    assert_eq!(recorded, statement);
    let comment = trusted_comment(&recert::evidence::sign::signature_path(&evidence));
    assert!(
        comment.starts_with(
            "recert evidence; format 2; campaign 1 \"Q4\"; statement \"I reviewed every item. / Exceptions: the \\\"prod\\\" admins; see CHG-4711.\"; signed off by \"CISO (tester@"
        ),
        "{comment}"
    );
    minisign_accepts(&evidence, &public);
    scratch
        .recert()
        .arg("verify")
        .arg(&evidence)
        .arg("--pubkey")
        .arg(&public)
        .assert()
        .success();
    let report = scratch.dir.path().join("report.html");
    scratch
        .recert()
        .args(["report", "Q4", "-o"])
        .arg(&report)
        .assert()
        .success();
    let page = std::fs::read_to_string(&report).expect("report");
    assert!(
        page.contains(
            "I reviewed every item.<br>\nExceptions: the &quot;prod&quot; admins; see CHG-4711."
        ),
        "{page}"
    );
}

#[test]
fn a_statement_too_long_for_minisign_is_cut_with_an_ellipsis_in_the_comment_only() {
    let scratch = Scratch::new();
    let statement = format!("{} end", "I attest to this review. ".repeat(800));
    let (evidence, public) = signed_with(&scratch, &statement);
    let comment = trusted_comment(&recert::evidence::sign::signature_path(&evidence));
    assert!(
        comment.len() <= recert::evidence::sign::TRUSTED_COMMENT_MAX,
        "{}",
        comment.len()
    );
    assert!(
        comment.contains("I attest to this review. I…\"; signed off by \"CISO (tester@"),
        "cut at a word, with an ellipsis: {comment}"
    );
    assert!(comment.ends_with(&format!(
        "rows=6 certified=2 revoked=4 undecided=0 last_row_hash={}",
        &comment[comment.len() - 64..]
    )));
    minisign_accepts(&evidence, &public);
    scratch
        .recert()
        .arg("verify")
        .arg(&evidence)
        .arg("--pubkey")
        .arg(&public)
        .assert()
        .success();
    let recorded: String = Connection::open(scratch.workspace())
        .expect("open")
        .query_row("SELECT statement FROM signoffs", [], |r| r.get(0))
        .expect("statement");
    assert_eq!(recorded, statement, "the record keeps it whole");
}
