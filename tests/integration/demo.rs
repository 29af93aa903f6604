//! `recert demo`: the embedded sample company as a fresh workspace with a
//! campaign, and never on top of a workspace that holds anything; and what
//! identity correlation makes of its exports (sample-data/README.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;

use crate::support::Scratch;

/// The sample company's campaign: the canonical grants plus the exports'.
const ITEMS: u64 = 1780;

#[test]
fn demo_builds_the_sample_campaign_and_says_where() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Demo workspace: {}",
            scratch.workspace().display()
        )))
        .stdout(predicate::str::contains(
            "\"Demo 2026-Q4\": 1780 review items",
        ))
        .stdout(predicate::str::contains(
            "Not a terminal, so the review is not opened.",
        ))
        .stderr(predicate::str::contains(
            "\"tester\" is not a person of the sample company, so the demo registered it as a reviewer",
        ));
    // The OS user the demo runs as is a known reviewer of its workspace.
    let first = json(&scratch, &["items", "Demo 2026-Q4", "--json"])[0]["item_id"].to_string();
    scratch
        .recert()
        .args([
            "decide",
            "Demo 2026-Q4",
            &first,
            "--revoke",
            "--justification",
            "demo",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("by tester (tester@"));
    let status = scratch
        .recert()
        .args(["status", "Demo 2026-Q4", "--json"])
        .output()
        .expect("status");
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(status["total"], ITEMS);
    assert_eq!(status["decided"], 1);
    assert_eq!(status["campaign"]["period"], "2026-Q4");
}

#[test]
fn demo_refuses_a_workspace_that_holds_data() {
    let scratch = Scratch::new();
    scratch.recert().arg("demo").assert().success();
    let before = scratch.dump();
    scratch
        .recert()
        .arg("demo")
        .assert()
        .failure()
        .stderr(predicate::str::contains("already holds data"));
    assert_eq!(scratch.dump(), before, "nothing was added");
}

#[test]
fn demo_accepts_an_empty_file() {
    let scratch = Scratch::new();
    std::fs::write(scratch.workspace(), b"").expect("empty file");
    scratch.recert().arg("demo").assert().success();
}

/// A demo workspace, built without a terminal.
fn demo() -> Scratch {
    let scratch = Scratch::new();
    scratch.recert().arg("demo").assert().success();
    scratch
}

fn json(scratch: &Scratch, args: &[&str]) -> Vec<Value> {
    let out = scratch.recert().args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match serde_json::from_slice(&out.stdout).expect("json") {
        Value::Array(rows) => rows,
        other => panic!("{other}"),
    }
}

/// sample-data/README.md's hand-check: every rule links a few accounts,
/// one is ambiguous, the rest are listed unlinked, some with suggestions.
#[test]
fn the_demo_links_accounts_by_every_rule() {
    let scratch = demo();
    let accounts = json(&scratch, &["links", "--json"]);
    let mut by_basis: BTreeMap<String, u64> = BTreeMap::new();
    for account in &accounts {
        let basis = match (
            account["link_basis"].as_str(),
            account["ambiguous"].as_array(),
        ) {
            (Some(basis), _) => basis.to_owned(),
            (None, Some(persons)) if !persons.is_empty() => "ambiguous".to_owned(),
            (None, _) => "unlinked".to_owned(),
        };
        *by_basis.entry(basis).or_default() += 1;
    }
    let expected: BTreeMap<String, u64> = [
        ("identity-id", 176),
        ("employee-id", 69),
        ("email", 11),
        ("email-alias", 10),
        ("object-id", 2),
        ("okta-app", 6),
        ("account-name", 2),
        ("secondary", 3),
        ("ambiguous", 1),
        ("unlinked", 24),
    ]
    .into_iter()
    .map(|(basis, n)| (basis.to_owned(), n))
    .collect();
    assert_eq!(by_basis, expected);
    assert_eq!(accounts.len(), 304);
    let account = |name: &str| -> &Value {
        accounts
            .iter()
            .find(|a| a["account"] == name)
            .unwrap_or_else(|| panic!("no account {name}"))
    };
    assert_eq!(
        account("aws:210987654321:joao.simoes")["ambiguous"],
        serde_json::json!(["E0215", "000388"])
    );
    let suggested = |name: &str| -> Vec<&str> {
        account(name)["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .filter_map(|c| c["person_id"].as_str())
            .collect()
    };
    assert_eq!(suggested("hvogel@northwind.example"), ["E0136"]);
    assert_eq!(suggested("deniz.sahin@northwind.example"), ["P2043"]);
    assert_eq!(suggested("jsimoes"), ["E0215", "000388"]);
    assert_eq!(suggested("mkohler"), ["E0714"]);
    assert_eq!(suggested("aws:210987654321:bjorna"), ["E0912"]);
    let linked = |name: &str| {
        let a = account(name);
        (
            a["person_id"].as_str().map(str::to_owned),
            a["link_basis"].as_str().map(str::to_owned),
        )
    };
    for (name, person, basis) in [
        (
            "goncalo.magalhaes@lisboa.northwind.example",
            "000742",
            "employee-id",
        ),
        (
            "ines.ortega@northwind-analytics.example",
            "000731",
            "employee-id",
        ),
        ("rita.brandao@lisboa.northwind.example", "000902", "email"),
        (
            "henrik.dahl@northwind-analytics.example",
            "E0638",
            "email-alias",
        ),
        ("sakura-y", "E0412", "okta-app"),
        ("aws:210987654321:ryamamoto", "E0117", "okta-app"),
        ("aws:210987654321:kavya.kulkarni", "E0583", "account-name"),
        ("aws:210987654321:henrik.dahl-admin", "E0638", "secondary"),
    ] {
        assert_eq!(
            linked(name),
            (Some(person.to_owned()), Some(basis.to_owned())),
            "{name}"
        );
    }
}

#[test]
fn demo_replays_the_previous_quarter_so_deltas_and_remediation_show() {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Campaign 1 \"Demo 2026-Q3\": the previous quarter, signed off; its revocations:",
        ))
        .stdout(predicate::str::contains("compared with it."));
    let json = |args: &[&str]| -> serde_json::Value {
        let output = scratch.recert().args(args).output().expect("run");
        assert!(output.status.success(), "{args:?}");
        serde_json::from_slice(&output.stdout).expect("json")
    };
    let remediation = json(&["remediation", "Demo 2026-Q3", "--json"]);
    for state in ["removed", "pending", "reappeared"] {
        assert!(
            remediation["counts"][state].as_u64() > Some(0),
            "the previous quarter shows {state} revocations: {}",
            remediation["counts"]
        );
    }
    let items = json(&["items", "Demo 2026-Q4", "--json"]);
    let items = items.as_array().expect("items");
    for delta in ["new", "unchanged", "changed", "regranted"] {
        assert!(
            items.iter().any(|i| i["delta"] == delta),
            "the demo campaign has {delta} items"
        );
    }
    assert!(items.iter().any(|i| i["carry_over"] == true));
    for signal in ["regranted", "revoked-not-removed"] {
        assert!(
            items.iter().any(|i| i["signals"]
                .as_array()
                .is_some_and(|s| s.iter().any(|v| v == signal))),
            "the demo campaign flags {signal}"
        );
    }
}

/// The leaver is caught under every key she has, and the review shows
/// the earlier reviews of her and of the others the exports name.
#[test]
fn the_demo_catches_its_leaver_under_every_key() {
    let scratch = demo();
    let items = json(&scratch, &["items", "Demo 2026-Q4", "--json"]);
    assert_eq!(items.len() as u64, ITEMS);
    let hers: Vec<&Value> = items.iter().filter(|i| i["person_id"] == "E0412").collect();
    let mut accounts: Vec<&str> = hers.iter().filter_map(|i| i["account"].as_str()).collect();
    accounts.sort_unstable();
    accounts.dedup();
    assert_eq!(
        accounts,
        [
            "E0412",
            "adm-sakura.yamamoto@northwind.example",
            "aws:210987654321:sakura.yamamoto",
            "sakura-y",
            "sakura.yamamoto@northwind-analytics.example",
            "sakura.yamamoto@northwind.example",
        ]
    );
    for item in &hers {
        let signals: Vec<&str> = item["signals"]
            .as_array()
            .expect("signals")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(signals.contains(&"terminated"), "{item}");
        assert_eq!(item["recommendation"], "revoke", "{item}");
        assert_eq!(item["prior_reviews"][0]["result"], "Approve", "{item}");
    }
    let kavya = items
        .iter()
        .find(|i| i["account"] == "aws:210987654321:kavya.kulkarni")
        .expect("Kavya's IAM user");
    assert_eq!(
        kavya["signals"],
        serde_json::json!(["unrotated", "no-mfa", "denied-before"])
    );
    let glass = items
        .iter()
        .find(|i| i["account"] == "aws:210987654321:breakglass-admin")
        .expect("break-glass user");
    assert_eq!(
        glass["recommendation"], "certify",
        "not revoked for being unused"
    );
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(name)
}

/// The files under sample-data/ import as a user would import them, and
/// the rehire is named at import, both records.
#[test]
fn the_sample_exports_import_with_their_mapping_and_name_the_rehire() {
    let scratch = Scratch::new();
    let mut files: Vec<PathBuf> = ["identities.csv", "entitlements.csv", "systems.csv"]
        .iter()
        .map(|f| sample(f))
        .collect();
    let exports = sample("exports");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&exports)
        .expect("exports")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    names.sort();
    files.extend(names);
    let mapping = format!(
        "{}={}",
        exports.join("hr-lisboa.csv").display(),
        exports.join("hr-lisboa.toml").display()
    );
    let out = scratch
        .recert()
        .arg("import")
        .args(&files)
        .args(["--mapping", &mapping])
        .output()
        .expect("import");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("000215") && said.contains("000902"),
        "the import names both records of the rehire:\n{said}"
    );
}

/// The previous quarter's exports are derived from the current sample by a
/// script: when the sample changes, the script must be run again.
#[test]
fn the_previous_quarter_is_what_the_script_derives_from_the_sample() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = Scratch::new();
    let out = scratch.dir.path().join("previous");
    let status = std::process::Command::new("python3")
        .arg(root.join("scripts/make-previous-quarter.py"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("python3");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    for name in ["entitlements-2026-08-31.csv", "entitlements-2026-10-15.csv"] {
        assert_eq!(
            std::fs::read(out.join(name)).expect("written"),
            std::fs::read(root.join("sample-data/previous").join(name)).expect("committed"),
            "sample-data/previous/{name} is stale: run scripts/make-previous-quarter.py"
        );
    }
}
