//! The accounts screen: opened from the overview, accounts without a person
//! first, a person chosen and linked with a reason (recorded before the
//! screen says so), unlinking, every account, finding one, a busy
//! workspace, and paging through thousands.

use std::time::{Duration, Instant};

use rusqlite::TransactionBehavior;

use super::*;
use crate::identity::links::current_manual_links;
use crate::tui::accounts::{AccountRow, Standing};

/// The fixture with the accounts of `fixture::accounts`, on the accounts screen.
fn screen() -> Harness {
    let h = Harness::new();
    fixture::accounts(&h.ws);
    let mut h = h;
    h.press(Action::Accounts);
    h
}

fn shown(h: &Harness) -> Vec<String> {
    let rows = h.app.accounts.rows.as_deref().expect("loaded");
    h.app
        .accounts
        .shown
        .iter()
        .map(|&i| rows[i].account.clone())
        .collect()
}

fn to(h: &mut Harness, account: &str) {
    let at = shown(h)
        .iter()
        .position(|a| a == account)
        .unwrap_or_else(|| panic!("{account} is not listed"));
    h.keys([Action::First]);
    for _ in 0..at {
        h.press(Action::Down);
    }
}

/// The latest manual link of an account: the person's id, `unlinked`, or
/// `none` when nobody linked it by hand.
fn manual(h: &Harness, account: &str) -> String {
    match current_manual_links(&h.ws.conn, None)
        .expect("links")
        .get(account)
    {
        None => "none".to_owned(),
        Some(link) => link
            .person_id
            .clone()
            .unwrap_or_else(|| "unlinked".to_owned()),
    }
}

#[test]
fn l_on_the_overview_lists_the_accounts_without_a_person() {
    let mut h = Harness::new();
    fixture::accounts(&h.ws);
    let effect = h.press(Action::Accounts);
    assert_eq!(effect, Some(Effect::LoadAccounts));
    assert_eq!(h.app.screen, Screen::Accounts);
    // Ambiguous first, then those with a suggestion, then human ones, then the rest.
    assert_eq!(
        shown(&h),
        [
            "zoe",
            "zmuller@x.example",
            "ghost@x.example",
            "svc-sync@x.example"
        ]
    );
    assert!(
        h.app
            .status
            .message
            .starts_with("4 of 9 accounts without a person (1 ambiguous)"),
        "{}",
        h.app.status.message
    );
    let zmuller = &h.app.accounts.rows.as_deref().expect("rows")[1];
    assert_eq!(zmuller.standing, Standing::Unlinked);
    assert_eq!(zmuller.choices[0].person_id, "E1");
    assert_eq!(zmuller.choices[0].score.as_deref(), Some("0.9"));
    h.press(Action::Back);
    assert_eq!(h.app.screen, Screen::Overview);
}

#[test]
fn enter_asks_why_and_the_link_is_saved_before_the_screen_says_so() {
    let mut h = screen();
    to(&mut h, "zmuller@x.example");
    assert_eq!(h.press(Action::Open), None);
    let Some(Overlay::LinkReason { target, .. }) = &h.app.overlay else {
        panic!("a reason prompt: {:?}", h.app.overlay)
    };
    assert_eq!(
        target.person.as_ref().map(|p| p.0.as_str()),
        Some("E1"),
        "the best suggestion"
    );
    h.press(Action::Submit);
    assert_eq!(h.app.status.tone, Tone::Error, "a reason is required");
    assert!(matches!(h.app.overlay, Some(Overlay::LinkReason { .. })));
    assert_eq!(manual(&h, "zmuller@x.example"), "none", "nothing recorded");
    h.typed("her second Entra account, HR ticket 4711");
    let effect = h.press(Action::Submit);
    assert!(matches!(effect, Some(Effect::Link { .. })), "{effect:?}");
    assert_eq!(manual(&h, "zmuller@x.example"), "E1");
    assert!(h.app.overlay.is_none());
    assert!(
        h.app.status.message.starts_with(
            "Linked zmuller@x.example to Zoë Müller (E1) (link event 1); campaigns created from now on use it, this one keeps the links it was created with"
        ),
        "{}",
        h.app.status.message
    );
    assert!(!shown(&h).contains(&"zmuller@x.example".to_owned()));
    assert_eq!(
        h.app.accounts.selected().map(|r| r.account.as_str()),
        Some("ghost@x.example"),
        "the cursor stays in place, on the next account"
    );
}

#[test]
fn esc_in_the_reason_prompt_links_nothing() {
    let mut h = screen();
    to(&mut h, "zmuller@x.example");
    h.press(Action::Open);
    h.typed("maybe");
    h.press(Action::Back);
    assert!(h.app.overlay.is_none());
    assert_eq!(manual(&h, "zmuller@x.example"), "none");
    assert_eq!(h.app.status.message, "cancelled; nothing was linked");
}

#[test]
fn an_ambiguous_account_links_to_the_person_chosen_with_tab() {
    let mut h = screen();
    to(&mut h, "zoe");
    let choices: Vec<String> = h
        .app
        .accounts
        .selected()
        .expect("zoe")
        .choices
        .iter()
        .map(|c| c.person_id.clone())
        .collect();
    assert_eq!(choices, ["E1", "E6"]);
    h.keys([Action::SwitchPane, Action::Down, Action::Down]);
    assert_eq!(h.app.accounts.choice, 1, "stops at the last person");
    assert_eq!(
        h.app.accounts.selected().map(|r| r.account.as_str()),
        Some("zoe"),
        "j/k choose a person, not another account"
    );
    h.press(Action::Open);
    h.typed("the AWS user of Zoe from Sales");
    h.press(Action::Submit);
    assert_eq!(manual(&h, "zoe"), "E6");
    assert_eq!(h.app.accounts.focus, crate::tui::app::Pane::Table);
}

#[test]
fn every_account_lists_the_linked_ones_and_u_unlinks_with_a_reason() {
    let mut h = screen();
    h.press(Action::Unlink);
    assert!(h.app.overlay.is_none(), "zoe is linked to nobody");
    assert!(h.app.status.message.contains("is linked to nobody"));
    h.press(Action::EveryAccount);
    assert_eq!(shown(&h).len(), 9);
    to(&mut h, "E4");
    let row = h.app.accounts.selected().expect("E4").clone();
    assert!(
        matches!(&row.standing, Standing::Linked { basis, .. } if basis == "identity-id"),
        "{row:?}"
    );
    h.press(Action::Open);
    assert!(h.app.overlay.is_none());
    assert!(h.app.status.message.contains("u unlinks it"));
    h.press(Action::Unlink);
    let Some(Overlay::LinkReason { target, .. }) = &h.app.overlay else {
        panic!("a reason prompt")
    };
    assert_eq!((target.account.as_str(), &target.person), ("E4", &None));
    h.typed("a test account, not Mallory's");
    h.press(Action::Submit);
    assert_eq!(manual(&h, "e4"), "unlinked");
    assert!(
        h.app
            .status
            .message
            .starts_with("Unlinked E4 (link event 1)")
    );
    h.press(Action::EveryAccount);
    assert!(shown(&h).contains(&"E4".to_owned()), "now without a person");
}

#[test]
fn slash_finds_an_account_as_you_type_and_esc_drops_the_search() {
    let mut h = screen();
    h.press(Action::Search);
    h.typed("SVC");
    assert_eq!(shown(&h), ["svc-sync@x.example"]);
    h.press(Action::Submit);
    assert!(h.app.overlay.is_none());
    assert_eq!(shown(&h), ["svc-sync@x.example"], "Enter keeps it");
    h.press(Action::Search);
    h.press(Action::Back);
    assert_eq!(shown(&h).len(), 4);
}

#[test]
fn a_busy_workspace_gives_the_reason_back_for_a_retry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ws, path) = fixture::file_workspace(dir.path());
    fixture::accounts(&ws);
    let mut other = Workspace::open(&path).expect("second connection");
    let app = fixture::app(&ws, Theme::plain());
    let mut h = Harness { ws, app };
    h.press(Action::Accounts);
    to(&mut h, "zmuller@x.example");
    h.press(Action::Open);
    h.typed("same person");
    let lock = other
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("hold the write lock");
    let start = Instant::now();
    h.press(Action::Submit);
    assert!(start.elapsed() < Duration::from_secs(3));
    let Some(Overlay::LinkReason { editor, .. }) = &h.app.overlay else {
        panic!("the prompt is back: {:?}", h.app.overlay)
    };
    assert_eq!(editor.text(), "same person");
    assert!(
        h.app.status.message.contains("busy"),
        "{}",
        h.app.status.message
    );
    drop(lock);
    h.press(Action::Submit);
    assert_eq!(manual(&h, "zmuller@x.example"), "E1");
}

fn synthetic(n: usize) -> Vec<AccountRow> {
    (0..n)
        .map(|i| AccountRow {
            account: format!("user{i:05}@x.example"),
            sources: vec!["okta".to_owned()],
            grants: 1,
            standing: Standing::Unlinked,
            kind: Some("human".to_owned()),
            human: true,
            note: None,
            choices: Vec::new(),
        })
        .collect()
}

#[test]
fn thousands_of_accounts_page_and_only_the_screen_is_drawn() {
    let mut h = Harness::new();
    h.press(Action::Resize(80, 24));
    h.app.screen = Screen::Accounts;
    h.press(Action::AccountsLoaded(synthetic(50_000)));
    let page = crate::tui::layout::account_rows(h.app.size) / 2;
    h.press(Action::PageDown);
    assert_eq!(h.app.accounts.cursor, page);
    h.press(Action::Last);
    assert_eq!(h.app.accounts.cursor, 49_999);
    let visible = crate::tui::layout::account_rows(h.app.size);
    assert_eq!(
        h.app.accounts.top,
        50_000 - visible,
        "the last row at the bottom"
    );
    let start = Instant::now();
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("terminal");
    terminal
        .draw(|frame| crate::tui::view::draw(frame, &h.app))
        .expect("draw");
    assert!(start.elapsed() < Duration::from_secs(1));
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("> user49999@x.example"), "{screen}");
    h.press(Action::First);
    assert_eq!((h.app.accounts.cursor, h.app.accounts.top), (0, 0));
}
