//! The sign-off log's record, entry hash and signatures.

use super::*;
use crate::actor::Actor;
use crate::evidence::fixture;
use crate::evidence::keys::{generate, load_secret_key};
use crate::evidence::signoff::sign_off_with_key;
use crate::workspace::Workspace;

/// The fixture campaign, decided and signed off (with `key` when given).
fn signed_off(key: Option<&SigningKey>) -> Workspace {
    let mut ws = fixture::workspace();
    fixture::decide_all(&mut ws);
    let campaign = fixture::campaign(&ws);
    sign_off_with_key(
        &mut ws.conn,
        &campaign,
        &Actor::fixed("CISO"),
        "done",
        key,
        fixture::at(10),
    )
    .expect("sign off");
    ws
}

fn key(dir: &std::path::Path) -> SigningKey {
    let files = generate(dir, None).expect("keygen");
    load_secret_key(&files.secret).expect("key")
}

#[test]
fn a_sign_off_is_logged_with_what_it_attests() {
    let ws = signed_off(None);
    let log = entries(&ws.conn).expect("log");
    assert_eq!(log.len(), 1);
    let entry = &log[0];
    assert_eq!((entry.id, entry.campaign_id), (1, 1));
    assert_eq!(entry.prev_hash, GENESIS);
    assert_eq!(entry.entry_hash, entry.computed_hash());
    assert!(entry.signature.is_none());
    let record = entry.parsed().expect("record");
    assert_eq!(
        Some(record.clone()),
        current_record(&ws.conn, 1).expect("current")
    );
    assert_eq!(
        (
            record.items,
            record.certified,
            record.revoked,
            record.decision_events
        ),
        (5, 3, 2, 5)
    );
    assert_eq!(record.reviewer, "CISO");
    assert!(
        entry
            .record
            .starts_with(r#"{"kind":"recert sign-off 1","campaign_id":1,"#)
    );
}

#[test]
fn any_changed_field_changes_the_entry_hash_and_is_named() {
    let ws = signed_off(None);
    let entry = entries(&ws.conn).expect("log").remove(0);
    let original = entry.computed_hash();
    let mut changed = entry.clone();
    changed.logged_at.push('Z');
    assert_ne!(changed.computed_hash(), original);
    let mut changed = entry.clone();
    changed.record = changed.record.replace("CISO", "CIS0");
    assert_ne!(changed.computed_hash(), original);
    let logged = entry.parsed().expect("record");
    let mut now = logged.clone();
    now.final_row_hash = "f".repeat(64);
    now.revoked += 1;
    assert_eq!(logged.differences(&now), ["final_row_hash", "revoked"]);
}

#[test]
fn a_signed_record_verifies_only_unchanged_and_with_its_own_key() {
    let dir = tempfile::tempdir().expect("dir");
    let signer = key(&dir.path().join("a"));
    let other = key(&dir.path().join("b"));
    let ws = signed_off(Some(&signer));
    let entry = entries(&ws.conn).expect("log").remove(0);
    let signature = entry.signature.as_ref().expect("signed");
    assert_eq!(signature.key_id, key_id(&signer.public));
    assert_eq!(check_signature(&signer.public, &entry), Ok(()));
    let err = check_signature(&other.public, &entry).expect_err("other key");
    assert!(err.starts_with("was made with key ID "), "{err}");
    let mut forged = entry.clone();
    forged.record = forged.record.replace("\"revoked\":2", "\"revoked\":1");
    let err = check_signature(&signer.public, &forged).expect_err("changed");
    assert!(err.starts_with("does not match the record"), "{err}");
}
