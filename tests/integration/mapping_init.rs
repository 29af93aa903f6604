//! `recert mapping init` and per-file mappings (issue #20 item 22): an HR
//! export goes in with a generated mapping, beside files read as they are,
//! in one transaction.

use predicates::prelude::*;

use crate::support::{Scratch, fixture};

/// `recert mapping init` of `file` (with `args`), its stdout.
fn init(scratch: &Scratch, file: &std::path::Path, args: &[&str]) -> String {
    let output = scratch
        .recert()
        .args(["mapping", "init"])
        .arg(file)
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(output.stdout).expect("utf-8")
}

const GRANTS: &str = "identity_id,system,entitlement\n0042,payroll,approver\n0077,payroll,viewer\nnobody,payroll,viewer\n";

#[test]
fn a_generated_mapping_imports_the_hr_export_beside_a_canonical_file() {
    let scratch = Scratch::new();
    let hr = fixture("hr-export.csv");
    let mapping = scratch.file("hr.toml", &init(&scratch, &hr, &[]));
    assert!(
        !scratch.workspace().exists(),
        "init never opens a workspace"
    );
    let grants = scratch.file("grants.csv", GRANTS);
    let mut data = hr.into_os_string();
    data.push("=");
    data.push(&mapping);
    scratch
        .recert()
        .arg("import")
        .arg(fixture("hr-export.csv"))
        .arg(&grants)
        .arg("--mapping")
        .arg(&data)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Workspace now holds 4 identities, 3 grants",
        ))
        .stdout(predicate::str::contains(
            "Orphaned grants (holder not among the identities): 1",
        ));
    let dump = scratch.dump();
    assert!(
        dump.contains("Text(\"0077\")|Text(\"Bo Worker\")"),
        "{dump}"
    );
    assert!(dump.contains("Text(\"terminated\")"), "{dump}");
    assert!(dump.contains("Text(\"2026-10-31\")"), "{dump}");
}

#[test]
fn a_mapping_for_every_file_still_reads_every_file() {
    let scratch = Scratch::new();
    let grants = scratch.file("grants.csv", GRANTS);
    // Without DATA= the mapping reads every file, as before: the canonical
    // grants file then fails it, naming the mapping line.
    scratch
        .recert()
        .arg("import")
        .arg(fixture("hr-export.csv"))
        .arg(&grants)
        .arg("--mapping")
        .arg(fixture("hr-mapping.toml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "grants.csv:1: has no column \"Personnel No\", which ",
        ));
    scratch
        .recert()
        .arg("import")
        .arg(fixture("hr-export.csv"))
        .arg("--mapping")
        .arg(fixture("hr-mapping.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Workspace now holds 4 identities"));
}

#[test]
fn bad_mapping_arguments_are_refused_before_the_workspace_is_opened() {
    let scratch = Scratch::new();
    let grants = scratch.file("grants.csv", GRANTS);
    let mapping = fixture("hr-mapping.toml").display().to_string();
    for (args, expected) in [
        (
            vec![format!("other.csv={mapping}")],
            "other.csv is not among the files to import",
        ),
        (
            vec![mapping.clone(), mapping.clone()],
            "would both read every file",
        ),
        (
            vec![
                format!("{}={mapping}", grants.display()),
                format!("{}={mapping}", grants.display()),
            ],
            "twice; give one mapping per file",
        ),
    ] {
        let mut command = scratch.recert();
        command.arg("import").arg(&grants);
        for arg in &args {
            command.arg("--mapping").arg(arg);
        }
        command
            .assert()
            .code(1)
            .stderr(predicate::str::contains(expected));
        assert!(!scratch.workspace().exists(), "{args:?}");
    }
}

#[test]
fn init_names_a_known_format_and_takes_a_kind() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .args(["mapping", "init"])
        .arg(fixture("okta-current-assignments.csv"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "is read without a mapping, as okta-current-assignments",
        ));
    let text = init(
        &scratch,
        &fixture("hr-export.csv"),
        &["--kind", "entitlements"],
    );
    assert!(text.contains("kind = \"entitlements\""), "{text}");
    assert!(text.contains("# system = \"\"    # REQUIRED"), "{text}");
    scratch
        .recert()
        .args(["mapping", "init", "--kind", "users"])
        .arg(fixture("hr-export.csv"))
        .assert()
        .code(2);
    let utf16 = scratch.dir.path().join("u16.csv");
    std::fs::write(&utf16, [0xFF, 0xFE, b'a', 0, b'\n', 0]).expect("write");
    scratch
        .recert()
        .args(["mapping", "init"])
        .arg(&utf16)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("looks like UTF-16"));
}
