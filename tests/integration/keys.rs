//! `recert keygen` on disk: minisign's own scrypt settings for a password,
//! both key files or neither, and never a key written through a link.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use predicates::prelude::*;

use crate::support::Scratch;

#[test]
fn a_password_protected_key_is_one_the_real_minisign_signs_with() {
    let scratch = Scratch::new();
    let keys = scratch.dir.path().join("keys");
    scratch
        .recert()
        .args(["keygen", "--out"])
        .arg(&keys)
        .env("RECERT_KEY_PASSWORD", "correct horse")
        .assert()
        .success()
        // Evidence is signed at or after sign-off, never before.
        .stdout(predicate::str::contains(format!(
            "sign a campaign's evidence as you sign it off: recert signoff CAMPAIGN --key {}",
            keys.join("recert.key").display()
        )))
        .stdout(predicate::str::contains(
            "or, once it is signed off: recert export CAMPAIGN -o evidence.csv --key",
        ));
    let data = scratch.file("data.txt", "signed by the C minisign\n");
    let mut minisign = Command::new("minisign")
        .arg("-S")
        .arg("-s")
        .arg(keys.join("recert.key"))
        .arg("-m")
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("minisign is installed (apt-get install minisign)");
    minisign
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"correct horse\n")
        .expect("password");
    let signed = minisign.wait_with_output().expect("minisign");
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let checked = Command::new("minisign")
        .arg("-Vm")
        .arg(&data)
        .arg("-p")
        .arg(keys.join("recert.pub"))
        .output()
        .expect("minisign");
    assert!(checked.status.success());
}

/// What a `recert keygen` killed between linking its secret and its public
/// key leaves: the two synced temporaries of a process that is gone, and
/// the secret key under its name (the same file as its temporary).
fn interrupted_keygen(keys: &Path) {
    fs::create_dir_all(keys).expect("dir");
    // No process has a pid above the kernel's maximum (4194304).
    let secret = keys.join(".recert-keygen.4294967295.5.key.tmp");
    fs::write(&secret, "untrusted comment: half\nAAAA\n").expect("temp");
    fs::write(
        keys.join(".recert-keygen.4294967295.5.pub.tmp"),
        "untrusted comment: half\nBBBB\n",
    )
    .expect("temp");
    fs::hard_link(&secret, keys.join("recert.key")).expect("link");
}

#[test]
fn a_keygen_killed_halfway_never_blocks_the_next_one() {
    let scratch = Scratch::new();
    let keys = scratch.dir.path().join("keys");
    interrupted_keygen(&keys);
    scratch
        .recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&keys)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "half of a key pair an interrupted `recert keygen` left",
        ));
    let mut names: Vec<String> = fs::read_dir(&keys)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["recert.key", "recert.pub"], "no temporaries left");
    let secret = recert::evidence::keys::load_secret_key(&keys.join("recert.key")).expect("key");
    let public = recert::evidence::keys::load_public_key(&keys.join("recert.pub")).expect("pub");
    assert_eq!(secret.public, public, "a whole, matching pair");
}

#[test]
fn keygen_refuses_a_link_where_a_key_goes_and_writes_nothing() {
    let scratch = Scratch::new();
    let keys = scratch.dir.path().join("keys");
    fs::create_dir(&keys).expect("dir");
    let elsewhere = scratch.file("elsewhere.pub", "someone's file\n");
    std::os::unix::fs::symlink(&elsewhere, keys.join("recert.pub")).expect("link");
    scratch
        .recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&keys)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "recert.pub is a symbolic link to ",
        ))
        .stderr(predicate::str::contains("elsewhere.pub"));
    assert_eq!(
        fs::read_to_string(&elsewhere).expect("read"),
        "someone's file\n"
    );
    assert!(!keys.join("recert.key").exists(), "half a pair was written");
}
