//! Workspaces written by released schemas open with this recert: data intact,
//! a backup written before migrating; newer or world-writable ones are refused.
//!
//! tests/fixtures/workspaces/schema-vN.db is a small workspace as schema N
//! wrote it. Before changing the schema, keep the current fixture and add the
//! next one with `cargo test --test integration make_workspace_fixture -- --ignored`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use predicates::prelude::*;
use recert::actor::Actor;
use recert::campaign::{DecisionRequest, find_campaign, record_decisions};
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
/// a campaign of three items built with SQL, one decision, fixed times.
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
    ws.conn
        .execute_batch(
            "INSERT INTO campaigns (id, name, period, as_of, due, default_reviewer, justify_mask, rules, created_at, created_by)
                 VALUES (1, '2026-Q4 access review', '2026-Q4', '2026-11-30', '2026-12-31', 'E1', 127, '{}',
                         '2026-11-30T10:00:00Z', 'fixture (fixture@fixture)');
             INSERT INTO campaign_snapshots SELECT 1, id FROM snapshots;
             INSERT INTO items (campaign_id, control_id, grant_row, identity_row, signal_mask, reasons,
                                recommendation, recommendation_reason, assigned_reviewer)
             SELECT 1, CASE g.type WHEN 'api_key' THEN '5.17' ELSE CASE WHEN i.id IS NULL THEN '5.16' ELSE '5.18' END END,
                    g.id, i.id, CASE WHEN i.id IS NULL THEN 1 ELSE 0 END,
                    CASE WHEN i.id IS NULL THEN '[\"holder X9 is not among the identities\"]' ELSE '[]' END,
                    CASE WHEN i.id IS NULL THEN 'revoke' ELSE 'certify' END,
                    CASE WHEN i.id IS NULL THEN 'orphaned' ELSE 'no risk signal' END, 'E1'
             FROM grants g LEFT JOIN identities i ON i.identity_id = g.identity_ref ORDER BY g.id;",
        )
        .expect("campaign");
    // As `campaign create` stores them: counts and id ranges per control.
    recert::campaign::progress::record_control_stats(&ws.conn, 1).expect("control stats");
    let campaign = find_campaign(&ws.conn, "1").expect("campaign");
    record_decisions(
        &mut ws.conn,
        &campaign,
        &DecisionRequest {
            items: &[3],
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
        let count = |sql: &str| -> i64 { ws.conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
        assert_eq!(
            count("SELECT count(*) FROM identities"),
            3,
            "{}",
            fixture.display()
        );
        assert_eq!(count("SELECT count(*) FROM grants"), 3);
        assert_eq!(count("SELECT count(*) FROM items WHERE campaign_id = 1"), 3);
        let (decision, justification): (String, String) = ws
            .conn
            .query_row(
                "SELECT decision, justification FROM item_view WHERE item_id = 3",
                [],
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
                items: &[3],
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
        assert_eq!(decided, 0, "{}: the undo cleared item 3", fixture.display());
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
