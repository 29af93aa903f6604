//! Review packets (issue #15, PRODUCT.md §9) through the real binary: the
//! campaign owner's workspace and each reviewer's machine are separate
//! directories (a reviewer's has no workspace at all), and packets travel
//! between them as copied files.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use crate::finishing::company;
use crate::support::{Scratch, UNSET};

/// A reviewer's machine: a directory of its own, no workspace, its own key.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        let machine = Machine {
            dir: tempfile::tempdir().expect("machine dir"),
        };
        machine
            .recert()
            .args(["keygen", "--no-password", "--out"])
            .arg(machine.dir.path().join("keys"))
            .assert()
            .success();
        machine
    }

    /// `recert` on this machine: its workspace path leads nowhere, so a
    /// command that needed one would fail.
    fn recert(&self) -> Command {
        let mut command = Command::cargo_bin("recert").expect("binary");
        for name in UNSET {
            command.env_remove(name);
        }
        command
            .current_dir(self.dir.path())
            .env("RECERT_WORKSPACE", self.dir.path().join("no-workspace.db"))
            .env_remove("RECERT_REVIEWER")
            .env("USER", "reviewer-on-jump-host")
            .env("NO_COLOR", "1");
        command
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("keys/recert.key")
    }

    fn public(&self) -> PathBuf {
        self.dir.path().join("keys/recert.pub")
    }

    /// Copies `file` here, as scp or a USB stick would.
    fn receive(&self, file: &Path) -> PathBuf {
        let to = self.dir.path().join(file.file_name().expect("name"));
        std::fs::copy(file, &to).expect("copy packet");
        to
    }

    fn items(&self, packet: &Path) -> Vec<Value> {
        let output = self
            .recert()
            .args(["items", "--json", "--packet"])
            .arg(packet)
            .output()
            .expect("items");
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice::<Value>(&output.stdout)
            .expect("json")
            .as_array()
            .expect("array")
            .clone()
    }
}

fn ids_of(items: &[Value], system: &str) -> Vec<String> {
    items
        .iter()
        .filter(|i| i["system"] == system)
        .map(|i| i["item_id"].to_string())
        .collect()
}

/// Writes `reviewer`'s packet in the owner's workspace and returns its path.
fn create(owner: &Scratch, reviewer: &str, name: &str) -> PathBuf {
    let path = owner.dir.path().join(name);
    owner
        .recert()
        .args(["packet", "create", "Q4", "--reviewer", reviewer, "-o"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("for "));
    path
}

/// Decides every item of a packet on `machine` (certifying with a reason)
/// and seals it; returns the sealed copy.
fn review_and_seal(machine: &Machine, packet: &Path) -> PathBuf {
    let local = machine.receive(packet);
    let items = machine.items(&local);
    let ids: Vec<String> = items.iter().map(|i| i["item_id"].to_string()).collect();
    machine
        .recert()
        .args(["decide", "--packet"])
        .arg(&local)
        .args(&ids)
        .args([
            "--certify",
            "--justification",
            "still needed, checked with the team",
        ])
        .assert()
        .success();
    machine
        .recert()
        .args(["packet", "seal"])
        .arg(&local)
        .arg("--key")
        .arg(machine.key())
        .assert()
        .success()
        .stdout(predicate::str::contains("sealed"));
    local
}

/// Registers `reviewer`'s public key of `machine` in the owner's workspace.
fn register(owner: &Scratch, reviewer: &str, machine: &Machine) {
    owner
        .recert()
        .args(["reviewer", "add", reviewer, "--pubkey"])
        .arg(machine.public())
        .assert()
        .success();
}

fn returned(owner: &Scratch, machine_copy: &Path, name: &str) -> PathBuf {
    let back = owner.dir.path().join(name);
    std::fs::copy(machine_copy, &back).expect("copy back");
    back
}

fn status(owner: &Scratch) -> Value {
    let output = owner
        .recert()
        .args(["status", "Q4", "--json"])
        .output()
        .expect("status");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("json")
}

#[test]
fn two_reviewers_on_two_machines_decide_in_packets_that_merge_back() {
    let owner = Scratch::new();
    company(&owner, false, "2026-12-15");
    let m1_packet = create(&owner, "M1", "m1.packet");
    let o1_packet = create(&owner, "olu@x.example", "o1.packet");
    for packet in [&m1_packet, &o1_packet] {
        let mode = std::fs::metadata(packet)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{}", packet.display());
    }
    nothing_of_the_other_reviewers_people(&m1_packet, &o1_packet);
    owner
        .recert()
        .args(["packet", "list", "Q4"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 packets out, 0 returned"));

    let mia = Machine::new();
    let olu = Machine::new();
    let m1_items = mia.items(&mia.receive(&m1_packet));
    assert_eq!(ids_of(&m1_items, "app").len(), 2, "{m1_items:?}");
    assert_eq!(m1_items.len(), 2);
    shared_reasons_travel(&owner, &m1_items, &m1_packet);
    let m1_done = review_and_seal(&mia, &m1_packet);
    let mut wal = m1_done.clone().into_os_string();
    wal.push("-wal");
    assert!(!Path::new(&wal).exists(), "a packet keeps no WAL beside it");
    mia.recert()
        .args(["items", "--undecided", "--packet"])
        .arg(&m1_done)
        .assert()
        .success()
        .stdout(predicate::str::contains("No items"));
    let o1_done = review_and_seal(&olu, &o1_packet);
    // A packet's status works without a workspace.
    let output = mia
        .recert()
        .args(["status", "--json", "--packet"])
        .arg(&m1_done)
        .output()
        .expect("status");
    assert!(output.status.success(), "{output:?}");
    let packet_status: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(packet_status["total"], 2);
    assert_eq!(packet_status["decided"], 2);
    // Sealed: no more decisions, and the file is unchanged by reading it.
    let sealed_bytes = std::fs::read(&m1_done).expect("read");
    mia.recert()
        .args(["decide", "--packet"])
        .arg(&m1_done)
        .args([&ids_of(&m1_items, "app")[0], "--undo"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("sealed"));
    assert_eq!(std::fs::read(&m1_done).expect("read"), sealed_bytes);

    register(&owner, "M1", &mia);
    register(&owner, "O1", &olu);
    let m1_back = returned(&owner, &m1_done, "m1-back.packet");
    let o1_back = returned(&owner, &o1_done, "o1-back.packet");
    owner
        .recert()
        .args(["packet", "merge"])
        .arg(&m1_back)
        .arg(&o1_back)
        .assert()
        .success()
        .stdout(predicate::str::contains("merged").count(2));
    let progress = status(&owner);
    assert_eq!(progress["decided"], 5, "{progress}");
    assert_eq!(progress["certified"], 5);
    // The same packet again changes nothing and says so.
    let before = owner.dump();
    owner
        .recert()
        .args(["packet", "merge"])
        .arg(&m1_back)
        .assert()
        .success()
        .stdout(predicate::str::contains("already merged"));
    assert_eq!(owner.dump(), before);
    owner
        .recert()
        .args(["packet", "list", "Q4"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 packets out, 2 returned"));

    evidence_names_the_keys(&owner, &m1_back);
    owner.recert().arg("verify").assert().success();
}

/// Accepts every undecided item as a registered reviewer and signs off.
/// The workspace stores a reason many items share once; the packet
/// carries the texts its items point at, and lists each item's reason in
/// full, as the workspace does.
fn shared_reasons_travel(owner: &Scratch, packet_items: &[Value], packet: &Path) {
    let output = owner
        .recert()
        .args(["items", "Q4", "--json"])
        .output()
        .expect("items");
    let in_workspace: Vec<Value> = serde_json::from_slice(&output.stdout).expect("json");
    for item in packet_items {
        let reason = item["recommendation_reason"].as_str().expect("reason");
        assert!(!reason.is_empty(), "{item}");
        let same = in_workspace
            .iter()
            .find(|w| w["item_id"] == item["item_id"])
            .expect("in the workspace");
        assert_eq!(same["recommendation_reason"], item["recommendation_reason"]);
    }
    let conn =
        rusqlite::Connection::open_with_flags(packet, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the packet");
    let (texts, unused): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE id NOT IN
                 (SELECT recommendation_text FROM items WHERE recommendation_text IS NOT NULL))
             FROM campaign_texts",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("texts");
    assert!(
        texts > 0,
        "the packet's certified items point at shared texts"
    );
    assert_eq!(unused, 0, "no text of another reviewer's items");
}

fn sign_off_the_rest(owner: &Scratch, campaign: &str) {
    owner.known_reviewers(&["CISO"]);
    let ids = owner.undecided_ids(campaign);
    if !ids.is_empty() {
        owner
            .recert()
            .args(["decide", campaign, "--accept", "--justification", "checked"])
            .args(["--reviewer", "CISO"])
            .args(&ids)
            .assert()
            .success();
    }
    owner
        .recert()
        .args(["signoff", campaign, "--reviewer", "CISO"])
        .assert()
        .success();
}

/// The evidence's `decided_key` of each merged decision, and the packets
/// addendum chained after the signed-off evidence.
fn evidence_names_the_keys(owner: &Scratch, m1_back: &Path) {
    // Evidence names the key each merged decision was sealed with.
    let evidence = owner.dir.path().join("evidence.csv");
    owner
        .recert()
        .args(["export", "Q4", "-o"])
        .arg(&evidence)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(&evidence).expect("evidence");
    let headers = reader.headers().expect("headers").clone();
    let at = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (key_col, by_col) = (at("decided_key"), at("decided_by"));
    let mut keyed = 0;
    for row in reader.records() {
        let row = row.expect("row");
        if row[by_col].starts_with("M1 (reviewer-on-jump-host@") || row[by_col].starts_with("O1 (")
        {
            assert_eq!(row[key_col].len(), 16, "{row:?}");
            keyed += 1;
        } else {
            assert_eq!(&row[key_col], "", "{row:?}");
        }
    }
    assert_eq!(keyed, 5);
    // The packets addendum continues final evidence: refused until sign-off.
    let addendum = owner.dir.path().join("packets.csv");
    owner
        .recert()
        .args(["export", "Q4", "--packets", "-o"])
        .arg(&addendum)
        .assert()
        .failure()
        .stderr(predicate::str::contains("not signed off"));
    assert!(!addendum.exists());
    sign_off_the_rest(owner, "Q4");
    let evidence = owner.dir.path().join("evidence-final.csv");
    owner
        .recert()
        .args(["export", "Q4", "-o"])
        .arg(&evidence)
        .assert()
        .success();
    // Then it lists both packets, chained after the evidence.
    owner
        .recert()
        .args(["export", "Q4", "--packets", "-o"])
        .arg(&addendum)
        .assert()
        .success();
    let text = std::fs::read_to_string(&addendum).expect("addendum");
    assert_eq!(text.lines().count(), 3, "{text}");
    let sha = hex_sha256(&std::fs::read(m1_back).expect("read"));
    assert!(text.contains(&sha), "{text}");
    owner
        .recert()
        .args(["verify"])
        .arg(&addendum)
        .args(["--evidence"])
        .arg(&evidence)
        .assert()
        .success();
}

/// No row of another reviewer's people, items or systems is in a packet.
fn nothing_of_the_other_reviewers_people(m1_packet: &Path, o1_packet: &Path) {
    let m1_bytes = std::fs::read(m1_packet).expect("read");
    let o1_bytes = std::fs::read(o1_packet).expect("read");
    let holds = |bytes: &[u8], text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(
        !holds(&m1_bytes, "olu@x.example"),
        "O1's row in M1's packet"
    );
    assert!(!holds(&m1_bytes, "Olu Owner"));
    assert!(!holds(&m1_bytes, "adm-e0429"), "O1's item in M1's packet");
    assert!(
        !holds(&o1_bytes, "mia@x.example"),
        "M1's row in O1's packet"
    );
    assert!(!holds(&o1_bytes, "Mia Manager"));
    for bytes in [&m1_bytes, &o1_bytes] {
        assert!(!holds(bytes, "X9"), "the default reviewer's item leaked");
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The owner with M1's packet reviewed and sealed on Mia's machine, her
/// key registered; returns (owner, mia, returned packet).
fn returned_m1_packet() -> (Scratch, Machine, PathBuf) {
    let owner = Scratch::new();
    company(&owner, false, "2026-12-15");
    let packet = create(&owner, "M1", "m1.packet");
    let mia = Machine::new();
    let done = review_and_seal(&mia, &packet);
    register(&owner, "M1", &mia);
    let back = returned(&owner, &done, "m1-back.packet");
    (owner, mia, back)
}

/// Merging `packet` fails naming `reason`, and the workspace is unchanged.
fn refused(owner: &Scratch, packet: &Path, reason: &str) {
    let before = owner.dump();
    owner
        .recert()
        .args(["packet", "merge"])
        .arg(packet)
        .assert()
        .failure()
        .stderr(predicate::str::contains(reason))
        .stderr(predicate::str::contains("nothing was merged"));
    assert_eq!(
        owner.dump(),
        before,
        "a refused merge changed the workspace"
    );
    assert_eq!(status(owner)["decided"], 0);
}

#[test]
fn a_tampered_packet_is_refused() {
    let (owner, _mia, back) = returned_m1_packet();
    let conn = rusqlite::Connection::open(&back).expect("open");
    // The append-only trigger guards honest edits; a forger drops it.
    conn.execute_batch(
        "DROP TRIGGER decision_events_append_only_update;
         UPDATE decision_events SET action = 'revoke' WHERE id = (SELECT max(id) FROM decision_events);",
    )
    .expect("tamper");
    drop(conn);
    refused(&owner, &back, "does not hash to what it stores");
}

#[test]
fn a_packet_changed_and_rechained_after_sealing_fails_its_seal() {
    use recert::campaign::decisions::{EVENT_COLUMNS, event_from_row};
    let (owner, _mia, back) = returned_m1_packet();
    let conn = rusqlite::Connection::open(&back).expect("open");
    // A forger who knows the chain: the last event's justification changed
    // and its hash recomputed, so the chain holds but the seal does not.
    let mut event = conn
        .query_row(
            &format!("SELECT {EVENT_COLUMNS} FROM decision_events e ORDER BY e.id DESC LIMIT 1"),
            [],
            event_from_row,
        )
        .expect("last event");
    event.justification = Some("approved by the CEO".to_owned());
    conn.execute_batch("DROP TRIGGER decision_events_append_only_update;")
        .expect("drop trigger");
    conn.execute(
        "UPDATE decision_events SET justification = ?1, event_hash = ?2 WHERE id = ?3",
        (&event.justification, event.hash(), event.id),
    )
    .expect("forge");
    drop(conn);
    refused(&owner, &back, "does not match its seal");
}

#[test]
fn an_unsigned_packet_is_refused() {
    let owner = Scratch::new();
    company(&owner, false, "2026-12-15");
    let packet = create(&owner, "M1", "m1.packet");
    let mia = Machine::new();
    let local = mia.receive(&packet);
    let ids: Vec<String> = mia
        .items(&local)
        .iter()
        .map(|i| i["item_id"].to_string())
        .collect();
    mia.recert()
        .args(["decide", "--packet"])
        .arg(&local)
        .args(&ids)
        .args(["--certify", "--justification", "ok"])
        .assert()
        .success();
    register(&owner, "M1", &mia);
    let back = returned(&owner, &local, "back.packet");
    refused(&owner, &back, "is not sealed");
}

#[test]
fn a_packet_sealed_with_another_key_is_refused() {
    let owner = Scratch::new();
    company(&owner, false, "2026-12-15");
    let packet = create(&owner, "M1", "m1.packet");
    let mia = Machine::new();
    let done = review_and_seal(&mia, &packet);
    // The key registered for M1 is not the one that sealed the packet.
    let someone = Machine::new();
    register(&owner, "M1", &someone);
    let back = returned(&owner, &done, "back.packet");
    refused(&owner, &back, "was sealed with key ID");
}

#[test]
fn a_packet_of_another_workspace_is_refused() {
    let (_owner, _mia, back) = returned_m1_packet();
    // Another workspace of the same company: the same campaign id, packet
    // id and reviewer, but not the same campaign.
    let elsewhere = Scratch::new();
    company(&elsewhere, false, "2026-12-15");
    let _ = create(&elsewhere, "M1", "own.packet");
    let mia = Machine::new();
    register(&elsewhere, "M1", &mia);
    refused(&elsewhere, &back, "not a packet this workspace issued");
}

#[test]
fn a_truncated_packet_is_refused() {
    let (owner, _mia, back) = returned_m1_packet();
    let bytes = std::fs::read(&back).expect("read");
    std::fs::write(&back, &bytes[..bytes.len() / 2]).expect("truncate");
    refused(&owner, &back, "damaged");
}

#[test]
fn a_packet_whose_reviewer_has_no_registered_key_is_refused() {
    let owner = Scratch::new();
    company(&owner, false, "2026-12-15");
    let packet = create(&owner, "M1", "m1.packet");
    let mia = Machine::new();
    let done = review_and_seal(&mia, &packet);
    let back = returned(&owner, &done, "back.packet");
    refused(&owner, &back, "no public key is registered");
}

#[test]
fn conflicts_are_listed_and_nothing_merges_until_a_side_is_preferred() {
    let owner = Scratch::new();
    company(&owner, false, "2026-12-15");
    let packet = create(&owner, "M1", "m1.packet");
    let mia = Machine::new();
    let done = review_and_seal(&mia, &packet);
    register(&owner, "M1", &mia);
    let back = returned(&owner, &done, "back.packet");
    // Meanwhile the owner revoked one of M1's items in the workspace.
    let e2_app = crate::finishing::id(&owner, "E2", "app");
    owner
        .recert()
        .args([
            "decide",
            "Q4",
            &e2_app,
            "--revoke",
            "--justification",
            "left the team",
            "--reviewer",
            "M1",
        ])
        .assert()
        .success();
    let before = owner.dump();
    owner
        .recert()
        .args(["packet", "merge"])
        .arg(&back)
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "item {e2_app}: changed in the workspace"
        )))
        .stderr(predicate::str::contains("--prefer packet"));
    assert_eq!(owner.dump(), before, "a conflicting packet merged partly");
    owner
        .recert()
        .args(["packet", "merge", "--prefer", "workspace"])
        .arg(&back)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 conflicting item settled in favour of the workspace",
        ));
    let item = crate::finishing::item(&owner, "E2", "app");
    assert_eq!(item["decision"], "revoke", "{item}");
    let listed = owner
        .recert()
        .args(["packet", "list", "Q4", "--json"])
        .output()
        .expect("list");
    let listed: Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(listed[0]["state"], "returned", "{listed}");
    assert_eq!(listed[0]["merged"]["prefer"], "workspace", "{listed}");
    assert_eq!(listed[0]["merged"]["skipped"], 1, "{listed}");
    assert_eq!(listed[0]["merged"]["decisions"], 1, "{listed}");
    let other = crate::finishing::item(&owner, "E0429", "app");
    assert_eq!(other["decision"], "certify", "{other}");
}

#[test]
fn a_reassigned_item_conflicts_and_the_packet_can_win() {
    let owner = Scratch::new();
    company(&owner, false, "2026-12-15");
    let packet = create(&owner, "M1", "m1.packet");
    let mia = Machine::new();
    let done = review_and_seal(&mia, &packet);
    register(&owner, "M1", &mia);
    let back = returned(&owner, &done, "back.packet");
    let e2_app = crate::finishing::id(&owner, "E2", "app");
    owner
        .recert()
        .args([
            "reassign",
            "Q4",
            &e2_app,
            "--to",
            "O1",
            "--reason",
            "Olu knows the app",
            "--reviewer",
            "M1",
        ])
        .assert()
        .success();
    owner
        .recert()
        .args(["packet", "merge"])
        .arg(&back)
        .assert()
        .failure()
        .stderr(predicate::str::contains("reassigned to O1"));
    owner
        .recert()
        .args(["packet", "merge", "--prefer", "packet"])
        .arg(&back)
        .assert()
        .success();
    let item = crate::finishing::item(&owner, "E2", "app");
    assert_eq!(item["decision"], "certify", "{item}");
    owner.recert().arg("verify").assert().success();
}

#[test]
fn a_packet_is_one_reviewers_and_never_overwritten() {
    let owner = Scratch::new();
    company(&owner, false, "2026-12-15");
    let packet = create(&owner, "M1", "m1.packet");
    owner
        .recert()
        .args(["packet", "create", "Q4", "--reviewer", "O1", "-o"])
        .arg(&packet)
        .assert()
        .failure()
        .stderr(predicate::str::contains("never overwrites"));
    let mia = Machine::new();
    let local = mia.receive(&packet);
    let id = mia.items(&local)[0]["item_id"].to_string();
    mia.recert()
        .args(["decide", "--packet"])
        .arg(&local)
        .args([
            &id,
            "--certify",
            "--justification",
            "ok",
            "--reviewer",
            "O1",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("this packet is M1's"));
    // A packet is not a workspace, and a workspace is not a packet.
    mia.recert()
        .arg("--workspace")
        .arg(&local)
        .args(["status"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is a review packet"));
    owner
        .recert()
        .args(["items", "--packet"])
        .arg(owner.workspace())
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a review packet"));
}

/// `kill -9` while a packet of 40,000 decisions is being merged: the
/// workspace holds none of it or all of it, and merging again completes it.
#[test]
fn kill_9_during_a_merge_leaves_none_of_the_packet_or_all_of_it() {
    const ROWS: i64 = 40_000;
    let owner = Scratch::new();
    crate::crash::base(&owner);
    let big = owner.file("big.csv", &crate::crash::big_entitlements(40_000));
    owner.import(&[big]);
    let lead = Machine::new();
    register(&owner, "lead", &lead);
    owner.campaign("Q4", &["--default-reviewer", "lead"]);
    let packet = create(&owner, "lead", "lead.packet");
    let local = lead.receive(&packet);
    let ids: Vec<String> = {
        let conn = rusqlite::Connection::open(&local).expect("open packet");
        let mut statement = conn
            .prepare("SELECT id FROM items ORDER BY id")
            .expect("ids");
        statement
            .query_map([], |row| row.get::<_, i64>(0))
            .expect("query")
            .map(|id| id.expect("id").to_string())
            .collect()
    };
    assert_eq!(ids.len(), 40_000);
    lead.recert()
        .args(["decide", "--packet"])
        .arg(&local)
        .args(&ids)
        .args(["--revoke", "--justification", "no owner"])
        .assert()
        .success();
    lead.recert()
        .args(["packet", "seal"])
        .arg(&local)
        .arg("--key")
        .arg(lead.key())
        .assert()
        .success();
    let back = returned(&owner, &local, "back.packet");

    let mut child = crate::crash::spawn(
        &owner,
        &["packet".as_ref(), "merge".as_ref(), back.as_os_str()],
        &[],
    );
    let killed = crate::crash::wait_for_wal(&owner, &mut child, 256 * 1024);
    if killed {
        child.kill().expect("SIGKILL");
    }
    child.wait().expect("wait");
    let count = |sql: &str| -> i64 {
        let conn = rusqlite::Connection::open(owner.workspace()).expect("open");
        conn.query_row(sql, [], |row| row.get(0)).expect(sql)
    };
    let events = count("SELECT count(*) FROM decision_events");
    let merges = count("SELECT count(*) FROM packet_merges");
    eprintln!("killed mid-merge: {killed}; events after: {events}");
    assert!(
        (events == 0 && merges == 0) || (events == ROWS && merges == 1),
        "half a merge: {events} events, {merges} merge records"
    );
    owner
        .recert()
        .args(["packet", "merge"])
        .arg(&back)
        .assert()
        .success();
    assert_eq!(count("SELECT count(*) FROM decision_events"), ROWS);
    assert_eq!(status(&owner)["revoked"], ROWS);
    owner.recert().arg("verify").assert().success();
}

/// Registering a person's public key for packets keeps the own-access rule
/// whole: E0429, registered for their key, still never decides the access
/// of their own secondary admin account.
#[test]
fn a_person_registered_for_their_key_still_never_decides_their_own_access() {
    let owner = Scratch::new();
    company(&owner, false, "2026-12-15");
    let eve = Machine::new();
    register(&owner, "E0429", &eve);
    let secondary = crate::finishing::id(&owner, "adm-e0429@x.example", "prod");
    let before = owner.dump();
    owner
        .recert()
        .args([
            "decide",
            "Q4",
            &secondary,
            "--certify",
            "--justification",
            "mine",
        ])
        .args(["--reviewer", "E0429"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("own access"));
    assert_eq!(owner.dump(), before);
}

/// With several files, each packet is merged or refused on its own.
#[test]
fn each_packet_of_a_merge_is_merged_or_refused_on_its_own() {
    let owner = Scratch::new();
    company(&owner, false, "2026-12-15");
    let m1 = create(&owner, "M1", "m1.packet");
    let o1 = create(&owner, "O1", "o1.packet");
    let mia = Machine::new();
    let olu = Machine::new();
    let m1_done = review_and_seal(&mia, &m1);
    // Olu decides by accepting the recommendations but never seals.
    let o1_local = olu.receive(&o1);
    let ids: Vec<String> = olu
        .items(&o1_local)
        .iter()
        .map(|i| i["item_id"].to_string())
        .collect();
    olu.recert()
        .args(["decide", "--packet"])
        .arg(&o1_local)
        .args(&ids)
        .args(["--accept", "--justification", "as recommended"])
        .assert()
        .success();
    register(&owner, "M1", &mia);
    register(&owner, "O1", &olu);
    let m1_back = returned(&owner, &m1_done, "m1-back.packet");
    let o1_back = returned(&owner, &o1_local, "o1-back.packet");
    owner
        .recert()
        .args(["packet", "merge"])
        .arg(&o1_back)
        .arg(&m1_back)
        .assert()
        .failure()
        .stdout(predicate::str::contains("merged"))
        .stderr(predicate::str::contains("is not sealed"))
        .stderr(predicate::str::contains("1 packet of 2 not merged"));
    assert_eq!(status(&owner)["decided"], 2);
    owner
        .recert()
        .args(["packet", "list", "Q4"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 packet out, 1 returned"));
}

/// A packet of a campaign compared with a signed-off baseline carries what
/// the baseline decided about each grant, as the workspace shows it: the
/// baseline's own items and events stay behind.
#[test]
fn a_packet_carries_the_baselines_decisions() {
    let owner = Scratch::new();
    company(&owner, false, "2099-12-31");
    let dormant = crate::finishing::id(&owner, "E0429", "app");
    owner
        .recert()
        .args(["decide", "Q4", &dormant, "--revoke"])
        .args([
            "--justification",
            "dormant since January",
            "--reviewer",
            "M1",
        ])
        .assert()
        .success();
    let active = crate::finishing::id(&owner, "E2", "app");
    // Time-boxed, so the packet must carry the end date too.
    let until = (chrono::Local::now().date_naive() + chrono::Days::new(30))
        .format("%Y-%m-%d")
        .to_string();
    owner
        .recert()
        .args(["decide", "Q4", &active, "--certify", "--until", &until])
        .args([
            "--justification",
            "builds the app daily",
            "--reviewer",
            "M1",
        ])
        .assert()
        .success();
    sign_off_the_rest(&owner, "Q4");
    // The next quarter, compared with Q4 (the latest signed-off campaign).
    owner.campaign("Q1", &["--default-reviewer", "iam-lead"]);
    let path = owner.dir.path().join("m1-q1.packet");
    owner
        .recert()
        .args(["packet", "create", "Q1", "--reviewer", "M1", "-o"])
        .arg(&path)
        .assert()
        .success();
    let workspace = crate::finishing::items_of(&owner, "Q1");
    let machine = Machine::new();
    let local = machine.receive(&path);
    let packet = machine.items(&local);
    assert_eq!(packet.len(), 2, "M1's two app items: {packet:?}");
    for item in &packet {
        let same = workspace
            .iter()
            .find(|w| w["item_id"] == item["item_id"])
            .expect("the item in the workspace");
        for field in ["delta", "prior_decision", "prior", "carry_over"] {
            assert_eq!(item[field], same[field], "{field} of {}", item["item_id"]);
        }
    }
    let prior = |account: &str| {
        packet
            .iter()
            .find(|i| i["account"] == account)
            .map(|i| i["prior"].clone())
            .expect("item")
    };
    assert_eq!(prior("E0429")["decision"], "revoke");
    assert_eq!(prior("E0429")["justification"], "dormant since January");
    assert_eq!(prior("E0429")["decided_by"], "M1");
    assert_eq!(prior("E2")["decision"], "certify");
    assert_eq!(prior("E2")["campaign"], "Q4");
    assert_eq!(prior("E2")["valid_until"], until.as_str());
    assert_eq!(prior("E0429")["valid_until"], Value::Null);
}
