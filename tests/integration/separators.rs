//! U+001F, the byte between the cells of every hash recert computes, is
//! refused wherever a value enters a hashed cell (issue #18 item 4): so
//! recert never signs evidence its own `verify` rejects.

use predicates::prelude::*;

use crate::decide_faults::campaign_of;
use crate::support::{Scratch, fixture};

const SEPARATOR: &str = "holds the control character U+001F (unit separator)";

#[test]
fn campaign_name_period_and_default_reviewer_are_checked_at_create() {
    let scratch = Scratch::new();
    let files = [
        scratch.file("identities.csv", "identity_id,manager_id\nE1,M1\n"),
        scratch.file(
            "entitlements.csv",
            "identity_id,system,entitlement\nE1,app,user\n",
        ),
    ];
    scratch.import(&files);
    let before = scratch.dump();
    for (option, value) in [
        ("--name", "Q4\u{1f}2026"),
        ("--period", "2026\u{1f}Q4"),
        ("--default-reviewer", "iam\u{1f}lead"),
    ] {
        let mut command = scratch.recert();
        command.args(["campaign", "create"]);
        if option != "--name" {
            command.args(["--name", "Q4"]);
        }
        command
            .args([option, value])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("{option} {SEPARATOR}")));
        assert_eq!(scratch.dump(), before, "{option} created a campaign");
    }
    // The reviewer name taken by default (the OS user) is checked too.
    scratch
        .recert()
        .env("USER", "tes\u{1f}ter")
        .args(["campaign", "create", "--name", "Q4"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(SEPARATOR));
    assert_eq!(scratch.dump(), before);
}

#[test]
fn a_signoff_statement_holding_it_is_refused_and_nothing_is_locked() {
    let scratch = Scratch::new();
    let items: Vec<String> = campaign_of(&scratch, 2)
        .iter()
        .map(i64::to_string)
        .collect();
    scratch
        .recert()
        .args(["decide", "Q4"])
        .args(&items)
        .args(["--certify", "--reviewer", "M1"])
        .assert()
        .success();
    let before = scratch.dump();
    scratch
        .recert()
        .args([
            "signoff",
            "Q4",
            "--reviewer",
            "CISO",
            "--statement",
            "ok\u{1f}done",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(SEPARATOR));
    assert_eq!(scratch.dump(), before);
}

#[test]
fn mapping_constants_and_translations_are_checked_when_the_mapping_is_read() {
    let scratch = Scratch::new();
    let mapping = scratch.file(
        "hr.toml",
        "kind = \"identities\"\n[columns]\nidentity_id = \"Personnel No\"\n[constants]\ndepartment = \"Fin\\u001Fance\"\n",
    );
    scratch
        .recert()
        .arg("import")
        .arg(fixture("hr-export.csv"))
        .arg("--mapping")
        .arg(&mapping)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "hr.toml:5: \"Fin\\u{{1f}}ance\" {SEPARATOR}"
        )));
    assert!(
        !scratch.workspace().exists(),
        "refused before the workspace is opened"
    );
}
