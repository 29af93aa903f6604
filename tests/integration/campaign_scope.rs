//! What goes into a campaign: filters, rules files, an empty scope, unique
//! names, and a campaign frozen against later imports.

use predicates::prelude::*;
use serde_json::Value;

use crate::campaign::{campaign, import, items, json};
use crate::support::Scratch;

fn create(scratch: &Scratch, name: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    scratch.create_campaign(name, extra).assert()
}

fn count(scratch: &Scratch, campaign: &str) -> u64 {
    json(scratch, &["status", campaign, "--json"])["total"]
        .as_u64()
        .expect("total")
}

#[test]
fn later_imports_never_change_an_existing_campaign() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let before = items(&scratch, &[]);
    // E2 is rehired, X999 appears, everyone's access is replaced by one grant.
    let identities = scratch.file(
        "identities-dec.csv",
        "identity_id,display_name,status,manager_id\nE2,Ed Returner,active,M9\nX999,Xavier,active,M9\n",
    );
    let entitlements = scratch.file(
        "entitlements-dec.csv",
        "identity_id,system,entitlement\nE2,github,maintainer\n",
    );
    scratch
        .recert()
        .arg("import")
        .arg(&identities)
        .arg(&entitlements)
        .assert()
        .success();
    assert_eq!(items(&scratch, &[]), before);
    // A new campaign sees the new view.
    create(&scratch, "Q4 again", &[]).success().stdout("2\n");
    let new: Vec<Value> = match json(&scratch, &["items", "2", "--json"]) {
        Value::Array(items) => items,
        other => panic!("{other}"),
    };
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["identity_name"], "Ed Returner");
    // M9 is no identity the workspace knows, so nobody could review as M9:
    // the item falls to the default reviewer, as the import warned.
    assert_eq!(new[0]["assigned_reviewer"], "tester");
}

#[test]
fn filters_choose_systems_kinds_and_controls() {
    let scratch = Scratch::new();
    import(&scratch);
    create(&scratch, "github", &["--system", "GitHub"]).success();
    assert_eq!(count(&scratch, "github"), 5);
    create(&scratch, "nhi", &["--kind", "service"]).success();
    assert_eq!(count(&scratch, "nhi"), 3);
    create(&scratch, "lifecycle", &["--controls", "5.16,8.2"]).success();
    assert_eq!(count(&scratch, "lifecycle"), 4);
    create(
        &scratch,
        "aws keys",
        &["--system", "aws", "--controls", "5.17"],
    )
    .success();
    assert_eq!(count(&scratch, "aws keys"), 2);
}

#[test]
fn bad_requests_are_refused_with_what_to_do() {
    let scratch = Scratch::new();
    create(&scratch, "empty", &[])
        .code(1)
        .stderr(predicate::str::contains(
            "nothing to review: the workspace holds no entitlements; import an entitlements export first",
        ));
    import(&scratch);
    // Unknown controls, kinds and bad dates are usage errors (cli_output).
    let cases: [(&str, &[&str], &str); 3] = [
        (
            "none",
            &["--system", "mainframe"],
            "nothing in scope: none of the 11 current grants matches --system mainframe; no campaign was created",
        ),
        (
            "unused control",
            &["--controls", "8.5"],
            "no rule files items under control 8.5 (Secure authentication); the rules use 5.16, 5.17, 8.2, 5.18",
        ),
        ("", &[], "the campaign name is empty"),
    ];
    for (name, args, message) in cases {
        create(&scratch, name, args)
            .code(1)
            .stderr(predicate::str::contains(message));
    }
    create(&scratch, "Q4", &[]).success().stdout("1\n");
    create(&scratch, "Q4", &[])
        .code(1)
        .stderr(predicate::str::contains(
            "a campaign named \"Q4\" already exists (id 1)",
        ));
    let listed = json(&scratch, &["campaign", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
}

#[test]
fn a_rules_file_changes_thresholds_and_controls_and_is_kept() {
    let scratch = Scratch::new();
    import(&scratch);
    let rules = "[thresholds]\ndormant_days = 30\n\n[[control]]\nid = \"5.17\"\nnon_human = true\n\n[[control]]\nid = \"5.15\"\n";
    let file = scratch.file("strict.toml", rules);
    create(
        &scratch,
        "strict",
        &["--rules", file.to_str().expect("path")],
    )
    .success();
    let status = json(&scratch, &["status", "strict", "--json"]);
    let controls: Vec<(&str, u64)> = status["controls"]
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
    assert_eq!(controls, [("5.15", 8), ("5.17", 3)]);
    // At 30 days, E2's grant last used on 2026-10-03 is dormant too.
    let strict = json(
        &scratch,
        &["items", "strict", "--json", "--signal", "dormant"],
    );
    let dormant: Vec<i64> = strict
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["item_id"].as_i64())
        .collect();
    assert_eq!(dormant, [3, 4, 8]);
    let conn = rusqlite::Connection::open(scratch.workspace()).expect("open");
    let kept: String = conn
        .query_row(
            "SELECT rules FROM campaigns WHERE name = 'strict'",
            [],
            |r| r.get(0),
        )
        .expect("rules");
    assert_eq!(kept, rules);
}

#[test]
fn a_bad_rules_file_names_its_line() {
    let scratch = Scratch::new();
    import(&scratch);
    let file = scratch.file(
        "bad.toml",
        "[signals]\njustify = [\"dormant\"]\nrevoke = [\"sleepy\"]\n[[control]]\nid = \"5.18\"\n",
    );
    create(&scratch, "bad", &["--rules", file.to_str().expect("path")])
        .code(1)
        .stderr(predicate::str::contains(format!(
            "rules file {}, line 3: unknown signal \"sleepy\"",
            file.display()
        )));
}

#[test]
fn items_filter_by_control_reviewer_signal_and_decision() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let ids = |extra: &[&str]| -> Vec<i64> {
        items(&scratch, extra)
            .iter()
            .filter_map(|i| i["item_id"].as_i64())
            .collect()
    };
    assert_eq!(ids(&["--control", "8.2"]), [10, 11]);
    // E3 by email, ignoring case.
    assert_eq!(ids(&["--reviewer", "OLU@x.example"]), [3, 10]);
    assert_eq!(ids(&["--signal", "no-owner", "--signal", "new"]), [4, 6, 8]);
    scratch
        .recert()
        .args(["decide", "Q4", "3", "--certify", "--reviewer", "E3"])
        .assert()
        .success();
    assert_eq!(ids(&["--reviewer", "E3", "--undecided"]), [10]);
    let mine = json(
        &scratch,
        &["status", "Q4", "--reviewer", "olu@x.example", "--json"],
    );
    assert_eq!(
        (&mine["total"], &mine["decided"]),
        (&Value::from(2), &Value::from(1))
    );
}

#[test]
fn items_csv_neutralises_formulas() {
    let scratch = Scratch::new();
    let identities = scratch.file(
        "identities.csv",
        "identity_id,display_name,manager_id\nE1,=HYPERLINK(\"x\"),M1\n",
    );
    let entitlements = scratch.file(
        "entitlements.csv",
        "identity_id,system,entitlement\nE1,@sys,+admin\n",
    );
    scratch
        .recert()
        .arg("import")
        .arg(&identities)
        .arg(&entitlements)
        .assert()
        .success();
    create(&scratch, "Q4", &[]).success();
    scratch
        .recert()
        .args(["items", "Q4", "--csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1,5.18,E1,\"'=HYPERLINK(\"\"x\"\")\",human,active,'@sys,'+admin,role,",
        ));
}

#[test]
fn status_without_a_campaign_names_the_choices() {
    let scratch = Scratch::new();
    import(&scratch);
    scratch
        .recert()
        .arg("status")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no campaigns yet"));
    create(&scratch, "A", &[]).success();
    create(&scratch, "B", &[]).success();
    scratch
        .recert()
        .arg("status")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "2 campaigns are open; name one of: 1 (A), 2 (B)",
        ));
}

#[test]
fn controls_lists_the_catalog() {
    let scratch = Scratch::new();
    let controls = json(&scratch, &["controls", "--json"]);
    let ids: Vec<&str> = controls
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["5.3", "5.15", "5.16", "5.17", "5.18", "8.2", "8.3", "8.5"]
    );
    assert_eq!(controls[4]["soc2"], serde_json::json!(["CC6.2", "CC6.3"]));
    scratch
        .recert()
        .arg("controls")
        .assert()
        .success()
        .stdout(predicate::str::contains("8.2  Privileged access rights"));
}
