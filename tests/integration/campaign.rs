//! `recert campaign`, `status`, `items` and `decide` on a small hand-made
//! company whose every item is written out below.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::Scratch;

const IDENTITIES: &str = "identity_id,display_name,email,kind,status,manager_id,owner_id,termination_date\n\
M1,Mia Manager,mia@x.example,human,active,,,\n\
E1,Eve Active,eve@x.example,human,active,M1,,\n\
E2,Ed Leaver,ed@x.example,human,terminated,M1,,2026-08-31\n\
E3,Olu Owner,olu@x.example,human,active,M1,,\n\
E4,Gone Owner,gone@x.example,human,terminated,M1,,2026-06-30\n\
S1,deploy-bot,,service,active,,E3,\n\
S2,export-svc,,service,active,,E4,\n\
S3,legacy-ftp,,service,active,,,\n";

const SYSTEMS: &str = "system,owner_id,criticality\n\
github,E3,high\n\
aws,mia@x.example,critical\n\
sftp,,low\n";

const ENTITLEMENTS: &str = "identity_id,system,entitlement,type,privileged,granted_at,last_used_at,last_rotated_at,expires_at\n\
E1,github,member,role,false,2025-01-01,2026-11-20,,\n\
EVE@X.EXAMPLE,github,admin,role,true,2025-01-01,2026-11-25,,\n\
E2,github,member,role,false,2025-01-01,2026-10-03,,\n\
X999,aws,viewer,role,false,2025-01-01,,,\n\
S1,aws,AKIA1,api_key,false,2025-01-01,2026-11-29,2026-10-01,\n\
S2,aws,AKIA2,api_key,false,2025-01-01,2026-11-29,2025-10-01,\n\
S3,sftp,upload,account,false,2025-01-01,2026-11-29,,\n\
E3,github,owner,role,true,2025-01-01,2026-11-29,,\n\
E1,aws,ReadOnly,role,false,2026-11-20,,,\n\
E1,aws,Contractor,role,false,2025-01-01,2026-11-29,,2026-10-31\n\
M1,github,member,role,false,2025-01-01,2026-09-01,,\n";

/// (item, control, signals, recommendation, reviewer) for every grant above.
/// Items are numbered by control (numerically), then reviewer, then source line.
const EXPECTED: [(i64, &str, &str, &str, &str); 11] = [
    // Line 4: a leaver, reviewed by their manager.
    (1, "5.16", "terminated", "revoke", "M1"),
    // Line 5, orphaned: the system owner, named by email, is resolved to M1.
    (2, "5.16", "orphaned;dormant", "revoke", "M1"),
    // Line 6: an NHI with an active owner is reviewed by that owner.
    (3, "5.17", "", "certify", "E3"),
    // Line 7: the owner has left: no-owner, and the system owner reviews instead.
    (4, "5.17", "unrotated;no-owner", "certify", "M1"),
    (5, "5.18", "", "certify", "M1"),
    (6, "5.18", "new", "certify", "M1"),
    (7, "5.18", "expired", "revoke", "M1"),
    // Line 8: no owner, system without owner: the default reviewer.
    (8, "5.18", "no-owner", "certify", "iam-lead"),
    // Line 12: no manager, used exactly 90 days ago: dormant, default reviewer.
    (9, "5.18", "dormant", "revoke", "iam-lead"),
    // Line 3, privileged: the system owner reviews.
    (10, "8.2", "privileged", "certify", "E3"),
    // Line 9: the system owner holds it and is never assigned their own access.
    (11, "8.2", "privileged", "certify", "M1"),
];

pub fn import(scratch: &Scratch) {
    let files = [
        scratch.file("identities.csv", IDENTITIES),
        scratch.file("entitlements.csv", ENTITLEMENTS),
        scratch.file("systems.csv", SYSTEMS),
    ];
    scratch.import(&files);
    // The OS user the tests run as decides and signs off as itself.
    scratch.known_reviewers(&["tester"]);
}

/// Imports the company and creates campaign "Q4"; returns its id as printed.
pub fn campaign(scratch: &Scratch) -> String {
    import(scratch);
    scratch.campaign(
        "Q4",
        &[
            "--period",
            "2026-Q4",
            "--due",
            "2026-12-31",
            "--default-reviewer",
            "iam-lead",
        ],
    )
}

pub fn json(scratch: &Scratch, args: &[&str]) -> Value {
    let output = scratch.recert().args(args).output().expect("run");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("json")
}

pub fn items(scratch: &Scratch, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["items", "Q4", "--json"];
    args.extend_from_slice(extra);
    match json(scratch, &args) {
        Value::Array(items) => items,
        other => panic!("not an array: {other}"),
    }
}

pub fn item(scratch: &Scratch, id: i64) -> Value {
    items(scratch, &[])
        .into_iter()
        .find(|i| i["item_id"] == id)
        .expect("item")
}

#[test]
fn create_prints_only_the_new_id() {
    let scratch = Scratch::new();
    assert_eq!(campaign(&scratch), "1\n");
}

#[test]
fn every_item_gets_its_control_signals_recommendation_and_reviewer() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let mut items = items(&scratch, &[]);
    items.sort_by_key(|i| i["item_id"].as_i64());
    assert_eq!(items.len(), EXPECTED.len());
    for (item, (id, control, signals, recommendation, reviewer)) in items.iter().zip(EXPECTED) {
        let found_signals: Vec<&str> = item["signals"]
            .as_array()
            .expect("signals")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            (
                item["item_id"].as_i64(),
                item["control_id"].as_str(),
                found_signals.join(";").as_str(),
                item["recommendation"].as_str(),
                item["assigned_reviewer"].as_str(),
            ),
            (
                Some(id),
                Some(control),
                signals,
                Some(recommendation),
                Some(reviewer)
            ),
            "item {id}: {item}"
        );
        assert_eq!(
            item["reasons"].as_array().map(Vec::len),
            Some(found_signals.len()),
            "one reason per signal: {item}"
        );
    }
}

#[test]
fn reasons_read_at_a_glance() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let reasons = |id| item(&scratch, id)["reasons"].clone();
    assert_eq!(
        reasons(1),
        serde_json::json!(["identity E2 terminated 2026-08-31"])
    );
    assert_eq!(
        reasons(2),
        serde_json::json!([
            "no identity X999 in the identities export",
            "never used, granted 698 days ago"
        ])
    );
    assert_eq!(
        reasons(4),
        serde_json::json!([
            "API key not rotated for 425 days",
            "owner E4 has left (terminated 2026-06-30)"
        ])
    );
    assert_eq!(reasons(8), serde_json::json!(["no owner recorded"]));
    assert_eq!(reasons(9), serde_json::json!(["last used 90 days ago"]));
    let nhi = item(&scratch, 4);
    assert_eq!(nhi["owner_id"], "E4");
    assert_eq!(nhi["rotated_days_ago"], 425);
    assert_eq!(nhi["last_used_days_ago"], 1);
    assert_eq!(
        nhi["recommendation_reason"],
        "no revoke signal; confirm the need (unrotated, no-owner) in the justification"
    );
}

#[test]
fn items_json_has_exactly_the_documented_fields_first() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let first = items(&scratch, &[]).remove(0);
    let keys: Vec<&str> = first
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .take(17)
        .collect();
    assert_eq!(
        keys,
        [
            "item_id",
            "control_id",
            "identity_id",
            "identity_name",
            "identity_kind",
            "system",
            "entitlement",
            "entitlement_type",
            "privileged",
            "signals",
            "reasons",
            "recommendation",
            "assigned_reviewer",
            "decision",
            "justification",
            "decided_by",
            "decided_at"
        ]
    );
    assert_eq!(first["decision"], Value::Null);
    // Review order: 5.16 first, then 5.17, 5.18, 8.2.
    let controls: Vec<String> = items(&scratch, &[])
        .iter()
        .map(|i| i["control_id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        controls,
        [
            "5.16", "5.16", "5.17", "5.17", "5.18", "5.18", "5.18", "5.18", "5.18", "8.2", "8.2"
        ]
    );
}

#[test]
fn status_counts_per_control_in_numeric_order() {
    let scratch = Scratch::new();
    campaign(&scratch);
    scratch
        .recert()
        .args([
            "decide",
            "Q4",
            "1",
            "2",
            "--revoke",
            "--justification",
            "left",
        ])
        .args(["--reviewer", "M1"])
        .assert()
        .success();
    scratch
        .recert()
        .args(["decide", "Q4", "5", "--certify", "--reviewer", "M1"])
        .assert()
        .success();
    let status = json(&scratch, &["status", "--json"]);
    assert_eq!(status["campaign"]["id"], 1);
    assert_eq!(status["campaign"]["name"], "Q4");
    assert_eq!(status["campaign"]["period"], "2026-Q4");
    assert_eq!(status["campaign"]["state"], "open");
    assert_eq!(
        (
            &status["total"],
            &status["decided"],
            &status["certified"],
            &status["revoked"]
        ),
        (
            &Value::from(11),
            &Value::from(3),
            &Value::from(1),
            &Value::from(2)
        )
    );
    let controls: Vec<(String, u64, u64)> = status["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or("").to_owned(),
                c["total"].as_u64().unwrap_or(0),
                c["decided"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        controls,
        [
            ("5.16".to_owned(), 2, 2),
            ("5.17".to_owned(), 2, 0),
            ("5.18".to_owned(), 5, 1),
            ("8.2".to_owned(), 2, 0)
        ]
    );
    assert_eq!(status["controls"][0]["title"], "Identity management");
    scratch
        .recert()
        .arg("status")
        .assert()
        .success()
        .stdout(predicate::str::contains("5.16     Identity management"))
        .stdout(predicate::str::contains("8 of 11 items undecided."));
}
