//! Evidence end to end: export, sign-off, signatures checked by the real
//! `minisign`, tampering found by `recert verify` and scripts/verify-chain.py.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{TimeZone, Utc};
use predicates::prelude::*;
use recert::actor::Actor;
use recert::campaign::{DecisionRequest, find_campaign, record_decisions};
use recert::model::DecisionAction;
use recert::workspace::Workspace;

use crate::support::Scratch;

const IDENTITIES: &str = "identity_id,display_name,kind,status,manager_id
E1,Ann Example,human,active,M1
E2,=cmd|' /C calc'!A0,human,active,M1
E3,\"Lee, \"\"Ops\"\"\",human,terminated,M1
svc-ci,CI bot,service,active,
";

const ENTITLEMENTS: &str = "identity_id,system,entitlement,type,privileged
E1,aws,AdministratorAccess,role,true
E1,crm,user,role,false
E2,crm,+SUM(1),group,false
E3,crm,user,role,false
svc-ci,github,deploy-key,api_key,false
ghost,crm,@admins,group,false
E1,wiki,\"multi
line\",role,false
";

/// A workspace with campaign 1 ("Q4 review") over seven grants, imported
/// and created with the real commands. Items by control, then line: 1 E3's
/// crm user (5.16, terminated), 2 ghost's @admins (5.16, orphaned), 3
/// svc-ci's deploy key (5.17), 4 E1's crm user, 5 E2's +SUM(1), 6 E1's
/// two-line wiki role (5.18), 7 E1's AdministratorAccess (8.2); all M1's.
fn campaign(s: &Scratch) {
    let identities = s.file("identities.csv", IDENTITIES);
    let entitlements = s.file("entitlements.csv", ENTITLEMENTS);
    s.import(&[identities, entitlements]);
    s.known_reviewers(&["tester", "CISO"]);
    s.campaign(
        "Q4 review",
        &["--period", "2026-Q4", "--default-reviewer", "M1"],
    );
}

fn decide(s: &Scratch, items: &[i64], action: DecisionAction, why: &str) {
    let mut ws = Workspace::open(&s.workspace()).expect("workspace");
    let campaign = find_campaign(&ws.conn, "1").expect("campaign");
    record_decisions(
        &mut ws.conn,
        &campaign,
        &DecisionRequest {
            items,
            action,
            justification: Some(why),
            extras: recert::campaign::EventExtras::default(),
        },
        &Actor::fixed("M1"),
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
            .single()
            .expect("time"),
    )
    .expect("decide");
}

fn decide_all(s: &Scratch) {
    decide(s, &[3, 4, 6, 7], DecisionAction::Certify, "still needed");
    decide(s, &[5], DecisionAction::Revoke, "-moved team");
    decide(s, &[1, 2], DecisionAction::Revoke, "=left or unknown");
}

fn keygen(s: &Scratch) -> (PathBuf, PathBuf) {
    let dir = s.dir.path().join("keys");
    s.recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&dir)
        .assert()
        .success();
    (dir.join("recert.key"), dir.join("recert.pub"))
}

/// A signed-off campaign with signed evidence at `evidence.csv`.
fn signed(s: &Scratch) -> (PathBuf, PathBuf) {
    campaign(s);
    decide_all(s);
    let (key, public) = keygen(s);
    let evidence = s.dir.path().join("evidence.csv");
    s.recert()
        .args([
            "signoff",
            "1",
            "--reviewer",
            "CISO",
            "--statement",
            "All reviewed.",
            "--key",
        ])
        .arg(&key)
        .arg("-o")
        .arg(&evidence)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "signed off campaign 1 (Q4 review) as CISO",
        ));
    (evidence, public)
}

fn verify(s: &Scratch, file: &Path, public: &Path) -> assert_cmd::assert::Assert {
    s.recert()
        .arg("verify")
        .arg(file)
        .arg("--pubkey")
        .arg(public)
        .assert()
}

fn python_verify(file: &Path) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify-chain.py");
    Command::new("python3")
        .arg(script)
        .arg(file)
        .output()
        .expect("python3 runs")
}

/// Rewrites the file's physical lines. Rows in CSV order: line 2 item 1,
/// 3 item 2, 4 item 3, 5 item 4, 6 item 5, 7-8 item 6 (a two-line cell), 9 item 7.
fn edit(file: &Path, change: impl FnOnce(&mut Vec<String>)) {
    let text = fs::read_to_string(file).expect("read");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    change(&mut lines);
    fs::write(file, format!("{}\n", lines.join("\n"))).expect("write");
}

#[test]
fn draft_export_verifies_and_says_it_is_not_signed_off() {
    let s = Scratch::new();
    campaign(&s);
    decide(&s, &[7], DecisionAction::Certify, "needed");
    let evidence = s.dir.path().join("draft.csv");
    s.recert()
        .args(["export", "1", "-o"])
        .arg(&evidence)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "7 rows of campaign 1 (Q4 review): 1 certified, 0 revoked, 6 undecided",
        ))
        .stderr(predicate::str::contains("not signed off"));
    let mode = fs::metadata(&evidence).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    s.recert()
        .arg("verify")
        .arg(&evidence)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "intact: 7 rows of campaign 1 (Q4 review)",
        ))
        .stdout(predicate::str::contains("signature: none"));
    let key = keygen(&s).0;
    s.recert()
        .args(["export", "1", "-o"])
        .arg(s.dir.path().join("x.csv"))
        .arg("--key")
        .arg(key)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "is not signed off, and only signed-off evidence is signed",
        ));
}

#[test]
fn signed_evidence_verifies_with_recert_and_the_real_minisign() {
    let s = Scratch::new();
    let (evidence, public) = signed(&s);
    verify(&s, &evidence, &public)
        .success()
        .stdout(predicate::str::contains("intact: 7 rows of campaign 1 (Q4 review)"))
        .stdout(predicate::str::contains("signature: good; recert evidence; format 2; campaign 1 \"Q4 review\"; statement \"All reviewed.\"; signed off by \"CISO (tester@"))
        .stdout(predicate::str::contains("rows=7 certified=4 revoked=3 undecided=0 last_row_hash="))
        .stdout(predicate::str::contains("signed off by CISO (tester@"))
        .stdout(predicate::str::contains(": 4 certified, 3 revoked"));
    let minisign = Command::new("minisign")
        .arg("-Vm")
        .arg(&evidence)
        .arg("-p")
        .arg(&public)
        .output()
        .expect("minisign is installed (apt-get install minisign)");
    let out = String::from_utf8_lossy(&minisign.stdout);
    assert!(
        minisign.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&minisign.stderr)
    );
    assert!(
        out.contains("Trusted comment: recert evidence; format 2; campaign 1 \"Q4 review\""),
        "{out}"
    );
    // Without the key the signature is present but not checked.
    s.recert()
        .arg("verify")
        .arg(&evidence)
        .assert()
        .success()
        .stdout(predicate::str::contains("was NOT checked"));
}

#[test]
fn formula_like_cells_are_neutralised_and_still_verify() {
    let s = Scratch::new();
    let (evidence, public) = signed(&s);
    let text = fs::read_to_string(&evidence).expect("read");
    assert!(text.contains(",'=cmd|' /C calc'!A0,"), "{text}");
    assert!(text.contains(",'+SUM(1),"));
    assert!(text.contains(",'@admins,"));
    assert!(text.contains(",'-moved team,"));
    assert!(text.contains(",'=left or unknown,"));
    assert!(
        text.contains("\"multi\nline\""),
        "newlines stay inside quotes"
    );
    verify(&s, &evidence, &public).success();
    let python = python_verify(&evidence);
    assert!(
        python.status.success(),
        "{}",
        String::from_utf8_lossy(&python.stderr)
    );
    assert!(String::from_utf8_lossy(&python.stdout).starts_with("chain intact: 7 rows"));
}

#[rstest::rstest]
#[case::cell_edited(|l: &mut Vec<String>| l[3] = l[3].replace("still needed", "still NEEDED"), "line 4 (item_id 3): row_hash does not match")]
#[case::row_deleted(|l: &mut Vec<String>| { l.remove(2); }, "line 3 (item_id 3): prev_hash does not continue")]
#[case::row_inserted(|l: &mut Vec<String>| { let row = l[3].clone(); l.insert(3, row); }, "line 5 (item_id 3): prev_hash does not continue")]
#[case::rows_reordered(|l: &mut Vec<String>| l.swap(2, 3), "line 3 (item_id 3): prev_hash does not continue")]
#[case::header_changed(|l: &mut Vec<String>| l[0] = l[0].replace("decided_by", "approved_by"), "line 1: the header is not an evidence header")]
#[case::trailing_row_removed(|l: &mut Vec<String>| { l.pop(); }, "line 7 (item_id 6): the file ends after 6 rows")]
fn tampering_is_found_and_the_row_named(
    #[case] change: fn(&mut Vec<String>),
    #[case] expected: &str,
) {
    let s = Scratch::new();
    let (evidence, public) = signed(&s);
    edit(&evidence, change);
    verify(&s, &evidence, &public)
        .failure()
        .code(1)
        .stderr(predicate::str::contains("is NOT intact"))
        .stderr(predicate::str::contains(expected))
        .stderr(predicate::str::contains(
            "signature: the signature does not match",
        ));
    if !expected.contains("ends after") {
        assert_eq!(
            python_verify(&evidence).status.code(),
            Some(1),
            "verify-chain.py agrees"
        );
    }
}

#[test]
fn a_replaced_signature_is_found() {
    let s = Scratch::new();
    let (evidence, public) = signed(&s);
    // Another file signed with the same key: a valid signature, of other bytes.
    let other = s.dir.path().join("other.csv");
    fs::write(&other, "campaign_id\n").expect("write");
    let key = s.dir.path().join("keys/recert.key");
    let signing = recert::evidence::keys::load_secret_key(&key).expect("key");
    let signature = recert::evidence::sign::sign_file(&signing, &other, "recert evidence; forged")
        .expect("sign");
    fs::write(s.dir.path().join("evidence.csv.minisig"), signature).expect("replace");
    verify(&s, &evidence, &public)
        .failure()
        .stderr(predicate::str::contains(
            "signature: the signature does not match",
        ));
    fs::remove_file(s.dir.path().join("evidence.csv.minisig")).expect("remove");
    verify(&s, &evidence, &public)
        .failure()
        .stderr(predicate::str::contains("no signature"));
}

#[test]
fn evidence_of_a_signed_off_campaign_is_byte_identical_after_a_later_import() {
    let s = Scratch::new();
    let (evidence, _) = signed(&s);
    let before = fs::read(&evidence).expect("read");
    let newer = s.file(
        "entitlements-new.csv",
        "identity_id,system,entitlement,type,privileged\nE1,aws,ReadOnly,role,false\n",
    );
    let people = s.file(
        "identities-new.csv",
        "identity_id,display_name,kind,status\nE1,Ann Renamed,human,disabled\n",
    );
    s.recert()
        .arg("import")
        .arg(&people)
        .arg(&newer)
        .assert()
        .success();
    let again = s.dir.path().join("again.csv");
    s.recert()
        .args(["export", "1", "-o"])
        .arg(&again)
        .assert()
        .success();
    assert_eq!(fs::read(&again).expect("read"), before);
}

#[test]
fn signoff_refuses_undecided_items_and_then_locks_the_campaign() {
    let s = Scratch::new();
    campaign(&s);
    decide(&s, &[1, 3, 4, 6, 7], DecisionAction::Certify, "ok");
    s.recert()
        .args(["signoff", "Q4 review"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains(
            "2 items still undecided (items 2, 5)",
        ));
    decide(&s, &[2, 5], DecisionAction::Revoke, "gone");
    s.recert()
        .args(["signoff", "Q4 review", "--statement", "  "])
        .assert()
        .failure()
        .stderr(predicate::str::contains("statement is empty"));
    s.recert().args(["signoff", "Q4 review"]).assert().success();
    s.recert()
        .args(["signoff", "Q4 review"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already signed off"));
    let mut ws = Workspace::open(&s.workspace()).expect("workspace");
    let campaign = find_campaign(&ws.conn, "1").expect("campaign");
    let refused = record_decisions(
        &mut ws.conn,
        &campaign,
        &DecisionRequest {
            items: &[1],
            action: DecisionAction::Undo,
            justification: None,
            extras: recert::campaign::EventExtras::default(),
        },
        &Actor::fixed("M1"),
        Utc::now(),
    );
    assert!(refused.is_err(), "decisions are locked after sign-off");
}

#[test]
fn revocations_and_history_are_private_neutralised_csv() {
    let s = Scratch::new();
    campaign(&s);
    decide_all(&s);
    decide(&s, &[4], DecisionAction::Undo, "x");
    let revocations = s.dir.path().join("revoke.csv");
    s.recert()
        .args(["export", "1", "--revocations", "-o"])
        .arg(&revocations)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 revocations"));
    let text = fs::read_to_string(&revocations).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "system,account,person_id,person_name,entitlement,scope,type,justification,decided_by,decided_at,item_id,holder_key"
    );
    assert!(
        lines[1].starts_with(
            "crm,E2,E2,'=cmd|' /C calc'!A0,'+SUM(1),,group,'-moved team,M1 (tester@testhost),"
        ),
        "{text}"
    );
    assert!(
        lines[2].starts_with("crm,E3,E3,\"Lee, \"\"Ops\"\"\",user,,role,'=left or unknown,"),
        "{text}"
    );
    assert!(lines[3].starts_with("crm,ghost,,,'@admins,"), "{text}");
    let history = s.dir.path().join("history.csv");
    s.recert()
        .args(["export", "1", "--history", "-o"])
        .arg(&history)
        .assert()
        .success()
        .stdout(predicate::str::contains("8 decision events"));
    let text = fs::read_to_string(&history).expect("read");
    assert!(
        text.lines()
            .nth(8)
            .expect("undo")
            .starts_with("8,1,4,undo,x,M1,"),
        "{text}"
    );
    for file in [&revocations, &history] {
        let mode = fs::metadata(file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_password_protected_key_signs_with_the_password_from_the_environment() {
    let s = Scratch::new();
    campaign(&s);
    decide_all(&s);
    let dir = s.dir.path().join("keys");
    s.recert()
        .args(["keygen", "--out"])
        .arg(&dir)
        .env("RECERT_KEY_PASSWORD", "correct horse")
        .assert()
        .success();
    s.recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&dir)
        .assert()
        .failure()
        .stderr(predicate::str::contains("never overwrites keys"));
    let key = dir.join("recert.key");
    s.recert()
        .args(["signoff", "1", "--key"])
        .arg(&key)
        .env("RECERT_KEY_PASSWORD", "wrong")
        .assert()
        .failure()
        .stderr(predicate::str::contains("wrong password"));
    let evidence = s.dir.path().join("evidence.csv");
    s.recert()
        .args(["signoff", "1", "--key"])
        .arg(&key)
        .arg("-o")
        .arg(&evidence)
        .env("RECERT_KEY_PASSWORD", "correct horse")
        .assert()
        .success();
    verify(&s, &evidence, &dir.join("recert.pub")).success();
}

#[test]
fn the_report_is_a_private_self_contained_page_with_the_evidence_hash() {
    let s = Scratch::new();
    let (evidence, _) = signed(&s);
    let report = s.dir.path().join("report.html");
    let sha = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(fs::read(&evidence).expect("read")))
    };
    s.recert()
        .args(["report", "1", "-o"])
        .arg(&report)
        .arg("--evidence")
        .arg(&evidence)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("evidence SHA-256 {sha}")));
    let page = fs::read_to_string(&report).expect("read");
    assert!(page.contains(&sha));
    assert!(page.contains("Signed off by CISO (tester@"));
    assert!(page.contains("<b>7</b>items"));
    assert!(page.contains("<b>3</b>revoked"));
    assert!(
        page.contains("=cmd|&#39; /C calc&#39;!A0"),
        "names are escaped, not neutralised"
    );
    assert!(!page.contains("http:") && !page.contains("https:") && !page.contains("<script"));
    assert_eq!(
        fs::metadata(&report).expect("meta").permissions().mode() & 0o777,
        0o600
    );
}

/// The whole hand-over with the real commands on the sample company:
/// import, campaign, decide, sign off with a key, then every check an
/// auditor runs.
#[test]
fn the_sample_campaign_is_signed_off_and_verified_end_to_end() {
    let s = Scratch::new();
    s.recert()
        .arg("import")
        .args(["identities.csv", "entitlements.csv", "systems.csv"].map(crate::support::sample))
        .assert()
        .success();
    s.known_reviewers(&["iam-team", "CISO", "tester"]);
    s.campaign("Q4", &[]);
    let items = s
        .recert()
        .args(["items", "Q4", "--json"])
        .output()
        .expect("items");
    let items: serde_json::Value = serde_json::from_slice(&items.stdout).expect("json");
    let mut revoke = Vec::new();
    let mut certify = Vec::new();
    for item in items.as_array().expect("array") {
        let id = item["item_id"].to_string();
        if item["recommendation"] == "revoke" {
            revoke.push(id);
        } else {
            certify.push(id);
        }
    }
    for (ids, action) in [(&revoke, "--revoke"), (&certify, "--certify")] {
        s.recert()
            .args(["decide", "Q4"])
            .args(ids)
            .args([
                action,
                "--justification",
                "agreed with the owner",
                "--reviewer",
                "iam-team",
            ])
            .assert()
            .success();
    }
    let (key, public) = keygen(&s);
    let evidence = s.dir.path().join("evidence.csv");
    s.recert()
        .args(["signoff", "Q4", "--reviewer", "CISO", "--key"])
        .arg(&key)
        .arg("-o")
        .arg(&evidence)
        .assert()
        .success();
    let rows = revoke.len() + certify.len();
    verify(&s, &evidence, &public)
        .success()
        .stdout(predicate::str::contains(format!("intact: {rows} rows")));
    let minisign = Command::new("minisign")
        .arg("-Vm")
        .arg(&evidence)
        .arg("-p")
        .arg(&public)
        .output()
        .expect("minisign");
    assert!(minisign.status.success());
    assert!(String::from_utf8_lossy(&minisign.stdout).contains(&format!(
        "rows={rows} certified={} revoked={}",
        certify.len(),
        revoke.len()
    )));
    assert!(python_verify(&evidence).status.success());
    // The sample data has every control; the evidence lists them in number order.
    let text = fs::read_to_string(&evidence).expect("read");
    let controls: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("row")[4].to_owned())
        .collect();
    let mut sorted = controls.clone();
    sorted.sort_by(|a, b| recert::evidence::order::compare_controls(a, b));
    assert_eq!(controls, sorted);
}

#[test]
fn keygen_defaults_to_the_platform_config_directory() {
    let s = Scratch::new();
    let home = s.dir.path().join("home");
    fs::create_dir(&home).expect("home");
    s.recert()
        .args(["keygen", "--no-password"])
        .env("HOME", &home)
        .env_remove("XDG_CONFIG_HOME")
        .assert()
        .success()
        .stdout(predicate::str::contains("give it to your auditors"));
    let dir = home.join(".config/recert");
    let mode = fs::metadata(dir.join("recert.key"))
        .expect("key")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let public = fs::read_to_string(dir.join("recert.pub")).expect("pub");
    assert!(public.starts_with("untrusted comment: "), "{public}");
    // The bare base64 line works as --pubkey too.
    let line = public.lines().nth(1).expect("key line").to_owned();
    let key = recert::evidence::keys::load_public_key(Path::new(&line)).expect("base64 key");
    let from_file = recert::evidence::keys::load_public_key(&dir.join("recert.pub")).expect("file");
    assert_eq!(key, from_file);
}
