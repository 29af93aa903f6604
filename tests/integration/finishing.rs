//! Finishing a campaign on time (issue #14, PRODUCT.md §8) through the real
//! binary: known reviewers and every refusal of an unknown or own-access
//! name, `reviewer add/list`, `reassign`, `status --by-reviewer`, `remind`
//! and `close`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use crate::support::Scratch;

/// E0429 (Eve) and E2 (Bo) report to M1 (Mia); O1 (Olu) owns `prod`.
const IDENTITIES: &str = "identity_id,display_name,email,manager_id
E0429,Eve Admin,e0429@x.example,M1
E2,Bo Builder,bo@x.example,M1
M1,Mia Manager,mia@x.example,
O1,Olu Owner,olu@x.example,
";

/// Privileged `prod` access of E0429, of E2 and of E0429's secondary admin
/// account (8.2, reviewed by O1); `app` users E2 and E0429 (dormant: a
/// revoke recommendation) under 5.18 for M1; X9's orphaned grant (5.16, the
/// default reviewer iam-lead).
const ENTITLEMENTS: &str = "identity_id,system,entitlement,privileged,last_used_at
E0429,prod,admin,true,2026-11-20
E2,prod,admin,true,2026-11-20
adm-e0429@x.example,prod,root,true,2026-11-20
E2,app,user,false,2026-11-20
E0429,app,user,false,2025-01-02
X9,app,user,false,2026-11-20
";

/// The company imported and campaign "Q4" created (due `due`); with
/// `second_review`, the rules ask a second reviewer for 8.2.
pub fn company(scratch: &Scratch, second_review: bool, due: &str) {
    let files = [
        scratch.file("identities.csv", IDENTITIES),
        scratch.file("entitlements.csv", ENTITLEMENTS),
        scratch.file("systems.csv", "system,owner_id\nprod,O1\n"),
    ];
    scratch.import(&files);
    let mut args = vec!["--due", due, "--default-reviewer", "iam-lead"];
    let rules;
    if second_review {
        let text = recert::campaign::rules::BUILTIN_TEXT
            .replace("second_review = []", "second_review = [\"8.2\"]");
        rules = scratch.file("rules.toml", &text);
        args.extend(["--rules", rules.to_str().expect("path")]);
    }
    scratch.campaign("Q4", &args);
}

/// Every item of Q4 as `items --json` gives it.
pub fn items(scratch: &Scratch) -> Vec<Value> {
    items_of(scratch, "Q4")
}

/// Every item of `campaign` as `items --json` gives it.
pub fn items_of(scratch: &Scratch, campaign: &str) -> Vec<Value> {
    let output = scratch
        .recert()
        .args(["items", campaign, "--json"])
        .output()
        .expect("items");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice::<Value>(&output.stdout)
        .expect("json")
        .as_array()
        .expect("array")
        .clone()
}

/// The item held by `account` on `system`.
pub fn item(scratch: &Scratch, account: &str, system: &str) -> Value {
    items(scratch)
        .into_iter()
        .find(|i| i["account"] == account && i["system"] == system)
        .unwrap_or_else(|| panic!("no item of {account} on {system}"))
}

pub fn id(scratch: &Scratch, account: &str, system: &str) -> String {
    item(scratch, account, system)["item_id"].to_string()
}

fn host() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

#[test]
fn an_unknown_reviewer_is_refused_with_the_closest_known_names() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    let e2 = id(&scratch, "E2", "app");
    let before = scratch.dump();
    scratch
        .recert()
        .args(["decide", "Q4", &e2, "--certify", "--reviewer", "E0428"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("reviewer \"E0428\" is not known"))
        .stderr(predicate::str::contains("Did you mean E0429?"))
        .stderr(predicate::str::contains("recert reviewer add NAME"));
    // From the environment, and the OS user when nothing names one.
    scratch
        .recert()
        .env("RECERT_REVIEWER", "mai@x.example")
        .args(["decide", "Q4", &e2, "--certify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Did you mean mia@x.example,"));
    scratch
        .recert()
        .args(["decide", "Q4", &e2, "--certify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("reviewer \"tester\" is not known"))
        .stderr(predicate::str::contains("the OS user's name was tried"));
    // Sign-off and the review refuse before anything else.
    scratch
        .recert()
        .args(["signoff", "Q4", "--reviewer", "ciso"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("reviewer \"ciso\" is not known"));
    assert_eq!(scratch.dump(), before, "nothing was recorded");
}

/// The report: `decide --reviewer e0429@x` certified E0429's own
/// administrator access, and a zero-width space inside the name passed too.
#[test]
fn a_reviewer_given_by_email_or_with_invisible_characters_is_still_the_holder() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    let admin = id(&scratch, "E0429", "prod");
    let before = scratch.dump();
    for name in [
        "e0429@x.example",
        "E0429@X.EXAMPLE",
        "e0429\u{200B}@x.example",
        "\u{FEFF}E0429\u{200D}",
    ] {
        scratch
            .recert()
            .args([
                "decide",
                "Q4",
                &admin,
                "--certify",
                "--justification",
                "mine",
            ])
            .args(["--reviewer", name])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "item {admin} is E0429's own access"
            )));
    }
    scratch
        .recert()
        .args(["decide", "Q4", &admin, "--certify", "--justification", "x"])
        .args(["--reviewer", "e0429\u{200B}@x.example"])
        .assert()
        .stderr(predicate::str::contains(
            "the reviewer name held 1 control or invisible character that was removed",
        ));
    assert_eq!(scratch.dump(), before);
}

#[test]
fn the_holder_under_another_account_is_refused() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    let secondary = item(&scratch, "adm-e0429@x.example", "prod");
    assert_eq!(secondary["person_id"], "E0429", "{secondary}");
    let app = id(&scratch, "E0429", "app");
    let before = scratch.dump();
    // E0429 deciding their secondary admin account's access...
    scratch
        .recert()
        .args([
            "decide",
            "Q4",
            &secondary["item_id"].to_string(),
            "--revoke",
        ])
        .args(["--justification", "x", "--reviewer", "E0429"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("own access"));
    // ...and the secondary account deciding E0429's own.
    scratch
        .recert()
        .args(["decide", "Q4", &app, "--revoke", "--justification", "x"])
        .args(["--reviewer", "adm-e0429@x.example"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E0429's own access"));
    assert_eq!(scratch.dump(), before);
}

#[test]
fn the_evidence_names_the_resolved_reviewer_not_the_name_typed() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    let e2 = id(&scratch, "E2", "app");
    scratch
        .recert()
        .args([
            "decide",
            "Q4",
            &e2,
            "--certify",
            "--reviewer",
            "MIA@x.example",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "by M1 (tester@{})",
            host()
        )))
        .stderr(predicate::str::contains("recorded as \"M1\""));
    assert_eq!(
        item(&scratch, "E2", "app")["decided_by"],
        format!("M1 (tester@{})", host())
    );
    let evidence = scratch.dir.path().join("evidence.csv");
    scratch
        .recert()
        .args(["export", "Q4", "-o"])
        .arg(&evidence)
        .assert()
        .success();
    let text = std::fs::read_to_string(&evidence).expect("evidence");
    assert!(
        text.contains(&format!(",M1 (tester@{}),", host())),
        "{text}"
    );
    assert!(!text.contains("MIA@x.example"), "{text}");
}

#[test]
fn reviewers_are_registered_once_and_listed() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    scratch
        .recert()
        .args(["reviewer", "add", "CISO\u{200B}"])
        .assert()
        .success()
        .stdout("registered reviewer CISO; decide with --reviewer CISO\n")
        .stderr(predicate::str::contains("1 control or invisible character"));
    scratch
        .recert()
        .args(["reviewer", "add", "ciso"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already registered"));
    // A person needs no registration, only a public key is kept for them.
    scratch
        .recert()
        .args(["reviewer", "add", "e0429@x.example"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "already a known reviewer: person Eve Admin (E0429)",
        ));
    let keys = scratch.dir.path().join("keys");
    scratch
        .recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&keys)
        .assert()
        .success();
    scratch
        .recert()
        .args(["reviewer", "add", "e0429@x.example", "--pubkey"])
        .arg(keys.join("recert.pub"))
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "registered reviewer E0429 with public key ",
        ));
    let list = scratch
        .recert()
        .args(["reviewer", "list", "--json"])
        .output()
        .expect("list");
    let list: Value = serde_json::from_slice(&list.stdout).expect("json");
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["CISO", "E0429"]);
    assert_eq!(list[1]["key_id"].as_str().map(str::len), Some(16));
    assert!(list[0]["key_id"].is_null());
    scratch
        .recert()
        .args(["reviewer", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("NAME"))
        .stdout(predicate::str::contains("CISO"));
    // A registered reviewer decides under the registered name.
    let e2 = id(&scratch, "E2", "app");
    scratch
        .recert()
        .args(["decide", "Q4", &e2, "--certify", "--reviewer", "ciso"])
        .assert()
        .success()
        .stdout(predicate::str::contains("by CISO ("));
}

#[test]
fn reassign_hands_items_on_and_the_history_keeps_both() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    scratch.known_reviewers(&["CISO"]);
    let e2 = id(&scratch, "E2", "app");
    assert_eq!(item(&scratch, "E2", "app")["assigned_reviewer"], "M1");
    scratch
        .recert()
        .args(["reassign", "Q4", &e2, "--to", "olu@x.example"])
        .args(["--reason", "M1 is on leave", "--reviewer", "CISO"])
        .assert()
        .success()
        .stdout(format!(
            "Reassigned 1 item of campaign 1 (Q4) to Olu Owner (O1) by CISO (tester@{}): items {e2}.\n",
            host()
        ));
    assert_eq!(item(&scratch, "E2", "app")["assigned_reviewer"], "O1");
    let status = scratch
        .recert()
        .args(["status", "Q4", "--reviewer", "O1", "--json"])
        .output()
        .expect("status");
    let status: Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(
        status["total"], 4,
        "O1's three privileged items and E2's app user"
    );
    let history = scratch.dir.path().join("history.csv");
    scratch
        .recert()
        .args(["export", "Q4", "--history", "-o"])
        .arg(&history)
        .assert()
        .success();
    let text = std::fs::read_to_string(&history).expect("history");
    let row = text
        .lines()
        .find(|l| l.contains(",reassign,"))
        .expect("a reassign event");
    assert!(row.contains("M1 is on leave"), "{row}");
    assert!(row.contains(",O1,"), "the assignee: {row}");
    scratch.recert().arg("verify").assert().success();
}

#[test]
fn reassigning_onto_the_holder_or_an_unknown_reviewer_is_refused() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    scratch.known_reviewers(&["CISO"]);
    let app = id(&scratch, "E0429", "app");
    let secondary = id(&scratch, "adm-e0429@x.example", "prod");
    let before = scratch.dump();
    for (item, to) in [(&app, "e0429@x.example"), (&secondary, "E0429")] {
        scratch
            .recert()
            .args(["reassign", "Q4", item, "--to", to, "--reason", "x"])
            .args(["--reviewer", "CISO"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "item {item} is E0429's own access; it cannot be reassigned to them"
            )));
    }
    scratch
        .recert()
        .args(["reassign", "Q4", &app, "--to", "Oluwa", "--reason", "x"])
        .args(["--reviewer", "CISO"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--to: reviewer \"Oluwa\" is not known",
        ));
    scratch
        .recert()
        .args(["reassign", "Q4", &app, "--to", "O1", "--reason", " "])
        .args(["--reviewer", "CISO"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("needs a reason"));
    assert_eq!(scratch.dump(), before);
}

#[test]
fn reassign_from_a_reviewer_takes_their_undecided_items() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    scratch.known_reviewers(&["CISO"]);
    let e2 = id(&scratch, "E2", "app");
    scratch
        .recert()
        .args(["decide", "Q4", &e2, "--certify", "--reviewer", "M1"])
        .assert()
        .success();
    // The default reviewer nobody knows: their item goes to CISO.
    let orphan = id(&scratch, "X9", "app");
    scratch
        .recert()
        .args(["reassign", "Q4", "--from", "iam-lead", "--to", "CISO"])
        .args([
            "--reason",
            "nobody reviews as iam-lead",
            "--reviewer",
            "CISO",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("items {orphan}.")));
    // M1's undecided item moves; the decided one stays.
    let dormant = id(&scratch, "E0429", "app");
    scratch
        .recert()
        .args(["reassign", "Q4", "--from", "mia@x.example", "--to", "O1"])
        .args(["--reason", "leave", "--reviewer", "CISO"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("items {dormant}.")));
    assert_eq!(item(&scratch, "E2", "app")["assigned_reviewer"], "M1");
    assert_eq!(item(&scratch, "E0429", "app")["assigned_reviewer"], "O1");
    scratch
        .recert()
        .args([
            "reassign", "Q4", "--from", "M1", "--to", "O1", "--reason", "x",
        ])
        .args(["--reviewer", "CISO"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no undecided item of campaign 1 is assigned to \"M1\"",
        ));
}

#[test]
fn status_by_reviewer_says_who_owes_what() {
    let scratch = Scratch::new();
    company(&scratch, false, "2020-01-31");
    let e2 = id(&scratch, "E2", "app");
    scratch
        .recert()
        .args(["decide", "Q4", &e2, "--certify", "--reviewer", "M1"])
        .assert()
        .success();
    let output = scratch
        .recert()
        .args(["status", "Q4", "--by-reviewer"])
        .output()
        .expect("status");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        text.starts_with("Campaign 1 \"Q4\", due 2020-01-31 (overdue): progress per reviewer\n"),
        "{text}"
    );
    for line in [
        "REVIEWER                         ASSIGNED  DECIDED    LEFT  2ND REVIEW  OVERDUE",
        "Olu Owner (O1)                          3        0       3           0        3",
        "Mia Manager (M1)                        2        1       1           0        1",
        "iam-lead (not a known reviewer)         1        0       1           0        1",
    ] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
    assert!(
        text.contains(
            "3 reviewers have work left; write each a reminder with: recert remind 1 -o DIR"
        ),
        "{text}"
    );
    assert!(
        text.contains("Not known as reviewers, so nobody can decide their items: iam-lead."),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    let json = scratch
        .recert()
        .args(["status", "Q4", "--by-reviewer", "--json"])
        .output()
        .expect("status");
    let json: Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(json["overdue"], true);
    let m1 = json["reviewers"]
        .as_array()
        .expect("reviewers")
        .iter()
        .find(|r| r["reviewer"] == "M1")
        .expect("M1");
    assert_eq!(
        (
            &m1["assigned"],
            &m1["decided"],
            &m1["left"],
            &m1["overdue"],
            &m1["known"]
        ),
        (
            &Value::from(2),
            &Value::from(1),
            &Value::from(1),
            &Value::from(1),
            &Value::from(true)
        )
    );
    assert_eq!(m1["name"], "Mia Manager (M1)");
    scratch
        .recert()
        .args(["status", "Q4", "--by-reviewer", "--reviewer", "M1"])
        .assert()
        .code(2);
}

#[test]
fn remind_writes_a_private_note_per_reviewer_with_work_left() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    for account in ["E2", "E0429"] {
        let app = id(&scratch, account, "app");
        scratch
            .recert()
            .args(["decide", "Q4", &app, "--revoke", "--justification", "gone"])
            .args(["--reviewer", "M1"])
            .assert()
            .success();
    }
    let dir = scratch.dir.path().join("reminders");
    scratch
        .recert()
        .args(["remind", "Q4", "-o"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("Wrote 2 reminders to"))
        .stdout(predicate::str::contains(
            "O1.txt  Olu Owner (O1): 3 items left",
        ))
        .stdout(predicate::str::contains(
            "iam-lead.txt  iam-lead: 1 item left (not a known reviewer: register or reassign)",
        ));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["O1.txt", "iam-lead.txt"],
        "M1 is done and gets none"
    );
    let mode = |path: &Path| std::fs::metadata(path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("O1.txt")), 0o600);
    let note = std::fs::read_to_string(dir.join("O1.txt")).expect("note");
    let workspace = scratch.workspace().display().to_string();
    for expected in [
        "Access review reminder: campaign 1 \"Q4\"",
        "To:   Olu Owner (O1)",
        "Due:  2099-12-31 (in ",
        "Left: 3 items to decide",
        &format!("recert --workspace {workspace} review 1 --reviewer O1"),
        "8.2 Privileged access rights (3)",
        "Eve Admin (E0429) · prod · admin · recommended: certify",
    ] {
        assert!(note.contains(expected), "{expected:?} in:\n{note}");
    }
    let orphan = std::fs::read_to_string(dir.join("iam-lead.txt")).expect("note");
    assert!(
        orphan.contains("is not a known reviewer of this workspace"),
        "{orphan}"
    );
    // Once everybody is done, nobody gets one.
    scratch.known_reviewers(&["CISO"]);
    scratch
        .recert()
        .args([
            "close",
            "Q4",
            "--undecided",
            "recommendation",
            "--reason",
            "deadline",
        ])
        .args(["--reviewer", "CISO"])
        .assert()
        .success();
    scratch
        .recert()
        .args(["remind", "Q4", "-o"])
        .arg(scratch.dir.path().join("none"))
        .assert()
        .success()
        .stdout("Every reviewer of campaign 1 (Q4) is done: no reminder written.\n");
    assert!(!scratch.dir.path().join("none").exists());
}

#[test]
fn remind_again_replaces_the_notes_and_removes_a_killed_runs_leftover() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    let dir = scratch.dir.path().join("reminders");
    let remind = || {
        scratch
            .recert()
            .args(["remind", "Q4", "-o"])
            .arg(&dir)
            .assert()
            .success()
    };
    remind().stdout(predicate::str::contains(
        "O1.txt  Olu Owner (O1): 3 items left",
    ));
    // No process has a pid above the kernel's maximum.
    let abandoned = dir.join(".O1.txt.4294967295.12.0.tmp");
    std::fs::write(&abandoned, "half a note").expect("plant");
    let prod = id(&scratch, "E2", "prod");
    scratch
        .recert()
        .args([
            "decide",
            "Q4",
            &prod,
            "--certify",
            "--justification",
            "on call",
        ])
        .args(["--reviewer", "O1"])
        .assert()
        .success();
    remind().stdout(predicate::str::contains(
        "O1.txt  Olu Owner (O1): 2 items left",
    ));
    let note = std::fs::read_to_string(dir.join("O1.txt")).expect("note");
    assert!(note.contains("Left: 2 items to decide"), "{note}");
    assert!(!abandoned.exists(), "the killed run's leftover is removed");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["M1.txt", "O1.txt", "iam-lead.txt"]);
}

#[test]
fn remind_refuses_to_write_through_a_link_and_leaves_no_temporary_file() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    let dir = scratch.dir.path().join("reminders");
    std::fs::create_dir(&dir).expect("dir");
    let elsewhere = scratch.dir.path().join("elsewhere.txt");
    std::fs::write(&elsewhere, "not a reminder").expect("elsewhere");
    std::os::unix::fs::symlink(&elsewhere, dir.join("O1.txt")).expect("link");
    scratch
        .recert()
        .args(["remind", "Q4", "-o"])
        .arg(&dir)
        .assert()
        .failure()
        .stderr(predicate::str::contains("O1.txt is a symbolic link"));
    assert_eq!(
        std::fs::read_to_string(&elsewhere).expect("read"),
        "not a reminder"
    );
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["O1.txt"],
        "only the link: no note, no temporary file"
    );
}

#[test]
fn close_keeps_a_revoke_recommendation_only_with_force() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    scratch.known_reviewers(&["CISO"]);
    let before = scratch.dump();
    scratch
        .recert()
        .args(["close", "Q4", "--undecided", "keep", "--reason", "deadline"])
        .args(["--reviewer", "CISO"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "2 items still open are recommended for revocation",
        ))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(scratch.dump(), before, "nothing was closed");
    scratch
        .recert()
        .args(["close", "Q4", "--undecided", "keep", "--reason", "deadline", "--force"])
        .args(["--reviewer", "CISO"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "6 open items decided with decision_basis close-out, 6 kept (2 against a revoke recommendation, --force) and 0 revoked",
        ));
    let dormant = item(&scratch, "E0429", "app");
    assert_eq!(dormant["decision"], "certify");
    assert_eq!(dormant["decision_basis"], "close-out");
    assert_eq!(
        dormant["justification"],
        "deadline [kept at close-out against the revoke recommendation (--force)]"
    );
    assert_eq!(item(&scratch, "E2", "app")["justification"], "deadline");
}

#[test]
fn close_decides_the_open_items_apart_and_makes_sign_off_possible() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    scratch.known_reviewers(&["CISO"]);
    let e2 = id(&scratch, "E2", "app");
    scratch
        .recert()
        .args(["decide", "Q4", &e2, "--certify", "--reviewer", "M1"])
        .assert()
        .success();
    // The closer's own access is never decided, not even at close-out.
    scratch
        .recert()
        .args([
            "close",
            "Q4",
            "--undecided",
            "revoke",
            "--reason",
            "deadline",
        ])
        .args(["--reviewer", "E0429"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "is still open and is E0429's own access",
        ));
    scratch
        .recert()
        .args(["close", "Q4", "--undecided", "recommendation"])
        .args([
            "--reason",
            "deadline passed, owners did not answer",
            "--reviewer",
            "CISO",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "5 open items decided with decision_basis close-out, 3 kept and 2 revoked",
        ))
        .stdout(predicate::str::contains("recert signoff 1"));
    let reviewed = item(&scratch, "E2", "app");
    assert_eq!(
        reviewed["decision_basis"], "reviewer",
        "a reviewer's decision stays theirs"
    );
    let status = scratch
        .recert()
        .args(["status", "Q4"])
        .output()
        .expect("status");
    let status = String::from_utf8(status.stdout).expect("utf-8");
    assert!(
        status.contains(
            "5 items decided by close-out (recert close), not by a reviewer: 5.16 1, 5.18 1, 8.2 3."
        ),
        "{status}"
    );
    let json = scratch
        .recert()
        .args(["status", "Q4", "--json"])
        .output()
        .expect("status");
    let json: Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(json["closed_out"], 5);
    scratch
        .recert()
        .args(["close", "Q4", "--undecided", "keep", "--reason", "again"])
        .args(["--reviewer", "CISO"])
        .assert()
        .success()
        .stdout("Nothing to close out: every item of campaign 1 (Q4) is decided.\n");
    let evidence = scratch.dir.path().join("evidence.csv");
    scratch
        .recert()
        .args([
            "signoff",
            "Q4",
            "--reviewer",
            "CISO",
            "--statement",
            "closed at the deadline",
        ])
        .assert()
        .success();
    scratch
        .recert()
        .args(["export", "Q4", "-o"])
        .arg(&evidence)
        .assert()
        .success();
    let text = std::fs::read_to_string(&evidence).expect("evidence");
    assert_eq!(text.matches(",close-out,").count(), 5, "{text}");
    assert_eq!(text.matches(",reviewer,").count(), 1, "{text}");
    scratch
        .recert()
        .arg("verify")
        .arg(&evidence)
        .assert()
        .success();
    scratch.recert().arg("verify").assert().success();
}

#[test]
fn reassign_from_leaves_the_new_reviewers_own_access_and_names_it() {
    let scratch = Scratch::new();
    company(&scratch, false, "2099-12-31");
    scratch.known_reviewers(&["CISO"]);
    let own = id(&scratch, "E0429", "app");
    let other = id(&scratch, "E2", "app");
    scratch
        .recert()
        .args(["reassign", "Q4", "--from", "M1", "--to", "E0429"])
        .args(["--reason", "Mia is on leave", "--reviewer", "CISO"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("items {other}.")))
        .stderr(predicate::str::contains(format!(
            "1 item is E0429's own access and stays with M1: {own}"
        )));
    assert_eq!(item(&scratch, "E0429", "app")["assigned_reviewer"], "M1");
    assert_eq!(item(&scratch, "E2", "app")["assigned_reviewer"], "E0429");
}

#[test]
fn items_awaiting_a_second_review_are_undone_closed_out_and_reminded_apart() {
    let scratch = Scratch::new();
    company(&scratch, true, "2099-12-31");
    scratch.known_reviewers(&["CISO"]);
    let e2 = id(&scratch, "E2", "prod");
    let admin = id(&scratch, "E0429", "prod");
    let first = |item: &str| {
        scratch
            .recert()
            .args([
                "decide",
                "Q4",
                item,
                "--certify",
                "--justification",
                "on-call",
            ])
            .args(["--reviewer", "O1"])
            .assert()
            .success();
    };
    // Undo withdraws a first review.
    first(&e2);
    scratch
        .recert()
        .args(["decide", "Q4", &e2, "--undo", "--reviewer", "O1"])
        .assert()
        .success();
    assert!(item(&scratch, "E2", "prod")["awaiting_second_review"].is_null());
    // Re-deciding a decided item starts over with a first review.
    first(&e2);
    scratch
        .recert()
        .args(["decide", "Q4", &e2, "--certify", "--justification", "ok"])
        .args(["--reviewer", "M1"])
        .assert()
        .success();
    assert_eq!(item(&scratch, "E2", "prod")["decision"], "certify");
    scratch
        .recert()
        .args([
            "decide",
            "Q4",
            &e2,
            "--revoke",
            "--justification",
            "changed",
        ])
        .args(["--reviewer", "M1"])
        .assert()
        .success();
    let again = item(&scratch, "E2", "prod");
    assert!(again["decision"].is_null(), "{again}");
    assert_eq!(again["awaiting_second_review"], "revoke");
    // O1's own first review waits for someone else: listed apart, not work left.
    first(&admin);
    let dir = scratch.dir.path().join("reminders");
    scratch
        .recert()
        .args(["remind", "Q4", "-o"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "O1.txt  Olu Owner (O1): 2 items left",
        ));
    let note = std::fs::read_to_string(dir.join("O1.txt")).expect("note");
    assert!(
        note.contains("Left: 2 items to decide (and 1 waiting for a second reviewer)"),
        "{note}"
    );
    let waiting = note
        .split("Waiting for a second, different reviewer (you made the first review)")
        .nth(1)
        .expect("a section for them");
    assert!(
        waiting.contains(&format!("#{admin} Eve Admin (E0429)")),
        "{note}"
    );
    assert!(waiting.contains("first review by O1"), "{note}");
    // A close-out decides items awaiting a second review outright.
    scratch
        .recert()
        .args([
            "close",
            "Q4",
            "--undecided",
            "recommendation",
            "--reason",
            "deadline",
        ])
        .args(["--reviewer", "CISO"])
        .assert()
        .success();
    for account in ["E2", "E0429"] {
        let closed = item(&scratch, account, "prod");
        assert_eq!(closed["decision_basis"], "close-out", "{closed}");
        assert!(closed["awaiting_second_review"].is_null(), "{closed}");
    }
    scratch.recert().arg("verify").assert().success();
}
