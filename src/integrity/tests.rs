//! Tampering with the decision log the way an attacker with the sqlite3 shell
//! would (drop the triggers, then UPDATE, DELETE or INSERT), and checking the
//! verifier names the event.

use chrono::{TimeZone, Utc};

use super::*;
use crate::actor::Actor;
use crate::campaign::{DecisionRequest, find_campaign, record_decisions};
use crate::model::DecisionAction;
use crate::test_support;
use crate::workspace::Workspace;

/// Two campaigns of three items each (items 1-3 in "A", 4-6 in "B"), and
/// decisions interleaved between them: events 1-2 in A, 3 in B, 4 in A, 5-6 in B.
fn decided() -> Workspace {
    let campaign = |name: &str| crate::campaign::CampaignSpec {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
        ..crate::campaign::CampaignSpec::new(name)
    };
    let mut ws = test_support::campaign_workspace(
        &[
            (
                "identities.csv",
                "identity_id,manager_id\nE1,M\nE2,M\nE3,M\n",
            ),
            (
                "entitlements.csv",
                "identity_id,system,entitlement\nE1,app,user\nE2,app,user\nE3,app,user\n",
            ),
        ],
        &campaign("A"),
    );
    test_support::create(&mut ws, &campaign("B"));
    for (campaign, items, action) in [
        ("A", &[1_i64, 2][..], DecisionAction::Certify),
        ("B", &[4][..], DecisionAction::Certify),
        ("A", &[3][..], DecisionAction::Revoke),
        ("B", &[5, 6][..], DecisionAction::Revoke),
    ] {
        decide(&mut ws, campaign, items, action);
    }
    ws
}

fn decide(ws: &mut Workspace, campaign: &str, items: &[i64], action: DecisionAction) {
    test_support::decide(ws, campaign, items, action, Some("reviewed"), "M").expect("decide");
}

/// What an attacker with the sqlite3 shell types first: no triggers, and the
/// shell's default of unenforced foreign keys.
fn unprotect(ws: &Workspace) {
    ws.conn
        .execute_batch(
            "PRAGMA foreign_keys = OFF;
             DROP TRIGGER decision_events_append_only_update;
             DROP TRIGGER decision_events_append_only_delete;",
        )
        .expect("drop triggers");
}

/// What a careful attacker does after editing `current_decisions`: make the
/// per-control progress counts agree again, so only the other checks can tell.
fn recount(ws: &Workspace) {
    ws.conn
        .execute_batch(
            "UPDATE control_stats SET
                 certified = (SELECT count(*) FROM current_decisions cd JOIN items it ON it.id = cd.item_id
                              WHERE it.campaign_id = control_stats.campaign_id
                                AND it.control_id = control_stats.control_id AND cd.decision = 'certify'),
                 revoked = (SELECT count(*) FROM current_decisions cd JOIN items it ON it.id = cd.item_id
                            WHERE it.campaign_id = control_stats.campaign_id
                              AND it.control_id = control_stats.control_id AND cd.decision = 'revoke')",
        )
        .expect("recount");
}

/// The problems other than the removed triggers.
fn findings(ws: &Workspace) -> Vec<LogProblem> {
    let report = verify_decision_log(&ws.conn).expect("verify");
    report
        .problems
        .into_iter()
        .filter(|p| p.kind != ProblemKind::Unprotected)
        .collect()
}

#[test]
fn an_untouched_log_is_intact_with_one_chain_per_campaign() {
    let ws = decided();
    let report = verify_decision_log(&ws.conn).expect("verify");
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.events(), 6);
    let heads: Vec<(i64, u64)> = report
        .chains
        .iter()
        .map(|c| (c.campaign_id, c.events))
        .collect();
    assert_eq!(heads, [(1, 3), (2, 3)]);
    let last_of_b: String = ws
        .conn
        .query_row(
            "SELECT event_hash FROM decision_events WHERE id = 6",
            [],
            |r| r.get(0),
        )
        .expect("hash");
    assert_eq!(report.chains[1].head, last_of_b);
}

#[test]
fn dropping_the_triggers_alone_is_reported() {
    let ws = decided();
    unprotect(&ws);
    let report = verify_decision_log(&ws.conn).expect("verify");
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert!(
        report.problems[0]
            .to_string()
            .contains("trigger decision_events_append_only_update is missing")
    );
}

/// What the attacker types after `unprotect`, and the one finding it must give.
#[rstest::rstest]
#[case::updated_justification(
    "UPDATE decision_events SET justification = 'approved by CISO' WHERE id = 2",
    ProblemKind::Altered,
    Some(2),
    "event 2, item 2, campaign 1 (altered): its recorded fields (decision, justification, reviewer, time...) no longer give its event_hash"
)]
#[case::flipped_decision_with_its_projection(
    "UPDATE decision_events SET action = 'certify' WHERE id = 4;
     UPDATE current_decisions SET decision = 'certify' WHERE item_id = 3;",
    ProblemKind::Altered,
    Some(4),
    "event 4, item 3, campaign 1 (altered)"
)]
#[case::deleted_in_the_middle_of_a_chain(
    "DELETE FROM decision_events WHERE id = 5; DELETE FROM current_decisions WHERE item_id = 5;",
    ProblemKind::Deleted,
    Some(5),
    "event 5 is missing: it was deleted from the log; event 6 no longer links to the event before it"
)]
#[case::deleted_last_of_one_campaign(
    "DELETE FROM decision_events WHERE id = 4; DELETE FROM current_decisions WHERE item_id = 3;",
    ProblemKind::Deleted,
    Some(4),
    "event 4 is missing: it was deleted from the log"
)]
#[case::deleted_newest_caught_by_the_projection(
    "DELETE FROM decision_events WHERE id = 6",
    ProblemKind::Projection,
    Some(6),
    "event 6, item 6, campaign 2 (projection): the item's current decision reads revoke (event 6) but its latest event is no event at all"
)]
fn sql_behind_recerts_back_is_named(
    #[case] sql: &str,
    #[case] kind: ProblemKind,
    #[case] event: Option<i64>,
    #[case] says: &str,
) {
    let ws = decided();
    unprotect(&ws);
    ws.conn.execute_batch(sql).expect("tamper");
    recount(&ws);
    let found = findings(&ws);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].kind, found[0].event_id), (kind, event));
    assert!(found[0].to_string().contains(says), "{}", found[0]);
}

#[test]
fn a_forged_event_appended_with_a_stale_link_is_an_insertion() {
    let ws = decided();
    // Inserting needs no dropped trigger at all, and a careful forger also
    // writes the projection recert would have written: only the chain can tell.
    let mut forged = crate::campaign::history(&ws.conn, 1).expect("history")[0].clone();
    forged.id = 7;
    forged.action = DecisionAction::Revoke;
    let hash = forged.hash();
    ws.conn
        .execute(
            "INSERT INTO decision_events (id, campaign_id, item_id, action, justification, reviewer,
                 os_user, host, decided_at, prev_hash, event_hash, basis)
             VALUES (7, 1, 1, 'revoke', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                forged.justification,
                forged.reviewer,
                forged.os_user,
                forged.host,
                forged.decided_at,
                forged.prev_hash,
                hash,
                basis_of(&forged)
            ],
        )
        .expect("insert");
    ws.conn
        .execute(
            "UPDATE current_decisions SET event_id = 7, decision = 'revoke' WHERE item_id = 1",
            [],
        )
        .expect("project");
    recount(&ws);
    let report = verify_decision_log(&ws.conn).expect("verify");
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let problem = &report.problems[0];
    assert_eq!(
        (problem.kind, problem.event_id, problem.item_id),
        (ProblemKind::Inserted, Some(7), Some(1))
    );
    assert!(
        problem.detail.contains("does not link to event 4"),
        "{problem}"
    );
}

#[test]
fn an_altered_and_rehashed_event_breaks_the_next_link() {
    let ws = decided();
    unprotect(&ws);
    let mut event = crate::campaign::history(&ws.conn, 4).expect("history")[0].clone();
    event.reviewer = "CISO".to_owned();
    ws.conn
        .execute(
            "UPDATE decision_events SET reviewer = 'CISO', event_hash = ?1 WHERE id = 3",
            [event.hash()],
        )
        .expect("tamper");
    let found = findings(&ws);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].kind, found[0].event_id),
        (ProblemKind::Inserted, Some(5))
    );
    assert!(
        found[0]
            .detail
            .contains("event 3 was altered and re-hashed"),
        "{found:?}"
    );
}

#[test]
fn an_outcome_changed_without_an_event_is_reported() {
    let ws = decided();
    // current_decisions has no append-only trigger: no need to drop anything.
    ws.conn
        .execute(
            "UPDATE current_decisions SET decision = 'certify' WHERE item_id = 6",
            [],
        )
        .expect("tamper");
    recount(&ws);
    let report = verify_decision_log(&ws.conn).expect("verify");
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(
        report.problems[0].to_string(),
        "event 6, item 6, campaign 2 (projection): the item's current decision reads certify (event 6) but its latest event is revoke (event 6): the outcome was changed without an event"
    );
}

#[test]
fn progress_counts_changed_without_decisions_are_reported() {
    let ws = decided();
    // control_stats has no trigger either: one UPDATE fakes a finished review.
    ws.conn
        .execute(
            "UPDATE control_stats SET certified = 3, revoked = 0 WHERE campaign_id = 2",
            [],
        )
        .expect("tamper");
    let report = verify_decision_log(&ws.conn).expect("verify");
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(
        report.problems[0].to_string(),
        "campaign 2 (projection): control 5.18's progress reads 3 certified and 0 revoked but its items' current decisions are 1 certified and 2 revoked: the counts were changed outside recert"
    );
}

#[test]
fn items_moved_outside_their_controls_range_are_reported() {
    let ws = decided();
    assert!(findings(&ws).is_empty(), "{:?}", findings(&ws));
    // Item 3 (revoked) slips into a control of its own, out of the review
    // and evidence of 5.18; its revocation leaves 5.18's counts too.
    unprotect(&ws);
    ws.conn
        .execute("UPDATE items SET control_id = '5.15' WHERE id = 3", [])
        .expect("tamper");
    let found: Vec<String> = findings(&ws).iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            "campaign 1 (projection): control 5.18's progress reads 2 certified and 1 revoked but its items' current decisions are 2 certified and 0 revoked: the counts were changed outside recert",
            "campaign 1 (projection): control 5.15 is recorded with 0 items, no ids but holds 1 item, ids 3-3: items were added, removed or moved outside recert, and the review and evidence would not show them all",
            "campaign 1 (projection): control 5.18 is recorded with 3 items, ids 1-3 but holds 2 items, ids 1-2: items were added, removed or moved outside recert, and the review and evidence would not show them all",
        ],
        "{found:?}"
    );
}

#[test]
fn items_outside_their_reviewers_runs_are_reported() {
    let ws = decided();
    // Campaign B's items 4-6 form one run of the default reviewer's (u);
    // a run cut short leaves item 6 out of u's list while it stays.
    let runs: Vec<(i64, String, i64, i64)> = test_support::rows(
        &ws.conn,
        "SELECT campaign_id, reviewer, first_item, last_item FROM reviewer_ranges ORDER BY 1, 3",
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    );
    assert_eq!(runs, [(1, "u".to_owned(), 1, 3), (2, "u".to_owned(), 4, 6)]);
    ws.conn
        .execute("DELETE FROM reviewer_ranges WHERE campaign_id = 2", [])
        .expect("tamper");
    assert!(
        findings(&ws).is_empty(),
        "no runs at all: a campaign without them"
    );
    ws.conn
        .execute(
            "INSERT INTO reviewer_ranges (campaign_id, reviewer, first_item, last_item) VALUES (2, 'u', 4, 5)",
            [],
        )
        .expect("tamper");
    let found: Vec<String> = findings(&ws).iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            "campaign 2 (projection): 1 item outside the runs of ids recorded for the reviewers the items were created for (the first: item 6): items or runs were changed outside recert, and reviewers' own lists would not show them"
        ],
        "{found:?}"
    );
}

#[test]
fn an_undone_item_given_back_a_decision_is_reported() {
    let mut ws = decided();
    decide(&mut ws, "A", &[1], DecisionAction::Undo);
    ws.conn
        .execute(
            "INSERT INTO current_decisions (item_id, campaign_id, event_id, decision) VALUES (1, 1, 1, 'certify')",
            [],
        )
        .expect("tamper");
    recount(&ws);
    let found = findings(&ws);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].detail.contains("undo (event 7)"), "{found:?}");
}

fn signed_off() -> Workspace {
    let mut ws = decided();
    let campaign = find_campaign(&ws.conn, "A").expect("campaign");
    let now = Utc
        .with_ymd_and_hms(2026, 12, 2, 9, 0, 0)
        .single()
        .expect("time");
    crate::evidence::signoff::sign_off(&mut ws.conn, &campaign, &Actor::fixed("CISO"), "done", now)
        .expect("sign off");
    ws
}

#[test]
fn a_signed_off_campaign_untouched_is_intact() {
    let ws = signed_off();
    let report = verify_decision_log(&ws.conn).expect("verify");
    assert!(report.is_intact(), "{:?}", report.problems);
}

#[test]
fn an_imported_row_edited_after_sign_off_is_reported() {
    let ws = signed_off();
    // Snapshot rows have no trigger at all: one UPDATE rewrites what was reviewed.
    ws.conn
        .execute(
            "UPDATE grants SET entitlement = 'read-only' WHERE id = 1",
            [],
        )
        .expect("tamper");
    let found = findings(&ws);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].kind, found[0].campaign_id),
        (ProblemKind::SignedOff, Some(1))
    );
    assert!(
        found[0].to_string().starts_with("campaign 1 (changed after sign-off): the campaign was signed off with evidence ending in row_hash "),
        "{}",
        found[0]
    );
}

#[test]
fn a_well_chained_event_slipped_in_after_sign_off_is_reported() {
    let ws = signed_off();
    ws.conn
        .execute_batch("DROP TRIGGER signoffs_lock_decisions")
        .expect("unlock");
    // A perfect forgery: the next id, linked to the chain's head, hashed
    // with recert's own code. Only the sign-off can tell.
    let last = crate::campaign::history(&ws.conn, 3).expect("history")[0].clone();
    let forged = DecisionEvent {
        id: 7,
        action: DecisionAction::Certify,
        justification: Some("reconsidered".to_owned()),
        decided_at: "2026-12-03T09:00:00.000Z".to_owned(),
        prev_hash: ws
            .conn
            .query_row(
                "SELECT event_hash FROM decision_events WHERE id = 4",
                [],
                |r| r.get(0),
            )
            .expect("head"),
        ..last
    };
    ws.conn
        .execute(
            "INSERT INTO decision_events (id, campaign_id, item_id, action, justification,
                 reviewer, os_user, host, decided_at, prev_hash, event_hash, basis)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            rusqlite::params![
                forged.id,
                forged.campaign_id,
                forged.item_id,
                forged.action.as_str(),
                forged.justification,
                forged.reviewer,
                forged.os_user,
                forged.host,
                forged.decided_at,
                forged.prev_hash,
                forged.hash(),
                basis_of(&forged)
            ],
        )
        .expect("forge");
    ws.conn
        .execute(
            "UPDATE current_decisions SET event_id = 7, decision = 'certify' WHERE item_id = 3",
            [],
        )
        .expect("project");
    recount(&ws);
    let found = findings(&ws);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .all(|p| (p.kind, p.campaign_id) == (ProblemKind::SignedOff, Some(1))),
        "{found:?}"
    );
    // The sign-off log recorded the chain as it was at sign-off.
    assert!(
        found[1]
            .detail
            .contains("decision_events, chain_head changed"),
        "{found:?}"
    );
}

#[test]
fn a_field_separator_in_a_decision_is_refused_so_no_event_can_be_re_split() {
    // With U+001F inside the justification, "a\u{1f}b" + reviewer "M" and
    // "a" + reviewer "b\u{1f}M" would hash alike: such input never gets in.
    let mut ws = decided();
    let campaign = find_campaign(&ws.conn, "A").expect("campaign");
    let now = Utc
        .with_ymd_and_hms(2026, 12, 1, 10, 0, 0)
        .single()
        .expect("time");
    for (justification, reviewer) in [("kept\u{1f}M", "M"), ("kept", "M\u{1f}x")] {
        let err = record_decisions(
            &mut ws.conn,
            &campaign,
            &DecisionRequest {
                items: &[1],
                action: DecisionAction::Revoke,
                justification: Some(justification),
                extras: crate::campaign::EventExtras::default(),
            },
            &Actor::fixed(reviewer),
            now,
        )
        .expect_err("refused");
        assert!(err.to_string().contains("U+001F"), "{err}");
    }
    assert_eq!(verify_decision_log(&ws.conn).expect("verify").events(), 6);
}

/// The `basis` a forged event of a format-2 campaign must store for its
/// hash to hold (its extras are hashed with it).
fn basis_of(event: &DecisionEvent) -> Option<&'static str> {
    event
        .extras
        .as_ref()
        .and_then(|extras| extras.basis)
        .map(crate::model::DecisionBasis::as_str)
}
