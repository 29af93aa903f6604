//! Paging through a control larger than the loaded window.

use super::*;
use crate::tui::app::WINDOW;

fn harness(n: u32) -> Harness {
    let ws = fixture::workspace();
    fixture::add_many(&ws, n);
    let app = fixture::app(&ws, Theme::colour());
    let mut h = Harness { ws, app };
    h.open("5.15");
    h
}

fn selected(h: &Harness) -> i64 {
    h.app
        .review
        .selected()
        .map(|r| r.item_id)
        .expect("selected")
}

#[test]
fn walking_down_past_the_window_loads_the_next_page_without_losing_the_place() {
    let mut h = harness(1000);
    assert_eq!(h.app.review.rows.len(), WINDOW);
    for step in 1..=450 {
        h.press(Action::Down);
        assert_eq!(selected(&h), 101 + step, "after {step} steps");
        assert!(h.app.review.rows.len() <= WINDOW, "memory stays bounded");
    }
    for step in 1..=450 {
        h.press(Action::Up);
        assert_eq!(selected(&h), 551 - step);
    }
    h.press(Action::Up);
    assert_eq!(selected(&h), 101, "stops at the first item");
}

#[rstest]
#[case::last_then_first(vec![Action::Last], 1100)]
#[case::first_again(vec![Action::Last, Action::First], 101)]
#[case::page_down(vec![Action::PageDown, Action::PageDown], 101 + 2 * 4)]
#[case::page_up_from_the_end(vec![Action::Last, Action::PageUp], 1100 - 4)]
#[case::down_at_the_end_stays(vec![Action::Last, Action::Down], 1100)]
fn jumps(#[case] keys: Vec<Action>, #[case] expected: i64) {
    let mut h = harness(1000);
    h.keys(keys);
    assert_eq!(selected(&h), expected);
}

#[test]
fn after_a_decision_the_cursor_finds_the_next_undecided_beyond_the_window() {
    let mut h = harness(300);
    let most: Vec<i64> = (102..=350).collect();
    fixture::decide(&mut h.ws, &most, DecisionAction::Certify, None, "Z");
    h.press(Action::First);
    h.press(Action::Decide(Verdict::Certify));
    assert_eq!(selected(&h), 351);
}
