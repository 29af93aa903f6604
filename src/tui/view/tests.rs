//! Render tests: every screen as text at 80x24 and 120x40 (insta snapshots,
//! fixed dates), and the styles text snapshots cannot show.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use rstest::rstest;

use crate::campaign::policy::Verdict;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::tests::Harness;
use crate::tui::theme::Theme;

fn draw(h: &mut Harness, width: u16, height: u16) -> Terminal<TestBackend> {
    h.press(Action::Resize(width, height));
    render(&h.app, width, height)
}

/// Draws the state as it is, without resizing first.
fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| crate::tui::view::draw(frame, app))
        .expect("draw");
    terminal
}

/// Opens 5.18 with the cursor on the dormant item 6 and its history loaded.
fn control(h: &mut Harness) {
    h.open("5.18");
    h.select(6);
}

fn scene(name: &str) -> Harness {
    let mut h = Harness::new();
    match name {
        "overview" => {}
        "control" => control(&mut h),
        "detail_nhi" => {
            h.open("5.17");
        }
        "detail_history" => {
            h.open("5.18");
            h.select(7);
        }
        "detail_secondary" => {
            crate::tui::fixture::correlate(&h.ws);
            h.open("8.2");
        }
        "detail_reviews" => {
            crate::tui::fixture::correlate(&h.ws);
            h.open("8.2");
            h.keys([Action::SwitchPane, Action::PageDown]);
        }
        "detail_manual" => {
            crate::tui::fixture::correlate(&h.ws);
            h.open("5.18");
            h.select(7);
        }
        "detail_service" => {
            crate::tui::fixture::correlate(&h.ws);
            h.open("5.17");
        }
        "detail_ambiguous" => {
            crate::tui::fixture::correlate(&h.ws);
            h.open("5.16");
            h.select(3);
        }
        "justify" => {
            control(&mut h);
            h.press(Action::Decide(Verdict::Revoke));
            h.typed("Left the sales team in March; the project-admin role was for the Q1 migration only and is no longer needed");
        }
        "confirm" => {
            control(&mut h);
            h.keys([Action::Mark, Action::Mark, Action::Down, Action::Mark]);
            h.press(Action::Decide(Verdict::Certify));
        }
        "confirm_many_signals" => {
            h.open("5.16");
            h.press(Action::MarkAll);
            h.press(Action::Decide(Verdict::Accept));
        }
        "filter" => {
            control(&mut h);
            h.press(Action::Filter);
            h.keys([Action::Next, Action::Down]);
        }
        "search_empty" => {
            control(&mut h);
            h.press(Action::Search);
            h.typed("nobody");
        }
        "refusal" => {
            control(&mut h);
            h.press(Action::MarkAll);
            h.press(Action::Decide(Verdict::Certify));
        }
        "help" => {
            control(&mut h);
            h.press(Action::Help);
        }
        "signoff" => h.press(Action::SignOff).map_or((), |_| ()),
        "accounts" => {
            crate::tui::fixture::accounts(&h.ws);
            h.keys([Action::Accounts, Action::Down]);
        }
        "accounts_choose" => {
            crate::tui::fixture::accounts(&h.ws);
            h.keys([Action::Accounts, Action::SwitchPane, Action::Down]);
        }
        "link_reason" => {
            crate::tui::fixture::accounts(&h.ws);
            h.keys([Action::Accounts, Action::Down, Action::Open]);
            h.typed("her second Entra account, HR ticket 4711");
        }
        other => panic!("unknown scene {other}"),
    }
    // Saves show the local time; pin it for the snapshot.
    if h.app.status.last_save.is_some() {
        h.app.status.last_save = Some("09:30:00".to_owned());
    }
    h
}

#[rstest]
fn screens(
    #[values(
        "overview",
        "control",
        "detail_nhi",
        "detail_history",
        "detail_secondary",
        "detail_reviews",
        "detail_manual",
        "detail_ambiguous",
        "detail_service",
        "justify",
        "confirm",
        "confirm_many_signals",
        "filter",
        "search_empty",
        "refusal",
        "help",
        "signoff",
        "accounts",
        "accounts_choose",
        "link_reason"
    )]
    name: &str,
    #[values((80, 24), (120, 40))] size: (u16, u16),
) {
    let mut h = scene(name);
    let terminal = draw(&mut h, size.0, size.1);
    insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), terminal.backend());
}

/// The cell at (x, y) of the drawn screen.
fn cell(terminal: &Terminal<TestBackend>, x: u16, y: u16) -> ratatui::buffer::Cell {
    terminal.backend().buffer()[(x, y)].clone()
}

fn row_of(terminal: &Terminal<TestBackend>, text: &str) -> u16 {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .find(|&y| {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect();
            line.contains(text)
        })
        .unwrap_or_else(|| panic!("{text:?} not on screen"))
}

#[test]
fn the_cursor_row_is_highlighted_across_the_table() {
    let mut h = scene("control");
    let terminal = draw(&mut h, 80, 24);
    let y = row_of(&terminal, "> [ ] Mallory");
    let selected = Theme::colour().selected;
    for x in [0, 10, 40, 79] {
        assert_eq!(
            cell(&terminal, x, y).bg,
            selected.bg.expect("bg"),
            "column {x}"
        );
    }
    let other = row_of(&terminal, "Zoë Müller");
    assert_eq!(cell(&terminal, 10, other).bg, Color::Reset);
}

#[test]
fn decisions_are_coloured_and_spelled_out() {
    let mut h = Harness::new();
    h.open("5.18");
    h.select(9);
    h.press(Action::Decide(Verdict::Revoke));
    h.typed("expired");
    h.press(Action::Submit);
    let terminal = draw(&mut h, 80, 24);
    let revoked = row_of(&terminal, "✗ revoke");
    let x = (0..80)
        .find(|&x| cell(&terminal, x, revoked).symbol() == "✗")
        .expect("symbol");
    assert_eq!(cell(&terminal, x, revoked).fg, Color::Red);
    let certified = row_of(&terminal, "✓ certify");
    let x = (0..80)
        .find(|&x| cell(&terminal, x, certified).symbol() == "✓")
        .expect("symbol");
    assert_eq!(cell(&terminal, x, certified).fg, Color::Green);
}

#[rstest]
fn no_color_draws_no_colour_at_all(
    #[values(
        "overview",
        "control",
        "confirm",
        "filter",
        "help",
        "signoff",
        "detail_secondary",
        "accounts",
        "accounts_choose",
        "link_reason"
    )]
    name: &str,
) {
    let mut h = scene(name);
    h.app.theme = Theme::plain();
    let terminal = draw(&mut h, 80, 24);
    let buffer = terminal.backend().buffer();
    for cell in &buffer.content {
        assert_eq!(
            (cell.fg, cell.bg),
            (Color::Reset, Color::Reset),
            "{name}: {cell:?}"
        );
    }
    // The cursor row still stands out, by reversed video.
    if name == "control" {
        let y = row_of(&terminal, "> [ ] Mallory");
        assert!(
            cell(&terminal, 3, y)
                .modifier
                .contains(ratatui::style::Modifier::REVERSED)
        );
    }
}

#[test]
fn hostile_text_from_imports_never_reaches_the_terminal() {
    let mut h = scene("control");
    let terminal = draw(&mut h, 120, 40);
    for cell in &terminal.backend().buffer().content {
        assert!(!cell.symbol().chars().any(char::is_control), "{cell:?}");
    }
}
