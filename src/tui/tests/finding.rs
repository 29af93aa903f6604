//! Finding your way: marks and ranges, search, filters and the next undecided item.

use super::*;

#[test]
fn v_marks_the_range_from_the_last_mark_and_space_unmarks() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::MarkRange);
    assert!(
        h.app.review.marks.is_empty(),
        "no range without a first mark"
    );
    h.press(Action::Mark);
    h.keys([Action::Down, Action::Down]);
    h.press(Action::MarkRange);
    assert_eq!(h.app.review.marks, Selection::Items(vec![2, 6, 7, 8]));
    h.press(Action::Mark);
    assert_eq!(h.app.review.marks, Selection::Items(vec![2, 6, 7]));
    assert!(h.app.status.message.contains("3 marked"));
}

#[test]
fn bulk_marks_holding_your_own_access_are_refused_before_any_prompt() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::MarkAll);
    h.press(Action::Decide(Verdict::Certify));
    assert!(
        h.app.overlay.is_none(),
        "no confirmation for a batch the rules refuse"
    );
    assert_eq!(h.app.status.tone, Tone::Error);
    assert!(
        h.app
            .status
            .message
            .contains("1 of the 5 marked items is your own access"),
        "{}",
        h.app.status.message
    );
    assert!(
        matches!(h.app.review.marks, Selection::Matching(_)),
        "the marks are kept"
    );
}

/// Issue #20 item 11: the prompt says "Esc drops it", so Esc drops the search.
#[test]
fn search_narrows_the_table_enter_keeps_it_and_escape_drops_it() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::Search);
    h.typed("jira");
    assert_eq!(ids(&h.app), [6, 7, 8]);
    h.press(Action::Submit);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.review.query.search, "jira");
    assert_eq!(ids(&h.app), [6, 7, 8], "Enter keeps the search");
    h.press(Action::Search);
    h.press(Action::Back);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.review.query.search, "", "Esc drops the search");
    assert_eq!(ids(&h.app), [2, 6, 7, 8, 9]);
    h.press(Action::Search);
    h.typed("vpn");
    h.press(Action::Back);
    assert_eq!(
        ids(&h.app),
        [2, 6, 7, 8, 9],
        "Esc while typing drops it too"
    );
}

#[rstest]
#[case::undecided(0, 1, DecisionFilter::Undecided, vec![2, 6, 8, 9])]
#[case::certified(0, 2, DecisionFilter::Certified, vec![7])]
#[case::revoked(0, 3, DecisionFilter::Revoked, vec![])]
fn filter_by_decision(
    #[case] row: usize,
    #[case] steps: usize,
    #[case] expected: DecisionFilter,
    #[case] items: Vec<i64>,
) {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::Filter);
    for _ in 0..row {
        h.press(Action::Down);
    }
    for _ in 0..steps {
        h.press(Action::Next);
    }
    assert_eq!(h.app.review.query.filter.decision, expected);
    assert_eq!(ids(&h.app), items);
}

#[test]
fn filter_by_signal_system_kind_and_mine() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::Filter);
    h.press(Action::Down);
    h.press(Action::Previous);
    assert_eq!(
        h.app.review.query.filter.signal,
        Signal::ALL.last().copied(),
        "← wraps to the last signal"
    );
    assert_eq!(ids(&h.app), [0_i64; 0]);
    while h.app.review.query.filter.signal != Some(Signal::New) {
        h.press(Action::Previous);
    }
    assert_eq!(ids(&h.app), [2]);
    h.press(Action::ClearFilter);
    h.press(Action::Down);
    h.press(Action::Next);
    assert_eq!(h.app.review.query.filter.system.as_deref(), Some("crm"));
    assert_eq!(ids(&h.app), [2]);
    h.press(Action::ClearFilter);
    h.press(Action::Down);
    h.press(Action::Next);
    assert_eq!(
        h.app.review.query.filter.kind,
        Some(KindFilter::Kind(crate::model::IdentityKind::Human))
    );
    h.press(Action::ClearFilter);
    h.press(Action::Down);
    h.press(Action::Next);
    assert_eq!(
        h.app.review.query.filter.delta,
        Some(crate::model::Delta::New)
    );
    assert_eq!(ids(&h.app), [0_i64; 0], "this campaign has no baseline");
    h.press(Action::ClearFilter);
    h.press(Action::Down);
    h.press(Action::Next);
    assert!(h.app.review.query.filter.mine);
    assert_eq!(ids(&h.app), [2, 6, 7, 9]);
    h.press(Action::Back);
    assert!(h.app.overlay.is_none());
    assert!(h.app.status.message.contains("mine"));
}

#[test]
fn orphaned_filter_shows_grants_without_identity() {
    let mut h = Harness::new();
    h.open("5.16");
    h.press(Action::Filter);
    h.keys([Action::Down, Action::Down, Action::Down, Action::Previous]);
    assert_eq!(h.app.review.query.filter.kind, Some(KindFilter::Orphaned));
    assert_eq!(ids(&h.app), [3]);
}

#[test]
fn n_jumps_to_the_next_undecided_item_and_wraps() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(6);
    h.press(Action::NextUndecided);
    assert_eq!(
        h.app.review.selected().map(|r| r.item_id),
        Some(8),
        "7 is decided"
    );
    h.press(Action::Last);
    h.press(Action::NextUndecided);
    assert_eq!(
        h.app.review.selected().map(|r| r.item_id),
        Some(2),
        "wraps to the top"
    );
}

#[test]
fn n_on_the_overview_opens_the_first_control_with_work() {
    let mut h = Harness::new();
    h.press(Action::NextUndecided);
    assert_eq!(h.app.screen, Screen::Control);
    assert_eq!(h.app.review.query.control, "5.16");
    assert_eq!(h.app.review.selected().map(|r| r.item_id), Some(3));
}

#[test]
fn bulk_undo_withdraws_only_the_decided_marked_items() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::Mark);
    h.select(7);
    h.press(Action::Mark);
    let before = h.events();
    h.press(Action::Decide(Verdict::Undo));
    h.press(Action::Confirm);
    assert_eq!(h.events(), before + 1, "one undo event, for item 7 only");
    assert_eq!(h.decision(7), None);
    assert!(h.app.review.marks.is_empty());
}

/// With identity correlation an item's identity is the person: the account
/// the export named (a Jira login here) is searched too.
#[test]
fn search_finds_an_item_by_the_account_its_export_names() {
    let mut h = Harness::new();
    fixture::correlate(&h.ws);
    h.open("5.18");
    h.press(Action::Search);
    h.typed("ZMULL");
    assert_eq!(ids(&h.app), [7]);
}

/// README "Finding your way": case is ignored beyond ASCII, and each field
/// is searched on its own.
#[test]
fn search_ignores_case_beyond_ascii_and_matches_one_field_at_a_time() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::Search);
    h.typed("ZOË MÜLLER");
    assert_eq!(ids(&h.app), [2, 7], "Zoë Müller's items");
    h.press(Action::Back);
    h.press(Action::Search);
    // "E1 jira" spans the identity and the system: no single field holds it.
    h.typed("E1 jira");
    assert!(ids(&h.app).is_empty());
}
