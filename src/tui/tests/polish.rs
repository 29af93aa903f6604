//! Issue #20's review polish: confirmations, the detail pane, the status
//! bar, the help, people's names, the prompt's cursor and the key bar.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::Event;

use super::*;
use crate::tui::keymap::{Ctx, context, hints};

fn screen(app: &App, width: u16, height: u16) -> (String, Terminal<TestBackend>) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| crate::tui::view::draw(frame, app))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let text = (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n");
    (text, terminal)
}

fn justification(h: &Harness, item: i64) -> Option<String> {
    h.ws.conn
        .query_row(
            "SELECT justification FROM item_view WHERE item_id = ?1",
            [item],
            |r| r.get(0),
        )
        .expect("item")
}

/// Item 10: certifying one item the rules recommend revoking takes an
/// explicit y, like bulk; Enter, a paste or other keys do not go on.
#[test]
fn certifying_against_a_revoke_recommendation_needs_y() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(6); // dormant, recommended revoke
    let before = h.events();
    h.press(Action::Decide(Verdict::Certify));
    let Some(Overlay::Confirm { summary, .. }) = &h.app.overlay else {
        panic!("a confirmation first: {:?}", h.app.overlay)
    };
    assert_eq!(summary.against.as_ref().map(|a| a.item), Some(6));
    h.terminal([Event::Paste("still needed\n".to_owned())]);
    h.press(Action::Submit);
    assert!(
        matches!(h.app.overlay, Some(Overlay::Confirm { .. })),
        "neither a paste nor Enter confirms"
    );
    h.press(Action::Confirm);
    assert!(matches!(h.app.overlay, Some(Overlay::Justify { .. })));
    h.typed("project ends in January");
    h.press(Action::Submit);
    assert_eq!(h.decision(6).as_deref(), Some("certify"));
    assert_eq!(h.events(), before + 1);
    // Esc at the confirmation saves nothing.
    h.select(9);
    h.press(Action::Decide(Verdict::Certify));
    h.press(Action::Back);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.decision(9), None);
}

/// Item 10: following a revoke recommendation, or certifying what is
/// recommended for certification, needs no extra confirmation.
#[test]
fn deciding_with_the_recommendation_asks_no_y() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::Decide(Verdict::Certify));
    assert_eq!(h.decision(2).as_deref(), Some("certify"));
    h.select(6);
    h.press(Action::Decide(Verdict::Accept));
    assert!(matches!(h.app.overlay, Some(Overlay::Justify { .. })));
}

/// Item 20: a bulk decision leaves decided items and their justifications
/// alone, unless the confirmation is told to include them with `i`.
#[test]
fn bulk_decisions_skip_decided_items_unless_included() {
    let mut h = Harness::new();
    fixture::decide(
        &mut h.ws,
        &[9],
        DecisionAction::Revoke,
        Some("expired, gone"),
        "Z",
    );
    h.open("5.18");
    h.keys([Action::Down, Action::Mark, Action::Mark, Action::Mark]);
    h.press(Action::Mark);
    assert_eq!(h.app.review.marks, Selection::Items(vec![6, 7, 8, 9]));
    // Item 8 is the reviewer's own: unmark it.
    h.select(8);
    h.press(Action::Mark);
    h.press(Action::Decide(Verdict::Revoke));
    let Some(Overlay::Confirm { summary, pending }) = &h.app.overlay else {
        panic!("confirmation: {:?}", h.app.overlay)
    };
    assert_eq!((summary.items, summary.decided), (3, 2));
    assert_eq!(summary.impact(pending).items, 1);
    let (text, _) = screen(&h.app, 80, 24);
    assert!(
        text.contains("2 already decided items left as they are (i includes"),
        "{text}"
    );
    h.press(Action::Confirm);
    h.typed("no longer needed");
    h.press(Action::Submit);
    assert_eq!(h.decision(6).as_deref(), Some("revoke"));
    assert_eq!(h.decision(7).as_deref(), Some("certify"), "kept");
    assert_eq!(justification(&h, 9).as_deref(), Some("expired, gone"));

    for item in [6, 7, 9] {
        h.select(item);
        h.press(Action::Mark);
    }
    h.press(Action::Decide(Verdict::Revoke));
    h.press(Action::IncludeDecided);
    let Some(Overlay::Confirm { summary, pending }) = &h.app.overlay else {
        panic!("confirmation: {:?}", h.app.overlay)
    };
    assert!(pending.include_decided);
    assert_eq!(summary.impact(pending).items, summary.items);
    let (text, _) = screen(&h.app, 80, 24);
    assert!(
        text.contains("included: decision and justification"),
        "{text}"
    );
    h.press(Action::Confirm);
    h.typed("all of it goes");
    h.press(Action::Submit);
    assert_eq!(h.decision(7).as_deref(), Some("revoke"));
    assert_eq!(justification(&h, 9).as_deref(), Some("all of it goes"));
}

/// Item 20: when every marked item is decided, confirming does nothing.
#[test]
fn a_bulk_decision_over_decided_items_only_changes_nothing() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(7);
    h.press(Action::Mark);
    h.press(Action::Decide(Verdict::Revoke));
    let before = h.events();
    h.press(Action::Confirm);
    assert_eq!(h.events(), before);
    assert!(
        h.app.status.message.contains("already decided"),
        "{}",
        h.app.status.message
    );
}

/// Item 12: the detail pane starts at its top for every item, and in the
/// pane g/G scroll it instead of moving the table.
#[test]
fn the_detail_pane_scrolls_with_g_and_resets_for_each_item() {
    let mut h = Harness::new();
    h.press(Action::Resize(80, 24));
    h.open("5.18");
    h.press(Action::SwitchPane);
    h.press(Action::Last);
    let max = h.app.limits.detail;
    assert!(max > 0);
    assert_eq!(h.app.review.detail_scroll, max, "G scrolls the pane");
    assert_eq!(h.app.review.selected_id(), Some(2), "the table stays");
    h.press(Action::First);
    assert_eq!(h.app.review.detail_scroll, 0);
    h.press(Action::Down);
    h.press(Action::SwitchPane);
    h.press(Action::Down);
    assert_eq!(h.app.review.selected_id(), Some(6));
    assert_eq!(
        h.app.review.detail_scroll, 0,
        "a new item starts at the top"
    );
}

/// Item 13: the status bar holds one message, the newest, on one line;
/// pressing `n` in a decided view does not grow it, and the key bar stays.
#[test]
fn the_status_message_stays_one_line_and_does_not_grow() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::Filter);
    h.keys([Action::Next, Action::Next]); // decision: certified
    h.press(Action::Back);
    for _ in 0..5 {
        h.press(Action::NextUndecided);
    }
    assert_eq!(h.app.status.message, "every item in this view is decided");
    h.app
        .error("a very long message ".repeat(10).trim_end().to_owned());
    let (text, _) = screen(&h.app, 80, 24);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[22].trim_end().ends_with('…'), "{}", lines[22]);
    assert!(lines[23].starts_with("? help"), "{}", lines[23]);
}

/// Item 13: after a save the notice of the same step joins it once.
#[test]
fn a_notice_after_a_save_joins_it_once() {
    let mut h = Harness::new();
    h.open("5.17");
    h.press(Action::Decide(Verdict::Revoke));
    h.typed("rotated key replaces it");
    h.press(Action::Submit);
    assert_eq!(
        h.app.status.message,
        "Saved: revoked 1 item · every item in this view is decided"
    );
    h.press(Action::NextUndecided);
    assert_eq!(h.app.status.message, "every item in this view is decided");
}

/// Item 14: after `u` the history in the detail pane shows the undo at once.
#[test]
fn undo_shows_in_the_history_at_once() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(7);
    let count = |h: &Harness| h.app.review.detail().map(|d| d.history.len());
    assert_eq!(count(&h), Some(1));
    h.press(Action::Decide(Verdict::Undo));
    assert_eq!(count(&h), Some(2));
    let (text, _) = screen(&h.app, 120, 40);
    assert!(text.contains("undo by M1"), "{text}");
}

/// Item 16: the help scrolls no further than its end; G, g and Ctrl-d work.
#[test]
fn the_help_scrolls_within_its_length() {
    let mut h = Harness::new();
    h.press(Action::Resize(80, 24));
    h.press(Action::Help);
    let scroll = |h: &Harness| match h.app.overlay {
        Some(Overlay::Help { scroll }) => scroll,
        _ => panic!("help closed"),
    };
    h.press(Action::Last);
    let end = scroll(&h);
    assert!(end > 10, "{end}");
    assert_eq!(end, h.app.limits.help);
    h.press(Action::Down);
    assert_eq!(scroll(&h), end, "j stops at the end");
    let (text, _) = screen(&h.app, 80, 24);
    assert!(text.contains("granted in the last 30 days"), "{text}");
    h.press(Action::First);
    h.press(Action::PageDown);
    assert_eq!(scroll(&h), 12);
    let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(
        crate::tui::keymap::dispatch(context(&h.app), ctrl_d),
        Some(Action::PageDown)
    );
}

/// Item 17: people are shown by name and id.
#[test]
fn managers_reviewers_and_owners_show_name_and_id() {
    let mut h = Harness::new();
    h.press(Action::Resize(120, 40));
    h.open("5.18");
    let (text, _) = screen(&h.app, 120, 40);
    assert!(text.contains("Manager    Mia Manager (M1)"), "{text}");
    assert!(text.contains("Reviewer   Mia Manager (M1)"), "{text}");
    h.press(Action::Leave);
    h.open("5.17");
    let (text, _) = screen(&h.app, 120, 40);
    assert!(text.contains("Owner      Mia Manager (M1)"), "{text}");
}

/// Item 18: the terminal's cursor shows where the prompt types.
#[test]
fn the_prompt_shows_the_terminal_cursor_where_text_goes() {
    let mut h = Harness::new();
    h.press(Action::Resize(80, 24));
    h.open("5.18");
    h.press(Action::Search);
    h.typed("jira");
    let (text, mut terminal) = screen(&h.app, 80, 24);
    assert!(terminal.backend().cursor_visible());
    let at = terminal.get_cursor_position().expect("cursor");
    let row: String = text.lines().nth(usize::from(at.y)).expect("row").to_owned();
    let before: String = row.chars().take(usize::from(at.x)).collect();
    assert!(before.ends_with("│jira"), "{row:?} at {at:?}");
    h.press(Action::Input(KeyEvent::new(
        KeyCode::Left,
        KeyModifiers::NONE,
    )));
    let (_, mut terminal) = screen(&h.app, 80, 24);
    assert_eq!(terminal.get_cursor_position().expect("cursor").x, at.x - 1);
    h.press(Action::Submit);
    let (_, terminal) = screen(&h.app, 80, 24);
    assert!(
        !terminal.backend().cursor_visible(),
        "hidden without a prompt"
    );
}

/// Item 19: the sign-off key bar says what Enter does in each state.
#[test]
fn the_sign_off_key_bar_says_what_enter_does() {
    let mut h = Harness::new();
    h.press(Action::SignOff);
    assert_eq!(context(&h.app), Ctx::SignOffPending);
    let enter = |ctx| {
        hints(ctx)
            .into_iter()
            .find(|(key, _)| key == "Enter")
            .map(|(_, label)| label)
    };
    assert_eq!(enter(Ctx::SignOffPending), Some("show undecided"));
    let (text, _) = screen(&h.app, 80, 24);
    assert!(text.contains("Enter show undecided"), "{text}");
    assert!(!text.contains("Enter sign off"), "{text}");
    fixture::decide(
        &mut h.ws,
        &[1, 2, 3, 4, 5, 6, 8, 9],
        DecisionAction::Revoke,
        Some("x"),
        "Z",
    );
    h.app = fixture::app(&h.ws, Theme::colour());
    h.press(Action::SignOff);
    assert_eq!(context(&h.app), Ctx::SignOffReady);
    let (text, _) = screen(&h.app, 80, 24);
    assert!(text.contains("Enter sign off"), "{text}");
}

/// Item 15: at 80 columns the overview says less rather than cutting a
/// word: "✗ 13" instead of "13 revoke".
#[test]
fn the_overview_fits_80_columns_without_cut_words() {
    let mut h = Harness::new();
    for c in &mut h.app.controls {
        c.total *= 1000;
        c.revoked = 13;
        c.decided = 13;
    }
    let (text, _) = screen(&h.app, 80, 24);
    let all = text
        .lines()
        .find(|l| l.contains("All items"))
        .expect("all items");
    assert!(all.trim_end().ends_with("· ✓ 1 · ✗ 52"), "{all}");
    for line in text.lines() {
        assert!(!line.contains("revoke "), "{line}");
    }
}

/// HR exports name managers by e-mail as often as by id (identity
/// correlation resolves both): the detail names them either way.
#[test]
fn a_manager_named_by_e_mail_is_shown_by_name() {
    let mut h = Harness::new();
    h.ws.conn
        .execute(
            "UPDATE identities SET manager_id = 'M1@X.example' WHERE identity_id = 'E4'",
            [],
        )
        .expect("manager by e-mail");
    h.open("5.18");
    h.select(6);
    let detail = h.app.review.detail().expect("detail");
    assert_eq!(detail.name("M1@X.example"), Some("Mia Manager"));
}
