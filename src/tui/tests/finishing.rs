//! Issue #14 in the review: reassigning with R (who, then why), a first
//! review awaiting a second reviewer, close-out decisions shown apart, and
//! the independence warnings on the sign-off screen.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;

/// The fixture campaign as one of evidence format 2, whose rules ask a
/// second reviewer for 8.2.
fn harness() -> Harness {
    let h = Harness::new();
    h.ws.conn
        .execute(
            "UPDATE campaigns SET evidence_format = 2,
                 rules = '[review]' || char(10) || 'second_review = [\"8.2\"]'",
            [],
        )
        .expect("format 2");
    let mut h = h;
    h.app.campaign = fixture::campaign(&h.ws);
    h
}

fn text(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|frame| crate::tui::view::draw(frame, app))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    (0..40)
        .map(|y| {
            (0..120)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn assigned(h: &Harness, item: i64) -> String {
    h.ws.conn
        .query_row(
            "SELECT assigned_reviewer FROM items WHERE id = ?1",
            [item],
            |r| r.get(0),
        )
        .expect("item")
}

#[test]
fn r_asks_who_then_why_and_reassigns_the_item() {
    let mut h = harness();
    h.open("5.18");
    h.select(2);
    h.press(Action::Reassign);
    assert!(matches!(
        h.app.overlay,
        Some(Overlay::Reassign { to: None, .. })
    ));
    assert!(
        text(&h.app).contains("Reassign item #2"),
        "{}",
        text(&h.app)
    );
    h.typed("nobody-at-all");
    h.press(Action::Submit);
    assert_eq!(h.app.status.tone, Tone::Error);
    assert!(
        h.app.status.message.contains("is not known"),
        "{}",
        h.app.status.message
    );
    let Some(Overlay::Reassign {
        editor, to: None, ..
    }) = &h.app.overlay
    else {
        panic!("the prompt stays open with the name: {:?}", h.app.overlay);
    };
    assert_eq!(editor.text(), "nobody-at-all");
    h.press(Action::Back);
    assert_eq!(assigned(&h, 2), "M1", "Esc reassigns nothing");

    h.press(Action::Reassign);
    h.typed("m1@x.example");
    h.press(Action::Submit);
    assert!(matches!(
        &h.app.overlay,
        Some(Overlay::Reassign { to: Some((name, label)), .. }) if name == "M1" && label == "Mia Manager (M1)"
    ));
    h.press(Action::Submit);
    assert!(
        h.app.status.message.contains("needs a reason"),
        "{}",
        h.app.status.message
    );
    h.typed("back from leave");
    let events = h.events();
    h.press(Action::Submit);
    // Already M1's: refused, nothing recorded.
    assert_eq!(h.events(), events);
    assert!(
        h.app.status.message.contains("already assigned"),
        "{}",
        h.app.status.message
    );

    h.press(Action::Reassign);
    h.typed("E4");
    h.press(Action::Submit);
    h.typed("M1 is on leave");
    h.press(Action::Submit);
    assert_eq!(assigned(&h, 2), "E4");
    assert!(
        h.app
            .status
            .message
            .starts_with("Saved: reassigned 1 item to Mallory"),
        "{}",
        h.app.status.message
    );
    assert_eq!(h.app.controls[2].mine_total, 3, "item 2 is no longer M1's");
    h.press(Action::Resize(120, 40));
    let screen = text(&h.app);
    assert!(
        screen.contains("reassign to E4 by M1: M1 is on leave"),
        "{screen}"
    );
}

#[test]
fn reassigning_onto_the_holder_is_refused_in_the_review() {
    let mut h = harness();
    h.open("5.18");
    h.select(6);
    h.press(Action::Reassign);
    h.typed("E4");
    h.press(Action::Submit);
    h.typed("let them look");
    h.press(Action::Submit);
    assert_eq!(assigned(&h, 6), "M1");
    assert_eq!(h.app.status.tone, Tone::Error);
    assert!(
        h.app.status.message.contains("E4's own access"),
        "{}",
        h.app.status.message
    );
}

#[test]
fn a_first_review_awaits_a_second_different_reviewer() {
    let mut h = harness();
    h.open("8.2");
    h.select(1);
    h.press(Action::Decide(Verdict::Certify));
    h.typed("needed for on-call");
    h.press(Action::Submit);
    assert_eq!(h.decision(1), None, "one review does not decide 8.2");
    assert!(
        h.app.status.message.contains("1 awaits a second review"),
        "{}",
        h.app.status.message
    );
    assert_eq!(h.app.controls[3].decided, 0);
    assert_eq!(
        h.app.review.rows[0].awaiting_second_review,
        Some(Decision::Certify)
    );
    h.select(1);
    let screen = text(&h.app);
    assert!(screen.contains("◐ await 2nd"), "{screen}");
    assert!(
        screen.contains("awaiting a second review: the first review says certify (M1)"),
        "{screen}"
    );
    assert!(
        screen.contains("certify by M1 (first review): needed for on-call"),
        "{screen}"
    );
    let events = h.events();
    h.press(Action::Decide(Verdict::Certify));
    assert_eq!(h.events(), events);
    assert!(
        h.app
            .status
            .message
            .contains("your first review of item 1 needs a second, different reviewer"),
        "{}",
        h.app.status.message
    );

    // Another reviewer agrees: decided, with both reviews.
    fixture::decide(
        &mut h.ws,
        &[1],
        DecisionAction::Certify,
        Some("agreed"),
        "E4",
    );
    h.press(Action::Changed);
    h.select(1);
    assert_eq!(h.decision(1).as_deref(), Some("certify"));
    assert_eq!(h.app.controls[3].decided, 1);
    let screen = text(&h.app);
    assert!(
        screen.contains("agreeing with the first review by M1"),
        "{screen}"
    );
}

#[test]
fn a_disagreeing_second_review_shows_both_justifications() {
    let mut h = harness();
    fixture::decide(
        &mut h.ws,
        &[1],
        DecisionAction::Certify,
        Some("on-call"),
        "E4",
    );
    fixture::decide(
        &mut h.ws,
        &[1],
        DecisionAction::Revoke,
        Some("left the team"),
        "M1",
    );
    h.open("8.2");
    h.select(1);
    assert_eq!(h.decision(1), None);
    let screen = text(&h.app);
    assert!(screen.contains("the second review disagreed"), "{screen}");
    assert!(
        screen.contains("E4 certify: on-call · M1 revoke: left the team"),
        "{screen}"
    );
}

#[test]
fn close_out_decisions_read_apart_from_reviewers() {
    let mut h = harness();
    let campaign = fixture::campaign(&h.ws);
    crate::campaign::closeout::close_out(
        &mut h.ws.conn,
        &campaign,
        crate::campaign::closeout::Undecided::Recommendation,
        "deadline passed",
        false,
        &Actor::fixed("CISO"),
        crate::test_support::at(12),
    )
    .expect("close out");
    h.open("5.18");
    h.select(6);
    let screen = text(&h.app);
    assert!(screen.contains("✗ close-out"), "{screen}");
    assert!(
        screen.contains("— by close-out (recert close), not a"),
        "{screen}"
    );
    assert!(
        screen.contains("revoke by CISO (close-out): deadline passed"),
        "{screen}"
    );
    assert!(
        screen.contains("✓ certify"),
        "item 7 was the reviewer's: {screen}"
    );
}
