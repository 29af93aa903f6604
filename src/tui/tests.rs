//! Reducer tests: every key path through `update`, with effects carried out
//! by the real shell against an in-memory fixture workspace (no terminal).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rstest::rstest;

use super::action::{Action, Effect};
use super::app::{App, Overlay, Pending, Screen, Selection, Tone};
use super::driver;
use super::effects::Shell;
use super::fixture::{self, REVIEWER};
use super::query::{DecisionFilter, KindFilter};
use super::theme::Theme;
use crate::actor::Actor;
use crate::campaign::policy::Verdict;
use crate::model::{Decision, DecisionAction, Signal};
use crate::workspace::Workspace;

/// A drawn test terminal as text, one line per row.
pub fn screen_text(terminal: &ratatui::Terminal<ratatui::backend::TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub struct Harness {
    pub ws: Workspace,
    pub app: App,
}

impl Harness {
    pub fn new() -> Harness {
        let ws = fixture::workspace();
        let app = fixture::app(&ws, Theme::colour());
        Harness { ws, app }
    }

    /// Applies `action` through the loop driver, as the terminal loop
    /// does; returns the first effect asked for.
    pub fn press(&mut self, action: Action) -> Option<Effect> {
        let mut shell = Shell::new(
            &mut self.ws.conn,
            self.app.campaign.clone(),
            &Actor::fixed(REVIEWER),
        );
        driver::act(&mut shell, &mut self.app, action, &mut driver::quiet)
    }

    /// Feeds terminal events (keys, pastes) through the key table and the
    /// driver, as one batch read from the terminal.
    pub fn terminal(&mut self, events: impl IntoIterator<Item = ratatui::crossterm::event::Event>) {
        let mut shell = Shell::new(
            &mut self.ws.conn,
            self.app.campaign.clone(),
            &Actor::fixed(REVIEWER),
        );
        driver::events(&mut shell, &mut self.app, events, &mut driver::quiet);
    }

    /// Resizes to `width` x `height` and draws the state on a test terminal.
    pub fn draw(
        &mut self,
        width: u16,
        height: u16,
    ) -> ratatui::Terminal<ratatui::backend::TestBackend> {
        self.press(Action::Resize(width, height));
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
                .expect("terminal");
        terminal
            .draw(|frame| crate::tui::view::draw(frame, &self.app))
            .expect("draw");
        terminal
    }

    pub fn keys(&mut self, actions: impl IntoIterator<Item = Action>) {
        for action in actions {
            self.press(action);
        }
    }

    pub fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.press(Action::Input(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
    }

    /// Opens the control with this id from the overview.
    pub fn open(&mut self, control: &str) {
        let index = self
            .app
            .controls
            .iter()
            .position(|c| c.control == control)
            .expect("control");
        self.app.overview_cursor = index;
        self.press(Action::Open);
        assert_eq!(self.app.screen, Screen::Control);
    }

    /// Moves the cursor to the item with this id.
    pub fn select(&mut self, item: i64) {
        let at = self
            .app
            .review
            .rows
            .iter()
            .position(|r| r.item_id == item)
            .expect("item loaded");
        self.app.review.cursor = at;
        // Any action then loads the newly selected item's detail.
        self.press(Action::Resize(self.app.size.0, self.app.size.1));
    }

    pub fn decision(&self, item: i64) -> Option<String> {
        self.ws
            .conn
            .query_row(
                "SELECT decision FROM item_view WHERE item_id = ?1",
                [item],
                |r| r.get(0),
            )
            .expect("item")
    }

    pub fn events(&self) -> i64 {
        self.ws
            .conn
            .query_row("SELECT count(*) FROM decision_events", [], |r| r.get(0))
            .expect("count")
    }
}

fn ids(app: &App) -> Vec<i64> {
    app.review.rows.iter().map(|r| r.item_id).collect()
}

#[rstest]
#[case::down(vec![Action::Down], 1)]
#[case::down_stops_at_the_end(vec![Action::Down; 9], 3)]
#[case::up_stops_at_the_top(vec![Action::Up], 0)]
#[case::last(vec![Action::Last], 3)]
#[case::first_after_last(vec![Action::Last, Action::First], 0)]
fn overview_moves_between_controls(#[case] keys: Vec<Action>, #[case] expected: usize) {
    let mut h = Harness::new();
    h.keys(keys);
    assert_eq!(h.app.overview_cursor, expected);
}

#[test]
fn overview_counts_come_from_the_workspace() {
    let h = Harness::new();
    let ids: Vec<&str> = h.app.controls.iter().map(|c| c.control.as_str()).collect();
    assert_eq!(ids, ["5.16", "5.17", "5.18", "8.2"]);
    let access = &h.app.controls[2];
    assert_eq!((access.total, access.decided, access.certified), (5, 1, 1));
    assert_eq!(
        (access.mine_total, access.mine_decided),
        (4, 1),
        "item 8 is assigned to OWNER"
    );
    assert_eq!(access.signal(Signal::Dormant), 1);
}

#[test]
fn enter_opens_a_control_and_q_goes_back_then_quits() {
    let mut h = Harness::new();
    h.open("5.18");
    assert_eq!(ids(&h.app), [2, 6, 7, 8, 9]);
    assert_eq!(h.app.review.detail.as_ref().map(|d| d.item), Some(2));
    h.press(Action::Leave);
    assert_eq!(h.app.screen, Screen::Overview);
    assert!(!h.app.quit);
    h.press(Action::Leave);
    assert!(h.app.quit);
}

#[test]
fn certifying_a_plain_item_saves_it_then_moves_to_the_next_undecided() {
    let mut h = Harness::new();
    h.open("5.18");
    let effect = h.press(Action::Decide(Verdict::Certify));
    assert_eq!(
        effect,
        Some(Effect::Record {
            pending: Pending::item(2, Verdict::Certify),
            justification: None
        }),
        "item 2 only carries `new`, which needs no justification"
    );
    assert_eq!(h.decision(2).as_deref(), Some("certify"));
    assert_eq!(
        h.app.review.rows[0].decision,
        Some(Decision::Certify),
        "the row shows the saved decision"
    );
    assert_eq!(
        h.app.review.selected().map(|r| r.item_id),
        Some(6),
        "next undecided item"
    );
    assert_eq!(h.app.controls[2].decided, 2, "counts follow the decision");
    assert!(
        h.app.status.message.starts_with("Saved: certified 1 item"),
        "{}",
        h.app.status.message
    );
    assert!(h.app.status.last_save.is_some());
}

#[rstest]
#[case::revoke(Verdict::Revoke, "5.18", 7, "revoke")]
#[case::certify_a_risk(Verdict::Certify, "8.2", 1, "certify")]
#[case::accept_a_revoke_recommendation(Verdict::Accept, "5.18", 6, "revoke")]
fn decisions_the_rules_make_justify_open_a_prompt(
    #[case] verdict: Verdict,
    #[case] control: &str,
    #[case] item: i64,
    #[case] saved: &str,
) {
    let mut h = Harness::new();
    h.open(control);
    h.select(item);
    assert_eq!(
        h.press(Action::Decide(verdict)),
        None,
        "nothing is recorded before the justification"
    );
    assert!(matches!(h.app.overlay, Some(Overlay::Justify { .. })));
    h.press(Action::Submit);
    assert_eq!(
        h.app.status.tone,
        Tone::Error,
        "an empty justification is refused"
    );
    assert!(matches!(h.app.overlay, Some(Overlay::Justify { .. })));
    h.typed("moved to another team");
    let effect = h.press(Action::Submit);
    assert!(
        matches!(effect, Some(Effect::Record { justification: Some(ref j), .. }) if j == "moved to another team")
    );
    assert_eq!(h.decision(item).as_deref(), Some(saved));
    assert!(h.app.overlay.is_none());
}

#[test]
fn escape_in_the_prompt_cancels_and_saves_nothing() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(6);
    let before = h.events();
    h.press(Action::Decide(Verdict::Revoke));
    h.typed("half a thought");
    h.press(Action::Back);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.events(), before);
    assert_eq!(h.decision(6), None);
}

#[test]
fn own_access_is_refused_in_the_status_bar() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(8);
    assert_eq!(h.press(Action::Decide(Verdict::Certify)), None);
    assert_eq!(h.app.status.tone, Tone::Error);
    assert!(
        h.app.status.message.contains("your own access"),
        "{}",
        h.app.status.message
    );
}

#[test]
fn undo_withdraws_a_decision_and_keeps_the_cursor() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(7);
    h.press(Action::Decide(Verdict::Undo));
    assert_eq!(h.decision(7), None);
    assert_eq!(h.app.review.selected().map(|r| r.item_id), Some(7));
    assert_eq!(h.app.controls[2].decided, 0);
    h.press(Action::Decide(Verdict::Undo));
    assert!(h.app.status.message.contains("not decided yet"));
}

#[test]
fn a_database_refusal_shows_in_the_status_bar() {
    let mut h = Harness::new();
    h.open("5.18");
    // Another process signs off behind the TUI's back.
    h.ws.conn
        .execute(
            "INSERT INTO signoffs VALUES (1, 'X', 'u', 'h', '2026-12-02T00:00:00Z', 'done', ?1)",
            [crate::chain::GENESIS],
        )
        .expect("sign off");
    h.press(Action::Decide(Verdict::Certify));
    assert_eq!(h.app.status.tone, Tone::Error);
    assert!(
        h.app.status.message.contains("signed off"),
        "{}",
        h.app.status.message
    );
    assert_eq!(h.decision(2), None);
}

#[test]
fn bulk_certify_of_risky_items_needs_an_explicit_y_and_one_justification() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(6);
    h.press(Action::Mark);
    assert_eq!(
        h.app.review.selected().map(|r| r.item_id),
        Some(7),
        "Space moves down"
    );
    h.keys([Action::Mark, Action::Down, Action::Mark]);
    assert_eq!(h.app.review.marks, Selection::Items(vec![6, 7, 9]));
    let effect = h.press(Action::Decide(Verdict::Certify));
    assert!(matches!(effect, Some(Effect::Prepare(_))));
    let Some(Overlay::Confirm { summary, .. }) = &h.app.overlay else {
        panic!("confirmation expected")
    };
    assert_eq!(
        (summary.items, summary.decided, summary.open.items),
        (3, 1, 2)
    );
    assert!(summary.open.certifies_risk && summary.open.needs_justification);
    assert!(summary.open.signals.contains(&(Signal::Dormant, 1)));
    h.press(Action::Submit);
    assert!(
        matches!(h.app.overlay, Some(Overlay::Confirm { .. })),
        "Enter alone does not certify risks"
    );
    h.press(Action::Confirm);
    assert!(matches!(h.app.overlay, Some(Overlay::Justify { .. })));
    h.typed("temporary project, ends in January");
    h.press(Action::Submit);
    for item in [6, 7, 9] {
        assert_eq!(h.decision(item).as_deref(), Some("certify"));
    }
    assert!(
        h.app.review.marks.is_empty(),
        "marks are cleared once saved"
    );
    assert_eq!(h.app.controls[2].decided, 3);
}

#[test]
fn bulk_accept_over_all_matching_items_follows_each_recommendation() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::MarkAll);
    assert!(matches!(h.app.review.marks, Selection::Matching(_)));
    assert!(h.app.review.is_marked(9));
    // Item 8 is the reviewer's own: filter it out by marking only what is assigned.
    h.press(Action::Back);
    assert!(h.app.review.marks.is_empty(), "Esc clears marks first");
    assert_eq!(h.app.screen, Screen::Control);
    h.select(2);
    h.press(Action::Mark);
    h.press(Action::Mark);
    h.press(Action::Decide(Verdict::Accept));
    h.press(Action::Confirm);
    h.typed("as recommended");
    h.press(Action::Submit);
    assert_eq!(h.decision(2).as_deref(), Some("certify"));
    assert_eq!(h.decision(6).as_deref(), Some("revoke"));
    let c = &h.app.controls[2];
    assert_eq!((c.decided, c.certified, c.revoked), (3, 2, 1));
}

#[test]
fn sign_off_refuses_while_items_are_undecided_and_jumps_there() {
    let mut h = Harness::new();
    h.press(Action::SignOff);
    assert_eq!(h.app.screen, Screen::SignOff);
    h.press(Action::Open);
    assert_eq!(h.app.screen, Screen::Control);
    assert_eq!(
        h.app.review.query.filter.decision,
        DecisionFilter::Undecided
    );
    assert!(
        h.app.status.message.contains("8 items are still undecided"),
        "{}",
        h.app.status.message
    );
}

#[test]
fn sign_off_records_the_statement_and_locks_the_campaign() {
    let mut h = Harness::new();
    fixture::decide(
        &mut h.ws,
        &[1, 2, 3, 4, 5, 6, 8, 9],
        DecisionAction::Revoke,
        Some("x"),
        "Z",
    );
    h.app = fixture::app(&h.ws, Theme::colour());
    h.press(Action::SignOff);
    h.press(Action::Open);
    assert!(matches!(h.app.overlay, Some(Overlay::Statement { .. })));
    h.typed("I reviewed every grant.");
    h.press(Action::Submit);
    assert!(h.app.is_signed_off(), "{}", h.app.status.message);
    assert!(
        h.app.status.message.starts_with("Signed off by M1"),
        "{}",
        h.app.status.message
    );
    h.press(Action::Back);
    h.open("5.18");
    h.press(Action::Decide(Verdict::Undo));
    assert!(h.app.status.message.contains("locked"));
}

#[test]
fn ctrl_c_quits_even_from_a_prompt() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::Decide(Verdict::Revoke));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let action = crate::tui::keymap::dispatch(crate::tui::keymap::context(&h.app), ctrl_c);
    assert_eq!(action, Some(Action::Quit));
    h.press(Action::Quit);
    assert!(h.app.quit);
}

#[test]
fn help_opens_and_closes() {
    let mut h = Harness::new();
    h.press(Action::Help);
    assert!(matches!(h.app.overlay, Some(Overlay::Help { .. })));
    h.press(Action::Down);
    assert!(matches!(h.app.overlay, Some(Overlay::Help { scroll: 1 })));
    h.press(Action::Back);
    assert!(h.app.overlay.is_none());
}

#[test]
fn tab_switches_to_the_detail_pane_where_keys_scroll() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::SwitchPane);
    h.press(Action::Down);
    assert_eq!(h.app.review.detail_scroll, 1);
    assert_eq!(h.app.review.cursor, 0, "the table cursor stays");
    h.press(Action::SwitchPane);
    h.press(Action::Down);
    assert_eq!(h.app.review.cursor, 1);
}

#[test]
fn the_detail_pane_scrolls_no_further_than_its_last_line() {
    let mut h = Harness::new();
    h.open("5.18");
    h.press(Action::SwitchPane);
    h.keys(vec![Action::Down; 50]);
    let max = crate::tui::view::limits(&h.app).detail;
    assert!(max > 0 && max < 50, "{max}");
    assert_eq!(h.app.review.detail_scroll, max);
    h.press(Action::Up);
    assert_eq!(
        h.app.review.detail_scroll,
        max - 1,
        "one key brings it back"
    );
}

mod accounts;
mod cycle;
mod finding;
mod finishing;
mod fuzz;
mod hardening;
mod packet;
mod paging;
mod polish;
mod sod;

/// Slow reads are acknowledged on screen at once; paging the plain view is
/// not (it takes milliseconds, and a hint would only flicker).
#[test]
fn slow_reads_and_writes_say_so_while_they_run() {
    use super::action::Cursor;
    use super::query::{Anchor, Key, Query, Sort};
    let first = Effect::Fetch {
        anchor: Anchor::First,
        cursor: Cursor::Index(0),
    };
    let next_page = Effect::Fetch {
        anchor: Anchor::From(Key {
            value: None,
            id: 40,
        }),
        cursor: Cursor::Index(0),
    };
    let plain = Query::for_control("5.18");
    let sorted = Query {
        sort: Sort::System,
        ..plain.clone()
    };
    let searched = Query {
        search: "mallory".into(),
        ..plain.clone()
    };
    assert_eq!(first.working_message(&plain), None);
    assert_eq!(next_page.working_message(&sorted), None);
    assert_eq!(first.working_message(&sorted), Some("reading items…"));
    assert_eq!(first.working_message(&searched), Some("reading items…"));
    assert_eq!(
        Effect::LoadSystems.working_message(&plain),
        Some("listing the systems…")
    );
    let save = Effect::Record {
        pending: Pending::item(1, Verdict::Certify),
        justification: None,
    };
    assert_eq!(save.working_message(&plain), Some("saving…"));
    assert!(
        first.is_read() && !save.is_read(),
        "a save's message stands"
    );
}
