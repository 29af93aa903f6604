//! Toxic combinations and outliers (PRODUCT.md §11) through the binary:
//! `[[sod]]` rules across every account of a person, 5.3, the pair in
//! `items --json` and its resolution, justifications, outliers with their
//! peers, and rules-file errors with file and line.

use std::fmt::Write as _;

use serde_json::Value;

use crate::support::Scratch;

/// Mia manages six people; Jane also has an admin account. Jane creates
/// payments as herself and approves them as adm-jane.doe; only Jane
/// administers the CRM, every report reads the wiki.
const IDENTITIES: &str = "identity_id,display_name,email,manager_id,department,kind,status\n\
    M1,Mia Manager,mia@example.com,,Finance,human,active\n\
    E1,Jane Doe,jane.doe@example.com,M1,Finance,human,active\n\
    E2,Bob Two,bob@example.com,M1,Finance,human,active\n\
    E3,Cy Three,cy@example.com,M1,Finance,human,active\n\
    E4,Di Four,di@example.com,M1,Finance,human,active\n\
    E5,Ed Five,ed@example.com,M1,Finance,human,active\n\
    E6,Fay Six,fay@example.com,M1,Finance,human,active\n\
    E7,Gil Gone,gil@example.com,M1,Finance,human,terminated\n\
    S1,Export Job,,M1,Finance,service,active\n";

const GRANTS: &str = "identity_id,system,entitlement,type,privileged,granted_at,last_used_at\n\
    E1,erp,Create Payment,role,false,2025-01-01,2026-11-20\n\
    adm-jane.doe,erp,Approve Payment,role,false,2025-01-01,2026-11-20\n\
    E1,crm,admin,role,false,2025-01-01,2026-11-20\n\
    E1,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E2,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E3,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E4,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E5,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E6,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E2,erp,Approve Payment,role,false,2025-01-01,2026-11-20\n\
    E6,api,deploy-key,api_key,false,2025-01-01,2026-11-20\n\
    E7,crm,export,role,false,2025-01-01,2026-11-20\n\
    S1,crm,export,role,false,2025-01-01,2026-11-20\n";

/// The built-in rules with the example rule and outliers on.
fn rules() -> String {
    rules_with("")
}

/// [`rules`] with more text after the `[[sod]]` rule.
fn rules_with(extra: &str) -> String {
    let builtin = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/rules.toml"),
    )
    .expect("rules");
    builtin
        .replace(
            "[outlier]\nenabled = false\n",
            "[outlier]\nenabled = true\n",
        )
        .replace(
            "# Finishing a campaign",
            &format!("[[sod]]\nname = \"create and approve\"\ndescription = \"one person pays themselves\"\na = [\"erp:*Create*\"]\nb = [\"ERP:approve*\"]\n{extra}\n# Finishing a campaign"),
        )
}

/// [`rules`] with `from` replaced by `to`, checked to have changed.
fn rules_changed(from: &str, to: &str) -> String {
    let text = rules().replace(from, to);
    assert_ne!(text, rules(), "{from:?} is in the rules");
    text
}

fn workspace(rules_text: &str) -> (Scratch, std::path::PathBuf) {
    let scratch = Scratch::new();
    let files = [
        scratch.file("identities.csv", IDENTITIES),
        scratch.file("entitlements.csv", GRANTS),
    ];
    scratch.import(&files);
    let rules = scratch.file("rules.toml", rules_text);
    (scratch, rules)
}

fn items(scratch: &Scratch, campaign: &str) -> Vec<Value> {
    let out = scratch
        .recert()
        .args(["items", campaign, "--json"])
        .output()
        .expect("items");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .expect("json")
        .as_array()
        .expect("array")
        .clone()
}

fn find<'a>(items: &'a [Value], holder: &str, entitlement: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["account"] == holder && i["entitlement"] == entitlement)
        .unwrap_or_else(|| panic!("{holder} {entitlement}"))
}

fn signals(item: &Value) -> Vec<&str> {
    item["signals"]
        .as_array()
        .expect("signals")
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

#[test]
fn a_person_holding_both_sides_across_two_accounts_is_one_conflict_under_5_3() {
    let (scratch, rules) = workspace(&rules());
    let rules = rules.to_str().expect("path");
    let out = scratch
        .create_campaign("Q4", &["--rules", rules])
        .output()
        .expect("create");
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "found 1 toxic combination (recert items 1 --signal sod-conflict) and 4 outliers"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = items(&scratch, "Q4");
    let create = find(&all, "E1", "Create Payment");
    let approve = find(&all, "adm-jane.doe", "Approve Payment");
    assert_eq!(approve["person_id"], "E1", "the admin account is Jane's");
    for (item, other, grant) in [
        (create, approve, "erp:Approve Payment as adm-jane.doe"),
        (approve, create, "erp:Create Payment as E1"),
    ] {
        assert_eq!(item["control_id"], "5.3", "{item}");
        assert!(signals(item).contains(&"sod-conflict"), "{item}");
        let reasons: Vec<&str> = item["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            reasons.contains(&format!(
                "toxic combination \"create and approve\" (one person pays themselves): also holds {grant}"
            ).as_str()),
            "{reasons:?}"
        );
        assert_eq!(
            item["sod_conflicts"],
            serde_json::json!([{
                "item_id": other["item_id"],
                "rule": "create and approve",
                "description": "one person pays themselves",
                "resolved": false
            }])
        );
        assert_eq!(
            item["recommendation"], "certify",
            "a justify signal, not revoke"
        );
    }
    // Bob approves but does not create: no conflict.
    let bob = find(&all, "E2", "Approve Payment");
    assert!(!signals(bob).contains(&"sod-conflict"), "{bob}");
    assert_eq!(bob["sod_conflicts"], serde_json::json!([]));

    // Certifying needs a justification; revoking one resolves both,
    // without deciding the other.
    let create_id = create["item_id"].to_string();
    let approve_id = approve["item_id"].to_string();
    let out = scratch
        .recert()
        .args(["decide", "--certify", "Q4", &approve_id, "--reviewer", "M1"])
        .output()
        .expect("decide");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("justification"), "{stderr}");
    scratch
        .recert()
        .args(["decide", "--revoke", "Q4", &create_id, "--reviewer", "M1"])
        .args(["--justification", "approving only"])
        .assert()
        .success();
    let all = items(&scratch, "Q4");
    let approve = find(&all, "adm-jane.doe", "Approve Payment");
    assert_eq!(approve["sod_conflicts"][0]["resolved"], true, "{approve}");
    assert_eq!(approve["decision"], Value::Null, "shown, not decided");
    let create = find(&all, "E1", "Create Payment");
    assert_eq!(create["sod_conflicts"][0]["resolved"], true);
}

#[test]
fn outliers_name_their_peers_and_leave_credentials_alone() {
    let (scratch, rules) = workspace(&rules());
    scratch.campaign("Q4", &["--rules", rules.to_str().expect("path")]);
    let all = items(&scratch, "Q4");
    let admin = find(&all, "E1", "admin");
    assert!(signals(admin).contains(&"outlier"), "{admin}");
    assert_eq!(
        admin["reasons"].as_array().and_then(|r| r.last()),
        Some(&Value::from(
            "held by 0 of 5 peers under manager Mia Manager (M1)"
        ))
    );
    assert_eq!(admin["recommendation"], "certify");
    assert_eq!(
        admin["recommendation_reason"],
        "no revoke signal; confirm the need (outlier) in the justification"
    );
    assert_eq!(admin["control_id"], "5.18", "an outlier stays where it was");
    let reader = find(&all, "E1", "reader");
    assert!(!signals(reader).contains(&"outlier"), "{reader}");
    let key = find(&all, "E6", "deploy-key");
    assert!(
        !signals(key).contains(&"outlier"),
        "a credential is its holder's own"
    );
}

#[test]
fn the_built_in_rules_flag_neither() {
    let (scratch, _) = workspace("");
    scratch.campaign("Q4", &[]);
    let all = items(&scratch, "Q4");
    assert!(
        all.iter().all(|i| {
            let s = signals(i);
            !s.contains(&"sod-conflict") && !s.contains(&"outlier")
        }),
        "no [[sod]] rule and outliers off"
    );
}

#[test]
fn a_campaign_of_5_3_holds_only_the_pair_and_one_system_its_outliers() {
    let (scratch, rules) = workspace(&rules());
    let rules = rules.to_str().expect("path");
    scratch.campaign("SoD", &["--rules", rules, "--controls", "5.3"]);
    let all = items(&scratch, "SoD");
    let held: Vec<(&str, &str)> = all
        .iter()
        .map(|i| {
            (
                i["account"].as_str().unwrap_or(""),
                i["entitlement"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        held,
        [
            ("E1", "Create Payment"),
            ("adm-jane.doe", "Approve Payment")
        ]
    );
    // A campaign of one system still flags its outliers.
    scratch.campaign("CRM", &["--rules", rules, "--system", "crm"]);
    let crm = items(&scratch, "CRM");
    assert_eq!(crm.len(), 3);
    assert!(signals(find(&crm, "E1", "admin")).contains(&"outlier"));
}

#[test]
fn rules_file_errors_name_the_file_and_line_and_create_nothing() {
    let (scratch, rules) = workspace(
        "[[sod]]\nname = \"pay\"\na = [\"erp:create*\"]\nb = [\"approve\"]\n[[control]]\nid = \"5.18\"\n",
    );
    let out = scratch
        .create_campaign("Q4", &["--rules", rules.to_str().expect("path")])
        .output()
        .expect("create");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "rules file {}, line 4: [[sod]] \"pay\": pattern \"approve\" in b is not of the form system:entitlement",
            rules.display()
        )),
        "{stderr}"
    );
    let list = scratch
        .recert()
        .args(["campaign", "list"])
        .output()
        .expect("list");
    assert!(!String::from_utf8_lossy(&list.stdout).contains("Q4"));
    let bad = scratch.file(
        "bad.toml",
        "[outlier]\nthreshold = 0\n[[control]]\nid = \"5.18\"\n",
    );
    scratch
        .recert()
        .args(["rules", "set"])
        .arg(&bad)
        .assert()
        .failure()
        .stderr(predicates::str::contains(format!(
            "rules file {}, line 2: [outlier] threshold = 0 is out of range",
            bad.display()
        )));
}

#[test]
fn leavers_and_non_human_identities_are_never_outliers() {
    let (scratch, rules) = workspace(&rules());
    scratch.campaign("Q4", &["--rules", rules.to_str().expect("path")]);
    let all = items(&scratch, "Q4");
    for holder in ["E7", "S1"] {
        let export = find(&all, holder, "export");
        assert!(!signals(export).contains(&"outlier"), "{export}");
    }
}

#[test]
fn a_team_smaller_than_min_peers_is_compared_with_its_department() {
    let text = rules_changed("min_peers = 5\n", "min_peers = 6\n");
    let (scratch, rules) = workspace(&text);
    scratch.campaign("Q4", &["--rules", rules.to_str().expect("path")]);
    let all = items(&scratch, "Q4");
    let admin = find(&all, "E1", "admin");
    // Mia's team: 5 peers of Jane; Finance: Mia too, 6 peers.
    assert_eq!(
        admin["reasons"].as_array().and_then(|r| r.last()),
        Some(&Value::from("held by 0 of 6 peers in department Finance"))
    );
    let text = text.replace("min_peers = 6\n", "min_peers = 7\n");
    let (scratch, rules) = workspace(&text);
    scratch.campaign("Q4", &["--rules", rules.to_str().expect("path")]);
    let all = items(&scratch, "Q4");
    assert!(
        all.iter().all(|i| !signals(i).contains(&"outlier")),
        "no group of 7 peers: nothing judged"
    );
}

#[test]
fn a_filtered_campaign_names_the_other_grant_it_does_not_review() {
    let (scratch, rules) = workspace(&rules_with(
        "[[sod]]\nname = \"pay and sell\"\na = [\"erp:*Create*\"]\nb = [\"crm:admin\"]\n",
    ));
    scratch.campaign(
        "CRM",
        &["--rules", rules.to_str().expect("path"), "--system", "crm"],
    );
    let all = items(&scratch, "CRM");
    let admin = find(&all, "E1", "admin");
    assert_eq!(admin["control_id"], "5.3");
    assert_eq!(
        admin["reasons"][0],
        "toxic combination \"pay and sell\": also holds erp:Create Payment"
    );
    assert_eq!(
        admin["sod_conflicts"],
        serde_json::json!([]),
        "no pair in this campaign"
    );
}

#[test]
fn the_demo_has_one_toxic_combination_and_a_few_outliers() {
    let scratch = Scratch::new();
    scratch.recert().arg("demo").assert().success();
    let all = items(&scratch, "Demo 2026-Q4");
    let pair: Vec<(&str, &str)> = all
        .iter()
        .filter(|i| signals(i).contains(&"sod-conflict"))
        .map(|i| {
            (
                i["identity_id"].as_str().unwrap_or(""),
                i["entitlement"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        pair,
        [("E0820", "payroll-admin"), ("E0820", "payroll-approver")]
    );
    let outliers = all
        .iter()
        .filter(|i| signals(i).contains(&"outlier"))
        .count();
    assert!((1..=60).contains(&outliers), "{outliers} outliers");
}

#[test]
fn toxic_combinations_are_found_with_outliers_off() {
    let text = rules_changed(
        "[outlier]\nenabled = true\n",
        "[outlier]\nenabled = false\n",
    );
    let (scratch, rules) = workspace(&text);
    let out = scratch
        .create_campaign("Q4", &["--rules", rules.to_str().expect("path")])
        .output()
        .expect("create");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("found 1 toxic combination (recert items 1 --signal sod-conflict)"),
        "{stderr}"
    );
    let all = items(&scratch, "Q4");
    let create = find(&all, "E1", "Create Payment");
    assert_eq!(create["control_id"], "5.3", "{create}");
    assert!(signals(create).contains(&"sod-conflict"), "{create}");
    let outliers = all
        .iter()
        .filter(|item| signals(item).contains(&"outlier"))
        .count();
    assert_eq!(outliers, 0);
}

#[test]
fn the_signals_section_decides_what_an_outlier_calls_for() {
    let text = rules_changed(
        "\"revoked-not-removed\", \"exception-expired\",\n]",
        "\"revoked-not-removed\", \"exception-expired\", \"outlier\",\n]",
    );
    let (scratch, rules) = workspace(&text);
    scratch.campaign("Q4", &["--rules", rules.to_str().expect("path")]);
    let all = items(&scratch, "Q4");
    let admin = find(&all, "E1", "admin");
    assert_eq!(admin["recommendation"], "revoke");
    assert_eq!(
        admin["recommendation_reason"],
        "held by 0 of 5 peers under manager Mia Manager (M1)"
    );
}

#[test]
fn a_department_counts_the_holdings_of_members_compared_in_their_team() {
    // Max has a team of six in Ops; Zoe, in Ops too, is Lee's only report,
    // so she is compared with the department, where Max's team holds what
    // she holds.
    let scratch = Scratch::new();
    let mut identities =
        String::from("identity_id,display_name,manager_id,department,kind,status\n");
    identities.push_str("M2,Max Lead,,Ops,human,active\nM3,Lee Lead,,Ops,human,active\n");
    identities.push_str("E20,Zoe Solo,M3,Ops,human,active\n");
    let mut grants =
        String::from("identity_id,system,entitlement,type,privileged,granted_at,last_used_at\n");
    for n in 11..=16 {
        writeln!(identities, "E{n},Ops {n},M2,Ops,human,active").expect("text");
        writeln!(grants, "E{n},jira,ops,group,false,2025-01-01,2026-11-20").expect("text");
    }
    grants.push_str("E20,jira,ops,group,false,2025-01-01,2026-11-20\n");
    grants.push_str("E20,jira,finance,group,false,2025-01-01,2026-11-20\n");
    let files = [
        scratch.file("identities.csv", &identities),
        scratch.file("entitlements.csv", &grants),
    ];
    scratch.import(&files);
    let rules = scratch.file("rules.toml", &rules());
    scratch.campaign("Q4", &["--rules", rules.to_str().expect("path")]);
    let all = items(&scratch, "Q4");
    let ops = find(&all, "E20", "ops");
    assert!(!signals(ops).contains(&"outlier"), "6 of 8 peers: {ops}");
    let finance = find(&all, "E20", "finance");
    assert_eq!(
        finance["reasons"].as_array().and_then(|r| r.last()),
        Some(&Value::from("held by 0 of 8 peers in department Ops"))
    );
}
