//! Keys while an overlay is open: help, prompts, the bulk confirmation and
//! the filter menu.

use super::super::action::{Action, Effect};
use super::super::app::{App, Overlay};
use super::super::editor::Editor;
use super::super::query::{DecisionFilter, Filter, KindFilter, Query};
use super::{decide, nav};
use crate::model::{Delta, Signal};

/// The rows of the filter menu, in order.
pub const FILTER_ROWS: [&str; 6] = [
    "decision",
    "signal",
    "system",
    "identity kind",
    "since baseline",
    "mine only",
];
const SYSTEM_ROW: usize = 2;

/// The systems arrived: take the step through them the reviewer asked for.
pub fn systems_loaded(app: &mut App, systems: Vec<String>) -> Option<Effect> {
    app.review.systems = Some(systems);
    let forward = app.review.pending_system_step.take()?;
    match app.overlay {
        Some(Overlay::Filter { cursor: SYSTEM_ROW }) => {
            let action = if forward {
                Action::Next
            } else {
                Action::Previous
            };
            handle(app, action)
        }
        _ => None,
    }
}

/// Whether a text prompt is open (a paste goes there).
pub fn is_prompt(app: &App) -> bool {
    matches!(
        app.overlay,
        Some(
            Overlay::Justify { .. }
                | Overlay::Search { .. }
                | Overlay::Statement { .. }
                | Overlay::LinkReason { .. }
                | Overlay::FindAccount { .. }
                | Overlay::Reassign { .. }
                | Overlay::Until { .. }
        )
    )
}

pub fn handle(app: &mut App, action: Action) -> Option<Effect> {
    let overlay = app.overlay.take()?;
    match overlay {
        Overlay::Help { scroll } => {
            if action == Action::Back {
                return None;
            }
            let page = (app.size.1 / 2).max(1);
            let scroll = super::scroll(scroll, app.limits.help, page, &action).unwrap_or(scroll);
            app.overlay = Some(Overlay::Help { scroll });
            None
        }
        Overlay::Justify {
            pending,
            mut editor,
            why,
        } => match action {
            Action::Submit => decide::justified(app, pending, editor, why),
            Action::Back => {
                app.info("cancelled; nothing was saved");
                None
            }
            Action::SwitchPane => {
                decide::switch_to_until(app, pending, editor, why);
                None
            }
            other => {
                edit(app, &mut editor, &other);
                app.overlay = Some(Overlay::Justify {
                    pending,
                    editor,
                    why,
                });
                None
            }
        },
        Overlay::Statement { mut editor } => match action {
            Action::Submit if editor.text().trim().is_empty() => {
                app.error("the sign-off needs a statement; type one, or Esc to cancel");
                app.overlay = Some(Overlay::Statement { editor });
                None
            }
            Action::Submit => Some(Effect::SignOff {
                statement: editor.text().trim().to_owned(),
            }),
            Action::Back => None,
            other => {
                edit(app, &mut editor, &other);
                app.overlay = Some(Overlay::Statement { editor });
                None
            }
        },
        Overlay::Until {
            pending,
            mut editor,
            back,
        } => match action {
            Action::Submit => decide::until_entered(app, pending, editor, back),
            Action::Back => {
                decide::until_cancelled(app, pending, back);
                None
            }
            other => {
                edit(app, &mut editor, &other);
                app.overlay = Some(Overlay::Until {
                    pending,
                    editor,
                    back,
                });
                None
            }
        },
        Overlay::Search { editor } => search(app, editor, &action),
        Overlay::LinkReason { target, editor } => {
            super::accounts::reason(app, target, editor, &action)
        }
        Overlay::FindAccount { editor } => super::accounts::find(app, editor, &action),
        Overlay::Reassign { target, editor, to } => {
            super::reassign::prompt(app, target, editor, to, &action)
        }
        Overlay::Confirm { pending, summary } => decide::confirming(app, pending, summary, &action),
        Overlay::Filter { cursor } => filter_menu(app, cursor, &action),
    }
}

/// Typing and pasting into a prompt; returns whether the text changed.
pub(super) fn edit(app: &mut App, editor: &mut Editor, action: &Action) -> bool {
    match action {
        Action::Input(key) => editor.handle(*key),
        Action::Paste(text) => {
            let left_out = editor.paste(text);
            if left_out > 0 {
                app.error(format!(
                    "a prompt holds at most {} characters; the last {left_out} pasted were left out",
                    super::super::editor::MAX_CHARS
                ));
            }
            !text.is_empty()
        }
        _ => false,
    }
}

/// The search prompt: every change re-queries; Enter keeps the search and
/// Esc drops it, showing every item again.
fn search(app: &mut App, mut editor: Editor, action: &Action) -> Option<Effect> {
    match action {
        Action::Submit => {
            let query = &app.review.query;
            if !query.search.is_empty() {
                app.info(format!("search: {}", query.search));
            }
            None
        }
        Action::Back => {
            let mut query = app.review.query.clone();
            if query.search.is_empty() {
                return None;
            }
            query.search.clear();
            app.info("search dropped");
            nav::requery(app, query)
        }
        other => {
            let changed = edit(app, &mut editor, other);
            let mut query = app.review.query.clone();
            editor.text().clone_into(&mut query.search);
            app.overlay = Some(Overlay::Search { editor });
            if changed {
                nav::requery(app, query)
            } else {
                None
            }
        }
    }
}

fn filter_menu(app: &mut App, cursor: usize, action: &Action) -> Option<Effect> {
    let last = FILTER_ROWS.len() - 1;
    let mut filter = app.review.query.filter.clone();
    let cursor = match action {
        Action::Back => {
            let described = filter.describe();
            app.info(if described.is_empty() {
                "no filter".to_owned()
            } else {
                format!("filter: {described}")
            });
            return None;
        }
        Action::Down => (cursor + 1).min(last),
        Action::Up => cursor.saturating_sub(1),
        Action::Next | Action::Previous if cursor == SYSTEM_ROW && app.review.systems.is_none() => {
            // The systems are listed on first use: on a huge control that takes a moment.
            app.info("listing the systems of this control…");
            app.overlay = Some(Overlay::Filter { cursor });
            app.review.pending_system_step = Some(*action == Action::Next);
            return Some(Effect::LoadSystems);
        }
        Action::Next | Action::Previous => {
            let forward = *action == Action::Next;
            cycle(&mut filter, cursor, forward, app.review.systems.as_deref());
            cursor
        }
        Action::ClearFilter => {
            filter = Filter::default();
            cursor
        }
        _ => cursor,
    };
    app.overlay = Some(Overlay::Filter { cursor });
    if filter == app.review.query.filter {
        return None;
    }
    let query = Query {
        filter,
        ..app.review.query.clone()
    };
    nav::requery(app, query)
}

/// Steps one option of the filter forwards or backwards through its values.
fn cycle(filter: &mut Filter, row: usize, forward: bool, systems: Option<&[String]>) {
    match row {
        0 => {
            let current = (filter.decision != DecisionFilter::Any).then_some(filter.decision);
            filter.decision = step(&DecisionFilter::ALL[1..], current, forward).unwrap_or_default();
        }
        1 => filter.signal = step(Signal::ALL, filter.signal, forward),
        2 => filter.system = step(systems.unwrap_or(&[]), filter.system.clone(), forward),
        3 => filter.kind = step(&KindFilter::all(), filter.kind, forward),
        4 => filter.delta = step(Delta::ALL, filter.delta, forward),
        _ => filter.mine = !filter.mine,
    }
}

/// The next (or previous) choice after `current` among `None` then `values`.
fn step<T: Clone + PartialEq>(values: &[T], current: Option<T>, forward: bool) -> Option<T> {
    let position = current.and_then(|c| values.iter().position(|v| *v == c));
    let n = values.len() + 1; // index 0 = no filter
    let index = position.map_or(0, |p| p + 1);
    let next = if forward {
        (index + 1) % n
    } else {
        (index + n - 1) % n
    };
    next.checked_sub(1).map(|i| values[i].clone())
}
