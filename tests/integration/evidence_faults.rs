//! Evidence under faults and hostile data: an export killed mid-write never
//! leaves a truncated file under its name, keys and exports are private, a
//! key others can read or write is refused, and every CSV recert writes has
//! its formulas neutralised.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::crash::spawn;
use crate::decide_faults::campaign_of;
use crate::hostile::assert_no_controls;
use crate::hostile_review::{assert_no_formulas, hostile_campaign};
use crate::support::Scratch;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
}

/// The temporary file an export writes before renaming it, if one exists.
fn temp_export(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "tmp"))
}

#[test]
fn kill_9_during_an_export_leaves_the_old_file_or_the_complete_new_one() {
    const ITEMS: usize = 8_000;
    let scratch = Scratch::new();
    campaign_of(&scratch, ITEMS);
    let out_dir = scratch.dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("dir");
    let evidence = out_dir.join("evidence.csv");
    let export = || {
        scratch
            .recert()
            .args(["export", "Q4", "-o"])
            .arg(&evidence)
            .assert()
            .success();
    };
    export();
    let old = std::fs::read(&evidence).expect("first export");
    scratch
        .recert()
        .args(["decide", "Q4", "1", "--certify", "--reviewer", "R"])
        .assert()
        .success();

    let mut child = spawn(
        &scratch,
        &[
            "export".as_ref(),
            "Q4".as_ref(),
            "-o".as_ref(),
            evidence.as_os_str(),
        ],
        &[],
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut killed = false;
    while child.try_wait().expect("try_wait").is_none() {
        assert!(
            Instant::now() < deadline,
            "the export neither wrote nor finished"
        );
        if temp_export(&out_dir)
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| m.len() > 64 * 1024)
        {
            child.kill().expect("SIGKILL");
            killed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.wait().expect("wait");
    eprintln!("killed mid-export: {killed}");

    let now = std::fs::read(&evidence).expect("the evidence file is still there");
    if now != old {
        // The rename won the race: then all of the new export is there.
        let text = String::from_utf8(now).expect("UTF-8");
        assert_eq!(
            text.lines().count(),
            ITEMS + 1,
            "a truncated export under the final name"
        );
    }
    scratch
        .recert()
        .arg("verify")
        .arg(&evidence)
        .assert()
        .success();
    assert_eq!(mode(&evidence), 0o600);
    // The killed export's half-written temporary file holds access data:
    // the next export to the same name clears it away.
    export();
    assert_eq!(temp_export(&out_dir), None, "a temporary file is left over");
}

/// A password-less key pair in `keys/` of the scratch directory; returns the directory.
pub fn keygen(scratch: &Scratch) -> PathBuf {
    let keys = scratch.dir.path().join("keys");
    scratch
        .recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&keys)
        .assert()
        .success();
    keys
}

#[test]
fn keys_and_every_export_are_created_private_even_over_a_readable_file() {
    let scratch = Scratch::new();
    hostile_campaign(&scratch);
    let keys = keygen(&scratch);
    assert_eq!(mode(&keys.join("recert.key")), 0o600);
    for (name, extra) in [
        ("evidence.csv", None),
        ("revocations.csv", Some("--revocations")),
        ("history.csv", Some("--history")),
    ] {
        let path = scratch.file(name, "an older, world-readable file\n");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        scratch
            .recert()
            .args(["export", "1", "-o"])
            .arg(&path)
            .args(extra)
            .assert()
            .success();
        assert_eq!(mode(&path), 0o600, "{name}");
    }
}

#[test]
fn a_secret_key_others_can_read_or_write_is_refused_with_the_fix() {
    let scratch = Scratch::new();
    hostile_campaign(&scratch);
    let keys = keygen(&scratch);
    let key = keys.join("recert.key");
    let evidence = scratch.dir.path().join("evidence.csv");
    for loose in [0o666, 0o604, 0o640, 0o620] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(loose)).expect("chmod");
        scratch
            .recert()
            .args(["export", "1", "-o"])
            .arg(&evidence)
            .arg("--key")
            .arg(&key)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("(mode {loose:o})")))
            .stderr(predicate::str::contains("chmod 600"));
        assert!(!evidence.exists(), "nothing is written with a refused key");
    }
}

#[test]
fn every_export_of_hostile_data_neutralises_formulas_and_verify_prints_no_controls() {
    let scratch = Scratch::new();
    hostile_campaign(&scratch);
    for (name, extra) in [
        ("evidence.csv", None),
        ("revocations.csv", Some("--revocations")),
        ("history.csv", Some("--history")),
    ] {
        let path = scratch.dir.path().join(name);
        let output = scratch
            .recert()
            .args(["export", "1", "-o"])
            .arg(&path)
            .args(extra)
            .output()
            .expect("export");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_no_controls("export stdout", &String::from_utf8_lossy(&output.stdout));
        assert_no_controls("export stderr", &String::from_utf8_lossy(&output.stderr));
        let text = std::fs::read_to_string(&path).expect("export");
        assert!(text.contains("'=HYPERLINK"), "{name}: {text}");
        assert_no_formulas(name, &text);
    }
    let output = scratch
        .recert()
        .arg("verify")
        .arg(scratch.dir.path().join("evidence.csv"))
        .output()
        .expect("verify");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_no_controls("verify stdout", &String::from_utf8_lossy(&output.stdout));
}

#[test]
fn an_evidence_cell_holding_the_hash_separator_is_named() {
    let scratch = Scratch::new();
    campaign_of(&scratch, 3);
    let evidence = scratch.dir.path().join("evidence.csv");
    scratch
        .recert()
        .args(["export", "Q4", "-o"])
        .arg(&evidence)
        .assert()
        .success();
    let text = std::fs::read_to_string(&evidence).expect("evidence");
    std::fs::write(&evidence, text.replacen(",E2,", ",E2\u{1f},", 1)).expect("tamper");
    scratch
        .recert()
        .arg("verify")
        .arg(&evidence)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "column 8 (identity_id) holds the control character U+001F",
        ));
}

/// A named pipe at `path`, made with mkfifo(1).
fn fifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A campaign of three certified items and a password-less key.
fn decided_with_key(scratch: &Scratch) -> PathBuf {
    let items = campaign_of(scratch, 3);
    let ids: Vec<String> = items.iter().map(i64::to_string).collect();
    scratch
        .recert()
        .args(["decide", "Q4"])
        .args(&ids)
        .args(["--certify", "--reviewer", "R"])
        .assert()
        .success();
    keygen(scratch).join("recert.key")
}

/// Targets no writer may replace, with what recert must call them: a link
/// (to `real`), a named pipe and, where mknod(1) works (as root), a device.
fn hostile_targets(scratch: &Scratch, real: &Path) -> Vec<(PathBuf, String)> {
    let link = scratch.dir.path().join("link.csv");
    std::os::unix::fs::symlink(real, &link).expect("symlink");
    let pipe = scratch.dir.path().join("pipe.csv");
    fifo(&pipe);
    let mut targets = vec![
        (link, format!("is a symbolic link to {}", real.display())),
        (pipe, "is a named pipe (FIFO)".to_owned()),
    ];
    // /dev/null itself is never a target here: a regression would replace it.
    let device = scratch.dir.path().join("null.csv");
    let made = std::process::Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if made {
        targets.push((device, "is a character device".to_owned()));
    }
    targets
}

#[test]
fn no_writer_replaces_or_writes_through_a_link_a_pipe_or_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let scratch = Scratch::new();
    let key = decided_with_key(&scratch);
    let real = scratch.file("real.csv", "the file the link points at\n");
    let targets = hostile_targets(&scratch, &real);
    let kinds = |path: &Path| std::fs::symlink_metadata(path).expect("meta").file_type();
    let before: Vec<_> = targets.iter().map(|(t, _)| kinds(t)).collect();
    for (target, what) in &targets {
        for args in [
            &["export", "Q4", "-o"][..],
            &["export", "Q4", "--revocations", "-o"],
            &["export", "Q4", "--history", "-o"],
            &["report", "Q4", "-o"],
        ] {
            scratch
                .recert()
                .args(args)
                .arg(target)
                .assert()
                .code(1)
                .stderr(predicate::str::contains(what.as_str()));
        }
        // Refused before the campaign is locked.
        scratch
            .recert()
            .args(["signoff", "Q4", "--key"])
            .arg(&key)
            .arg("-o")
            .arg(target)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(what.as_str()));
    }
    scratch
        .recert()
        .args(["status", "Q4"])
        .assert()
        .success()
        .stdout(predicate::str::contains("open"));
    let after: Vec<_> = targets.iter().map(|(t, _)| kinds(t)).collect();
    assert_eq!(after, before, "a target was replaced");
    assert!(after[0].is_symlink() && after[1].is_fifo());
    assert_eq!(
        std::fs::read_to_string(&real).expect("real"),
        "the file the link points at\n"
    );
}

#[test]
fn a_signed_export_whose_signature_would_land_on_a_link_writes_nothing() {
    let scratch = Scratch::new();
    let key = decided_with_key(&scratch);
    scratch.recert().args(["signoff", "Q4"]).assert().success();
    let real = scratch.file("real.csv", "kept\n");
    let evidence = scratch.dir.path().join("evidence.csv");
    std::os::unix::fs::symlink(&real, scratch.dir.path().join("evidence.csv.minisig"))
        .expect("symlink");
    scratch
        .recert()
        .args(["export", "Q4", "-o"])
        .arg(&evidence)
        .arg("--key")
        .arg(&key)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "evidence.csv.minisig is a symbolic link",
        ));
    assert!(!evidence.exists(), "evidence written without its signature");
    assert_eq!(std::fs::read_to_string(&real).expect("real"), "kept\n");
}
