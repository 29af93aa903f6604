//! A packet's life on files in a temporary directory: created from a
//! campaign, decided in, sealed with a key made here, checked and merged.

use chrono::{TimeZone, Utc};
use minisign::KeyPair;

use super::info::{own_log, seal_message};
use super::merge::{Outcome, Prefer, merge};
use super::{create, fingerprint, info, seal};
use crate::actor::Actor;
use crate::campaign::{
    CampaignSpec, DecisionRequest, EventExtras, find_campaign, record_decisions,
};
use crate::evidence::keys::SigningKey;
use crate::evidence::signoff_log::key_id;
use crate::model::DecisionAction;
use crate::reviewers::registry::{self, PublicKeyText};
use crate::workspace::Workspace;

/// E1 and E2 use `app` (5.18, their manager M1 reviews); O1 owns `prod`,
/// where E1 is an admin (8.2, O1 reviews).
fn workspace() -> Workspace {
    crate::test_support::campaign_workspace(
        &[
            (
                "identities.csv",
                "identity_id,display_name,email,manager_id\n\
                 E1,Ann Admin,ann@x.example,M1\n\
                 E2,Bo Builder,bo@x.example,M1\n\
                 M1,Mia Manager,mia@x.example,\n\
                 O1,Olu Owner,olu@x.example,\n",
            ),
            ("systems.csv", "system,owner_id\nprod,O1\n"),
            (
                "entitlements.csv",
                "identity_id,system,entitlement,privileged,last_used_at\n\
                 E1,prod,admin,true,2026-11-20\n\
                 E1,app,user,false,2026-11-20\n\
                 E2,app,user,false,2026-11-20\n",
            ),
        ],
        &CampaignSpec {
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
            ..CampaignSpec::new("Q4")
        },
    )
}

fn at(hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0)
        .single()
        .expect("time")
}

fn key() -> SigningKey {
    let pair = KeyPair::generate_unencrypted_keypair().expect("key pair");
    SigningKey {
        secret: pair.sk,
        public: pair.pk,
    }
}

fn register(ws: &Workspace, name: &str, key: &SigningKey) {
    let text = PublicKeyText {
        base64: key.public.to_base64(),
        key_id: key_id(&key.public),
    };
    registry::add(&ws.conn, name, Some(&text), &Actor::fixed("owner"), at(1)).expect("register");
}

/// M1's packet of Q4 at `dir/m1.packet`.
fn issue(ws: &mut Workspace, dir: &std::path::Path) -> std::path::PathBuf {
    let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
    let path = dir.join("m1.packet");
    let issued =
        create::create(ws, &campaign, "M1", &path, &Actor::fixed("owner"), at(2)).expect("create");
    assert_eq!(issued.items, 2, "M1 reviews the two app items");
    path
}

/// Certifies every item of the packet as M1, at `hour`.
fn decide_all(path: &std::path::Path, hour: u32) -> Vec<i64> {
    let mut packet = Workspace::open_packet(path).expect("packet");
    let info = info::require(&packet.conn).expect("info");
    let campaign = find_campaign(&packet.conn, &info.campaign_id.to_string()).expect("campaign");
    let items: Vec<i64> = packet
        .conn
        .prepare("SELECT id FROM items ORDER BY id")
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("ids");
    let request = DecisionRequest {
        items: &items,
        action: DecisionAction::Certify,
        justification: Some("still needed"),
        extras: EventExtras::default(),
    };
    record_decisions(
        &mut packet.conn,
        &campaign,
        &request,
        &Actor::fixed("M1"),
        at(hour),
    )
    .expect("decide in the packet");
    items
}

#[test]
fn a_packet_holds_its_reviewers_items_and_chains_its_own_decisions() {
    let dir = tempfile::tempdir().expect("dir");
    let mut ws = workspace();
    let path = issue(&mut ws, dir.path());
    let packet = Workspace::open_packet(&path).expect("packet");
    let info = info::require(&packet.conn).expect("info");
    assert_eq!(info.reviewer, "M1");
    assert_eq!(
        info.fingerprint,
        fingerprint::campaign_fingerprint(&ws.conn, info.campaign_id).expect("fingerprint")
    );
    let holders: Vec<String> = packet
        .conn
        .prepare("SELECT identity_id FROM identities ORDER BY identity_id")
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(holders, ["E1", "E2", "M1"], "no row of O1 or of prod");
    let empty = own_log(&packet.conn, &info).expect("log");
    assert!(empty.events.is_empty());
    assert_eq!(empty.head, info.base_hash);
    drop(packet);
    decide_all(&path, 9);
    let packet = Workspace::open_packet(&path).expect("packet");
    let log = own_log(&packet.conn, &info).expect("log");
    assert_eq!(log.events.len(), 2);
    assert_eq!(log.events[0].prev_hash, info.base_hash);
    assert_eq!(log.events[1].prev_hash, log.events[0].hash());
    assert_eq!(log.head, log.events[1].hash());
    let message = seal_message(&info, &log);
    assert!(message.contains("events: 2\n"), "{message}");
    assert!(
        message.contains(&format!("head: {}\n", log.head)),
        "{message}"
    );
}

#[test]
fn a_seal_holds_only_for_its_key_and_its_log() {
    let dir = tempfile::tempdir().expect("dir");
    let mut ws = workspace();
    let path = issue(&mut ws, dir.path());
    decide_all(&path, 9);
    let mia = key();
    let mut packet = Workspace::open_packet(&path).expect("packet");
    let sealed = seal::seal(&mut packet, &mia, at(10)).expect("seal");
    assert_eq!(sealed.events, 2);
    let info = info::require(&packet.conn).expect("info");
    let log = own_log(&packet.conn, &info).expect("log");
    assert_eq!(seal::check(&info, &log, &mia.public), Ok(()));
    let other = key();
    let wrong = seal::check(&info, &log, &other.public).expect_err("another key");
    assert!(wrong.contains("was sealed with key ID"), "{wrong}");
    let mut shorter = log.clone();
    shorter.events.pop();
    let cut = seal::check(&info, &shorter, &mia.public).expect_err("a cut log");
    assert!(cut.contains("does not match its seal"), "{cut}");
    // Sealed once: neither a second seal nor another decision.
    let again = seal::seal(&mut packet, &mia, at(11)).expect_err("sealed twice");
    assert!(again.to_string().contains("already sealed"), "{again}");
    drop(packet);
    let err = std::panic::catch_unwind(|| decide_all(&path, 12));
    assert!(err.is_err(), "a sealed packet took a decision");
}

#[test]
fn merging_appends_the_events_with_their_times_key_and_packet_once() {
    let dir = tempfile::tempdir().expect("dir");
    let mut ws = workspace();
    let path = issue(&mut ws, dir.path());
    let items = decide_all(&path, 9);
    let mia = key();
    let mut packet = Workspace::open_packet(&path).expect("packet");
    seal::seal(&mut packet, &mia, at(10)).expect("seal");
    drop(packet);
    register(&ws, "M1", &mia);
    let owner = Actor::fixed("owner");
    let Outcome::Merged(merged) = merge(&mut ws, &path, None, &owner, at(12)).expect("merge")
    else {
        panic!("not merged");
    };
    assert_eq!((merged.items, merged.decisions, merged.skipped), (2, 2, 0));
    let rows: Vec<(i64, String, String, Option<String>)> = ws
        .conn
        .prepare(
            "SELECT item_id, decided_at, decided_by_reviewer, decided_key FROM item_view
             WHERE decision IS NOT NULL ORDER BY item_id",
        )
        .expect("prepare")
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows.len(), 2);
    for ((item, decided_at, by, key), expected) in rows.iter().zip(&items) {
        assert_eq!(item, expected);
        assert_eq!(decided_at, "2026-12-01T09:00:00.000Z", "the original time");
        assert_eq!(by, "M1");
        assert_eq!(key.as_deref(), Some(key_id(&mia.public).as_str()));
    }
    let again = merge(&mut ws, &path, Some(Prefer::Packet), &owner, at(13)).expect("again");
    assert!(matches!(again, Outcome::AlreadyMerged { .. }), "{again:?}");
    // The same packet in other bytes (here rewritten by VACUUM) is refused.
    let copy = dir.path().join("copy.packet");
    rusqlite::Connection::open(&path)
        .expect("open")
        .execute("VACUUM INTO ?1", [copy.to_string_lossy()])
        .expect("vacuum");
    let err = merge(&mut ws, &copy, None, &owner, at(14)).expect_err("merged twice");
    assert!(err.to_string().contains("a packet is merged once"), "{err}");
    let report = crate::integrity::verify_decision_log(&ws.conn).expect("verify");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn the_fingerprint_is_the_campaigns_and_ignores_reassignments() {
    let mut ws = workspace();
    let first = fingerprint::campaign_fingerprint(&ws.conn, 1).expect("fingerprint");
    let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
    let app: i64 = ws
        .conn
        .query_row(
            "SELECT item_id FROM item_view WHERE account = 'E2' AND system = 'app'",
            [],
            |row| row.get(0),
        )
        .expect("item");
    crate::campaign::record_reassignment(
        &mut ws.conn,
        &campaign,
        &crate::campaign::Reassignment {
            items: &[app],
            assignee: "O1",
            reason: "Olu covers",
        },
        &Actor::fixed("M1"),
        at(3),
    )
    .expect("reassign");
    assert_eq!(
        fingerprint::campaign_fingerprint(&ws.conn, 1).expect("fingerprint"),
        first
    );
    let other = crate::test_support::create(
        &mut ws,
        &CampaignSpec {
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
            ..CampaignSpec::new("Q4 again")
        },
    );
    assert_ne!(
        fingerprint::campaign_fingerprint(&ws.conn, other).expect("fingerprint"),
        first
    );
}

#[test]
fn a_packet_refuses_reassignments_and_manual_links() {
    let dir = tempfile::tempdir().expect("dir");
    let mut ws = workspace();
    let path = issue(&mut ws, dir.path());
    let mut packet = Workspace::open_packet(&path).expect("packet");
    let campaign = find_campaign(&packet.conn, "Q4").expect("campaign");
    let item: i64 = packet
        .conn
        .query_row("SELECT min(id) FROM items", [], |row| row.get(0))
        .expect("item");
    let err = crate::campaign::record_reassignment(
        &mut packet.conn,
        &campaign,
        &crate::campaign::Reassignment {
            items: &[item],
            assignee: "O1",
            reason: "Olu covers",
        },
        &Actor::fixed("M1"),
        at(3),
    )
    .expect_err("reassigned in a packet");
    assert!(format!("{err:?}").contains("decisions only"), "{err:?}");
    let err = packet
        .conn
        .execute(
            "INSERT INTO link_events (account, account_key, person_id, reason, reviewer, os_user,
                 host, linked_at, prev_hash, event_hash)
             VALUES ('a', 'a', 'E1', 'r', 'M1', 'u', 'h', 't', ?1, ?1)",
            [crate::chain::GENESIS],
        )
        .expect_err("linked in a packet");
    assert!(err.to_string().contains("decisions only"), "{err}");
}
