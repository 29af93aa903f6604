//! Real exports (tests/fixtures/formats) through `recert import`, `recert
//! formats`, and mapping files through `--mapping`.

use predicates::prelude::*;

use crate::support::{Scratch, fixture};

/// Each fixture imports on its own with the counts a reviewer would check.
#[test]
fn every_vendor_fixture_imports_with_its_counts() {
    let cases: &[(&str, &[&str])] = &[
        (
            "aws-credential-report.csv",
            &[
                "Workspace now holds 6 identities, 8 grants, 0 systems.",
                "[aws:123456789012]",
                "Note: aws-credential-report.csv: account 123456789012: 5 IAM users; 2 console users without MFA",
            ],
        ),
        (
            "entra-users.csv",
            &[
                "Workspace now holds 4 identities, 4 grants",
                "1 guest account, 1 disabled account",
            ],
        ),
        (
            "entra-access-review-history.csv",
            &[
                "Imported 0 snapshots",
                "3 earlier review decisions kept as \"last reviewed\"",
            ],
        ),
        (
            "okta-password-health.csv",
            &["Workspace now holds 3 identities, 3 grants"],
        ),
        (
            "okta-current-assignments.csv",
            &[
                "3 rows, 3 not linked to an identity",
                "1 assignment already unassigned, not imported",
            ],
        ),
        (
            "github-enterprise-members.csv",
            &["5 rows, 5 not linked to an identity  [github-enterprise]"],
        ),
        ("github-members.csv", &["1 suspended account not imported"]),
        (
            "azure-role-assignments-ps51.csv",
            &[
                "Workspace now holds 4 identities, 7 grants",
                "Orphaned grants (holder not among the identities): 3",
            ],
        ),
        (
            "azure-role-assignments-az.csv",
            &["Workspace now holds 1 identity, 2 grants"],
        ),
        (
            "google-workspace-users.csv",
            &[
                "Workspace now holds 3 identities, 3 grants",
                "1 user never signed in",
            ],
        ),
    ];
    for (file, expected) in cases {
        let scratch = Scratch::new();
        let mut assert = scratch
            .recert()
            .arg("import")
            .arg(fixture(file))
            .assert()
            .success();
        for text in *expected {
            assert = assert.stdout(predicate::str::contains(*text));
        }
    }
}

#[test]
fn each_file_is_stored_under_its_detected_format() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("import")
        .arg(fixture("aws-credential-report.csv"))
        .arg(fixture("azure-role-assignments-ps51.csv"))
        .arg(fixture("google-workspace-users.csv"))
        .arg(fixture("entra-access-review-history.csv"))
        .assert()
        .success();
    let dump = scratch.dump();
    for (scope, format) in [
        ("aws:123456789012", "aws-credential-report"),
        (
            "azure:11111111-2222-3333-4444-555555555555",
            "azure-role-assignments",
        ),
        ("google-workspace", "google-workspace-users"),
    ] {
        assert!(
            dump.contains(&format!("Text(\"{scope}\")|Text(\"{format}\")")),
            "{scope} {format}\n{dump}"
        );
    }
    assert!(dump.contains("prior_reviews: "), "{dump}");
    assert!(
        dump.contains("Text(\"entra-access-review-history\")"),
        "{dump}"
    );
}

/// A second account's report adds to the view instead of replacing the first.
#[test]
fn aws_accounts_imported_one_after_another_stay_side_by_side() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("import")
        .arg(fixture("aws-credential-report.csv"))
        .assert()
        .success();
    scratch
        .recert()
        .arg("import")
        .arg(fixture("aws-credential-report-second-account.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Workspace now holds 8 identities, 12 grants",
        ));
    // Re-importing account A replaces only account A.
    scratch
        .recert()
        .arg("import")
        .arg(fixture("aws-credential-report.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Workspace now holds 8 identities, 12 grants",
        ));
}

#[test]
fn grants_link_to_identities_of_other_files_and_the_rest_are_counted() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("import")
        .arg(fixture("entra-users.csv"))
        .arg(fixture("azure-role-assignments-ps51.csv"))
        .arg(fixture("okta-current-assignments.csv"))
        .assert()
        .success()
        // Azure: Ada and Zoë link by UPN, the deleted principal does not.
        .stdout(predicate::str::contains(
            "6 rows, 1 not linked to an identity  [azure:11111111",
        ))
        // Okta: Ada links; Bo and the contractor are not in Entra.
        .stdout(predicate::str::contains(
            "3 rows, 2 not linked to an identity  [okta-assignments]",
        ));
}

#[test]
fn formats_lists_every_format_with_what_it_produces() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("formats")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "aws-credential-report  [header: verified]",
        ))
        .stdout(predicate::str::contains(
            "entra-access-review-history  [header: doc-fields]",
        ))
        .stdout(predicate::str::contains(
            "github-members  [header: unconfirmed]",
        ))
        .stdout(predicate::str::contains("identities  [header: canonical]"))
        .stdout(predicate::str::contains("--mapping FILE=MAPPING"))
        .stdout(predicate::str::contains("recert mapping init FILE"));
    let output = scratch
        .recert()
        .args(["formats", "--json"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let names: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(names.len(), 12);
    assert!(names.contains(&"google-workspace-users"));
    assert_eq!(
        json[0]["produces"]
            .as_str()
            .map(|p| p.contains("credential grants")),
        Some(true)
    );
}

#[test]
fn an_unknown_header_lists_the_formats_and_shows_a_mapping() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("import")
        .arg(fixture("hr-export.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "hr-export.csv:1: the header matches no known format (it has: Personnel No, Full Name",
        ))
        // The help keeps its line breaks (issue #18, item 16).
        .stderr(predicate::str::contains(
            "Personnel No, Full Name, E-Mail, Org Unit, Employment Status, Line Manager No, Exit Date, Cost Centre).\n    Known formats: aws-credential-report, entra-users",
        ))
        .stderr(predicate::str::contains(
            "\n        recert mapping init ",
        ))
        .stderr(predicate::str::contains(
            "\n        identity_id = \"Personnel No\"\n",
        ))
        .stderr(predicate::str::contains("--mapping "));
    assert_eq!(scratch.dump(), "");
}

#[test]
fn format_forces_a_reader_and_an_unknown_name_is_refused() {
    let scratch = Scratch::new();
    // A GHES users report cut down to three columns is not detected...
    let cut = scratch.file("users.csv", "login,email,role\nada,ada@x.example,admin\n");
    scratch.recert().arg("import").arg(&cut).assert().code(1);
    // ...but reads when named.
    scratch
        .recert()
        .args(["import", "--format", "github-members"])
        .arg(&cut)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 row, 1 not linked to an identity",
        ));
    scratch
        .recert()
        .args(["import", "--format", "okta-users"])
        .arg(&cut)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "unknown format \"okta-users\"; run `recert formats`",
        ));
}

#[test]
fn a_mapping_file_reads_an_hr_export() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("import")
        .arg(fixture("hr-export.csv"))
        .arg("--mapping")
        .arg(fixture("hr-mapping.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Workspace now holds 4 identities, 0 grants",
        ));
    let dump = scratch.dump();
    assert!(dump.contains("Text(\"0077\")|Text(\"Bo Worker\")|Text(\"bo.worker@northwind.example\")|Text(\"Finance\")|Text(\"human\")|Text(\"terminated\")|Text(\"0042\")|Null|Text(\"2026-10-31\")"), "{dump}");
    assert!(dump.contains("Text(\"mapping\")"), "{dump}");
}

#[test]
fn a_bad_mapping_names_its_line_and_changes_nothing() {
    let scratch = Scratch::new();
    let good = fixture("google-workspace-users.csv");
    scratch.recert().arg("import").arg(&good).assert().success();
    let before = scratch.dump();
    let mapping = scratch.file(
        "hr.toml",
        "kind = \"identities\"\n\n[columns]\nidentity_id = \"Personnel No\"\n\n[values.status]\n\"Leaver\" = \"fired\"\n",
    );
    scratch
        .recert()
        .arg("import")
        .arg(fixture("hr-export.csv"))
        .arg("--mapping")
        .arg(&mapping)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "hr.toml:7: \"fired\" is not a status; expected one of active, disabled, terminated",
        ));
    assert_eq!(scratch.dump(), before);
}

#[test]
fn format_and_mapping_together_are_a_usage_error() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("import")
        .arg(fixture("hr-export.csv"))
        .args(["--format", "identities", "--mapping"])
        .arg(fixture("hr-mapping.toml"))
        .assert()
        .code(2);
}

/// Regression: an export whose rows were all skipped used to leave the
/// previous export's grants current.
#[test]
fn an_export_with_every_assignment_ended_empties_its_view() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("import")
        .arg(fixture("okta-current-assignments.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Workspace now holds 0 identities, 3 grants",
        ));
    let ended = scratch.file(
        "okta-current-assignments-dec.csv",
        "\"User\",\"Login\",\"Application name\",\"Application instance\",\"Application login\",\"Assigned on\",\"Unassigned on\",\"Last login\",\"Last password change\"\n\
         \"Ada Lovelace\",\"ada.lovelace@northwind.example\",\"salesforce\",\"Salesforce Production\",\"ada\",\"2022-02-01T10:00:00.000Z\",\"2026-12-01T10:00:00.000Z\",\"\",\"\"\n",
    );
    scratch
        .recert()
        .arg("import")
        .arg(&ended)
        .assert()
        .success()
        .stdout(predicate::str::contains("  0 rows  [okta-assignments]"))
        .stdout(predicate::str::contains(
            "Workspace now holds 0 identities, 0 grants",
        ));
}
