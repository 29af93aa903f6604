//! The fuzz target of the review's key and paste handling: random
//! sequences of keys (with any modifiers), pastes and resizes go through
//! the real key table, loop driver, reducer and shell, and after every one
//! the invariants hold: nothing panics, a decision, sign-off or manual
//! link only ever follows an explicit confirming key (c/r/a/u, Enter or y,
//! never a paste or any other key), certifying against a revoke recommendation went
//! through y, Esc leaves a prompt or confirmation without saving, and a
//! prompt never holds a line break or another control character.
//! 64 cases by default; run longer with
//! `PROPTEST_CASES=10000 cargo test --release --lib tui::tests::fuzz`.

use proptest::prelude::*;
use ratatui::crossterm::event::Event;

use super::*;
use crate::tui::editor::MAX_CHARS;
use crate::tui::keymap::{context, dispatch};

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    config
}

const CODES: &[KeyCode] = &[
    KeyCode::Char('c'),
    KeyCode::Char('r'),
    KeyCode::Char('a'),
    KeyCode::Char('u'),
    KeyCode::Char('t'),
    KeyCode::Char('y'),
    KeyCode::Char('n'),
    KeyCode::Char('i'),
    KeyCode::Char('j'),
    KeyCode::Char('k'),
    KeyCode::Char('g'),
    KeyCode::Char('G'),
    KeyCode::Char('q'),
    KeyCode::Char('s'),
    KeyCode::Char('f'),
    KeyCode::Char('o'),
    KeyCode::Char('x'),
    KeyCode::Char('l'),
    KeyCode::Char('V'),
    KeyCode::Char('R'),
    KeyCode::Char('*'),
    KeyCode::Char('/'),
    KeyCode::Char('?'),
    KeyCode::Char(' '),
    KeyCode::Char('é'),
    KeyCode::Enter,
    KeyCode::Esc,
    KeyCode::Tab,
    KeyCode::BackTab,
    KeyCode::Up,
    KeyCode::Down,
    KeyCode::Left,
    KeyCode::Right,
    KeyCode::Home,
    KeyCode::End,
    KeyCode::PageUp,
    KeyCode::PageDown,
    KeyCode::Backspace,
    KeyCode::Delete,
];

const PASTES: &[&str] = &[
    "left the company\n",
    "c\nr\ny\n\r\n",
    "\u{1b}[2J\u{1b}]0;t\u{7}\ttab\u{0}",
    "",
    "\n",
    "Zoë 👩‍💻 王芳",
];

fn modifiers() -> impl Strategy<Value = KeyModifiers> {
    prop_oneof![
        6 => Just(KeyModifiers::NONE),
        1 => Just(KeyModifiers::CONTROL),
        1 => Just(KeyModifiers::ALT),
        1 => Just(KeyModifiers::SHIFT),
    ]
}

fn input() -> impl Strategy<Value = Event> {
    prop_oneof![
        12 => (0..CODES.len(), modifiers())
            .prop_map(|(i, mods)| Event::Key(KeyEvent::new(CODES[i], mods))),
        1 => (0..PASTES.len(), 0usize..3).prop_map(|(i, times)| {
            // Now and then a paste longer than a prompt holds.
            let text = if times == 2 { "x".repeat(MAX_CHARS + 10) } else { PASTES[i].to_owned() };
            Event::Paste(text)
        }),
        1 => prop_oneof![Just((80, 24)), Just((120, 40)), Just((20, 5))]
            .prop_map(|(w, h)| Event::Resize(w, h)),
    ]
}

/// Which overlay is open, without its contents.
fn overlay_kind(app: &App) -> &'static str {
    match &app.overlay {
        None => "none",
        Some(Overlay::Help { .. }) => "help",
        Some(Overlay::Justify { .. }) => "justify",
        Some(Overlay::Search { .. }) => "search",
        Some(Overlay::Confirm { .. }) => "confirm",
        Some(Overlay::Filter { .. }) => "filter",
        Some(Overlay::Statement { .. }) => "statement",
        Some(Overlay::LinkReason { .. }) => "link",
        Some(Overlay::FindAccount { .. }) => "find",
        Some(Overlay::Reassign { .. }) => "reassign",
        Some(Overlay::Until { .. }) => "until",
    }
}

fn prompt_text(app: &App) -> Option<&str> {
    match &app.overlay {
        Some(
            Overlay::Justify { editor, .. }
            | Overlay::Search { editor }
            | Overlay::Statement { editor }
            | Overlay::LinkReason { editor, .. }
            | Overlay::FindAccount { editor }
            | Overlay::Reassign { editor, .. }
            | Overlay::Until { editor, .. },
        ) => Some(editor.text()),
        _ => None,
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn keys_and_pastes_never_decide_without_a_confirming_key(
        events in proptest::collection::vec(input(), 1..80),
        start in 0usize..4,
    ) {
        let mut ws = fixture::workspace();
        fixture::accounts(&ws);
        let campaign = fixture::campaign(&ws);
        let mut app = fixture::app(&ws, Theme::plain());
        let mut shell = Shell::new(&mut ws.conn, campaign, &Actor::fixed(REVIEWER));
        driver::act(&mut shell, &mut app, Action::Resize(80, 24), &mut driver::quiet);
        app.overview_cursor = start;
        driver::act(&mut shell, &mut app, Action::Open, &mut driver::quiet);
        // Whether the last confirmation of a certification against the
        // recommendation was answered with y.
        let mut confirmed_against = false;
        for event in events {
            let before = overlay_kind(&app);
            let against = matches!(
                &app.overlay,
                Some(Overlay::Confirm { summary, .. }) if summary.against.is_some()
            );
            // What the event stands for, as the driver will dispatch it.
            let keys = match &event {
                Event::Key(key) => crate::tui::driver::typed(*key),
                _ => Vec::new(),
            };
            let first = keys.first().and_then(|k| dispatch(context(&app), *k));
            if against && first == Some(Action::Confirm) {
                confirmed_against = true;
            }
            let rows: Vec<(i64, crate::model::Decision)> = app
                .review
                .rows
                .iter()
                .map(|r| (r.item_id, r.recommendation))
                .collect();
            let mut writes: Vec<Effect> = Vec::new();
            driver::events(&mut shell, &mut app, [event.clone()], &mut |_, effect| {
                if matches!(
                    effect,
                    Effect::Record { .. }
                        | Effect::SignOff { .. }
                        | Effect::Link { .. }
                        | Effect::Reassign { .. }
                ) {
                    writes.push(effect.clone());
                }
            });
            if let Some(text) = prompt_text(&app) {
                prop_assert!(!text.chars().any(char::is_control), "{text:?}");
                prop_assert!(text.chars().count() <= MAX_CHARS);
            }
            if writes.is_empty() {
                continue;
            }
            // Esc typed just before a key (read as Alt+key) is taken apart
            // into Esc, which never saves, and the key itself.
            let confirming = match keys.as_slice() {
                [_] => matches!(
                    first,
                    Some(Action::Decide(_) | Action::Submit | Action::Confirm)
                ),
                [esc, key] => {
                    esc.code == KeyCode::Esc
                        && matches!(
                            key.code,
                            KeyCode::Char('c' | 'r' | 'a' | 'u' | 'y') | KeyCode::Enter
                        )
                }
                _ => false,
            };
            prop_assert!(
                matches!(event, Event::Key(_)) && confirming,
                "{event:?} in {before} wrote {writes:?}"
            );
            for write in &writes {
                if let Effect::Record { pending, .. } = write {
                    let Selection::Items(ids) = &pending.target else { continue };
                    let against_rec = ids.len() == 1
                        && pending.verdict == Verdict::Certify
                        && rows.iter().any(|(id, rec)| {
                            *id == ids[0] && *rec == crate::model::Decision::Revoke
                        });
                    if against_rec && pending.include_decided {
                        prop_assert!(confirmed_against, "certified #{} without y", ids[0]);
                        confirmed_against = false;
                    }
                }
            }
        }
    }

    #[test]
    fn escape_leaves_any_prompt_or_confirmation_without_saving(
        events in proptest::collection::vec(input(), 1..40),
    ) {
        let mut ws = fixture::workspace();
        fixture::accounts(&ws);
        let campaign = fixture::campaign(&ws);
        let mut app = fixture::app(&ws, Theme::plain());
        let mut shell = Shell::new(&mut ws.conn, campaign, &Actor::fixed(REVIEWER));
        app.overview_cursor = 2;
        driver::act(&mut shell, &mut app, Action::Open, &mut driver::quiet);
        for event in events {
            driver::events(&mut shell, &mut app, [event], &mut driver::quiet);
            let before = overlay_kind(&app);
            if !matches!(
                before,
                "justify" | "search" | "statement" | "confirm" | "link" | "find" | "reassign"
            ) {
                continue;
            }
            let mut writes = 0;
            let esc = Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            driver::events(&mut shell, &mut app, [esc], &mut |_, effect| {
                writes += usize::from(matches!(
                    effect,
                    Effect::Record { .. }
                        | Effect::SignOff { .. }
                        | Effect::Link { .. }
                        | Effect::Reassign { .. }
                ));
            });
            prop_assert_eq!(writes, 0);
            prop_assert_eq!(overlay_kind(&app), "none", "Esc left {}", before);
        }
    }
}
