//! One person across every source (PRODUCT.md §6), on exports of one
//! company written the way the consoles write them: an HR roster through a
//! mapping file, Entra users and review history, Okta users and application
//! assignments, GitHub enterprise members, Azure role assignments, Google
//! Workspace users and an AWS credential report, with one person under
//! several keys, a rehire, guests, a second admin account and two e-mail
//! domains. For each pattern: the item's person, link basis, signals,
//! recommendation and reviewer.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::Scratch;

fn company(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/company")
        .join(name)
}

const EXPORTS: [&str; 8] = [
    "entra-users.csv",
    "entra-access-review-history.csv",
    "okta-password-health.csv",
    "okta-current-assignments.csv",
    "github-enterprise-members.csv",
    "azure-role-assignments.csv",
    "google-workspace-users.csv",
    "aws-credential-report.csv",
];

/// The company imported with its rules as the workspace default, and a
/// campaign as of 2026-11-30; returns its items.
fn campaign(scratch: &Scratch) -> Vec<Value> {
    scratch
        .recert()
        .args(["import"])
        .arg(company("hr.csv"))
        .arg("--mapping")
        .arg(company("hr.toml"))
        .assert()
        .success();
    scratch
        .recert()
        .args(["rules", "set"])
        .arg(company("rules.toml"))
        .assert()
        .success();
    let files: Vec<PathBuf> = EXPORTS.iter().map(|f| company(f)).collect();
    scratch.import(&files);
    scratch
        .recert()
        .args([
            "campaign",
            "create",
            "--name",
            "Q4",
            "--as-of",
            "2026-11-30",
        ])
        .args(["--default-reviewer", "iam-team"])
        .assert()
        .success()
        .stdout("1\n");
    items(scratch, "1")
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
    match serde_json::from_slice(&out.stdout).expect("json") {
        Value::Array(items) => items,
        other => panic!("{other}"),
    }
}

/// The item of `account` on a system starting with `system`.
fn item<'a>(items: &'a [Value], account: &str, system: &str) -> &'a Value {
    items
        .iter()
        .find(|i| {
            i["account"]
                .as_str()
                .is_some_and(|a| a.eq_ignore_ascii_case(account))
                && i["system"].as_str().is_some_and(|s| s.starts_with(system))
        })
        .unwrap_or_else(|| panic!("no item of {account} on {system}"))
}

fn signals(item: &Value) -> Vec<&str> {
    item["signals"]
        .as_array()
        .expect("signals")
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// (person, basis, signals, recommendation, reviewer) of one item.
fn summary(item: &Value) -> (Option<&str>, Option<&str>, Vec<&str>, &str, &str) {
    (
        item["person_id"].as_str(),
        item["link_basis"].as_str(),
        signals(item),
        item["recommendation"].as_str().expect("recommendation"),
        item["assigned_reviewer"].as_str().expect("reviewer"),
    )
}

#[test]
fn a_leaver_is_caught_under_every_key_in_every_source() {
    let scratch = Scratch::new();
    let items = campaign(&scratch);
    // Liam Leaver (HR 0412, left 2026-10-15) under six keys in five sources.
    let cases = [
        // Entra: his UPN carries his employeeId.
        ("liam.leaver@northwind.example", "entra-id", "employee-id"),
        // GitHub: only the login; the Okta GitHub app pairs it with his Okta user.
        ("lleaver-gh", "github:northwind-eng", "okta-app"),
        // AWS: an IAM user with an access key used two days before the as-of date.
        (
            "aws:123456789012:liam.leaver",
            "aws:123456789012",
            "okta-app",
        ),
        // Google: his address under the company's second domain.
        (
            "liam.leaver@northwind-analytics.example",
            "google-workspace",
            "email-alias",
        ),
        // His second admin account, Owner on the Azure subscription.
        ("adm-liam.leaver@northwind.example", "azure:", "secondary"),
    ];
    for (account, system, basis) in cases {
        let found = item(&items, account, system);
        let (person, link, signals, recommendation, reviewer) = summary(found);
        assert_eq!(person, Some("0412"), "{account}");
        assert_eq!(link, Some(basis), "{account}");
        assert!(signals.contains(&"terminated"), "{account}: {signals:?}");
        assert_eq!(recommendation, "revoke", "{account}");
        assert_eq!(reviewer, "0001", "{account}: his manager reviews");
        assert_eq!(found["identity_name"], "Liam Leaver");
        assert_eq!(found["control_id"], "5.16", "{account}");
    }
    let owner = item(&items, "adm-liam.leaver@northwind.example", "azure:");
    assert_eq!(
        signals(owner),
        ["terminated", "privileged", "secondary"],
        "reviewed as his privileged access"
    );
    assert!(owner["secondary_account"].as_bool().expect("bool"));
}

#[test]
fn a_rehire_links_to_the_active_record_and_names_both() {
    let scratch = Scratch::new();
    let items = campaign(&scratch);
    for system in ["entra-id", "okta", "Slack"] {
        let found = item(&items, "rhea.rehire@northwind.example", system);
        let (person, basis, signals, recommendation, reviewer) = summary(found);
        assert_eq!(person, Some("0555"), "{system}");
        assert_eq!(basis, Some("email"));
        assert!(!signals.contains(&"terminated"), "{signals:?}");
        assert_eq!((recommendation, reviewer), ("certify", "0001"));
        let note = found["link_note"].as_str().expect("note");
        assert!(
            note.contains("0100 (terminated 2023-05-31)") && note.contains("0555 (active)"),
            "{note}"
        );
    }
}

#[test]
fn employee_ids_keep_their_leading_zeros_and_objects_resolve_to_users() {
    let scratch = Scratch::new();
    let items = campaign(&scratch);
    // Google Employee ID 00731 is HR's 00731, under another address.
    let olga = item(
        &items,
        "olga.zero@northwind-analytics.example",
        "google-workspace",
    );
    assert_eq!(
        summary(olga),
        (
            Some("00731"),
            Some("employee-id"),
            vec![],
            "certify",
            "0001"
        )
    );
    // Her HR manager is named by e-mail under the second domain: still 0001.
    // An Azure assignment names Ada only by object id, Entra's `id` of her.
    let ada = item(&items, "0e000000-0000-4000-8000-000000000300", "azure:");
    assert_eq!(
        summary(ada),
        (Some("0300"), Some("object-id"), vec![], "certify", "0001")
    );
}

#[test]
fn accounts_nobody_matches_kinds_and_exports_facts_are_flagged() {
    let scratch = Scratch::new();
    let items = campaign(&scratch);
    // A person missing from HR: revoke unless justified, by the default reviewer.
    let mallory = item(&items, "mallory.missing@northwind.example", "entra-id");
    assert_eq!(
        summary(mallory),
        (None, None, vec!["unmatched"], "revoke", "iam-team")
    );
    // Two persons share the local part sam.lee: linked to neither.
    let sam = item(&items, "aws:123456789012:sam.lee", "aws:");
    assert_eq!(summary(sam).0, None);
    assert!(signals(sam).contains(&"unmatched"));
    let reasons = sam["reasons"].to_string();
    assert!(
        reasons.contains("ambiguous") && reasons.contains("0201") && reasons.contains("0202"),
        "{reasons}"
    );
    // A service account by its name, a Google room by its org unit: not unmatched.
    let svc = item(&items, "svc-backup@northwind.example", "entra-id");
    assert_eq!(svc["identity_kind"], "service");
    assert!(!signals(svc).contains(&"unmatched"));
    let room = item(
        &items,
        "boardroom@northwind-analytics.example",
        "google-workspace",
    );
    assert_eq!(room["identity_kind"], "resource");
    assert!(
        room["kind_reason"]
            .as_str()
            .expect("why")
            .contains("/Resources/Rooms")
    );
    // A break-glass account unused for 274 days is not recommended for revocation.
    let glass = item(&items, "aws:123456789012:breakglass-admin", "aws:");
    assert_eq!(glass["identity_kind"], "break-glass");
    assert!(signals(glass).contains(&"dormant") && signals(glass).contains(&"break-glass"));
    assert_eq!(glass["recommendation"], "certify");
    // A guest whose invitation is pending.
    let guest = item(
        &items,
        "jo_acme.example#EXT#@northwind.onmicrosoft.com",
        "entra-id",
    );
    assert_eq!(signals(guest), ["guest", "pending-invite"]);
    // Console access without MFA (AWS) and a GitHub account without 2FA that an
    // earlier review denied and that is still there.
    let noah_aws = item(&items, "aws:123456789012:noah.nomfa", "aws:");
    assert_eq!(noah_aws["person_id"], "0310");
    assert!(signals(noah_aws).contains(&"no-mfa"));
    let noah_gh = item(&items, "noah.nomfa@northwind.example", "github:");
    assert_eq!(signals(noah_gh), ["no-mfa", "denied-before"]);
    assert_eq!(noah_gh["recommendation"], "revoke");
    let reviews = noah_gh["prior_reviews"].as_array().expect("reviews");
    assert_eq!(reviews[0]["result"], "Deny");
    assert_eq!(reviews[0]["same_resource"], true);
}

#[test]
fn earlier_reviews_show_on_every_item_of_the_person() {
    let scratch = Scratch::new();
    let items = campaign(&scratch);
    // Liam's review was about GitHub under his UPN; his AWS key shows it too.
    let key = item(&items, "aws:123456789012:liam.leaver", "aws:");
    let reviews = key["prior_reviews"].as_array().expect("reviews");
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert_eq!(reviews[0]["decision"], "certify");
    assert_eq!(reviews[0]["same_resource"], false);
}

#[test]
fn campaign_create_says_what_fell_to_the_default_reviewer() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let out = scratch
        .recert()
        .args([
            "campaign",
            "create",
            "--name",
            "again",
            "--as-of",
            "2026-11-30",
        ])
        .args(["--default-reviewer", "iam-team"])
        .output()
        .expect("create");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("went to the default reviewer iam-team")
            && stderr.contains("Mallory Missing"),
        "{stderr}"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "2\n",
        "only the id on stdout"
    );
}

#[test]
fn a_manual_link_beats_the_rules_is_frozen_and_shows_in_the_evidence() {
    let scratch = Scratch::new();
    campaign(&scratch);
    scratch
        .recert()
        .args([
            "link",
            "aws:123456789012:SAM.LEE",
            "0201",
            "--reason",
            "HR confirms the IAM user is Sam's",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "Linked aws:123456789012:sam.lee to Sam Lee (0201)",
        ));
    // The first campaign keeps what it froze; a new one takes the link.
    let before = item(&items(&scratch, "1"), "aws:123456789012:sam.lee", "aws:").clone();
    assert_eq!(before["person_id"], Value::Null);
    scratch
        .recert()
        .args([
            "campaign",
            "create",
            "--name",
            "Q4b",
            "--as-of",
            "2026-11-30",
        ])
        .assert()
        .success();
    let after = items(&scratch, "2");
    let sam = item(&after, "aws:123456789012:sam.lee", "aws:");
    assert_eq!(summary(sam).0, Some("0201"));
    assert_eq!(summary(sam).1, Some("manual"));
    assert!(!signals(sam).contains(&"unmatched"));
    assert!(
        sam["link_note"]
            .as_str()
            .expect("note")
            .contains("HR confirms")
    );
    // The history names the link that decided it, with who and why.
    let history = scratch.dir.path().join("history.csv");
    scratch
        .recert()
        .args(["export", "2", "--history", "-o"])
        .arg(&history)
        .assert()
        .success();
    let text = std::fs::read_to_string(&history).expect("history");
    assert!(text.starts_with("event_id,campaign_id,item_id,action,justification,reviewer,os_user,host,decided_at,basis,valid_until,assignee,stage,decided_key,packet_sha256,account,person,prev_hash,event_hash\n"), "{text}");
    assert!(
        text.contains("link-1,2,,link,HR confirms the IAM user is Sam's,tester,tester,"),
        "{text}"
    );
    assert!(text.contains(",aws:123456789012:sam.lee,0201,"), "{text}");
    // And `recert verify` re-checks the link chain with the decisions'.
    scratch
        .recert()
        .arg("verify")
        .assert()
        .success()
        .stdout(predicates::str::contains("manual links: 1 event,"));
    // Unlinking beats every rule too.
    scratch
        .recert()
        .args([
            "unlink",
            "rhea.rehire@northwind.example",
            "--reason",
            "shared mailbox",
        ])
        .assert()
        .success();
    let out = scratch
        .recert()
        .args(["links", "--unlinked", "--json"])
        .output()
        .expect("links");
    let unlinked: Value = serde_json::from_slice(&out.stdout).expect("json");
    let accounts: Vec<&str> = unlinked
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|a| a["account"].as_str())
        .collect();
    assert!(
        accounts.contains(&"rhea.rehire@northwind.example"),
        "{accounts:?}"
    );
    assert!(
        !accounts.contains(&"aws:123456789012:sam.lee"),
        "{accounts:?}"
    );
}

#[test]
fn links_lists_unlinked_and_ambiguous_accounts_with_suggestions() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let out = scratch
        .recert()
        .args(["links", "--ambiguous"])
        .output()
        .expect("links");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("aws:123456789012:sam.lee"), "{text}");
    assert!(
        text.contains("matches Sam Lee (0201) and Sam Lee (contractor) (0202)"),
        "{text}"
    );
    assert!(text.contains("suggest 0201 Sam Lee (0.9)"), "{text}");
    assert!(!text.contains("mallory"), "only ambiguous accounts: {text}");
    let all = scratch.recert().arg("links").output().expect("links");
    let all = String::from_utf8_lossy(&all.stdout);
    assert!(
        all.contains("lleaver-gh") && all.contains("okta-app"),
        "{all}"
    );
    for line in all.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{line}");
    }
}

#[test]
fn linking_refuses_unknown_accounts_persons_and_a_missing_reason() {
    let scratch = Scratch::new();
    campaign(&scratch);
    scratch
        .recert()
        .args(["link", "nobody@else.example", "0201", "--reason", "x"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "no account \"nobody@else.example\"",
        ));
    scratch
        .recert()
        .args(["link", "lleaver-gh", "9999", "--reason", "x"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("no person \"9999\""));
    scratch
        .recert()
        .args(["link", "lleaver-gh", "0412", "--reason", "  "])
        .assert()
        .failure()
        .stderr(predicates::str::contains("--reason"));
}

#[test]
fn the_revocation_list_names_each_account_as_its_system_knows_it() {
    let scratch = Scratch::new();
    let items = campaign(&scratch);
    let revoke: Vec<String> = items
        .iter()
        .filter(|i| i["person_id"] == "0412")
        .map(|i| i["item_id"].to_string())
        .collect();
    scratch
        .recert()
        .args(["decide", "1"])
        .args(&revoke)
        .args([
            "--revoke",
            "--justification",
            "left 2026-10-15",
            "--reviewer",
            "maria.manager@northwind.example",
        ])
        .assert()
        .success();
    let list = scratch.dir.path().join("revoke.csv");
    scratch
        .recert()
        .args(["export", "1", "--revocations", "-o"])
        .arg(&list)
        .assert()
        .success();
    let text = std::fs::read_to_string(&list).expect("read");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "system,account,person_id,person_name,entitlement,scope,type,justification,decided_by,decided_at,item_id,holder_key"
        )
    );
    // The GitHub login, the IAM user name and the Azure principal, each
    // with the person, so nobody has to look anything up.
    assert!(
        text.contains("github:northwind-eng,lleaver-gh,0412,Liam Leaver,member,"),
        "{text}"
    );
    assert!(
        text.contains("aws:123456789012,liam.leaver,0412,Liam Leaver,"),
        "{text}"
    );
    assert!(
        text.contains("adm-liam.leaver@northwind.example,0412,Liam Leaver,Owner,/subscriptions/11111111-2222-3333-4444-555555555555 (role assignment /subscriptions/"),
        "{text}"
    );
}

#[test]
fn evidence_format_2_carries_the_account_and_the_link_basis() {
    let scratch = Scratch::new();
    campaign(&scratch);
    let evidence = scratch.dir.path().join("evidence.csv");
    scratch
        .recert()
        .args(["export", "1", "-o"])
        .arg(&evidence)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(&evidence).expect("csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let at = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let github = rows
        .iter()
        .find(|r| &r[at("account")] == "lleaver-gh")
        .expect("github row");
    assert_eq!(&github[at("link_basis")], "okta-app");
    assert_eq!(&github[at("identity_id")], "0412");
    assert_eq!(&github[at("identity_name")], "Liam Leaver");
    scratch
        .recert()
        .arg("verify")
        .arg(&evidence)
        .assert()
        .success();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify-chain.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&evidence)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
