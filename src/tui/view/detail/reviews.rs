//! The detail pane's lines about how an item was reviewed: which history
//! events were first and second reviews, close-outs and reassignments, and
//! a second review that disagreed with the first.

use ratatui::text::Line;

use super::field;
use crate::campaign::{DecisionEvent, ItemRecord};
use crate::model::{DecisionAction, DecisionBasis};
use crate::tui::app::App;
use crate::tui::view::fmt::safe;

/// ` to E0429` for a reassignment.
pub(super) fn assignee(event: &DecisionEvent) -> String {
    event
        .extras
        .as_ref()
        .and_then(|e| e.assignee.as_deref())
        .map(|to| format!(" to {}", safe(to)))
        .unwrap_or_default()
}

/// ` (first review)`, ` (second review)`, ` (close-out)`: how a decision came about.
pub(super) fn how(event: &DecisionEvent) -> &'static str {
    let Some(extras) = &event.extras else {
        return "";
    };
    match (extras.stage, extras.basis) {
        (_, Some(DecisionBasis::CloseOut)) => " (close-out)",
        (_, Some(DecisionBasis::CarryOver)) => " (carry-over)",
        (Some(1), _) => " (first review)",
        (Some(2), _) => " (second review)",
        _ => "",
    }
}

/// When the latest reviews of an undecided item disagree, both side by
/// side: the item went back to undecided, and both justifications count.
pub(super) fn disagreement(app: &App, item: &ItemRecord, lines: &mut Vec<Line<'static>>) {
    if item.decision.is_some() || item.awaiting_second_review.is_some() {
        return;
    }
    let Some(detail) = app.review.detail().filter(|d| d.item == item.item_id) else {
        return;
    };
    let decisions: Vec<&DecisionEvent> = detail
        .history
        .iter()
        .filter(|e| e.action != DecisionAction::Reassign)
        .collect();
    let [.., first, second] = decisions.as_slice() else {
        return;
    };
    let stage = |e: &DecisionEvent| e.extras.as_ref().and_then(|x| x.stage);
    if stage(first) != Some(1) || stage(second) != Some(2) || first.action == second.action {
        return;
    }
    let side = |e: &DecisionEvent| {
        format!(
            "{} {}: {}",
            safe(&e.reviewer),
            e.action,
            e.justification.as_deref().map(safe).unwrap_or_default()
        )
    };
    lines.push(field(
        app,
        "Disagreed",
        format!(
            "the second review disagreed, so the item is undecided again: {} · {}",
            side(first),
            side(second)
        ),
    ));
}
