//! Hostile data at the command line: escape sequences, control characters,
//! bidi overrides, huge fields, emoji and combining marks in imported values
//! and file names never reach the terminal as control characters.

use std::fmt::Write as _;

use crate::support::Scratch;

/// Values an attacker or a broken export puts in a cell.
pub const HOSTILE: &[&str] = &[
    "\u{1b}]0;pwned\u{7}",           // OSC: retitle the terminal
    "\u{1b}[2J\u{1b}[H",             // CSI: clear the screen
    "\u{9b}31mred",                  // C1 CSI
    "admin\u{202E}txt.exe",          // right-to-left override
    "tab\there\rcr\u{8}bs\u{7f}del", // other C0 and DEL
    "Zoë 👩‍💻 e\u{301}",               // emoji ZWJ sequence and a combining mark
];

/// Panics naming the first C0/C1 control (other than newline) in `text`.
pub fn assert_no_controls(what: &str, text: &str) {
    if let Some((at, c)) = text
        .char_indices()
        .find(|(_, c)| (c.is_control() && *c != '\n') || ('\u{202A}'..='\u{202E}').contains(c))
    {
        let start = text[..at]
            .char_indices()
            .rev()
            .nth(40)
            .map_or(0, |(i, _)| i);
        panic!(
            "{what} holds control character {c:?} at byte {at}: …{:?}",
            &text[start..(at + 1).min(text.len())]
        );
    }
}

/// Identities whose every free-text column is hostile, plus a 100 kB name.
pub fn hostile_identities() -> String {
    let mut out =
        String::from("identity_id,display_name,email,department,kind,status,manager_id\n");
    out.push_str("M1,Manager,m1@x.example,IT,human,active,\n");
    for (i, value) in HOSTILE.iter().enumerate() {
        let quoted = format!("\"{}\"", value.replace('"', "\"\""));
        let _ = writeln!(out, "H{i},{quoted},h{i}@x.example,{quoted},human,active,M1");
    }
    let _ = writeln!(
        out,
        "BIG,\"{}\",big@x.example,IT,human,active,M1",
        "x\u{1b}".repeat(50_000)
    );
    out
}

/// A grant per hostile identity, with hostile systems and entitlements.
pub fn hostile_entitlements() -> String {
    let mut out = String::from("identity_id,system,entitlement,type,privileged\n");
    for (i, value) in HOSTILE.iter().enumerate() {
        let quoted = format!("\"{}\"", value.replace('"', "\"\""));
        let _ = writeln!(out, "H{i},{quoted},{quoted},role,false");
    }
    let _ = writeln!(
        out,
        "BIG,app,\"{}\",role,false",
        "=cmd|' /C calc'!A0".repeat(5_000)
    );
    out
}

#[test]
fn importing_hostile_values_prints_no_control_characters() {
    let scratch = Scratch::new();
    let identities = scratch.file("identities-\u{1b}]0;x\u{7}.csv", &hostile_identities());
    let entitlements = scratch.file("entitlements.csv", &hostile_entitlements());
    let output = scratch
        .recert()
        .arg("import")
        .arg(&identities)
        .arg(&entitlements)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Workspace now holds 8 identities, 7 grants"),
        "{stdout}"
    );
    assert_no_controls("stdout", &stdout);
    assert_no_controls("stderr", &String::from_utf8_lossy(&output.stderr));
}

#[test]
fn import_errors_quote_hostile_values_and_names_without_control_characters() {
    let scratch = Scratch::new();
    let mut bad = String::from("identity_id,kind,status,\"\u{1b}]0;header\u{7}\"\n");
    for (i, value) in HOSTILE.iter().enumerate() {
        let _ = writeln!(bad, "X{i},\"{value}\",\"{value}\",x");
    }
    let bad = scratch.file("bad-\u{1b}[31m-\u{202E}.csv", &bad);
    let no_id = scratch.file(
        "no-id.csv",
        "display_name,email,\"\u{9b}2J\"\nA,a@x.example,1\n",
    );
    let output = scratch
        .recert()
        .arg("import")
        .arg(&bad)
        .arg(&no_id)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("import rejected, the workspace is unchanged"),
        "{stderr}"
    );
    assert!(
        stderr.contains("missing required column(s) identity_id"),
        "{stderr}"
    );
    assert!(
        stderr.contains(r#"found "\u{1b}]0;pwned\u{7}""#),
        "values are quoted with escapes: {stderr}"
    );
    assert_no_controls("stderr", &stderr);
    assert_no_controls("stdout", &String::from_utf8_lossy(&output.stdout));
    assert_eq!(scratch.dump(), "", "nothing was written");
}

#[test]
fn a_cell_holding_the_hash_separator_is_refused_naming_its_place() {
    let scratch = Scratch::new();
    let identities = scratch.file(
        "identities.csv",
        "identity_id,display_name\nE1,Ada\nE2,\"Bo\u{1f}human\"\n",
    );
    scratch
        .recert()
        .arg("import")
        .arg(&identities)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "identities.csv:3: column 2 (display_name): holds the control character U+001F",
        ));
    assert_eq!(scratch.dump(), "", "nothing was written");
}
