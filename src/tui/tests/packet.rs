//! A review packet in the review (PRODUCT.md §9): the overview says it is
//! one, and once sealed that it is read only; a decision then shows the
//! refusal in the status bar.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;

/// The fixture workspace turned into a packet of its campaign (the record
/// alone makes it one), sealed or not, and the app as the shell builds it.
fn packet(sealed: bool) -> Harness {
    let mut h = Harness::new();
    let campaign = h.app.campaign.id;
    h.ws.conn
        .execute(
            "INSERT INTO packet (id, campaign_id, reviewer, fingerprint, issued_at, issued_by,
                 base_event, base_hash, sealed_at, key_id, signature)
             VALUES (7, ?1, ?2, ?3, '2026-12-01T08:00:00.000Z', 'owner (o@hq)', 0, ?3,
                 ?4, ?5, ?6)",
            (
                campaign,
                REVIEWER,
                crate::chain::GENESIS,
                sealed.then_some("2026-12-02T08:00:00.000Z"),
                sealed.then_some("AADFECDD8CC6A6B7"),
                sealed.then_some("untrusted comment: x"),
            ),
        )
        .expect("packet record");
    let mut shell = Shell::new(
        &mut h.ws.conn,
        h.app.campaign.clone(),
        &Actor::fixed(REVIEWER),
    );
    let mut app = shell.app(Theme::plain()).expect("app");
    app.today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
    drop(shell);
    h.app = app;
    h
}

fn draw(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    terminal
        .draw(|frame| crate::tui::view::draw(frame, app))
        .expect("draw");
    terminal
}

#[test]
fn the_overview_says_it_is_a_packet() {
    let h = packet(false);
    assert_eq!(
        h.app.packet,
        Some(crate::tui::app::PacketBadge {
            id: 7,
            sealed: false
        })
    );
    let terminal = draw(&h.app);
    insta::assert_snapshot!("packet_overview", terminal.backend());
    let first = format!("{}", terminal.backend());
    assert!(first.contains("packet 7 · "), "{first}");
}

#[test]
fn a_sealed_packet_says_it_is_read_only_and_refuses_decisions() {
    let mut h = packet(true);
    let terminal = draw(&h.app);
    insta::assert_snapshot!("packet_sealed_overview", terminal.backend());
    let first = format!("{}", terminal.backend());
    assert!(first.contains("PACKET 7 SEALED, read only"), "{first}");
    let before = h.events();
    h.open("5.18");
    h.select(6);
    h.press(Action::Decide(Verdict::Revoke));
    assert!(matches!(h.app.overlay, Some(Overlay::Justify { .. })));
    h.typed("left the team");
    h.press(Action::Submit);
    assert_eq!(h.events(), before, "a sealed packet took a decision");
    assert_eq!(h.decision(6), None);
    assert!(
        h.app.status.message.contains("sealed"),
        "{:?}",
        h.app.status.message
    );
}
