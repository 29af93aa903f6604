//! The quarterly cycle through the real binary (issue #13, PRODUCT.md §7):
//! a signed-off campaign as the next one's baseline, revocations followed
//! across re-imports, the remediation command, status and addendum, and
//! time-boxed certifications.

use std::path::PathBuf;

use chrono::{Days, Utc};
use predicates::prelude::*;
use serde_json::Value;

use crate::support::{Scratch, fixture};

const IDENTITIES: &str = "identity_id,display_name,email,kind,status,manager_id,termination_date\n\
M1,Mia Manager,mia@x.example,human,active,,\n\
E1,Ann One,ann@x.example,human,active,M1,\n\
E2,Bob Two,bob@x.example,human,active,M1,\n\
E3,Cy Leaver,cy@x.example,human,terminated,M1,2026-10-01\n";

const HEADER: &str = "identity_id,system,entitlement,type,privileged,granted_at,last_used_at\n";
const E1_USER: &str = "E1,crm,user,role,false,2025-01-01,2026-11-20\n";
const E1_ADMIN: &str = "E1,crm,admin,role,true,2025-01-01,2026-11-20\n";
const E2_USER: &str = "E2,crm,user,role,false,2025-01-01,2025-01-15\n";
const E2_WIKI: &str = "E2,wiki,editor,group,false,2025-01-01,2025-01-15\n";
const E3_USER: &str = "E3,crm,user,role,false,2025-01-01,2026-09-20\n";
const E3_WIKI: &str = "E3,wiki,editor,group,false,2025-01-01,2026-09-20\n";
const X9_USER: &str = "X9,crm,user,role,false,2025-01-01,\n";
const E1_WIKI: &str = "E1,wiki,reader,group,false,2026-11-25,2026-11-28\n";

fn entitlements(scratch: &Scratch, name: &str, rows: &[&str]) -> PathBuf {
    let text: String = std::iter::once(HEADER)
        .chain(rows.iter().copied())
        .collect();
    scratch.file(name, &text)
}

fn json(scratch: &Scratch, args: &[&str]) -> Value {
    let output = scratch.recert().args(args).output().expect("run");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

fn ids(scratch: &Scratch, campaign: &str) -> Vec<String> {
    json(scratch, &["items", campaign, "--json"])
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["item_id"].to_string())
        .collect()
}

/// Campaign "Q3" over every grant above but E1's wiki role, decided as
/// recommended (5 revocations: E2's two dormant grants, E3's two, X9's
/// orphaned one) and signed off.
fn signed_off_q3() -> Scratch {
    let scratch = Scratch::new();
    let identities = scratch.file("identities.csv", IDENTITIES);
    let grants = entitlements(
        &scratch,
        "entitlements.csv",
        &[
            E1_USER, E1_ADMIN, E2_USER, E2_WIKI, E3_USER, E3_WIKI, X9_USER,
        ],
    );
    scratch.import(&[identities, grants]);
    scratch.campaign("Q3", &["--default-reviewer", "M1"]);
    let items = ids(&scratch, "Q3");
    scratch
        .recert()
        .args([
            "decide",
            "Q3",
            "--accept",
            "--justification",
            "checked",
            "--reviewer",
            "M1",
        ])
        .args(&items)
        .assert()
        .success()
        .stdout(predicate::str::contains("Recorded revoke on items"));
    scratch
        .recert()
        .args(["reviewer", "add", "CISO"])
        .assert()
        .success();
    scratch
        .recert()
        .args(["signoff", "Q3", "--reviewer", "CISO"])
        .assert()
        .success();
    scratch
}

fn item<'a>(items: &'a Value, holder: &str, system: &str, entitlement: &str) -> &'a Value {
    items
        .as_array()
        .expect("items")
        .iter()
        .find(|i| {
            i["identity_id"] == holder && i["system"] == system && i["entitlement"] == entitlement
        })
        .unwrap_or_else(|| panic!("no item {holder} {system} {entitlement}"))
}

fn states(scratch: &Scratch, campaign: &str) -> Vec<(String, String, String)> {
    let report = json(scratch, &["remediation", campaign, "--json"]);
    report["revocations"]
        .as_array()
        .expect("revocations")
        .iter()
        .map(|r| {
            (
                format!(
                    "{} {} {}",
                    r["account"].as_str().unwrap_or(""),
                    r["system"].as_str().unwrap_or(""),
                    r["entitlement"].as_str().unwrap_or("")
                ),
                r["state"].as_str().unwrap_or("").to_owned(),
                r["snapshot"]["file"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_import_reports_what_it_resolved_and_remediation_keeps_the_history() {
    let scratch = signed_off_q3();
    // Nothing imported after the sign-off: nothing re-checked yet.
    assert!(
        states(&scratch, "Q3")
            .iter()
            .all(|(_, state, _)| state == "not-rechecked")
    );
    // December: E3 and X9 are gone, E2 is not.
    let december = entitlements(
        &scratch,
        "december.csv",
        &[E1_USER, E1_ADMIN, E2_USER, E2_WIKI],
    );
    scratch
        .recert()
        .args(["import"])
        .arg(&december)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Remediation:\n  campaign \"Q3\" (1): 3 revocations now removed, 2 pending\n",
        ));
    // January: E3's crm account is back.
    let january = entitlements(
        &scratch,
        "january.csv",
        &[E1_USER, E1_ADMIN, E2_USER, E2_WIKI, E3_USER, E1_WIKI],
    );
    scratch
        .recert()
        .args(["import"])
        .arg(&january)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "campaign \"Q3\" (1): 2 revocations now removed, 2 pending, 1 reappeared",
        ));
    let found = states(&scratch, "Q3");
    let state_of = |grant: &str| {
        found
            .iter()
            .find(|(g, _, _)| g == grant)
            .map(|(_, state, file)| (state.as_str(), file.as_str()))
    };
    assert_eq!(
        state_of("E2 crm user"),
        Some(("pending", "january.csv")),
        "{found:?}"
    );
    assert_eq!(
        state_of("E3 wiki editor"),
        Some(("removed", "december.csv")),
        "removed as of the first export without it"
    );
    assert_eq!(state_of("X9 crm user"), Some(("removed", "december.csv")));
    assert_eq!(state_of("E3 crm user"), Some(("reappeared", "january.csv")));
}

/// `signed_off_q3`, then December's export (E3's grants and X9's gone) and
/// January's (E3's crm account back, E1's new wiki role); returns
/// December's file.
fn reimported() -> (Scratch, PathBuf) {
    let scratch = signed_off_q3();
    let december = entitlements(
        &scratch,
        "december.csv",
        &[E1_USER, E1_ADMIN, E2_USER, E2_WIKI],
    );
    scratch.import(std::slice::from_ref(&december));
    let january = entitlements(
        &scratch,
        "january.csv",
        &[E1_USER, E1_ADMIN, E2_USER, E2_WIKI, E3_USER, E1_WIKI],
    );
    scratch.import(&[january]);
    (scratch, december)
}

#[test]
fn remediation_and_status_show_each_state_with_the_export_that_shows_it() {
    let (scratch, december) = reimported();
    let report = json(&scratch, &["remediation", "Q3", "--json"]);
    let removed = report["revocations"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["state"] == "removed")
        .expect("a removed one");
    let sha = hex_sha256(&december);
    assert_eq!(
        removed["snapshot"]["sha256"],
        sha.as_str(),
        "the snapshot that proved it"
    );
    assert_eq!(report["counts"]["removed"], 2);
    assert_eq!(report["counts"]["reappeared"], 1);
    assert_eq!(report["sla_days"], 30);

    scratch
        .recert()
        .args(["remediation", "Q3"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "5 revocations — 2 removed, 2 pending, 0 not re-checked, 1 reappeared",
        ))
        .stdout(predicate::str::contains("december.csv"))
        .stdout(predicate::str::contains(format!("sha256 {sha}")));
    scratch
        .recert()
        .args(["status", "Q3"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Remediation: 2 removed, 2 pending, 0 not re-checked, 1 reappeared",
        ));
    let status = json(&scratch, &["status", "Q3", "--json"]);
    assert_eq!(status["remediation"]["pending"], 2);
    assert_eq!(status["remediation"]["not_rechecked"], 0);
}

#[test]
fn the_next_quarter_flags_what_came_back_and_what_never_went() {
    let (scratch, _) = reimported();
    scratch.campaign("Q4", &["--default-reviewer", "M1"]);
    let q4 = json(&scratch, &["items", "Q4", "--json"]);
    let e2 = item(&q4, "E2", "crm", "user");
    assert_eq!(e2["delta"], "regranted");
    assert!(
        e2["signals"]
            .as_array()
            .expect("signals")
            .contains(&Value::from("revoked-not-removed"))
    );
    assert_eq!(e2["recommendation"], "revoke");
    let e3 = item(&q4, "E3", "crm", "user");
    assert!(
        e3["signals"]
            .as_array()
            .expect("signals")
            .contains(&Value::from("regranted"))
    );
}

fn hex_sha256(path: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(std::fs::read(path).expect("read")))
}

#[test]
fn a_scope_never_exported_again_is_not_rechecked() {
    let scratch = Scratch::new();
    let identities = scratch.file("identities.csv", IDENTITIES);
    let grants = entitlements(&scratch, "entitlements.csv", &[E1_USER, X9_USER]);
    scratch.import(&[
        identities,
        grants.clone(),
        fixture("aws-credential-report.csv"),
    ]);
    scratch.campaign("Q3", &["--default-reviewer", "M1"]);
    let items = json(&scratch, &["items", "Q3", "--json"]);
    let all: Vec<String> = items
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["item_id"].to_string())
        .collect();
    let aws = items
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["system"].as_str().is_some_and(|s| s.starts_with("aws:")))
        .expect("an AWS grant")["item_id"]
        .to_string();
    let x9 = item(&items, "X9", "crm", "user")["item_id"].to_string();
    scratch
        .recert()
        .args([
            "decide",
            "Q3",
            "--certify",
            "--justification",
            "kept",
            "--reviewer",
            "M1",
        ])
        .args(&all)
        .assert()
        .success();
    scratch
        .recert()
        .args([
            "decide",
            "Q3",
            "--revoke",
            "--justification",
            "gone",
            "--reviewer",
            "M1",
            &aws,
            &x9,
        ])
        .assert()
        .success();
    scratch
        .recert()
        .args(["reviewer", "add", "CISO"])
        .assert()
        .success();
    scratch
        .recert()
        .args(["signoff", "Q3", "--reviewer", "CISO"])
        .assert()
        .success();
    // Only the canonical export comes again, without X9.
    let again = entitlements(&scratch, "again.csv", &[E1_USER]);
    scratch.import(&[again]);
    let report = json(&scratch, &["remediation", "Q3", "--json"]);
    let rows = report["revocations"].as_array().expect("rows");
    let state = |id: &str| {
        rows.iter()
            .find(|r| r["item_id"].as_i64().map(|i| i.to_string()).as_deref() == Some(id))
            .map(|r| {
                (
                    r["state"].as_str().unwrap_or("").to_owned(),
                    r["snapshot"].clone(),
                )
            })
    };
    assert_eq!(state(&x9).map(|s| s.0), Some("removed".to_owned()));
    assert_eq!(
        state(&aws),
        Some(("not-rechecked".to_owned(), Value::Null)),
        "no AWS report was imported after the sign-off: not re-checked, not removed"
    );
}

#[test]
fn a_baseline_that_is_not_signed_off_is_refused() {
    let scratch = Scratch::new();
    let identities = scratch.file("identities.csv", IDENTITIES);
    let grants = entitlements(&scratch, "entitlements.csv", &[E1_USER]);
    scratch.import(&[identities, grants]);
    scratch.campaign("Q3", &[]);
    let before = scratch.dump();
    scratch
        .create_campaign("Q4", &["--baseline", "Q3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "campaign 1 (Q3) is not signed off, so it cannot be the baseline: its decisions may still change. Sign it off first (recert signoff 1), name a signed-off campaign, or give --baseline none",
        ));
    assert_eq!(scratch.dump(), before, "no campaign was created");
    scratch
        .create_campaign("Q4", &["--baseline", "none"])
        .assert()
        .success();
    scratch
        .recert()
        .args(["remediation", "Q3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "campaign 1 (Q3) is not signed off",
        ));
}

/// Campaign "Q4" (id 2) over E1's two crm roles again and a new wiki role,
/// compared with Q3; its items.
fn next_quarter(scratch: &Scratch) -> Value {
    let again = entitlements(scratch, "again.csv", &[E1_USER, E1_ADMIN, E1_WIKI]);
    scratch.import(&[again]);
    scratch
        .create_campaign("Q4", &["--default-reviewer", "M1"])
        .assert()
        .success()
        .stdout("2\n")
        .stderr(predicate::str::contains(
            "compared with campaign 1 (Q3): 1 new, 2 unchanged (1 recommended to certify as decided then), 0 changed, 0 regranted",
        ));
    json(scratch, &["items", "Q4", "--json"])
}

/// The sign-off keeps each item's decision for later baselines, and
/// nothing changes them afterwards.
#[test]
fn a_sign_off_keeps_its_decisions_for_later_baselines_unchangeable() {
    let scratch = signed_off_q3();
    let conn = rusqlite::Connection::open(scratch.workspace()).expect("open");
    let kept: Vec<(String, String, Option<String>)> = conn
        .prepare(
            "SELECT bd.decision, bd.decider, bd.justification FROM baseline_decisions bd
             JOIN items it ON it.id = bd.item_id JOIN grants g ON g.id = it.grant_row
             WHERE bd.campaign_id = 1 AND g.identity_ref IN ('E1', 'X9')
             ORDER BY g.identity_ref, g.entitlement",
        )
        .expect("select")
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("read");
    let certified = (
        "certify".to_owned(),
        "M1".to_owned(),
        Some("checked".to_owned()),
    );
    assert_eq!(
        kept,
        [
            certified.clone(),
            certified,
            ("revoke".to_owned(), "M1".to_owned(), None),
        ],
        "E1's admin and user roles, X9's revoked one (no justification kept)"
    );
    for change in [
        "UPDATE baseline_decisions SET decision = 'certify'",
        "DELETE FROM baseline_decisions",
    ] {
        let refused = conn.execute(change, []).expect_err(change);
        assert!(
            refused.to_string().contains("decisions are final"),
            "{refused}"
        );
    }
}

/// A workspace signed off by a recert of schema 15: the decisions kept for
/// later baselines (migration 0016) are written by the upgrade.
#[test]
fn a_campaign_signed_off_before_schema_16_is_still_the_next_ones_baseline() {
    let scratch = signed_off_q3();
    {
        let conn = rusqlite::Connection::open(scratch.workspace()).expect("open");
        conn.execute_batch(
            // What migrations 0016 and 0017 add, taken away (the view they
            // replace again stands in for schema 15's).
            "DROP TRIGGER baseline_decisions_final_update;
             DROP TRIGGER baseline_decisions_final_delete;
             DROP TABLE baseline_decisions;
             DROP VIEW item_view;
             DROP TABLE packet_priors;
             ALTER TABLE items DROP COLUMN appended_text;
             CREATE VIEW item_view AS SELECT 1 AS item_id;
             PRAGMA user_version = 15;",
        )
        .expect("back to schema 15");
    }
    let q4 = next_quarter(&scratch);
    let user = item(&q4, "E1", "crm", "user");
    assert_eq!(user["prior_decision"], "certify 1");
    assert_eq!(
        user["recommendation_reason"],
        "certified in Q3 by M1: 'checked'; unchanged"
    );
    let kept: i64 = rusqlite::Connection::open(scratch.workspace())
        .expect("open")
        .query_row(
            "SELECT count(*) FROM baseline_decisions WHERE campaign_id = 1",
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(kept, 7, "one per item of Q3");
}

#[test]
fn the_next_campaign_carries_over_unchanged_certifications_into_items_and_evidence() {
    let scratch = signed_off_q3();
    let q4 = next_quarter(&scratch);
    let user = item(&q4, "E1", "crm", "user");
    assert_eq!(user["delta"], "unchanged");
    assert_eq!(user["prior_decision"], "certify 1");
    assert_eq!(user["prior"]["justification"], "checked");
    assert_eq!(user["carry_over"], true);
    assert_eq!(
        user["recommendation_reason"],
        "certified in Q3 by M1: 'checked'; unchanged"
    );
    let admin = item(&q4, "E1", "crm", "admin");
    assert_eq!(admin["delta"], "unchanged");
    assert_eq!(
        admin["carry_over"], false,
        "privileged: a risk signal, never carried over"
    );
    let wiki = item(&q4, "E1", "wiki", "reader");
    assert_eq!(wiki["delta"], "new");
    assert_eq!(wiki["prior_decision"], Value::Null);

    let user_id = user["item_id"].to_string();
    let admin_id = admin["item_id"].to_string();
    scratch
        .recert()
        .args(["decide", "Q4", "--accept", "--reviewer", "M1", &user_id])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Recorded certify (carry-over) on item",
        ));
    let until = (Utc::now().date_naive() + Days::new(30)).to_string();
    scratch
        .recert()
        .args([
            "decide",
            "Q4",
            "--certify",
            "--until",
            &until,
            "--justification",
            "migration until then",
            "--reviewer",
            "M1",
            &admin_id,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Recorded certify until {until} on item"
        )));
    let evidence = scratch.dir.path().join("evidence.csv");
    scratch
        .recert()
        .args(["export", "Q4", "-o"])
        .arg(&evidence)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(&evidence).expect("evidence");
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let row = |id: &str| {
        rows.iter()
            .find(|r| &r[column("item_id")] == id)
            .expect("row")
    };
    let user_row = row(&user_id);
    assert_eq!(&user_row[column("prior_decision")], "certify 1");
    assert_eq!(&user_row[column("decision_basis")], "carry-over");
    let admin_row = row(&admin_id);
    assert_eq!(&admin_row[column("valid_until")], until.as_str());
    assert_eq!(&admin_row[column("decision_basis")], "reviewer");
    let wiki_row = row(&wiki["item_id"].to_string());
    assert_eq!(
        &wiki_row[column("prior_decision")],
        "",
        "new: nothing before"
    );
}

/// A campaign "Q4" over E1's two roles, E3's (a leaver) and X9's
/// (orphaned); returns the item id of a holder's crm entitlement.
fn time_box_campaign() -> (Scratch, Value) {
    let scratch = Scratch::new();
    let identities = scratch.file("identities.csv", IDENTITIES);
    let grants = entitlements(
        &scratch,
        "entitlements.csv",
        &[E1_USER, E1_ADMIN, E3_USER, X9_USER],
    );
    scratch.import(&[identities, grants]);
    scratch.campaign("Q4", &["--default-reviewer", "M1"]);
    let items = json(&scratch, &["items", "Q4", "--json"]);
    (scratch, items)
}

/// The day `days` after today, as `--until` takes it.
fn day(days: u64) -> String {
    (Utc::now().date_naive() + Days::new(days)).to_string()
}

#[test]
fn time_boxed_certifications_are_refused_where_the_rules_say() {
    let (scratch, items) = time_box_campaign();
    let id = |holder: &str| item(&items, holder, "crm", "user")["item_id"].to_string();
    let yesterday = (Utc::now().date_naive() - Days::new(1)).to_string();
    let (soon, too_far) = (day(10), day(181));
    let (e1, e3, x9) = (id("E1"), id("E3"), id("X9"));
    let before = scratch.dump();
    let cases: [(Vec<&str>, String); 6] = [
        (
            vec!["--certify", "--until", &soon, "--justification", "x", &e3],
            "a time-boxed certification is never for access of someone who has left (terminated)"
                .to_owned(),
        ),
        (
            vec!["--certify", "--until", &soon, "--justification", "x", &x9],
            "never for an orphaned grant".to_owned(),
        ),
        (
            vec![
                "--certify",
                "--until",
                &yesterday,
                "--justification",
                "x",
                &e1,
            ],
            "has passed".to_owned(),
        ),
        (
            vec![
                "--certify",
                "--until",
                &too_far,
                "--justification",
                "x",
                &e1,
            ],
            format!(
                "is more than 180 days away, the most the rules allow ([exceptions] max_days); the latest end date today is {}",
                day(180)
            ),
        ),
        (
            vec!["--certify", "--until", &soon, &e1],
            "a time-boxed certification needs a justification".to_owned(),
        ),
        (
            vec![
                "--accept",
                "--until",
                &soon,
                "--justification",
                "x",
                &e1,
                &x9,
            ],
            "an end date only goes with certify".to_owned(),
        ),
    ];
    for (args, message) in cases {
        scratch
            .recert()
            .args(["decide", "Q4", "--reviewer", "M1"])
            .args(&args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message));
    }
    scratch
        .recert()
        .args([
            "decide",
            "Q4",
            "--revoke",
            "--until",
            &day(10),
            "--justification",
            "x",
        ])
        .arg(id("E1"))
        .assert()
        .failure();
    assert_eq!(scratch.dump(), before, "nothing was recorded");
}

#[test]
fn time_boxed_certifications_run_from_today_to_the_maximum_and_are_listed_soonest_first() {
    let (scratch, items) = time_box_campaign();
    let id = |entitlement: &str| item(&items, "E1", "crm", entitlement)["item_id"].to_string();
    // The last day allowed and today itself are fine.
    for (item, until) in [(id("user"), day(180)), (id("admin"), day(0))] {
        scratch
            .recert()
            .args(["decide", "Q4", "--certify", "--until", &until])
            .args([
                "--justification",
                "until the project ends",
                "--reviewer",
                "M1",
                &item,
            ])
            .assert()
            .success();
    }
    let listed = json(&scratch, &["exceptions", "--json"]);
    let listed = listed.as_array().expect("list");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["valid_until"], day(0), "soonest first");
    assert_eq!(listed[0]["days_left"], 0);
    assert_eq!(
        listed[0]["expired"], false,
        "until today: still valid today"
    );
    assert_eq!(listed[1]["days_left"], 180);
    let soon = json(&scratch, &["exceptions", "--expiring", "30", "--json"]);
    assert_eq!(soon.as_array().map(Vec::len), Some(1));
    scratch
        .recert()
        .args(["exceptions"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ends today"))
        .stdout(predicate::str::contains(
            "2 time-boxed certifications; 0 ended.",
        ));
}

#[test]
fn the_rules_set_the_longest_time_box() {
    let scratch = Scratch::new();
    let identities = scratch.file("identities.csv", IDENTITIES);
    let grants = entitlements(&scratch, "entitlements.csv", &[E1_USER]);
    scratch.import(&[identities, grants]);
    let rules = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/rules.toml"),
    )
    .expect("rules")
    .replace("max_days = 180", "max_days = 10");
    let rules = scratch.file("rules.toml", &rules);
    scratch.campaign("Q4", &["--rules", rules.to_str().expect("path")]);
    let item = ids(&scratch, "Q4").remove(0);
    let day = |days: u64| (Utc::now().date_naive() + Days::new(days)).to_string();
    scratch
        .recert()
        .args([
            "decide",
            "Q4",
            "--certify",
            "--until",
            &day(11),
            "--justification",
            "x",
            "--reviewer",
            "M1",
            &item,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("more than 10 days away"));
    scratch
        .recert()
        .args([
            "decide",
            "Q4",
            "--certify",
            "--until",
            &day(10),
            "--justification",
            "x",
            "--reviewer",
            "M1",
            &item,
        ])
        .assert()
        .success();
}

/// `signed_off_q3` with December's export (4 of 5 revocations gone), its
/// evidence and remediation addendum exported signed; returns the evidence,
/// the addendum and the public key.
fn signed_addendum() -> (Scratch, PathBuf, PathBuf, PathBuf) {
    let scratch = signed_off_q3();
    let december = entitlements(&scratch, "december.csv", &[E1_USER, E1_ADMIN, E2_USER]);
    scratch.import(&[december]);
    let keys = scratch.dir.path().join("keys");
    scratch
        .recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&keys)
        .assert()
        .success();
    let key = keys.join("recert.key");
    let evidence = scratch.dir.path().join("evidence.csv");
    let addendum = scratch.dir.path().join("remediation.csv");
    scratch
        .recert()
        .args(["export", "Q3", "-o"])
        .arg(&evidence)
        .arg("--key")
        .arg(&key)
        .assert()
        .success();
    scratch
        .recert()
        .args(["export", "Q3", "--remediation", "-o"])
        .arg(&addendum)
        .arg("--key")
        .arg(&key)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "5 revocations of campaign 1 (Q3): 4 removed, 1 pending",
        ));
    (scratch, evidence, addendum, keys.join("recert.pub"))
}

#[test]
fn the_remediation_addendum_is_signed_chained_to_the_evidence_and_verified() {
    let (scratch, evidence, addendum, public) = signed_addendum();
    let text = std::fs::read_to_string(&addendum).expect("addendum");
    assert!(text.starts_with(
        "campaign_id,item_id,system,account,entitlement,decision,decided_at,state,checked_snapshot,checked_file,checked_sha256,checked_at,days_since_signoff,prev_hash,row_hash\n"
    ));
    // Its first prev_hash is the evidence's last row_hash.
    let last_row_hash = std::fs::read_to_string(&evidence)
        .expect("evidence")
        .lines()
        .last()
        .and_then(|line| line.rsplit(',').next())
        .expect("hash")
        .to_owned();
    let first_row = text.lines().nth(1).expect("a row");
    assert!(
        first_row.contains(&format!(",{last_row_hash},")),
        "{first_row}"
    );
    scratch
        .recert()
        .args(["verify"])
        .arg(&addendum)
        .arg("--pubkey")
        .arg(&public)
        .arg("--evidence")
        .arg(&evidence)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "intact: remediation addendum, 5 rows of campaign 1",
        ))
        .stdout(predicate::str::contains("it continues"))
        .stdout(predicate::str::contains(
            "signature: good; recert remediation addendum; campaign 1",
        ));
    let script = std::process::Command::new("python3")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify-chain.py"))
        .arg(&addendum)
        .output()
        .expect("python3");
    assert_eq!(
        String::from_utf8_lossy(&script.stdout)
            .split(", last row_hash")
            .next(),
        Some(format!("chain intact: 5 rows, first prev_hash {last_row_hash}").as_str()),
        "{}",
        String::from_utf8_lossy(&script.stderr)
    );
    let minisign = std::process::Command::new("minisign")
        .arg("-Vm")
        .arg(&addendum)
        .arg("-p")
        .arg(&public)
        .output()
        .expect("minisign");
    assert!(
        minisign.status.success(),
        "minisign: {}",
        String::from_utf8_lossy(&minisign.stderr)
    );
}

#[test]
fn an_addendum_cut_or_changed_fails_verification() {
    let (scratch, evidence, addendum, _) = signed_addendum();
    let text = std::fs::read_to_string(&addendum).expect("addendum");
    // The first row cut off: the chain holds, but no longer continues the evidence.
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(1);
    let cut = scratch.file("cut.csv", &(lines.join("\n") + "\n"));
    scratch
        .recert()
        .args(["verify"])
        .arg(&cut)
        .arg("--evidence")
        .arg(&evidence)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the addendum does not continue"));
    // A row changed.
    let changed = scratch.file("changed.csv", &text.replacen(",removed,", ",pending,", 1));
    scratch
        .recert()
        .args(["verify"])
        .arg(&changed)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 2 (item_id"))
        .stderr(predicate::str::contains("row_hash does not match"));
    // --evidence only goes with an addendum.
    scratch
        .recert()
        .args(["verify"])
        .arg(&evidence)
        .arg("--evidence")
        .arg(&evidence)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not an addendum"));
}
