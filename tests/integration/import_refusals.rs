//! What import refuses or warns about, and says how to fix (issue #18 items
//! 11, 16, 18, 19, 28; issue #20 item 21): wide and ambiguous headers,
//! line ends, encodings, recert's own files, imports that orphan every grant.

use std::fmt::Write;
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::decide_faults::campaign_of;
use crate::support::{Scratch, fixture};

/// Imports `files` expecting a refusal mentioning every one of `expected`,
/// and proves the workspace did not change.
fn refused(scratch: &Scratch, args: &[&std::ffi::OsStr], expected: &[&str]) -> String {
    let before = scratch.dump();
    let output = scratch
        .recert()
        .arg("import")
        .args(args)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the workspace is unchanged"))
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    for text in expected {
        assert!(stderr.contains(text), "{text:?} not in\n{stderr}");
    }
    assert_eq!(
        scratch.dump(),
        before,
        "a refused import changed the workspace"
    );
    stderr
}

fn wide_file(columns: usize, rows: usize) -> String {
    let mut text = String::from("identity_id");
    for c in 1..columns {
        let _ = write!(text, ",extra_{c}");
    }
    text.push('\n');
    for r in 0..rows {
        let _ = write!(text, "E{r}");
        for c in 1..columns {
            let _ = write!(text, ",v{c}");
        }
        text.push('\n');
    }
    text
}

#[test]
fn a_header_over_4096_columns_is_refused_before_any_row_is_read() {
    let scratch = Scratch::new();
    let wide = scratch.file("wide.csv", &wide_file(4_097, 1));
    refused(
        &scratch,
        &[wide.as_os_str()],
        &["wide.csv:1: the header has 4097 columns; recert reads at most 4096"],
    );
}

#[test]
fn import_time_grows_linearly_with_the_number_of_extra_columns() {
    // 4,096 columns by 200 rows: with the extra columns compared pairwise
    // per row (quadratic) this took minutes; linear, a second or two.
    let scratch = Scratch::new();
    let wide = scratch.file("wide.csv", &wide_file(4_096, 200));
    let started = Instant::now();
    scratch
        .recert()
        .arg("import")
        .arg(&wide)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Workspace now holds 200 identities",
        ));
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn duplicate_header_names_are_refused_naming_both_columns() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "dup.csv",
        "identity_id,email,department,EMAIL\nE1,a@x,ops,b@x\n",
    );
    refused(
        &scratch,
        &[file.as_os_str()],
        &[
            "dup.csv:1: columns 2 (\"email\") and 4 (\"EMAIL\") have the same name ignoring case, so recert cannot tell which to read; rename or remove one of them",
        ],
    );
}

#[test]
fn vendor_columns_equal_but_for_punctuation_are_refused() {
    let scratch = Scratch::new();
    let report = std::fs::read_to_string(fixture("aws-credential-report.csv")).expect("fixture");
    let mut doubled = String::new();
    for (n, line) in report.lines().enumerate() {
        let extra = if n == 0 { "Password Enabled" } else { "false" };
        let _ = writeln!(doubled, "{line},{extra}");
    }
    let file = scratch.file("report.csv", &doubled);
    refused(
        &scratch,
        &[file.as_os_str()],
        &[
            "(\"password_enabled\") and 23 (\"Password Enabled\") have the same name to the aws-credential-report reader, which ignores case, spaces and punctuation",
        ],
    );
}

#[test]
fn cr_only_line_ends_are_read_and_problems_name_the_real_line() {
    let scratch = Scratch::new();
    let good = scratch.file("mac.csv", "identity_id,kind\rE1,human\rE2,service\r");
    scratch
        .recert()
        .arg("import")
        .arg(&good)
        .assert()
        .success()
        .stdout(predicate::str::contains("Workspace now holds 2 identities"));
    let bad = scratch.file("mac-bad.csv", "identity_id,kind\rE1,human\rE2,robot\r");
    refused(
        &scratch,
        &[bad.as_os_str()],
        &["mac-bad.csv:3: column 2 (kind): found \"robot\""],
    );
}

#[test]
fn utf16_and_windows_1252_files_say_what_they_look_like_and_how_to_convert() {
    let scratch = Scratch::new();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        "identity_id,display_name\r\nE1,Zoë\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    let wide = scratch.dir.path().join("users16.csv");
    std::fs::write(&wide, &utf16).expect("write");
    let cp1252 = scratch.dir.path().join("users1252.csv");
    std::fs::write(&cp1252, b"identity_id,display_name\nE1,Zo\xEB M\xFCller\n").expect("write");
    let stderr = refused(
        &scratch,
        &[wide.as_os_str(), cp1252.as_os_str()],
        &[
            "users16.csv: looks like UTF-16 (little-endian, with a byte-order mark) text, not UTF-8",
            "iconv -f UTF-16 -t UTF-8 ",
            "users1252.csv:2: column 2 (display_name): is not UTF-8: byte 0xEB after byte 2 of the cell, which is 'ë' in Windows-1252",
            "iconv -f WINDOWS-1252 -t UTF-8 ",
        ],
    );
    assert!(!stderr.contains("invalid utf-8"), "{stderr}");
    // The command the message gives does convert the file.
    let converted = scratch.dir.path().join("users16.utf8.csv");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "iconv -f UTF-16 -t UTF-8 {} > {}",
            wide.display(),
            converted.display()
        ))
        .status()
        .expect("iconv runs");
    assert!(status.success());
    scratch.import(&[converted]);
}

#[test]
fn recerts_own_evidence_revocations_history_and_items_are_refused() {
    let scratch = Scratch::new();
    let items: Vec<String> = campaign_of(&scratch, 3)
        .iter()
        .map(i64::to_string)
        .collect();
    scratch
        .recert()
        .args(["decide", "Q4", &items[0], "--revoke", "--reviewer", "M1"])
        .args(["--justification", "left"])
        .assert()
        .success();
    let dir = scratch.dir.path();
    for (name, extra) in [
        ("evidence.csv", None),
        ("revocations.csv", Some("--revocations")),
        ("history.csv", Some("--history")),
    ] {
        scratch
            .recert()
            .args(["export", "Q4", "-o"])
            .arg(dir.join(name))
            .args(extra)
            .assert()
            .success();
    }
    let listing = scratch
        .recert()
        .args(["items", "Q4", "--csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    std::fs::write(dir.join("items.csv"), listing).expect("write");
    let path = |name: &str| dir.join(name).into_os_string();
    refused(
        &scratch,
        &[path("evidence.csv").as_os_str()],
        &[
            "evidence.csv:1: is recert's own evidence export (it has campaign_id, item_id, control_id, prev_hash and row_hash), not an export to import",
        ],
    );
    refused(
        &scratch,
        &[path("revocations.csv").as_os_str()],
        &["revocations.csv:1: is recert's own revocation work list"],
    );
    refused(
        &scratch,
        &[path("history.csv").as_os_str()],
        &["history.csv:1: is recert's own decision history"],
    );
    refused(
        &scratch,
        &[path("items.csv").as_os_str()],
        &["items.csv:1: is recert's own list of review items"],
    );
    // Neither --format nor --mapping reads one.
    let mapping = scratch.file(
        "evidence.toml",
        "kind = \"entitlements\"\n[columns]\nidentity_id = \"identity_id\"\n",
    );
    for forcing in [
        vec!["--format".into(), "entitlements".into()],
        vec!["--mapping".into(), mapping.into_os_string()],
    ] {
        let mut args: Vec<std::ffi::OsString> = forcing;
        args.push(path("evidence.csv"));
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsString::as_os_str).collect();
        refused(&scratch, &args, &["is recert's own evidence export"]);
    }
}

#[test]
fn an_import_that_orphans_every_grant_warns() {
    let scratch = Scratch::new();
    let grants = scratch.file(
        "grants.csv",
        "identity_id,system,entitlement\nE1,app,user\nE2,app,admin\n",
    );
    scratch
        .recert()
        .arg("import")
        .arg(&grants)
        .assert()
        .success()
        .stdout(predicate::str::contains("Warnings: none").not())
        .stdout(predicate::str::contains(
            "  - none of the 2 grants is linked to an identity: the workspace holds no identities",
        ));
    let people = scratch.file("people.csv", "identity_id,email\nP1,p1@x.example\n");
    scratch
        .recert()
        .arg("import")
        .arg(&people)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "  - none of the 2 grants is linked to any of the 1 identities: check that the grants name their holder",
        ));
    let linked = scratch.file("people.csv", "identity_id,email\nE1,e1@x.example\n");
    scratch
        .recert()
        .arg("import")
        .arg(&linked)
        .assert()
        .success()
        .stdout(predicate::str::contains("Warnings: none"));
}

#[test]
fn a_missing_identity_id_suggests_a_generated_mapping() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "staff.csv",
        "display_name,email,department\nAnn,ann@x.example,ops\n",
    );
    let stderr = refused(
        &scratch,
        &[file.as_os_str()],
        &[
            "missing required column(s) identity_id; the header has: display_name, email, department.",
        ],
    );
    let path = file.display().to_string();
    assert!(
        stderr.contains(&format!(
            "\n        recert mapping init {path} > mapping.toml\n"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("--mapping {path}=mapping.toml")),
        "{stderr}"
    );
}
