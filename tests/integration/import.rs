//! `recert import`: canonical files in, counts out, bad files change nothing.

use predicates::prelude::*;

use crate::support::Scratch;

const IDENTITIES: &str = "identity_id,display_name,email,kind,status,manager_id,owner_id,termination_date,cost_center\n\
E1,Ada Boss,ada@x.example,human,active,,,,100\n\
E2,Bo Worker,bo@x.example,human,active,E1,,,200\n\
E3,Cy Leaver,cy@x.example,human,terminated,E1,,2026-08-31,200\n\
S1,deploy-bot,,service,active,,E2,,\n";

const ENTITLEMENTS: &str = "identity_id,system,entitlement,type,privileged,last_used_at\n\
E2,github,member,role,false,2026-11-01\n\
BO@X.EXAMPLE,github,admin,role,true,2026-11-02T10:00:00Z\n\
S1,aws,AKIA1,api_key,no,\n\
X999,payroll,viewer,role,0,\n";

#[test]
fn import_reports_counts_orphans_and_keeps_extra_columns() {
    let scratch = Scratch::new();
    let identities = scratch.file("identities.csv", IDENTITIES);
    let entitlements = scratch.file("entitlements.csv", ENTITLEMENTS);
    scratch
        .recert()
        .arg("import")
        .arg(&identities)
        .arg(&entitlements)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Workspace now holds 4 identities, 4 grants, 0 systems.",
        ))
        .stdout(predicate::str::contains(
            "Orphaned grants (holder not among the identities): 1",
        ));
    let dump = scratch.dump();
    assert!(
        dump.contains(r#"Text("{\"cost_center\":\"100\"}")"#),
        "{dump}"
    );
}

#[test]
fn workspace_is_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = Scratch::new();
    let identities = scratch.file("identities.csv", IDENTITIES);
    scratch
        .recert()
        .arg("import")
        .arg(&identities)
        .assert()
        .success();
    let mode = std::fs::metadata(scratch.workspace())
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_newer_export_replaces_the_view_but_keeps_the_old_snapshot() {
    let scratch = Scratch::new();
    let first = scratch.file("identities.csv", IDENTITIES);
    let second = scratch.file("identities-dec.csv", "identity_id\nE1\nE2\n");
    scratch
        .recert()
        .arg("import")
        .arg(&first)
        .assert()
        .success();
    scratch
        .recert()
        .arg("import")
        .arg(&second)
        .assert()
        .success()
        .stdout(predicate::str::contains("Workspace now holds 2 identities"));
    let dump = scratch.dump();
    assert_eq!(dump.matches("snapshots: ").count(), 2, "{dump}");
}

/// Each bad file is refused with exit 1, a message naming file, line and
/// column, and the workspace exactly as it was.
#[test]
fn bad_files_change_nothing() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "missing-column.csv",
            "display_name,email\nAda,a@x\n",
            "missing required column(s) identity_id",
        ),
        (
            "field-count.csv",
            "identity_id,display_name\nE7,Ann\nE8,Bob,extra\n",
            "field-count.csv:3: found 3 fields, expected 2",
        ),
        (
            "bad-date.csv",
            "identity_id,termination_date\nE7,31/08/2026\n",
            "field-count.csv",
        ),
        (
            "bad-kind.csv",
            "identity_id,kind\nE7,robot\n",
            "bad-kind.csv:2: column 2 (kind): found \"robot\", expected one of human, service",
        ),
        (
            "bad-status.csv",
            "identity_id,status\nE7,leaver\n",
            "bad-status.csv:2: column 2 (status): found \"leaver\"",
        ),
        (
            "bad-bool.csv",
            "identity_id,system,entitlement,privileged\nE1,app,x,maybe\n",
            "bad-bool.csv:2: column 4 (privileged): found \"maybe\", expected true/false",
        ),
        (
            "duplicate.csv",
            "identity_id\nE7\nE8\nE7\n",
            "duplicate.csv:4: column 1 (identity_id): duplicate identity_id \"E7\", first seen at",
        ),
        ("empty.csv", "", "empty.csv: is empty"),
        (
            "header-only.csv",
            "identity_id,display_name\n",
            "has a header but no data rows",
        ),
        (
            "unknown.csv",
            "foo,bar\n1,2\n",
            "the header matches no known format",
        ),
    ];
    for (name, contents, expected) in cases {
        let scratch = Scratch::new();
        let good = scratch.file("identities.csv", IDENTITIES);
        scratch.recert().arg("import").arg(&good).assert().success();
        let before = scratch.dump();
        let bad = scratch.file(name, contents);
        let expected = if *name == "bad-date.csv" {
            "bad-date.csv:2: column 2 (termination_date): found \"31/08/2026\", expected an ISO 8601 date"
        } else {
            expected
        };
        scratch
            .recert()
            .arg("import")
            .arg(&good)
            .arg(&bad)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("the workspace is unchanged"))
            .stderr(predicate::str::contains(expected));
        assert_eq!(scratch.dump(), before, "{name} changed the workspace");
    }
}

#[test]
fn invalid_utf8_missing_path_and_directory_are_refused() {
    let scratch = Scratch::new();
    let latin1 = scratch.dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"identity_id,display_name\nE1,Jos\xe9\n").expect("write");
    scratch
        .recert()
        .arg("import")
        .arg(&latin1)
        .arg(scratch.dir.path().join("nope.csv"))
        .arg(scratch.dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "latin1.csv:2: column 2 (display_name): is not UTF-8: byte 0xE9 after byte 3 of the cell, which is 'é' in Windows-1252",
        ))
        .stderr(predicate::str::contains("nope.csv: no such file"))
        .stderr(predicate::str::contains("is a directory"))
        .stderr(predicate::str::contains("3 problems found"));
}

#[test]
fn all_bad_rows_are_listed_at_once() {
    let scratch = Scratch::new();
    let bad = scratch.file(
        "many.csv",
        "identity_id,kind\nE1,robot\nE2,android\nE3,human\nE4,alien\n",
    );
    scratch
        .recert()
        .arg("import")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("many.csv:2:"))
        .stderr(predicate::str::contains("many.csv:3:"))
        .stderr(predicate::str::contains("many.csv:5:"))
        .stderr(predicate::str::contains("3 problems found"));
}
