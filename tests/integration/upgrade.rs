//! Workspaces written by released schemas open with this recert: data intact,
//! a backup written before migrating; newer or world-writable ones are refused.
//!
//! tests/fixtures/workspaces/schema-vN.db is a small workspace as schema N
//! wrote it. Before changing the schema, keep the current fixture and add the
//! next one with `cargo test --test integration make_workspace_fixture -- --ignored`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono::{TimeZone, Utc};
use predicates::prelude::*;
use recert::actor::Actor;
use recert::campaign::{
    CampaignSpec, DecisionRequest, create_campaign, find_campaign, record_decisions,
};
use recert::import::{ImportOptions, Progress, import_files};
use recert::integrity::verify_decision_log;
use recert::model::DecisionAction;
use recert::workspace::{SCHEMA_VERSION, Workspace, backup_path};
use rusqlite::Connection;

use crate::support::Scratch;

const IDENTITIES: &str = "identity_id,display_name,email,kind,status,manager_id,owner_id\n\
E1,Ada Boss,ada@x.example,human,active,,\n\
E2,Bo Worker,bo@x.example,human,active,E1,\n\
S1,deploy-bot,,service,active,,E2\n";

const ENTITLEMENTS: &str = "identity_id,system,entitlement,type,privileged,last_used_at\n\
E2,github,member,role,false,2026-11-01\n\
S1,aws,AKIA1,api_key,no,2026-11-20\n\
X9,payroll,viewer,role,0,\n";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspaces")
}

fn user_version(path: &Path) -> u32 {
    Connection::open(path)
        .expect("open")
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("user_version")
}

/// Writes schema-v{SCHEMA_VERSION}.db: the three identities and grants above,
/// a campaign of their three items, X9's orphaned grant revoked, fixed times.
#[test]
#[ignore = "writes a fixture; run by hand when the schema version changes"]
fn make_workspace_fixture() {
    let path = fixtures().join(format!("schema-v{SCHEMA_VERSION}.db"));
    assert!(
        !path.exists(),
        "{} exists: released fixtures never change",
        path.display()
    );
    std::fs::create_dir_all(fixtures()).expect("dir");
    let scratch = Scratch::new();
    let files = [
        scratch.file("identities.csv", IDENTITIES),
        scratch.file("entitlements.csv", ENTITLEMENTS),
    ];
    let at = |hour| {
        Utc.with_ymd_and_hms(2026, 11, 30, hour, 0, 0)
            .single()
            .expect("time")
    };
    let mut ws = Workspace::open(&path).expect("create");
    import_files(
        &mut ws.conn,
        &files,
        &ImportOptions::default(),
        &Actor::fixed("fixture"),
        at(9),
        Progress::hidden(),
    )
    .expect("import");
    let spec = CampaignSpec {
        period: Some("2026-Q4".to_owned()),
        due: NaiveDate::from_ymd_opt(2026, 12, 31),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 30),
        default_reviewer: Some("E1".to_owned()),
        ..CampaignSpec::new("2026-Q4 access review")
    };
    create_campaign(&mut ws.conn, &spec, &Actor::fixed("fixture"), at(10)).expect("campaign");
    let campaign = find_campaign(&ws.conn, "1").expect("campaign");
    let x9 = x9_item(&ws.conn);
    record_decisions(
        &mut ws.conn,
        &campaign,
        &DecisionRequest {
            items: &[x9],
            action: DecisionAction::Revoke,
            justification: Some("nobody knows X9"),
            extras: recert::campaign::EventExtras::default(),
        },
        &Actor::fixed("E1"),
        at(11),
    )
    .expect("decide");
    // One self-contained file: no -wal beside it in the repository.
    ws.conn
        .execute_batch("PRAGMA journal_mode = DELETE; VACUUM;")
        .expect("compact");
}

/// The item of X9's orphaned grant: item 3 in the fixtures up to schema 5,
/// whose campaigns were built with SQL in grant order.
fn x9_item(conn: &Connection) -> i64 {
    conn.query_row(
        "SELECT it.id FROM items it JOIN grants g ON g.id = it.grant_row
         WHERE it.campaign_id = 1 AND g.identity_ref = 'X9'",
        [],
        |row| row.get(0),
    )
    .expect("X9's item")
}

/// The fixtures of schemas 3 and 4 hold a campaign built with SQL without
/// the per-control counts `campaign create` has written since schema 3
/// (migration 0003 adds them only to campaigns it finds): no recert wrote
/// such a workspace. Adds them as creation would have, so the upgraded
/// fixture is one recert could have written; any other fixture must have them.
fn add_missing_counts(conn: &Connection, version: u32) {
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM control_stats", [], |r| r.get(0))
        .expect("count");
    if stored > 0 {
        return;
    }
    assert!(
        matches!(version, 3 | 4),
        "the schema-v{version} fixture has a campaign without per-control counts"
    );
    conn.execute_batch(
        "INSERT INTO control_stats (campaign_id, control_id, total, signal_0, signal_1, signal_2,
             signal_3, signal_4, signal_5, signal_6, signal_7, certified, revoked, first_item, last_item)
         SELECT it.campaign_id, it.control_id, count(*),
             sum((it.signal_mask & 1) <> 0), sum((it.signal_mask & 2) <> 0),
             sum((it.signal_mask & 4) <> 0), sum((it.signal_mask & 8) <> 0),
             sum((it.signal_mask & 16) <> 0), sum((it.signal_mask & 32) <> 0),
             sum((it.signal_mask & 64) <> 0), sum((it.signal_mask & 128) <> 0),
             coalesce(sum(cd.decision = 'certify'), 0), coalesce(sum(cd.decision = 'revoke'), 0),
             min(it.id), max(it.id)
         FROM items it LEFT JOIN current_decisions cd ON cd.item_id = it.id
         GROUP BY it.campaign_id, it.control_id",
    )
    .expect("counts as campaign creation writes them");
}

/// Every released workspace fixture, oldest first.
fn released() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/workspaces")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("schema-v"))
                && p.extension().is_some_and(|e| e == "db")
        })
        .collect();
    found.sort();
    found
}

#[test]
fn every_released_workspace_opens_with_its_data_and_decisions_intact() {
    let fixtures = released();
    assert!(!fixtures.is_empty(), "no workspace fixtures");
    for fixture in fixtures {
        let scratch = Scratch::new();
        let path = scratch.workspace();
        std::fs::copy(&fixture, &path).expect("copy");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let old = user_version(&path);
        assert!(
            (1..=SCHEMA_VERSION).contains(&old),
            "{}: version {old}",
            fixture.display()
        );

        let ws = Workspace::open(&path).expect("open the old workspace");
        assert_eq!(ws.schema_version().expect("version"), SCHEMA_VERSION);
        add_missing_counts(&ws.conn, old);
        let count = |sql: &str| -> i64 { ws.conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
        assert_eq!(
            count("SELECT count(*) FROM identities"),
            3,
            "{}",
            fixture.display()
        );
        assert_eq!(count("SELECT count(*) FROM grants"), 3);
        assert_eq!(count("SELECT count(*) FROM items WHERE campaign_id = 1"), 3);
        let x9 = x9_item(&ws.conn);
        let (decision, justification): (String, String) = ws
            .conn
            .query_row(
                "SELECT decision, justification FROM item_view WHERE item_id = ?1",
                [x9],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("decided item");
        assert_eq!(
            (decision.as_str(), justification.as_str()),
            ("revoke", "nobody knows X9")
        );
        let log = verify_decision_log(&ws.conn).expect("verify");
        assert!(log.is_intact(), "{}: {:?}", fixture.display(), log.problems);
        // Since schema 4 recert, not a trigger, moves the current decision.
        let mut ws = ws;
        let campaign = find_campaign(&ws.conn, "1").expect("campaign");
        record_decisions(
            &mut ws.conn,
            &campaign,
            &DecisionRequest {
                items: &[x9],
                action: DecisionAction::Undo,
                justification: None,
                extras: recert::campaign::EventExtras::default(),
            },
            &Actor::fixed("E1"),
            Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
                .single()
                .expect("time"),
        )
        .expect("undo on the upgraded workspace");
        let decided: i64 = ws
            .conn
            .query_row("SELECT count(*) FROM current_decisions", [], |r| r.get(0))
            .expect("count");
        assert_eq!(
            decided,
            0,
            "{}: the undo cleared X9's item",
            fixture.display()
        );
        let log = verify_decision_log(&ws.conn).expect("verify");
        assert!(log.is_intact(), "{}: {:?}", fixture.display(), log.problems);

        let backup = backup_path(&path, old);
        if old < SCHEMA_VERSION {
            assert!(
                backup.exists(),
                "no backup before migrating {}",
                fixture.display()
            );
            assert_eq!(user_version(&backup), old, "the backup is the old schema");
            let mode = std::fs::metadata(&backup)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the backup holds access data");
        } else {
            assert!(!backup.exists(), "no backup without a migration");
        }
    }
}

#[test]
fn the_current_schema_has_a_fixture() {
    let current = fixtures().join(format!("schema-v{SCHEMA_VERSION}.db"));
    assert!(
        current.exists(),
        "add {} with `cargo test --test integration make_workspace_fixture -- --ignored`",
        current.display()
    );
}

fn imported() -> Scratch {
    let scratch = Scratch::new();
    let identities = scratch.file("identities.csv", IDENTITIES);
    scratch
        .recert()
        .arg("import")
        .arg(&identities)
        .assert()
        .success();
    scratch
}

#[test]
fn a_workspace_from_a_newer_recert_is_refused_and_left_alone() {
    let scratch = imported();
    let conn = Connection::open(scratch.workspace()).expect("open");
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .expect("bump");
    drop(conn);
    let before = scratch.dump();
    let entitlements = scratch.file("entitlements.csv", ENTITLEMENTS);
    scratch
        .recert()
        .arg("import")
        .arg(&entitlements)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "was written by a newer recert (schema version {}, this recert knows up to {SCHEMA_VERSION}); upgrade recert to open it",
            SCHEMA_VERSION + 1
        )));
    assert_eq!(scratch.dump(), before);
    assert_eq!(user_version(&scratch.workspace()), SCHEMA_VERSION + 1);
}

#[test]
fn a_world_writable_workspace_is_refused_with_the_fix() {
    let scratch = imported();
    std::fs::set_permissions(scratch.workspace(), std::fs::Permissions::from_mode(0o666))
        .expect("chmod");
    let before = scratch.dump();
    let entitlements = scratch.file("entitlements.csv", ENTITLEMENTS);
    scratch
        .recert()
        .arg("import")
        .arg(&entitlements)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "is writable by every user (mode 666)",
        ))
        .stderr(predicate::str::contains("chmod 600"));
    assert_eq!(scratch.dump(), before);
}

#[test]
fn an_earlier_backup_is_never_skipped_nor_overwritten() {
    let scratch = Scratch::new();
    let path = scratch.workspace();
    let fixture = fixtures().join("schema-v1.db");
    std::fs::copy(&fixture, &path).expect("copy");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    // A backup of an earlier upgrade attempt is already there.
    let earlier = backup_path(&path, 1);
    std::fs::write(&earlier, "an earlier backup").expect("earlier");
    scratch
        .recert()
        .args(["campaign", "list"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "backup at {}.v1.2.bak",
            path.display()
        )));
    let backup = scratch.dir.path().join("workspace.db.v1.2.bak");
    assert_eq!(user_version(&backup), 1, "the new backup is the old schema");
    let mode = std::fs::metadata(&backup)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        std::fs::read_to_string(&earlier).expect("earlier"),
        "an earlier backup"
    );
    assert_eq!(user_version(&path), SCHEMA_VERSION);
}

#[test]
fn a_sign_off_made_before_schema_6_enters_the_sign_off_log_on_upgrade() {
    let scratch = Scratch::new();
    let fixture = fixtures().join("schema-v5.db");
    // The campaign's evidence hash, as recert computes it on the same items.
    let probe = scratch.dir.path().join("probe.db");
    std::fs::copy(&fixture, &probe).expect("copy");
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let final_hash = {
        let ws = Workspace::open(&probe).expect("open");
        let campaign = find_campaign(&ws.conn, "1").expect("campaign");
        recert::evidence::export::write_evidence(&ws.conn, &campaign, std::io::sink())
            .expect("evidence")
            .last_hash
    };
    let path = scratch.workspace();
    std::fs::copy(&fixture, &path).expect("copy");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    Connection::open(&path)
        .expect("open")
        .execute(
            "INSERT INTO signoffs VALUES (1, 'CISO', 'ann', 'jump1', '2026-12-01T10:00:00.000Z', 'done', ?1)",
            [&final_hash],
        )
        .expect("a schema-5 sign-off");
    let ws = Workspace::open(&path).expect("upgrade");
    let log = recert::evidence::signoff_log::entries(&ws.conn).expect("log");
    assert_eq!(log.len(), 1, "{log:?}");
    let record = log[0].parsed().expect("a sign-off record");
    assert_eq!(
        (
            record.campaign_id,
            record.reviewer.as_str(),
            record.final_row_hash.as_str()
        ),
        (1, "CISO", final_hash.as_str())
    );
    assert_eq!(log[0].logged_at, "2026-12-01T10:00:00.000Z");
    assert!(log[0].signature.is_none(), "logged unsigned");
    let report = verify_decision_log(&ws.conn).expect("verify");
    assert!(report.is_intact(), "{:?}", report.problems);
}

#[test]
fn a_sign_off_made_before_schema_9_has_its_revocations_followed_after_the_upgrade() {
    let scratch = Scratch::new();
    let path = scratch.workspace();
    std::fs::copy(fixtures().join("schema-v8.db"), &path).expect("copy");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    // E2's access certified (upgrading the workspace), then signed off as
    // a recert of schema 8 would have, after the fixture's import.
    let e2: i64 = Connection::open(&path)
        .expect("open")
        .query_row(
            "SELECT it.id FROM items it JOIN grants g ON g.id = it.grant_row WHERE g.identity_ref = 'E2'",
            [],
            |row| row.get(0),
        )
        .expect("E2's item");
    scratch
        .recert()
        .args([
            "decide",
            "1",
            &e2.to_string(),
            "--certify",
            "--reviewer",
            "E1",
        ])
        .assert()
        .success();
    Connection::open(&path)
        .expect("open")
        .execute(
            "INSERT INTO signoffs VALUES (1, 'CISO', 'ann', 'jump1', '2026-11-30T12:00:00.000Z', 'done', ?1)",
            ["a".repeat(64)],
        )
        .expect("a schema-8 sign-off");
    let report = scratch
        .recert()
        .args(["remediation", "1", "--json"])
        .output()
        .expect("remediation");
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).expect("json");
    assert_eq!(report["counts"]["not_rechecked"], 1, "{report}");
    assert_eq!(report["revocations"][0]["account"], "X9");
    // The next export no longer holds X9's grant.
    let without_x9 = scratch.file(
        "entitlements.csv",
        "identity_id,system,entitlement,type,privileged,last_used_at\n\
         E2,github,member,role,false,2026-11-01\n\
         S1,aws,AKIA1,api_key,no,2026-11-20\n",
    );
    scratch
        .recert()
        .arg("import")
        .arg(&without_x9)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "campaign \"2026-Q4 access review\" (1): 1 revocation now removed, 0 pending",
        ));
    // Its items have no stored grant key: the next campaign computes them
    // from the grant rows to compare.
    scratch
        .create_campaign("next", &[])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "compared with campaign 1 (2026-Q4 access review): ",
        ));
    let items = scratch
        .recert()
        .args(["items", "next", "--json"])
        .output()
        .expect("items");
    let items: serde_json::Value = serde_json::from_slice(&items.stdout).expect("json");
    let github = items
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["system"] == "github")
        .expect("E2's github item");
    assert_eq!(github["delta"], "unchanged", "{github}");
    assert_eq!(github["prior_decision"], "certify 1");
}
