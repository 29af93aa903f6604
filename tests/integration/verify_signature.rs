//! `recert verify FILE` names the real reason a signature fails (issue #18
//! item 17): the wrong public key, a damaged `.minisig`, a file re-saved
//! without a value changing, an altered comment; and without `--pubkey` it
//! still compares the trusted comment with the file's end.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use recert::evidence::sign::signature_path;

use crate::decide_faults::campaign_of;
use crate::evidence_faults::keygen;
use crate::support::Scratch;

/// Signed evidence of a signed-off three-item campaign, and its public key.
fn signed(scratch: &Scratch) -> (PathBuf, PathBuf) {
    let items: Vec<String> = campaign_of(scratch, 3).iter().map(i64::to_string).collect();
    scratch
        .recert()
        .args(["decide", "Q4"])
        .args(&items)
        .args(["--certify", "--reviewer", "M1"])
        .assert()
        .success();
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
            "done",
            "--key",
        ])
        .arg(keys.join("recert.key"))
        .arg("-o")
        .arg(&evidence)
        .assert()
        .success();
    (evidence, keys.join("recert.pub"))
}

fn verify(scratch: &Scratch, file: &Path, public: Option<&Path>) -> assert_cmd::assert::Assert {
    let mut command = scratch.recert();
    command.arg("verify").arg(file);
    if let Some(public) = public {
        command.arg("--pubkey").arg(public);
    }
    command.assert()
}

/// Rewrites line `index` (0-based) of the `.minisig`.
fn edit_signature(evidence: &Path, index: usize, change: impl FnOnce(&str) -> String) {
    let path = signature_path(evidence);
    let text = std::fs::read_to_string(&path).expect("signature");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[index] = change(&lines[index]);
    std::fs::write(&path, format!("{}\n", lines.join("\n"))).expect("write");
}

#[test]
fn the_wrong_public_key_is_named_as_such() {
    let scratch = Scratch::new();
    let (evidence, public) = signed(&scratch);
    let other = scratch.dir.path().join("other-keys");
    scratch
        .recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&other)
        .assert()
        .success();
    let key_line = |path: &Path| {
        let text = std::fs::read_to_string(path).expect("pub");
        text.lines()
            .next()
            .unwrap_or_default()
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let (signer, wrong) = (key_line(&public), key_line(&other.join("recert.pub")));
    verify(&scratch, &evidence, Some(&other.join("recert.pub")))
        .code(1)
        .stderr(predicate::str::contains(format!(
            "was made with the key {signer}, but the public key given is {wrong}: it is not the signer's public key"
        )))
        .stderr(predicate::str::contains("the file was changed").not());
}

#[test]
fn a_signature_file_that_is_not_one_is_called_damaged() {
    let scratch = Scratch::new();
    let (evidence, public) = signed(&scratch);
    std::fs::write(signature_path(&evidence), "not a signature\n").expect("write");
    verify(&scratch, &evidence, Some(&public))
        .code(1)
        .stderr(predicate::str::contains(
            "evidence.csv.minisig is damaged: it is not a minisign signature",
        ));
    verify(&scratch, &evidence, None)
        .code(1)
        .stderr(predicate::str::contains("is damaged"));
}

#[test]
fn damaged_signature_bytes_are_told_from_a_changed_file() {
    let scratch = Scratch::new();
    let (evidence, public) = signed(&scratch);
    // A character of the signature proper (past the algorithm and key id).
    edit_signature(&evidence, 1, |line| {
        let mut chars: Vec<char> = line.chars().collect();
        chars[60] = if chars[60] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect()
    });
    verify(&scratch, &evidence, Some(&public))
        .code(1)
        .stderr(predicate::str::contains(
            "although the file is exactly as recert writes it and ends as the signature's comment says: ",
        ))
        .stderr(predicate::str::contains("was damaged after signing"));
}

#[test]
fn a_file_re_saved_with_crlf_is_told_from_a_changed_one() {
    let scratch = Scratch::new();
    let (evidence, public) = signed(&scratch);
    let text = std::fs::read_to_string(&evidence).expect("read");
    std::fs::write(&evidence, text.replace('\n', "\r\n")).expect("write");
    verify(&scratch, &evidence, Some(&public))
        .code(1)
        .stderr(predicate::str::contains(
            "yet every row is intact and the file ends as the signature's comment says: its bytes were changed without changing a value",
        ));
}

#[test]
fn an_altered_trusted_comment_is_named() {
    let scratch = Scratch::new();
    let (evidence, public) = signed(&scratch);
    edit_signature(&evidence, 2, |line| line.replace("\"CISO", "\"Mallory"));
    verify(&scratch, &evidence, Some(&public))
        .code(1)
        .stderr(predicate::str::contains(
            "the file matches its signature, but the trusted comment was altered after signing",
        ));
}

#[test]
fn without_the_key_rows_cut_from_the_end_are_found_from_the_comment() {
    let scratch = Scratch::new();
    let (evidence, _) = signed(&scratch);
    verify(&scratch, &evidence, None)
        .success()
        .stdout(predicate::str::contains(
            "was NOT checked; its trusted comment matches the file's 3 rows and last row_hash",
        ));
    let text = std::fs::read_to_string(&evidence).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.pop();
    std::fs::write(&evidence, format!("{}\n", lines.join("\n"))).expect("write");
    verify(&scratch, &evidence, None)
        .code(1)
        .stderr(predicate::str::contains(
            "the file ends after 2 rows with row_hash ",
        ))
        .stderr(predicate::str::contains(
            "evidence.csv.minisig's trusted comment (read without --pubkey, so the signature itself was not checked) says 3 rows",
        ))
        .stderr(predicate::str::contains("rows were removed from or added to the end"));
}
