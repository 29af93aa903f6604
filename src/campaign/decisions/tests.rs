//! Decision rules, the chain, and the projection and counts kept with it.

use super::*;
use crate::chain::GENESIS;
use crate::test_support::{self, rows};
use crate::workspace::Workspace;

/// A campaign with three items held by E1 (plain) and E2 (dormant) under
/// control 5.18 and E3 (plain) under 5.15, with their stored counts, built
/// with raw SQL so these tests need nothing but the schema.
fn workspace() -> Workspace {
    crate::test_support::workspace_with(&format!(
        "INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
             VALUES (1, 1, 'identities', 'canonical', 'identities', 'i.csv', '{h}', 3),
                    (2, 1, 'entitlements', 'canonical', 'entitlements', 'e.csv', '{h}', 3);
         INSERT INTO identities (id, snapshot_id, line, identity_id, email, kind, status)
             VALUES (1, 1, 2, 'E1', 'one@x.example', 'human', 'active'),
                    (2, 1, 3, 'E2', NULL, 'human', 'active'),
                    (3, 1, 4, 'E3', NULL, 'human', 'active');
         INSERT INTO grants (id, snapshot_id, line, identity_ref, system, entitlement, type, privileged)
             VALUES (1, 2, 2, 'E1', 'app', 'user', 'role', 0),
                    (2, 2, 3, 'E2', 'app', 'user', 'role', 0),
                    (3, 2, 4, 'E3', 'app', 'user', 'role', 0);
         INSERT INTO campaigns (id, name, as_of, justify_mask, rules, created_at, created_by)
             VALUES (1, 'Q4', '2026-11-30', {justify}, '{{}}', '2026-11-30T00:00:00Z', 'u');
         INSERT INTO items (id, campaign_id, control_id, grant_row, identity_row, signal_mask, reasons,
             recommendation, recommendation_reason, assigned_reviewer)
             VALUES (1, 1, '5.18', 1, 1, 0, '[]', 'certify', 'no risk', 'M1'),
                    (2, 1, '5.18', 2, 2, {dormant}, '[\"last used 200 days ago\"]', 'revoke', 'dormant', 'M1'),
                    (3, 1, '5.15', 3, 3, 0, '[]', 'certify', 'no risk', 'M1');
         INSERT INTO control_stats (campaign_id, control_id, total, signal_0, signal_1, signal_2,
             signal_3, signal_4, signal_5, signal_6, signal_7, first_item, last_item)
             VALUES (1, '5.15', 1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3), (1, '5.18', 2, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2);",
        h = "a".repeat(64),
        justify = Signal::ALL.iter().filter(|s| s.is_risk()).fold(0, |m, s| m | s.bit()),
        dormant = Signal::Dormant.bit(),
    ))
}

fn decide(
    ws: &mut Workspace,
    items: &[i64],
    action: DecisionAction,
    why: Option<&str>,
    who: &str,
) -> Result<usize, DecideError> {
    test_support::decide(ws, "Q4", items, action, why, who)
}

fn current(ws: &Workspace, item: i64) -> Option<String> {
    ws.conn
        .query_row(
            "SELECT decision FROM item_view WHERE item_id = ?1",
            [item],
            |row| row.get(0),
        )
        .expect("item")
}

#[test]
fn latest_event_is_the_current_decision_and_undo_clears_it() {
    let mut ws = workspace();
    decide(&mut ws, &[1], DecisionAction::Certify, None, "M1").expect("certify");
    assert_eq!(current(&ws, 1).as_deref(), Some("certify"));
    decide(
        &mut ws,
        &[1],
        DecisionAction::Revoke,
        Some("moved team"),
        "M1",
    )
    .expect("revoke");
    assert_eq!(current(&ws, 1).as_deref(), Some("revoke"));
    decide(&mut ws, &[1], DecisionAction::Undo, None, "M1").expect("undo");
    assert_eq!(current(&ws, 1), None);
    assert_eq!(history(&ws.conn, 1).expect("history").len(), 3);
}

#[test]
fn revoke_without_justification_is_refused_naming_the_rule() {
    let mut ws = workspace();
    let err =
        decide(&mut ws, &[1, 3], DecisionAction::Revoke, Some("  "), "M1").expect_err("refused");
    assert_eq!(
        err.to_string(),
        "rule: every revoke needs a justification; add --justification TEXT (items 1, 3)"
    );
    assert_eq!(current(&ws, 1), None);
}

#[test]
fn certifying_a_risk_needs_a_justification_but_a_clean_item_does_not() {
    let mut ws = workspace();
    let err = decide(&mut ws, &[1, 2], DecisionAction::Certify, None, "M1").expect_err("refused");
    assert!(err.to_string().contains("risk signals (dormant)"), "{err}");
    assert_eq!(current(&ws, 1), None, "all or nothing");
    decide(
        &mut ws,
        &[1, 2],
        DecisionAction::Certify,
        Some("still on call"),
        "M1",
    )
    .expect("justified");
    assert_eq!(current(&ws, 2).as_deref(), Some("certify"));
}

#[test]
fn own_access_is_refused_by_id_or_email() {
    let mut ws = workspace();
    for who in ["E1", "ONE@x.example"] {
        let err = decide(&mut ws, &[1], DecisionAction::Certify, None, who).expect_err("own");
        assert!(
            matches!(
                err,
                DecideError::Refused(Refusal::OwnAccess { item: 1, .. })
            ),
            "{err}"
        );
    }
}

#[test]
fn unknown_items_and_signed_off_campaigns_are_refused() {
    let mut ws = workspace();
    let err = decide(&mut ws, &[99], DecisionAction::Certify, None, "M1").expect_err("unknown");
    assert!(matches!(
        err,
        DecideError::Refused(Refusal::UnknownItem { item: 99, .. })
    ));
    ws.conn
        .execute(
            "INSERT INTO signoffs VALUES (1, 'M1', 'u', 'h', '2026-12-02T00:00:00Z', 'done', ?1)",
            [GENESIS],
        )
        .expect("sign off");
    let err = decide(&mut ws, &[1], DecisionAction::Certify, None, "M1").expect_err("locked");
    assert!(matches!(
        err,
        DecideError::Refused(Refusal::SignedOff { .. })
    ));
}

#[test]
fn events_are_chained_and_append_only() {
    let mut ws = workspace();
    decide(&mut ws, &[1, 3], DecisionAction::Certify, None, "M1").expect("certify");
    let events = history(&ws.conn, 3).expect("history");
    let first = &history(&ws.conn, 1).expect("history")[0];
    assert_eq!(first.prev_hash, GENESIS);
    assert_eq!(events[0].prev_hash, first.hash());
    let tamper = ws
        .conn
        .execute("UPDATE decision_events SET action = 'revoke'", []);
    assert!(tamper.is_err(), "updates are refused by a trigger");
}

fn triple<A, B, C>(row: &rusqlite::Row<'_>) -> rusqlite::Result<(A, B, C)>
where
    A: rusqlite::types::FromSql,
    B: rusqlite::types::FromSql,
    C: rusqlite::types::FromSql,
{
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

/// `(control, certified, revoked)` as stored, by control.
fn stored_counts(ws: &Workspace) -> Vec<(String, i64, i64)> {
    rows(
        &ws.conn,
        "SELECT control_id, certified, revoked FROM control_stats ORDER BY control_id",
        triple,
    )
}

/// The same counts recomputed from `current_decisions`: what the stored ones
/// must always equal.
fn scanned_counts(ws: &Workspace) -> Vec<(String, i64, i64)> {
    rows(
        &ws.conn,
        "SELECT it.control_id, coalesce(sum(cd.decision = 'certify'), 0),
                coalesce(sum(cd.decision = 'revoke'), 0)
         FROM items it LEFT JOIN current_decisions cd ON cd.item_id = it.id
         GROUP BY it.control_id ORDER BY it.control_id",
        triple,
    )
}

/// `(item, event, decision)` of every current decision.
fn projection(ws: &Workspace) -> Vec<(i64, i64, String)> {
    rows(
        &ws.conn,
        "SELECT item_id, event_id, decision FROM current_decisions ORDER BY item_id",
        triple,
    )
}

/// The stored `(control, certified, revoked)`, checked against a recount.
fn counts(ws: &Workspace) -> Vec<(String, i64, i64)> {
    let stored = stored_counts(ws);
    assert_eq!(stored, scanned_counts(ws), "stored counts match the items");
    stored
}

fn expect(counts: [(&str, i64, i64); 2]) -> Vec<(String, i64, i64)> {
    counts
        .iter()
        .map(|&(control, certified, revoked)| (control.to_owned(), certified, revoked))
        .collect()
}

#[test]
fn counts_and_projection_follow_certify_revoke_redecide_and_undo() {
    let mut ws = workspace();
    decide(&mut ws, &[1, 3], DecisionAction::Certify, None, "M1").expect("certify");
    assert_eq!(counts(&ws), expect([("5.15", 1, 0), ("5.18", 1, 0)]));
    assert_eq!(
        projection(&ws),
        [(1, 1, "certify".to_owned()), (3, 2, "certify".to_owned())]
    );

    decide(
        &mut ws,
        &[1, 2],
        DecisionAction::Revoke,
        Some("moved"),
        "M1",
    )
    .expect("revoke");
    assert_eq!(
        counts(&ws),
        expect([("5.15", 1, 0), ("5.18", 0, 2)]),
        "certify → revoke"
    );

    decide(&mut ws, &[2], DecisionAction::Revoke, Some("again"), "M1").expect("repeat");
    assert_eq!(
        counts(&ws),
        expect([("5.15", 1, 0), ("5.18", 0, 2)]),
        "a repeat moves nothing"
    );
    assert_eq!(
        projection(&ws)[1],
        (2, 5, "revoke".to_owned()),
        "the latest event"
    );

    decide(&mut ws, &[2, 3], DecisionAction::Undo, None, "M1").expect("undo");
    assert_eq!(
        counts(&ws),
        expect([("5.15", 0, 0), ("5.18", 0, 1)]),
        "revoke → undo"
    );
    assert_eq!(projection(&ws), [(1, 3, "revoke".to_owned())]);

    let err = decide(&mut ws, &[1, 3], DecisionAction::Undo, None, "M1").expect_err("undecided");
    assert_eq!(
        err.to_string(),
        "item 3 has no decision to undo; nothing was recorded"
    );
    assert_eq!(
        counts(&ws),
        expect([("5.15", 0, 0), ("5.18", 0, 1)]),
        "undecided stays"
    );

    decide(&mut ws, &[1], DecisionAction::Certify, None, "M1").expect("revoke → certify");
    assert_eq!(counts(&ws), expect([("5.15", 0, 0), ("5.18", 1, 0)]));
}

#[test]
fn an_item_named_twice_counts_once_and_keeps_its_latest_event() {
    let mut ws = workspace();
    decide(&mut ws, &[1, 1, 3, 1], DecisionAction::Certify, None, "M1").expect("certify");
    assert_eq!(counts(&ws), expect([("5.15", 1, 0), ("5.18", 1, 0)]));
    assert_eq!(
        projection(&ws),
        [(1, 4, "certify".to_owned()), (3, 3, "certify".to_owned())]
    );
    assert_eq!(history(&ws.conn, 1).expect("history").len(), 3);
}

#[rstest::rstest]
#[case::unknown_item(&[2, 3, 99], "M1", "not in campaign")]
#[case::own_access(&[2, 3, 1], "E1", "own access")]
#[case::unjustified(&[2, 3], "M1", "needs a justification")]
fn a_refused_bulk_decision_leaves_events_projection_and_counts_alone(
    #[case] items: &[i64],
    #[case] who: &str,
    #[case] says: &str,
) {
    let mut ws = workspace();
    decide(&mut ws, &[1, 3], DecisionAction::Certify, None, "M1").expect("certify");
    let before = (counts(&ws), projection(&ws));
    let why = if says.contains("justification") {
        None
    } else {
        Some("gone")
    };
    let err = decide(&mut ws, items, DecisionAction::Revoke, why, who).expect_err("refused");
    assert!(err.to_string().contains(says), "{err}");
    assert_eq!((counts(&ws), projection(&ws)), before);
    let events: i64 = ws
        .conn
        .query_row("SELECT count(*) FROM decision_events", [], |row| row.get(0))
        .expect("count");
    assert_eq!(events, 2, "nothing appended");
}

#[test]
fn a_control_without_stored_counts_refuses_the_decision_and_records_nothing() {
    let mut ws = workspace();
    ws.conn
        .execute("DELETE FROM control_stats WHERE control_id = '5.18'", [])
        .expect("no stats");
    let err = decide(&mut ws, &[3, 1], DecisionAction::Certify, None, "M1").expect_err("refused");
    assert_eq!(
        err.to_string(),
        "campaign 1 has no progress counts for control 5.18: the workspace was changed outside recert (`recert verify` names what); nothing was recorded"
    );
    assert_eq!((current(&ws, 1), current(&ws, 3)), (None, None));
    assert!(history(&ws.conn, 3).expect("history").is_empty());
}

#[test]
fn a_refusal_names_the_first_item_in_the_order_given() {
    let mut ws = workspace();
    let err = decide(&mut ws, &[3, 99, 1], DecisionAction::Certify, None, "E1").expect_err("no");
    assert!(
        matches!(
            err,
            DecideError::Refused(Refusal::UnknownItem { item: 99, .. })
        ),
        "{err}"
    );
    let err = decide(&mut ws, &[1, 99], DecisionAction::Certify, None, "E1").expect_err("no");
    assert!(
        matches!(
            err,
            DecideError::Refused(Refusal::OwnAccess { item: 1, .. })
        ),
        "{err}"
    );
    let err = decide(&mut ws, &[3, 1, 2], DecisionAction::Revoke, None, "M1").expect_err("no");
    assert!(err.to_string().ends_with("(items 3, 1, 2)"), "{err}");
}

/// An accept of mixed recommendations certifies some items and revokes
/// others: both commit together, or neither does.
#[test]
fn several_requests_commit_together_or_not_at_all() {
    let mut ws = workspace();
    let campaign = crate::campaign::find_campaign(&ws.conn, "Q4").expect("campaign");
    let request = |items, action, justification| DecisionRequest {
        items,
        action,
        justification,
        extras: crate::campaign::EventExtras::default(),
    };
    let refused = record_decision_groups(
        &mut ws.conn,
        &campaign,
        &[
            request(&[1], DecisionAction::Certify, None),
            // Every revoke needs a justification: the whole call is refused.
            request(&[3], DecisionAction::Revoke, None),
        ],
        &Actor::fixed("M1"),
        test_support::at(9),
    );
    assert!(matches!(
        refused,
        Err(DecideError::Refused(
            Refusal::RevokeNeedsJustification { .. }
        ))
    ));
    assert_eq!(
        current(&ws, 1),
        None,
        "the certification was rolled back too"
    );
    let recorded = record_decision_groups(
        &mut ws.conn,
        &campaign,
        &[
            request(&[1], DecisionAction::Certify, Some("as recommended")),
            request(&[2, 3], DecisionAction::Revoke, Some("as recommended")),
        ],
        &Actor::fixed("M1"),
        test_support::at(9),
    )
    .expect("both");
    assert_eq!(recorded, 3);
    assert_eq!(current(&ws, 1).as_deref(), Some("certify"));
    assert_eq!(current(&ws, 3).as_deref(), Some("revoke"));
    assert_eq!(
        counts(&ws),
        expect([("5.15", 0, 1), ("5.18", 1, 1)]),
        "counts follow both requests"
    );
}
