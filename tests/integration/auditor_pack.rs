//! `recert pack` through the real binary (issue #16): complete, private,
//! checkable with public tools, never over an existing directory unless
//! `--force`, refused for an open campaign.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use predicates::prelude::*;

use crate::auditor::signed_off;
use crate::support::{Scratch, sample};

const FILES: [&str; 16] = [
    "SHA256SUMS",
    "SHA256SUMS.minisig",
    "VERIFY.txt",
    "evidence.csv",
    "evidence.csv.minisig",
    "history.csv",
    "recert.pub",
    "remediation.csv",
    "remediation.csv.minisig",
    "report.html",
    "revocations.csv",
    "sample.csv",
    "sample.csv.minisig",
    "sample.py",
    "signoff.json",
    "signoff.json.minisig",
];

fn keygen(scratch: &Scratch) -> std::path::PathBuf {
    let keys = scratch.dir.path().join("keys");
    scratch
        .recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&keys)
        .assert()
        .success();
    keys
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs `program args` in `dir`; its stdout, after asserting success.
fn run_in(dir: &Path, program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .expect(program);
    assert!(
        output.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_signed_pack_holds_everything_privately_and_verify_txt_commands_pass() {
    let scratch = Scratch::new();
    signed_off(&scratch, "Q4");
    let keys = keygen(&scratch);
    let pack = scratch.dir.path().join("pack");
    scratch
        .recert()
        .args(["pack", "Q4", "-o"])
        .arg(&pack)
        .arg("--key")
        .arg(keys.join("recert.key"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "the evidence pack of campaign 1 (Q4)",
        ));
    let mut want: Vec<String> = FILES.iter().map(|s| (*s).to_owned()).collect();
    want.push("snapshots.csv".to_owned());
    want.push("verify-chain.py".to_owned());
    want.sort();
    assert_eq!(names(&pack), want);
    let mode = |path: &Path| std::fs::metadata(path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&pack), 0o700);
    for name in names(&pack) {
        assert_eq!(mode(&pack.join(&name)), 0o600, "{name}");
    }
    // Every command VERIFY.txt gives, run as it says, passes.
    let verify = std::fs::read_to_string(pack.join("VERIFY.txt")).expect("VERIFY.txt");
    let commands: Vec<&str> = verify
        .lines()
        .map(str::trim_start)
        .map(|line| {
            line.split_once(". ").map_or(line, |(n, rest)| {
                if n.chars().all(|c| c.is_ascii_digit()) {
                    rest
                } else {
                    line
                }
            })
        })
        .filter(|line| {
            [
                "minisign -Vm",
                "python3 verify-chain.py",
                "python3 sample.py evidence.csv --check",
                "sha256sum -c",
            ]
            .iter()
            .any(|start| line.starts_with(start))
        })
        .collect();
    assert!(commands.len() >= 9, "{commands:?}");
    for command in &commands {
        let words: Vec<&str> = command.split(' ').collect();
        let out = run_in(&pack, words[0], &words[1..]);
        if command.starts_with("python3 verify-chain.py evidence.csv") {
            assert!(out.starts_with("chain intact: 1475 rows"), "{out}");
        }
    }
    assert!(verify.contains("python3 sample.py evidence.csv --check sample.csv"));
    // The snapshot manifest names the imported files with their hashes.
    let manifest = std::fs::read_to_string(pack.join("snapshots.csv")).expect("manifest");
    assert!(manifest.starts_with(
        "snapshot_id,kind,scope,format,file_name,sha256,rows,imported_by,imported_at\n"
    ));
    let entitlements = std::fs::read(sample("entitlements.csv")).expect("sample");
    let digest = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        "sha256sum",
        &[sample("entitlements.csv").to_str().expect("utf-8")],
    );
    assert!(!entitlements.is_empty());
    assert!(
        manifest.contains(&format!("entitlements.csv,{},1475,", &digest[..64])),
        "{manifest}"
    );
    // The pack's report is the auditor's: exceptions first.
    let report = std::fs::read_to_string(pack.join("report.html")).expect("report");
    assert!(report.contains("Kept despite a risk signal"));
}

#[test]
fn an_existing_directory_is_kept_unless_force_replaces_an_earlier_pack() {
    let scratch = Scratch::new();
    signed_off(&scratch, "Q4");
    let keys = keygen(&scratch);
    let key = keys.join("recert.key");
    let pack = scratch.dir.path().join("pack");
    std::fs::create_dir(&pack).expect("dir");
    std::fs::write(pack.join("notes.txt"), "mine").expect("write");
    let attempt = |force: bool| {
        let mut command = scratch.recert();
        command
            .args(["pack", "Q4", "-o"])
            .arg(&pack)
            .arg("--key")
            .arg(&key);
        if force {
            command.arg("--force");
        }
        command.assert()
    };
    attempt(false)
        .failure()
        .stderr(predicate::str::contains("already exists"));
    // Not a pack: even --force leaves it alone.
    attempt(true)
        .failure()
        .stderr(predicate::str::contains("is not a recert pack"));
    assert_eq!(names(&pack), ["notes.txt"]);
    std::fs::remove_dir_all(&pack).expect("rm");
    attempt(false).success();
    let first = std::fs::read(pack.join("sample.csv")).expect("sample");
    attempt(false).failure();
    attempt(true).success();
    assert_eq!(
        std::fs::read(pack.join("sample.csv")).expect("sample"),
        first
    );
    // No temporary directory is left beside it.
    assert_eq!(
        names(scratch.dir.path())
            .iter()
            .filter(|n| n.contains("partial"))
            .count(),
        0
    );
}

#[test]
fn a_pack_is_refused_for_an_open_campaign_or_without_any_signature() {
    let scratch = Scratch::new();
    scratch.import(&[sample("identities.csv"), sample("entitlements.csv")]);
    scratch.campaign("Open", &["--default-reviewer", "iam-team"]);
    let keys = keygen(&scratch);
    let pack = scratch.dir.path().join("pack");
    scratch
        .recert()
        .args(["pack", "Open", "-o"])
        .arg(&pack)
        .arg("--key")
        .arg(keys.join("recert.key"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not signed off"));
    assert!(!pack.exists());
    // Signed off without a key: a pack needs --key (nothing vouches otherwise).
    let scratch = Scratch::new();
    signed_off(&scratch, "Q4");
    let keys = keygen(&scratch);
    let public = keys.join("recert.pub").into_os_string();
    let with_pubkey = [std::ffi::OsString::from("--pubkey"), public];
    for extra in [&[][..], &with_pubkey[..]] {
        scratch
            .recert()
            .args(["pack", "Q4", "-o"])
            .arg(&pack)
            .args(extra)
            .assert()
            .failure()
            .stderr(predicate::str::contains("--key KEY"));
        assert!(!pack.exists());
    }
    // Once the sign-off is signed (a signed export), --pubkey reuses that signature.
    scratch
        .recert()
        .args(["export", "Q4", "-o"])
        .arg(scratch.dir.path().join("e.csv"))
        .arg("--key")
        .arg(keys.join("recert.key"))
        .assert()
        .success();
    scratch
        .recert()
        .args(["pack", "Q4", "-o"])
        .arg(&pack)
        .arg("--pubkey")
        .arg(keys.join("recert.pub"))
        .assert()
        .success();
    let files = names(&pack);
    assert!(files.contains(&"signoff.json.minisig".to_owned()));
    assert!(!files.contains(&"evidence.csv.minisig".to_owned()));
    run_in(
        &pack,
        "minisign",
        &["-Vm", "signoff.json", "-p", "recert.pub"],
    );
    let record = std::fs::read_to_string(pack.join("signoff.json")).expect("record");
    let chain = run_in(&pack, "python3", &["verify-chain.py", "evidence.csv"]);
    let last = chain.trim_end().rsplit(' ').next().expect("hash");
    assert!(record.contains(last), "{record} / {chain}");
}
