//! Issue #18's TUI items: pastes, typed-ahead Esc, another process deciding
//! or holding the lock, and huge cells.

use std::time::{Duration, Instant};

use ratatui::crossterm::event::Event;
use rusqlite::TransactionBehavior;

use super::*;
use crate::tui::app::Detail;

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn chars(text: &str) -> Vec<Event> {
    text.chars().map(|c| key(KeyCode::Char(c))).collect()
}

/// Item 2: a multi-line paste on the table is ignored: it never reaches
/// the key table, so its letters and line breaks decide nothing.
#[test]
fn a_paste_outside_a_prompt_decides_nothing() {
    let mut h = Harness::new();
    h.open("5.18");
    let before = h.events();
    h.terminal([Event::Paste("r\nleft the company\nc\ny\n".to_owned())]);
    assert!(h.app.overlay.is_none(), "{:?}", h.app.overlay);
    assert_eq!(h.events(), before);
    assert_eq!(h.app.review.selected_id(), Some(2), "the cursor stays");
    assert!(
        h.app
            .status
            .message
            .contains("paste is only taken as text in a prompt"),
        "{}",
        h.app.status.message
    );
}

/// Item 2: inside a prompt a paste is text, flattened to one line; its
/// line breaks never submit (only a typed Enter does).
#[test]
fn a_paste_in_a_prompt_is_one_line_of_text_and_saves_nothing() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(6);
    let before = h.events();
    h.terminal([key(KeyCode::Char('r'))]);
    h.terminal([Event::Paste("Left in March.\r\nSecond line\n".to_owned())]);
    let Some(Overlay::Justify { editor, .. }) = &h.app.overlay else {
        panic!("the prompt stays open: {:?}", h.app.overlay)
    };
    assert_eq!(editor.text(), "Left in March. Second line ");
    assert_eq!(h.events(), before, "nothing saved by the paste");
    h.terminal([key(KeyCode::Enter)]);
    assert_eq!(h.decision(6).as_deref(), Some("revoke"));
}

/// Item 3: Esc followed at once by another key reaches us as Alt+key; it
/// still cancels the prompt, and nothing typed before it is saved.
#[test]
fn escape_typed_ahead_still_cancels() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(6);
    let before = h.events();
    let mut burst = vec![key(KeyCode::Char('r'))];
    burst.extend(chars(&"x".repeat(1500)));
    burst.push(Event::Key(KeyEvent::new(
        KeyCode::Char('j'),
        KeyModifiers::ALT,
    )));
    h.terminal(burst);
    assert!(h.app.overlay.is_none(), "Esc closed the prompt");
    assert_eq!(h.events(), before, "nothing saved");
    assert_eq!(
        h.app.review.selected_id(),
        Some(7),
        "the key after Esc moved the cursor"
    );
}

/// Item 3: a burst of typed-ahead keys ending in Enter is handled whole:
/// the Enter saves with the text, in the same batch.
#[test]
fn a_long_typed_ahead_justification_and_enter_save_at_once() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(6);
    let text = "y".repeat(1500);
    let mut burst = vec![key(KeyCode::Char('r'))];
    burst.extend(chars(&text));
    burst.push(key(KeyCode::Enter));
    h.terminal(burst);
    assert_eq!(h.decision(6).as_deref(), Some("revoke"));
    let saved: String =
        h.ws.conn
            .query_row(
                "SELECT justification FROM item_view WHERE item_id = 6",
                [],
                |r| r.get(0),
            )
            .expect("justification");
    assert_eq!(saved, text);
}

/// Item 12: decisions and a sign-off by another process show up without
/// restarting; our own decisions are not taken for someone else's.
#[test]
fn counts_follow_another_process_deciding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut ws, path) = fixture::file_workspace(dir.path());
    let mut other = Workspace::open(&path).expect("second connection");
    let campaign = fixture::campaign(&ws);
    let mut shell = Shell::new(&mut ws.conn, campaign, &Actor::fixed(REVIEWER));
    let mut app = shell.app(Theme::plain()).expect("app");
    let quiet = &mut driver::quiet;
    assert!(!driver::refresh(&mut shell, &mut app, quiet), "nothing yet");
    let index = app
        .controls
        .iter()
        .position(|c| c.control == "5.18")
        .expect("5.18");
    app.overview_cursor = index;
    driver::act(&mut shell, &mut app, Action::Open, quiet);
    assert_eq!(app.controls[index].decided, 1);

    fixture::decide(&mut other, &[2], DecisionAction::Certify, None, "Z");
    assert!(driver::refresh(&mut shell, &mut app, quiet));
    assert_eq!(app.controls[index].decided, 2, "the count moved");
    assert_eq!(app.review.rows[0].decision, Some(Decision::Certify));
    assert!(
        app.status.message.contains("another recert process"),
        "{}",
        app.status.message
    );

    app.review.cursor = 2; // item 7, certified in the fixture
    driver::act(&mut shell, &mut app, Action::Decide(Verdict::Undo), quiet);
    assert_eq!(app.controls[index].decided, 1);
    assert!(
        !driver::refresh(&mut shell, &mut app, quiet),
        "our own undo is not another process's"
    );

    fixture::decide(
        &mut other,
        &[1, 3, 4, 5, 6, 7, 8, 9],
        DecisionAction::Revoke,
        Some("x"),
        "Z",
    );
    other
        .conn
        .execute(
            "INSERT INTO signoffs VALUES (1, 'Z', 'u', 'h', '2026-12-02T00:00:00Z', 'done', ?1)",
            [crate::chain::GENESIS],
        )
        .expect("sign off");
    assert!(driver::refresh(&mut shell, &mut app, quiet));
    assert!(app.is_signed_off(), "the sign-off is noticed");
    assert_eq!(app.controls[index].decided, 5);
}

/// Item 14: while another process holds the write lock, saving gives the
/// screen back within a moment with the justification kept; Enter then
/// saves it once the lock is free.
#[test]
fn a_busy_workspace_keeps_the_justification_for_a_retry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ws, path) = fixture::file_workspace(dir.path());
    let mut other = Workspace::open(&path).expect("second connection");
    let app = fixture::app(&ws, Theme::plain());
    let mut h = Harness { ws, app };
    h.open("5.18");
    h.select(6);
    h.press(Action::Decide(Verdict::Revoke));
    h.typed("left the company in March");
    let lock = other
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("hold the write lock");
    let start = Instant::now();
    h.press(Action::Submit);
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "waited {:?}",
        start.elapsed()
    );
    let Some(Overlay::Justify { editor, .. }) = &h.app.overlay else {
        panic!("the prompt is back: {:?}", h.app.overlay)
    };
    assert_eq!(editor.text(), "left the company in March");
    assert_eq!(h.app.status.tone, Tone::Error);
    assert!(
        h.app.status.message.contains("busy"),
        "{}",
        h.app.status.message
    );
    assert_eq!(h.decision(6), None);
    drop(lock);
    h.press(Action::Submit);
    assert_eq!(h.decision(6).as_deref(), Some("revoke"));
    assert!(h.app.overlay.is_none());
}

/// Item 25: a 20 MB cell is drawn cut, quickly, wherever the cursor is,
/// and the workspace (hence the evidence) keeps all of it.
#[test]
fn a_huge_cell_is_drawn_cut_and_quickly_and_kept_whole() {
    let mut h = Harness::new();
    let huge = "Admin\u{1b}[2J".repeat(2_000_000);
    h.ws.conn
        .execute("UPDATE grants SET entitlement = ?1 WHERE id = 6", [&huge])
        .expect("huge cell");
    h.open("5.18");
    h.select(6);
    h.press(Action::Resize(80, 24));
    let start = Instant::now();
    for _ in 0..3 {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("terminal");
        terminal
            .draw(|frame| crate::tui::view::draw(frame, &h.app))
            .expect("draw");
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "three draws took {:?}",
        start.elapsed()
    );
    assert!(crate::tui::view::limits(&h.app).detail < 100);
    let stored: i64 =
        h.ws.conn
            .query_row(
                "SELECT length(entitlement) FROM item_view WHERE item_id = 6",
                [],
                |r| r.get(0),
            )
            .expect("length");
    assert_eq!(stored, 18_000_000);
}

/// Issue #20 item 4: moving to another item asks for its history as an
/// effect; `update` itself reads nothing.
#[test]
fn moving_the_cursor_asks_for_the_new_items_detail() {
    let mut h = Harness::new();
    h.open("5.18");
    assert_eq!(
        crate::tui::update::update(&mut h.app, Action::Down),
        Some(Effect::LoadDetail(6))
    );
    assert_eq!(
        crate::tui::update::update(&mut h.app, Action::Down),
        Some(Effect::LoadDetail(7)),
        "the detail of 6 never arrived; 7 is wanted now"
    );
    h.app.review.detail = Some(Detail {
        item: 7,
        ..Detail::default()
    });
    assert_eq!(
        crate::tui::update::update(&mut h.app, Action::Resize(80, 24)),
        None
    );
}
