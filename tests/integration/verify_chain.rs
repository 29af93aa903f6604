//! scripts/verify-chain.py gives a clear verdict for every input (issue #18
//! item 24), and agrees with `recert verify` on each.

use std::path::Path;
use std::process::{Command, Output};

use crate::decide_faults::campaign_of;
use crate::support::Scratch;

fn python(args: &[&Path]) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify-chain.py");
    Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs")
}

/// Runs the script on `bytes` and `recert verify` on the same file;
/// returns the script's exit code and its one line of output.
fn both(scratch: &Scratch, name: &str, bytes: &[u8]) -> (Option<i32>, String) {
    let file = scratch.dir.path().join(name);
    std::fs::write(&file, bytes).expect("write");
    let output = python(&[&file]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!text.contains("Traceback"), "{name}: {text}");
    assert_eq!(text.lines().count(), 1, "{name}: one verdict line: {text}");
    let recert = scratch
        .recert()
        .arg("verify")
        .arg(&file)
        .output()
        .expect("recert runs");
    assert_eq!(
        recert.status.code(),
        output.status.code(),
        "{name}: recert verify agrees: {}",
        String::from_utf8_lossy(&recert.stderr)
    );
    (output.status.code(), text.trim_end().to_owned())
}

#[test]
fn every_input_gets_a_verdict_and_recert_agrees() {
    let scratch = Scratch::new();
    campaign_of(&scratch, 3);
    let exported = scratch.dir.path().join("exported.csv");
    scratch
        .recert()
        .args(["export", "Q4", "-o"])
        .arg(&exported)
        .assert()
        .success();
    let evidence = std::fs::read(&exported).expect("evidence");
    let text = String::from_utf8(evidence.clone()).expect("utf-8");
    let (code, verdict) = both(&scratch, "intact.csv", &evidence);
    assert_eq!(code, Some(0));
    assert!(
        verdict.starts_with("chain intact: 3 rows, last row_hash "),
        "{verdict}"
    );

    let trailing_blank = format!("{text}\n");
    assert_eq!(
        both(&scratch, "trailing-blank.csv", trailing_blank.as_bytes()),
        (Some(0), verdict.clone())
    );
    assert_eq!(
        both(&scratch, "crlf.csv", text.replace('\n', "\r\n").as_bytes()),
        (Some(0), verdict.clone())
    );
    let header_only = text.lines().next().unwrap_or_default().to_owned() + "\n";
    assert_eq!(
        both(&scratch, "header-only.csv", header_only.as_bytes()).0,
        Some(0)
    );

    let cut = &text[..text.len() - 30];
    for (name, bytes, expected) in [
        ("empty.csv", &b""[..], "not evidence: the file is empty"),
        (
            "blank.csv",
            &b"\n\n\n"[..],
            "not evidence: the file is empty",
        ),
        ("cut.csv", cut.as_bytes(), "row 3 (line 4, item_id "),
        (
            "utf16.csv",
            &b"\xff\xfec\x00a\x00"[..],
            "not evidence: byte 0 is not UTF-8",
        ),
        (
            "other.csv",
            &b"a,b\n1,2\n"[..],
            "line 1: not an evidence header",
        ),
    ] {
        let (code, verdict) = both(&scratch, name, bytes);
        assert_eq!(code, Some(1), "{name}: {verdict}");
        assert!(verdict.contains(expected), "{name}: {verdict}");
    }
    let unterminated = format!("{text}1,\"open quote\n");
    let (code, verdict) = both(&scratch, "unterminated.csv", unterminated.as_bytes());
    assert_eq!(code, Some(1), "{verdict}");
}

#[test]
fn a_missing_file_a_directory_and_no_argument_get_a_verdict() {
    let scratch = Scratch::new();
    let missing = scratch.dir.path().join("nope.csv");
    for path in [missing.as_path(), scratch.dir.path()] {
        let output = python(&[path]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.starts_with("cannot read "), "{stderr}");
    }
    let output = python(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("usage: verify-chain.py"));
}

#[test]
fn the_readme_shows_the_script_in_full() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = std::fs::read_to_string(root.join("scripts/verify-chain.py")).expect("script");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("readme");
    let body = &script[script.find("import csv").expect("imports")..];
    let block = readme
        .split("```python\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README has a python block");
    assert_eq!(
        block.trim_end(),
        body.trim_end(),
        "paste scripts/verify-chain.py into the README"
    );
}
