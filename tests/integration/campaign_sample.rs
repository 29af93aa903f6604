//! A campaign over the Northwind sample data set: the counts per control and
//! per signal that sample-data/README.md's hand-check section implies.

use serde_json::Value;

use crate::campaign::json;
use crate::support::{Scratch, sample};

fn northwind() -> Scratch {
    let scratch = Scratch::new();
    scratch
        .recert()
        .arg("import")
        .arg(sample("identities.csv"))
        .arg(sample("entitlements.csv"))
        .arg(sample("systems.csv"))
        .assert()
        .success();
    let id = scratch.campaign(
        "2026-Q4",
        &[
            "--period",
            "2026-Q4",
            "--due",
            "2026-12-31",
            "--default-reviewer",
            "iam-team",
        ],
    );
    assert_eq!(id, "1\n");
    scratch
}

fn items(scratch: &Scratch, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["items", "2026-Q4", "--json"];
    args.extend_from_slice(extra);
    match json(scratch, &args) {
        Value::Array(items) => items,
        other => panic!("not an array: {other}"),
    }
}

#[test]
fn controls_and_signals_match_the_hand_check() {
    let scratch = northwind();
    let status = json(&scratch, &["status", "2026-Q4", "--json"]);
    assert_eq!(status["total"], 1475);
    let per_control: Vec<(&str, u64)> = status["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or(""),
                c["total"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // "Expected control per grant ...: 5.16 77, 5.17 47, 8.2 48, 5.18 1303"
    assert_eq!(
        per_control,
        [("5.16", 77), ("5.17", 47), ("5.18", 1303), ("8.2", 48)]
    );
    let signal = |name: &str| -> u64 {
        status["controls"]
            .as_array()
            .expect("controls")
            .iter()
            .filter_map(|c| c["signals"][name].as_u64())
            .sum()
    };
    assert_eq!(signal("orphaned"), 13, "orphaned grants: 13");
    assert_eq!(
        signal("terminated"),
        64,
        "grants held by terminated identities: 64"
    );
    assert_eq!(signal("privileged"), 50, "privileged: 50");
    assert_eq!(signal("expired"), 27, "expired: 27");
    assert_eq!(signal("new"), 57, "new: 57");
    // Thresholds are inclusive: 185 dormant plus the one at exactly 90 days,
    // 32 unrotated plus the two at exactly 90 days.
    assert_eq!(signal("dormant"), 186);
    assert_eq!(signal("unrotated"), 34);
    // svc-legacy-ftp (no owner) and svc-reporting-export (owner E0870 left).
    let ownerless: Vec<String> = items(&scratch, &["--signal", "no-owner"])
        .iter()
        .map(|i| i["identity_id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(ownerless.len(), 6, "{ownerless:?}");
    assert!(
        ownerless
            .iter()
            .all(|id| id == "svc-legacy-ftp" || id == "svc-reporting-export")
    );
}

#[test]
fn the_stories_of_the_readme_come_out_as_written() {
    let scratch = northwind();
    let all = items(&scratch, &[]);
    let find = |holder: &str, entitlement: &str| -> &Value {
        all.iter()
            .find(|i| i["identity_id"] == holder && i["entitlement"] == entitlement)
            .unwrap_or_else(|| panic!("{holder} {entitlement}"))
    };
    // E0763 left on the as-of day itself.
    let payroll = find("E0763", "payroll-approver");
    assert_eq!(payroll["control_id"], "5.16");
    assert_eq!(payroll["recommendation"], "revoke");
    assert_eq!(
        payroll["reasons"][0],
        "identity E0763 terminated 2026-11-30"
    );
    // The owner of svc-reporting-export has left: its reviewer is the system owner.
    let export = all
        .iter()
        .find(|i| i["identity_id"] == "svc-reporting-export" && i["system"] == "aws-prod")
        .expect("svc-reporting-export on aws-prod");
    assert!(
        export["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r == "owner E0870 has left (terminated 2026-06-30)"),
        "{export}"
    );
    // svc-legacy-ftp has no owner and lives on the one system without one.
    for item in all.iter().filter(|i| i["identity_id"] == "svc-legacy-ftp") {
        assert_eq!(item["assigned_reviewer"], "iam-team", "{item}");
    }
    // Grants named by e-mail in another case are linked, not orphaned.
    let zoe = all
        .iter()
        .find(|i| i["identity_id"] == "E0706" && i["system"] == "okta")
        .expect("Zoë on okta");
    assert_eq!(zoe["identity_name"], "Zoë Müller");
    // No system owner is ever assigned their own privileged access (12 conflicts).
    for item in &all {
        let holder = item["identity_id"].as_str().unwrap_or("");
        assert_ne!(item["assigned_reviewer"], holder, "{item}");
    }
    let conflict = find("E0950", "cluster-admin");
    assert_eq!(conflict["control_id"], "8.2");
    assert_ne!(conflict["assigned_reviewer"], "E0950");
}

#[test]
fn counts_stored_at_creation_match_a_count_of_the_items() {
    let scratch = northwind();
    let stored = json(&scratch, &["status", "2026-Q4", "--json"]);
    let conn = rusqlite::Connection::open(scratch.workspace()).expect("open");
    let count = |control: &str, mask: u32| -> u64 {
        conn.query_row(
            "SELECT count(*) FROM items WHERE control_id = ?1 AND (signal_mask & ?2) = ?2",
            (control, mask),
            |row| row.get(0),
        )
        .expect("count")
    };
    let controls = stored["controls"].as_array().expect("controls");
    assert_eq!(controls.len(), 4);
    for control in controls {
        let id = control["id"].as_str().expect("id");
        assert_eq!(control["total"], count(id, 0), "{id}");
        for signal in recert::model::Signal::ALL {
            let counted = count(id, signal.bit());
            let shown = control["signals"][signal.as_str()].as_u64().unwrap_or(0);
            assert_eq!(shown, counted, "{id} {signal}");
        }
    }
    assert_eq!(stored["total"], 1475);
}
