//! Forging a signed-off campaign with the sqlite3 shell: deleting its
//! sign-off, rewriting a decision and the recorded final hash, rewriting the
//! sign-off log too. `recert verify` names what it can see without a key,
//! `recert verify --pubkey` what only the signature can tell, and
//! `export --key` never re-signs forged evidence.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use recert::campaign::{DecisionEvent, find_campaign, history};
use recert::evidence::export::write_evidence;
use recert::evidence::signoff_log::{current_record, entries};
use recert::model::DecisionAction;
use recert::workspace::Workspace;

use crate::decide_faults::campaign_of;
use crate::evidence_faults::keygen;
use crate::support::Scratch;

/// Campaign "Q4" of three items (1 and 2 certified, 3 revoked), signed off
/// with a password-less key; returns the keys directory.
fn signed_off(scratch: &Scratch) -> PathBuf {
    campaign_of(scratch, 3);
    scratch
        .recert()
        .args(["decide", "Q4", "1", "2", "--certify", "--reviewer", "R"])
        .assert()
        .success();
    scratch
        .recert()
        .args(["decide", "Q4", "3", "--revoke", "--reviewer", "R"])
        .args(["--justification", "left the company"])
        .assert()
        .success();
    let keys = keygen(scratch);
    scratch
        .recert()
        .args(["signoff", "Q4", "--reviewer", "CISO", "--key"])
        .arg(keys.join("recert.key"))
        .arg("-o")
        .arg(scratch.dir.path().join("evidence.csv"))
        .assert()
        .success();
    keys
}

/// The protections a careful forger removes first and puts back after.
const TRIGGERS: &str = "
CREATE TRIGGER decision_events_append_only_update BEFORE UPDATE ON decision_events
BEGIN SELECT RAISE(ABORT, 'decision events are append-only'); END;
CREATE TRIGGER signoffs_final_update BEFORE UPDATE ON signoffs
BEGIN SELECT RAISE(ABORT, 'a sign-off is final'); END;
CREATE TRIGGER signoff_log_append_only_update BEFORE UPDATE ON signoff_log
BEGIN SELECT RAISE(ABORT, 'the sign-off log is append-only'); END;";

/// Turns item 3's revoke into a certification as a careful forger would:
/// event re-hashed, current decision and counts moved, the sign-off's final
/// hash replaced by the forged evidence's, and with `rewrite_log` the
/// sign-off log's record and entry hash too. The triggers are put back.
fn forge(path: &Path, rewrite_log: bool) {
    let ws = Workspace::open(path).expect("open");
    let conn = &ws.conn;
    conn.execute_batch(
        "DROP TRIGGER decision_events_append_only_update;
         DROP TRIGGER signoffs_final_update;
         DROP TRIGGER signoff_log_append_only_update;",
    )
    .expect("unprotect");
    let revoke = history(conn, 3).expect("history").pop().expect("event");
    let forged = DecisionEvent {
        action: DecisionAction::Certify,
        justification: None,
        ..revoke
    };
    conn.execute(
        "UPDATE decision_events SET action = 'certify', justification = NULL, event_hash = ?1 WHERE id = ?2",
        rusqlite::params![forged.hash(), forged.id],
    )
    .expect("event");
    conn.execute_batch(
        "UPDATE current_decisions SET decision = 'certify' WHERE item_id = 3;
         UPDATE control_stats SET certified = certified + 1, revoked = revoked - 1
             WHERE campaign_id = 1 AND control_id = (SELECT control_id FROM items WHERE id = 3);",
    )
    .expect("projection");
    let campaign = find_campaign(conn, "Q4").expect("campaign");
    let hash = write_evidence(conn, &campaign, std::io::sink())
        .expect("evidence")
        .last_hash;
    conn.execute("UPDATE signoffs SET final_hash = ?1", [&hash])
        .expect("final hash");
    if rewrite_log {
        let mut entry = entries(conn).expect("log").remove(0);
        entry.record = current_record(conn, 1)
            .expect("record")
            .expect("signed off")
            .to_json()
            .expect("json");
        entry.entry_hash = entry.computed_hash();
        conn.execute(
            "UPDATE signoff_log SET record = ?1, entry_hash = ?2 WHERE id = ?3",
            rusqlite::params![entry.record, entry.entry_hash, entry.id],
        )
        .expect("log");
    }
    conn.execute_batch(TRIGGERS).expect("protect again");
}

fn export_with_key(scratch: &Scratch, keys: &Path, file: &str) -> assert_cmd::assert::Assert {
    scratch
        .recert()
        .args(["export", "Q4", "-o"])
        .arg(scratch.dir.path().join(file))
        .arg("--key")
        .arg(keys.join("recert.key"))
        .assert()
}

#[test]
fn a_deleted_sign_off_is_reported_even_without_a_key() {
    let scratch = Scratch::new();
    signed_off(&scratch);
    rusqlite::Connection::open(scratch.workspace())
        .expect("open")
        .execute_batch("DROP TRIGGER signoffs_final_delete; DELETE FROM signoffs;")
        .expect("reopen");
    scratch
        .recert()
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "trigger signoffs_final_delete is missing",
        ))
        .stdout(predicate::str::contains(
            "campaign 1 (sign-off deleted): the campaign was signed off (sign-off log entry 1, by CISO (tester@",
        ))
        .stdout(predicate::str::contains("it was reopened outside recert"));
}

#[test]
fn a_rewritten_decision_and_final_hash_are_found_and_never_re_signed() {
    let scratch = Scratch::new();
    let keys = signed_off(&scratch);
    forge(&scratch.workspace(), false);
    scratch
        .recert()
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "the sign-off no longer reads as logged in sign-off log entry 1: final_row_hash, certified, revoked, chain_head changed since",
        ));
    export_with_key(&scratch, &keys, "forged.csv")
        .code(1)
        .stderr(predicate::str::contains(
            "refusing to sign the evidence of campaign 1: its sign-off no longer matches the one logged in entry 1",
        ));
    assert!(!scratch.dir.path().join("forged.csv").exists());
}

#[test]
fn a_forger_who_rewrites_the_log_too_is_caught_by_the_signature() {
    let scratch = Scratch::new();
    let keys = signed_off(&scratch);
    forge(&scratch.workspace(), true);
    // Without the key nothing inside the workspace can tell: it says so.
    scratch
        .recert()
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "NOT checked (pass --pubkey recert.pub)",
        ))
        .stdout(predicate::str::contains(
            "Sign-off signatures were not checked",
        ));
    scratch
        .recert()
        .args(["verify", "--pubkey"])
        .arg(keys.join("recert.pub"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("signature BAD"))
        .stderr(predicate::str::contains(
            "campaign 1 (sign-off signature): the signature of sign-off log entry 1 does not match the record",
        ));
    export_with_key(&scratch, &keys, "forged.csv")
        .code(1)
        .stderr(predicate::str::contains(
            "the signature of its sign-off (log entry 1) does not match the record",
        ));
    assert!(!scratch.dir.path().join("forged.csv").exists());
}

#[test]
fn every_sign_off_is_checked_with_the_signers_key() {
    let scratch = Scratch::new();
    let keys = signed_off(&scratch);
    let public = keys.join("recert.pub");
    scratch
        .recert()
        .args(["verify", "--pubkey"])
        .arg(&public)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "campaign 1 signed off by CISO (tester@",
        ))
        .stdout(predicate::str::contains(": signature good (key ID "));
    // Another key is named as such.
    let other = scratch.dir.path().join("other");
    scratch
        .recert()
        .args(["keygen", "--no-password", "--out"])
        .arg(&other)
        .assert()
        .success();
    scratch
        .recert()
        .args(["verify", "--pubkey"])
        .arg(other.join("recert.pub"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("was made with key ID "))
        .stderr(predicate::str::contains(", not with the given key "));
    export_with_key(&scratch, &other, "other.csv")
        .code(1)
        .stderr(predicate::str::contains("sign its evidence with that key"));
}

#[test]
fn a_signed_sign_off_record_verifies_with_minisign_alone() {
    let scratch = Scratch::new();
    let keys = signed_off(&scratch);
    // As the README shows with the sqlite3 shell: the record without its
    // line end, its signature beside it, then minisign.
    let (record, signature): (String, String) = rusqlite::Connection::open(scratch.workspace())
        .expect("open")
        .query_row(
            "SELECT record, signature FROM signoff_log WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("entry");
    let file = scratch.file("record.json", &record);
    scratch.file("record.json.minisig", &signature);
    let minisign = std::process::Command::new("minisign")
        .arg("-Vm")
        .arg(&file)
        .arg("-p")
        .arg(keys.join("recert.pub"))
        .output()
        .expect("minisign");
    let out = String::from_utf8_lossy(&minisign.stdout);
    assert!(minisign.status.success(), "{out}");
    assert!(
        out.contains("Trusted comment: recert sign-off; campaign 1; final_row_hash="),
        "{out}"
    );
}

#[test]
fn a_sign_off_without_a_key_is_signed_by_the_first_signed_export() {
    let scratch = Scratch::new();
    campaign_of(&scratch, 2);
    scratch
        .recert()
        .args(["decide", "Q4", "1", "2", "--certify", "--reviewer", "R"])
        .assert()
        .success();
    scratch
        .recert()
        .args(["signoff", "Q4"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "now write the evidence for the auditor, signed: recert export 1 -o evidence.csv --key KEY",
        ));
    let keys = keygen(&scratch);
    let public = keys.join("recert.pub");
    scratch
        .recert()
        .args(["verify", "--pubkey"])
        .arg(&public)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(": not signed"))
        .stderr(predicate::str::contains(
            "the sign-off is not signed, so nothing outside the workspace vouches for it",
        ));
    export_with_key(&scratch, &keys, "evidence.csv")
        .success()
        .stdout(predicate::str::contains(
            "signed the sign-off record of campaign 1 with this key too",
        ));
    scratch
        .recert()
        .args(["verify", "--pubkey"])
        .arg(&public)
        .assert()
        .success()
        .stdout(predicate::str::contains("signature good"));
    // Signing again checks the signature and adds nothing.
    export_with_key(&scratch, &keys, "again.csv")
        .success()
        .stdout(predicate::str::contains("signed the sign-off record").not());
    let logged: i64 = rusqlite::Connection::open(scratch.workspace())
        .expect("open")
        .query_row("SELECT count(*) FROM signoff_log", [], |r| r.get(0))
        .expect("count");
    assert_eq!(logged, 2, "the unsigned entry and the signed one");
}

#[test]
fn signoff_with_a_key_that_cannot_write_its_evidence_says_how_to_write_it() {
    let scratch = Scratch::new();
    campaign_of(&scratch, 2);
    scratch
        .recert()
        .args(["decide", "Q4", "1", "2", "--certify", "--reviewer", "R"])
        .assert()
        .success();
    let keys = keygen(&scratch);
    let missing = scratch.dir.path().join("no-such-dir").join("evidence.csv");
    scratch
        .recert()
        .args(["signoff", "Q4", "--key"])
        .arg(keys.join("recert.key"))
        .arg("-o")
        .arg(&missing)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "campaign 1 is signed off (its sign-off and signature are recorded), but its signed evidence was not written",
        ))
        .stderr(predicate::str::contains(format!(
            "recert export 1 -o {} --key {}",
            missing.display(),
            keys.join("recert.key").display()
        )));
    scratch
        .recert()
        .args(["status", "Q4"])
        .assert()
        .success()
        .stdout(predicate::str::contains("signed off"));
    scratch
        .recert()
        .args(["verify", "--pubkey"])
        .arg(keys.join("recert.pub"))
        .assert()
        .success();
}
