//! The reducer: `update(&mut App, Action) -> Option<Effect>`. Pure: no
//! database, no clock, no terminal; what must be read or written comes back
//! as an `Effect` for the shell.

mod accounts;
mod decide;
mod nav;
mod overlay;
mod reassign;

use super::action::{Action, Effect};
use super::app::{App, Overlay, Pane, Review, Screen};
use super::counts::ControlCounts;
use super::query::{Anchor, DecisionFilter, Query};
use crate::campaign::CampaignState;

pub use accounts::LATER_ONLY;
pub use nav::keep_visible;
pub use overlay::FILTER_ROWS;

pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    if action.is_input() {
        app.status.after_save = false;
    }
    let before = app.review.selected_id();
    let effect = reduce(app, action);
    if app.review.selected_id() != before {
        // A scrolled pane would show the new item from its middle.
        app.review.detail_scroll = 0;
        app.pair_walk.selected(app.review.selected_id());
    }
    effect.or_else(|| wanted_detail(app))
}

/// The selected item's history and people, when they are not loaded yet:
/// asked for once nothing else is pending, so a burst of keys reads only
/// where the cursor comes to rest.
fn wanted_detail(app: &App) -> Option<Effect> {
    if app.screen != Screen::Control || app.review.detail().is_some() {
        return None;
    }
    app.review.selected_id().map(Effect::LoadDetail)
}

fn reduce(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Resize(width, height) => {
            app.size = (width, height);
            keep_visible(&mut app.review, app.size);
            accounts::keep_visible(app);
            None
        }
        Action::Quit => {
            app.quit = true;
            None
        }
        Action::Loaded(loaded) => {
            nav::loaded(app, loaded);
            None
        }
        Action::Saved(saved) => decide::saved(app, saved),
        Action::NotSaved(not_saved) => {
            decide::not_saved(app, not_saved);
            None
        }
        Action::Failed(message) => {
            app.error(message);
            None
        }
        Action::Notice(message) => {
            let message = if app.status.after_save {
                format!("{} · {message}", app.status.message)
            } else {
                message
            };
            app.info(message);
            None
        }
        Action::BulkReady(pending, summary) => {
            decide::bulk_ready(app, pending, summary);
            None
        }
        Action::Systems(systems) => overlay::systems_loaded(app, systems),
        Action::Detail(detail) => {
            if let Some(error) = &detail.error {
                app.error(error.clone());
            }
            app.review.detail = Some(detail);
            None
        }
        Action::ReviewerResolved(resolved) => {
            reassign::resolved(app, resolved);
            None
        }
        Action::Warnings(warnings) => {
            app.warnings = Some(warnings);
            None
        }
        Action::SignedOff(message) => {
            app.campaign.state = CampaignState::SignedOff;
            app.overlay = None;
            app.info(message);
            None
        }
        Action::AccountsLoaded(rows) => {
            accounts::loaded(app, rows);
            None
        }
        Action::Linked { message, rows } => {
            accounts::linked(app, message, rows);
            None
        }
        Action::NotLinked {
            target,
            reason,
            message,
        } => {
            accounts::not_linked(app, target, &reason, message);
            None
        }
        Action::Changed => Some(Effect::Refresh),
        Action::Refreshed(refreshed) => {
            nav::refreshed(app, refreshed);
            None
        }
        Action::Measured(limits) => {
            app.limits = limits;
            app.review.detail_scroll = app.review.detail_scroll.min(limits.detail);
            if let Some(Overlay::Help { scroll }) = &mut app.overlay {
                *scroll = (*scroll).min(limits.help);
            }
            None
        }
        Action::Paste(_) if !overlay::is_prompt(app) => {
            // Pasted text is never taken as keys: it could decide anything.
            app.info("a paste is only taken as text in a prompt; it was ignored");
            None
        }
        action if app.overlay.is_some() => overlay::handle(app, action),
        action => match app.screen {
            Screen::Overview => overview(app, &action),
            Screen::Control => control(app, &action),
            Screen::SignOff => signoff(app, &action),
            Screen::Accounts => accounts::screen(app, &action),
        },
    }
}

fn overview(app: &mut App, action: &Action) -> Option<Effect> {
    let last = app.controls.len().saturating_sub(1);
    let cursor = &mut app.overview_cursor;
    match action {
        Action::Down => *cursor = (*cursor + 1).min(last),
        Action::Up => *cursor = cursor.saturating_sub(1),
        Action::First | Action::PageUp => *cursor = 0,
        Action::Last | Action::PageDown => *cursor = last,
        Action::Open => return open_control(app, app.overview_cursor, Query::default()),
        Action::Leave => app.quit = true,
        Action::NextUndecided => return next_undecided_control(app),
        Action::SignOff => return Some(open_sign_off(app)),
        Action::Accounts => return Some(accounts::open(app)),
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        _ => {}
    }
    None
}

/// Opens control number `index` of the overview with `filter`'s filter settings.
fn open_control(app: &mut App, index: usize, with: Query) -> Option<Effect> {
    let control = app.controls.get(index)?.control.clone();
    app.overview_cursor = index;
    app.screen = Screen::Control;
    if let Some(c) = app.controls.get(index) {
        let message = format!(
            "{} of {} items undecided; c certify, r revoke, ? every key",
            c.undecided(),
            c.total
        );
        app.info(message);
    }
    app.review = Review {
        query: Query { control, ..with },
        at_start: true,
        at_end: true,
        ..Review::default()
    };
    Some(Effect::Fetch {
        anchor: Anchor::First,
        cursor: super::action::Cursor::Index(0),
    })
}

/// The first control from the cursor on (wrapping) with undecided items.
fn first_undecided_control(app: &App) -> Option<usize> {
    let n = app.controls.len();
    (0..n)
        .map(|i| (app.overview_cursor + i) % n)
        .find(|&i| app.controls[i].undecided() > 0)
}

fn next_undecided_control(app: &mut App) -> Option<Effect> {
    let Some(index) = first_undecided_control(app) else {
        app.info("every item of the campaign is decided; s opens the sign-off screen");
        return None;
    };
    open_control(app, index, Query::default());
    Some(Effect::NextUndecided { after: None })
}

fn control(app: &mut App, action: &Action) -> Option<Effect> {
    if app.review.focus == Pane::Detail {
        let max = app.limits.detail;
        if let Some(scroll) = scroll(app.review.detail_scroll, max, 8, action) {
            app.review.detail_scroll = scroll;
            return None;
        }
    }
    let page = (super::layout::table_rows(app.size) / 2).max(1);
    match action {
        Action::Down => nav::move_by(app, 1),
        Action::Up => nav::move_by(app, -1),
        Action::PageDown => nav::move_by(app, isize::try_from(page).unwrap_or(1)),
        Action::PageUp => nav::move_by(app, -isize::try_from(page).unwrap_or(1)),
        Action::First => nav::first(app),
        Action::Last => nav::last(app),
        Action::Back if !app.review.marks.is_empty() => {
            app.review.marks = super::app::Selection::default();
            app.info("marks cleared");
            None
        }
        Action::Back | Action::Leave => {
            app.screen = Screen::Overview;
            app.review.rows.clear();
            app.review.detail = None;
            None
        }
        Action::SwitchPane => {
            app.review.focus = match app.review.focus {
                Pane::Table => Pane::Detail,
                Pane::Detail => Pane::Table,
            };
            None
        }
        Action::Decide(verdict) => decide::decide(app, *verdict),
        Action::CertifyUntil => decide::until(app),
        Action::Mark => nav::mark(app),
        Action::MarkRange => {
            nav::mark_range(app);
            None
        }
        Action::MarkAll => {
            nav::mark_all(app);
            None
        }
        Action::NextUndecided => nav::next_undecided(app, app.review.cursor + 1),
        Action::Search => {
            let editor = super::editor::Editor::with_text(&app.review.query.search);
            app.overlay = Some(Overlay::Search { editor });
            None
        }
        Action::Filter => {
            app.overlay = Some(Overlay::Filter { cursor: 0 });
            None
        }
        Action::Sort => {
            let mut query = app.review.query.clone();
            query.sort = query.sort.next();
            app.info(format!("sorted by {}", query.sort.label()));
            nav::requery(app, query)
        }
        Action::SignOff => Some(open_sign_off(app)),
        Action::Reassign => reassign::start(app),
        Action::Pair => nav::pair(app),
        Action::Help => {
            app.overlay = Some(Overlay::Help { scroll: 0 });
            None
        }
        _ => None,
    }
}

/// The sign-off screen, with the independence warnings read afresh.
fn open_sign_off(app: &mut App) -> Effect {
    app.screen = Screen::SignOff;
    app.warnings = None;
    Effect::LoadWarnings
}

/// A scrolled view's new offset for a movement key (`None` for any other
/// key), kept within `0..=max`; `page` rows per page.
pub fn scroll(offset: u16, max: u16, page: u16, action: &Action) -> Option<u16> {
    let offset = match action {
        Action::Down => offset.saturating_add(1),
        Action::Up => offset.saturating_sub(1),
        Action::PageDown => offset.saturating_add(page),
        Action::PageUp => offset.saturating_sub(page),
        Action::First => 0,
        Action::Last => max,
        _ => return None,
    };
    Some(offset.min(max))
}

fn signoff(app: &mut App, action: &Action) -> Option<Effect> {
    match action {
        Action::Back | Action::Leave => {
            app.screen = if app.review.query.control.is_empty() || app.review.rows.is_empty() {
                Screen::Overview
            } else {
                Screen::Control
            };
            None
        }
        Action::Help => {
            app.overlay = Some(Overlay::Help { scroll: 0 });
            None
        }
        Action::Open => {
            if app.is_signed_off() {
                app.info("the campaign is already signed off");
                return None;
            }
            let undecided: u64 = app.controls.iter().map(ControlCounts::undecided).sum();
            if undecided > 0 {
                let index = first_undecided_control(app)?;
                let mut query = Query::default();
                query.filter.decision = DecisionFilter::Undecided;
                let effect = open_control(app, index, query);
                app.error(format!(
                    "{undecided} item{} still undecided; sign-off needs every item decided (showing the undecided ones)",
                    if undecided == 1 { " is" } else { "s are" }
                ));
                return effect;
            }
            app.overlay = Some(Overlay::Statement {
                editor: super::editor::Editor::new(),
            });
            None
        }
        _ => None,
    }
}
