//! Second reviews, reassignment and own access through linked accounts,
//! on a campaign created from exports the way `recert campaign create` does.

use super::reassign::{Reassignment, record_reassignment};
use super::*;
use crate::campaign::{CampaignSpec, find_campaign};
use crate::test_support::{self, at};
use crate::workspace::Workspace;

/// E1 and E2 are admins of `prod` (8.2, reviewed by its owner O1), E1 also
/// a user of `app` (5.18, by their manager M1); `adm-mia` is Mia's (M1)
/// secondary admin account on `prod`. With `second_review`, 8.2 needs two.
fn workspace(second_review: bool) -> Workspace {
    let dir = tempfile::tempdir().expect("dir");
    let rules = dir.path().join("rules.toml");
    let text = crate::campaign::rules::BUILTIN_TEXT;
    let text = if second_review {
        text.replace("second_review = []", "second_review = [\"8.2\"]")
    } else {
        text.to_owned()
    };
    std::fs::write(&rules, text).expect("rules");
    test_support::campaign_workspace(
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
                 E2,prod,admin,true,2026-11-20\n\
                 E1,app,user,false,2026-11-20\n\
                 adm-mia@x.example,prod,admin,true,2026-11-20\n",
            ),
        ],
        &CampaignSpec {
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
            rules: Some(rules),
            ..CampaignSpec::new("Q4")
        },
    )
}

/// The id of the item held by `holder` (account key) on `system`.
fn item(ws: &Workspace, holder: &str, system: &str) -> i64 {
    ws.conn
        .query_row(
            "SELECT item_id FROM item_view WHERE account = ?1 AND system = ?2",
            (holder, system),
            |row| row.get(0),
        )
        .expect("item")
}

fn decide(
    ws: &mut Workspace,
    items: &[i64],
    action: DecisionAction,
    who: &str,
) -> Result<usize, DecideError> {
    test_support::decide(ws, "Q4", items, action, Some("checked"), who)
}

/// (current decision, awaiting a second review, decided count of 8.2).
fn state(ws: &Workspace, item: i64) -> (Option<String>, Option<String>, i64) {
    ws.conn
        .query_row(
            "SELECT (SELECT decision FROM current_decisions WHERE item_id = ?1),
                    (SELECT decision FROM pending_reviews WHERE item_id = ?1),
                    (SELECT certified + revoked FROM control_stats WHERE control_id = '8.2')",
            [item],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .expect("state")
}

fn intact(ws: &Workspace) {
    let report = crate::integrity::verify_decision_log(&ws.conn).expect("verify");
    assert!(report.is_intact(), "{:?}", report.problems);
}

#[test]
fn a_second_review_decides_only_when_a_different_reviewer_agrees() {
    let mut ws = workspace(true);
    let e1 = item(&ws, "E1", "prod");
    decide(&mut ws, &[e1], DecisionAction::Certify, "O1").expect("first review");
    assert_eq!(state(&ws, e1), (None, Some("certify".into()), 0));
    let again = decide(&mut ws, &[e1], DecisionAction::Certify, "o1").expect_err("same reviewer");
    assert!(
        matches!(
            again,
            DecideError::Refused(Refusal::SameSecondReviewer { item, ref reviewer }) if item == e1 && reviewer == "O1"
        ),
        "{again}"
    );
    decide(&mut ws, &[e1], DecisionAction::Certify, "M1").expect("second review");
    assert_eq!(state(&ws, e1), (Some("certify".into()), None, 1));
    let stages: Vec<(String, Option<u8>)> = history(&ws.conn, e1)
        .expect("history")
        .into_iter()
        .map(|e| (e.reviewer, e.extras.and_then(|x| x.stage)))
        .collect();
    assert_eq!(
        stages,
        [("O1".to_owned(), Some(1)), ("M1".to_owned(), Some(2))]
    );
    let first: Option<i64> = ws
        .conn
        .query_row(
            "SELECT first_event_id FROM current_decisions WHERE item_id = ?1",
            [e1],
            |row| row.get(0),
        )
        .expect("first");
    assert!(first.is_some());
    intact(&ws);
}

#[test]
fn disagreement_returns_the_item_to_undecided_with_both_reviews_kept() {
    let mut ws = workspace(true);
    let e2 = item(&ws, "E2", "prod");
    test_support::decide(
        &mut ws,
        "Q4",
        &[e2],
        DecisionAction::Certify,
        Some("needed for on-call"),
        "O1",
    )
    .expect("first");
    test_support::decide(
        &mut ws,
        "Q4",
        &[e2],
        DecisionAction::Revoke,
        Some("left on-call"),
        "M1",
    )
    .expect("second");
    assert_eq!(state(&ws, e2), (None, None, 0));
    let why: Vec<Option<String>> = history(&ws.conn, e2)
        .expect("history")
        .into_iter()
        .map(|e| e.justification)
        .collect();
    assert_eq!(
        why,
        [
            Some("needed for on-call".into()),
            Some("left on-call".into())
        ]
    );
    // A new first review starts over.
    decide(&mut ws, &[e2], DecisionAction::Revoke, "M1").expect("first again");
    assert_eq!(state(&ws, e2), (None, Some("revoke".into()), 0));
    intact(&ws);
}

#[test]
fn undo_withdraws_a_first_review_and_other_controls_decide_at_once() {
    let mut ws = workspace(true);
    let prod = item(&ws, "E1", "prod");
    let app = item(&ws, "E1", "app");
    decide(&mut ws, &[prod, app], DecisionAction::Certify, "O1").expect("bulk");
    assert_eq!(state(&ws, prod).1.as_deref(), Some("certify"));
    assert_eq!(state(&ws, app).0.as_deref(), Some("certify"));
    decide(&mut ws, &[prod], DecisionAction::Undo, "O1").expect("undo a first review");
    assert_eq!(state(&ws, prod), (None, None, 0));
    let nothing = decide(&mut ws, &[prod], DecisionAction::Undo, "O1").expect_err("nothing left");
    assert!(matches!(
        nothing,
        DecideError::Refused(Refusal::NothingToUndo { .. })
    ));
    intact(&ws);
}

#[test]
fn without_the_rule_one_reviewer_decides_privileged_items() {
    let mut ws = workspace(false);
    let e1 = item(&ws, "E1", "prod");
    decide(&mut ws, &[e1], DecisionAction::Certify, "O1").expect("decide");
    assert_eq!(state(&ws, e1), (Some("certify".into()), None, 1));
}

#[test]
fn own_access_reaches_every_account_linked_to_the_reviewer() {
    let mut ws = workspace(false);
    let secondary = item(&ws, "adm-mia@x.example", "prod");
    for name in ["M1", "mia@x.example", "MIA@X.EXAMPLE", "adm-mia@x.example"] {
        let err = decide(&mut ws, &[secondary], DecisionAction::Certify, name).expect_err(name);
        assert!(
            matches!(err, DecideError::Refused(Refusal::OwnAccess { .. })),
            "{name}: {err}"
        );
    }
    decide(&mut ws, &[secondary], DecisionAction::Revoke, "O1").expect("another reviewer");
}

#[test]
fn reassignment_moves_the_item_and_keeps_both_reviewers() {
    let mut ws = workspace(false);
    let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
    let app = item(&ws, "E1", "app");
    let reassign = |ws: &mut Workspace, to: &str| {
        record_reassignment(
            &mut ws.conn,
            &campaign,
            &Reassignment {
                items: &[app],
                assignee: to,
                reason: "M1 is on leave",
            },
            &Actor::fixed("O1"),
            at(10),
        )
    };
    reassign(&mut ws, "O1").expect("reassign");
    let (assigned, initial): (String, Option<String>) = ws
        .conn
        .query_row(
            "SELECT assigned_reviewer, initial_reviewer FROM items WHERE id = ?1",
            [app],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("item");
    assert_eq!((assigned.as_str(), initial.as_deref()), ("O1", Some("M1")));
    let event = history(&ws.conn, app)
        .expect("history")
        .pop()
        .expect("event");
    assert_eq!(event.action, DecisionAction::Reassign);
    assert_eq!(event.extras.and_then(|e| e.assignee).as_deref(), Some("O1"));
    let same = reassign(&mut ws, "o1").expect_err("already");
    assert!(
        matches!(same, DecideError::Refused(Refusal::AlreadyAssigned { .. })),
        "{same}"
    );
    let holder = reassign(&mut ws, "E1").expect_err("onto the holder");
    assert!(
        matches!(
            holder,
            DecideError::Refused(Refusal::ReassignToHolder { .. })
        ),
        "{holder}"
    );
    // A decision is not touched by a reassignment, nor the reassignment by one.
    decide(&mut ws, &[app], DecisionAction::Certify, "O1").expect("decide");
    reassign(&mut ws, "M1").expect("back");
    assert_eq!(state(&ws, app).0.as_deref(), Some("certify"));
    intact(&ws);
    // An assignment changed without an event is found.
    ws.conn
        .execute(
            "UPDATE items SET assigned_reviewer = 'E2' WHERE id = ?1",
            [app],
        )
        .expect("tamper");
    let report = crate::integrity::verify_decision_log(&ws.conn).expect("verify");
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0]
            .detail
            .contains("the item is assigned to E2 but its latest reassignment"),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_reassignment_needs_a_reason_and_a_known_item() {
    let mut ws = workspace(false);
    let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
    let err = record_reassignment(
        &mut ws.conn,
        &campaign,
        &Reassignment {
            items: &[1],
            assignee: "O1",
            reason: "  ",
        },
        &Actor::fixed("O1"),
        at(10),
    )
    .expect_err("no reason");
    assert!(matches!(err, DecideError::Refused(Refusal::ReasonNeeded)));
    let err = record_reassignment(
        &mut ws.conn,
        &campaign,
        &Reassignment {
            items: &[999],
            assignee: "O1",
            reason: "leave",
        },
        &Actor::fixed("O1"),
        at(10),
    )
    .expect_err("unknown");
    assert!(matches!(
        err,
        DecideError::Refused(Refusal::UnknownItem { item: 999, .. })
    ));
}

#[test]
fn a_pending_first_review_changed_behind_recerts_back_is_found() {
    let mut ws = workspace(true);
    let e1 = item(&ws, "E1", "prod");
    decide(&mut ws, &[e1], DecisionAction::Certify, "O1").expect("first review");
    ws.conn
        .execute("UPDATE pending_reviews SET decision = 'revoke'", [])
        .expect("tamper");
    let report = crate::integrity::verify_decision_log(&ws.conn).expect("verify");
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].detail.contains("awaits a second review"),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_campaign_of_evidence_format_1_refuses_reassignments_and_close_outs() {
    let mut ws = workspace(true);
    ws.conn
        .execute("UPDATE campaigns SET evidence_format = 1", [])
        .expect("format 1");
    let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
    let app = item(&ws, "E1", "app");
    let err = record_reassignment(
        &mut ws.conn,
        &campaign,
        &Reassignment {
            items: &[app],
            assignee: "O1",
            reason: "leave",
        },
        &Actor::fixed("O1"),
        at(10),
    )
    .expect_err("format 1");
    assert!(
        matches!(
            err,
            DecideError::Refused(Refusal::NeedsFormat2 {
                feature: "reassignments",
                ..
            })
        ),
        "{err}"
    );
    let err = crate::campaign::closeout::close_out(
        &mut ws.conn,
        &campaign,
        crate::campaign::closeout::Undecided::Revoke,
        "deadline",
        false,
        &Actor::fixed("O1"),
        at(10),
    )
    .expect_err("format 1");
    assert!(err.to_string().contains("create a new campaign"), "{err}");
    // And its privileged items are decided by one reviewer, as they always were.
    let e1 = item(&ws, "E1", "prod");
    decide(&mut ws, &[e1], DecisionAction::Certify, "O1").expect("decide");
    assert_eq!(state(&ws, e1).0.as_deref(), Some("certify"));
}
