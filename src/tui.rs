//! The review TUI's shell: owns the terminal, the workspace and the clock,
//! feeds key events through the key table to `update`, and carries out the
//! effects it returns (queries, decisions, sign-off), showing any error in
//! the status bar instead of dying.

pub mod action;
pub mod app;
pub mod counts;
pub mod data;
pub mod editor;
mod effects;
#[cfg(test)]
mod fixture;
pub mod headless;
#[cfg(test)]
mod hostile_tests;
pub mod keymap;
pub mod layout;
mod picker;
pub mod query;
pub mod theme;
pub mod update;
pub mod view;

#[cfg(test)]
pub(crate) mod tests;

use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::actor::Actor;
use crate::campaign::{Campaign, CampaignState, list_campaigns};
use action::{Action, Effect};
use app::{App, Screen};
use effects::Shell;
use query::Anchor;

pub use picker::pick;

/// Opens the review of `campaign` in the terminal until the reviewer quits.
pub fn review(conn: &mut rusqlite::Connection, campaign: Campaign, actor: &Actor) -> Result<()> {
    let mut shell = Shell::new(conn, campaign, actor);
    let mut app = shell.app(theme::Theme::from_env())?;
    ratatui::run(|terminal| event_loop(terminal, &mut shell, &mut app))
}

/// The campaign to review when none is named: the only open one, else a picker.
pub fn choose_campaign(conn: &rusqlite::Connection) -> Result<Option<Campaign>> {
    let campaigns = list_campaigns(conn)?;
    if campaigns.is_empty() {
        color_eyre::eyre::bail!(
            "the workspace has no campaigns yet; create one with `recert campaign create --name NAME` (or try `recert demo`)"
        );
    }
    let open: Vec<&Campaign> = campaigns
        .iter()
        .filter(|c| c.state == CampaignState::Open)
        .collect();
    if let [only] = open.as_slice() {
        return Ok(Some((*only).clone()));
    }
    if campaigns.len() == 1 {
        return Ok(campaigns.into_iter().next());
    }
    ratatui::run(|terminal| pick(terminal, &campaigns, &theme::Theme::from_env()))
}

fn event_loop(terminal: &mut DefaultTerminal, shell: &mut Shell<'_>, app: &mut App) -> Result<()> {
    let size = terminal.size().wrap_err("reading the terminal size")?;
    update::update(app, Action::Resize(size.width, size.height));
    while !app.quit {
        terminal
            .draw(|frame| frame.render_widget(&*app, frame.area()))
            .wrap_err("drawing the screen")?;
        let mut deferred: Option<Effect> = None;
        handle(terminal, shell, app, event::read()?, &mut deferred);
        // Keys typed ahead (a search typed quickly) are handled before the
        // next draw, and only the last re-query of a search runs.
        while !app.quit && event::poll(Duration::ZERO)? {
            handle(terminal, shell, app, event::read()?, &mut deferred);
        }
        if let Some(effect) = deferred.take() {
            run_with(shell, app, effect, &mut |app, effect| {
                working(terminal, app, effect);
            });
        }
        shell.sync_history(app);
    }
    Ok(())
}

fn handle(
    terminal: &mut DefaultTerminal,
    shell: &mut Shell<'_>,
    app: &mut App,
    event: Event,
    deferred: &mut Option<Effect>,
) {
    let action = match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            keymap::dispatch(keymap::context(app), key)
        }
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Resize(width, height) => Some(Action::Resize(width, height)),
        _ => None,
    };
    let Some(action) = action else { return };
    let typing = matches!(action, Action::Input(_) | Action::Paste(_));
    if !typing {
        if let Some(effect) = deferred.take() {
            run_with(shell, app, effect, &mut |app, effect| {
                working(terminal, app, effect);
            });
        }
    }
    let Some(effect) = update::update(app, action) else {
        return;
    };
    let requery = matches!(
        effect,
        Effect::Fetch {
            anchor: Anchor::First,
            ..
        }
    );
    if typing && requery {
        *deferred = Some(effect);
    } else {
        run_with(shell, app, effect, &mut |app, effect| {
            working(terminal, app, effect);
        });
    }
}

/// Before an effect that may take a while (a bulk decision over many items,
/// a sign-off, a sorted or searched view of a million items), says so on
/// screen, so a key is acknowledged at once and a long wait never looks like
/// a hang. A read gives the status bar back once the hint is drawn: the
/// hint stays visible until the next draw, which shows the result.
fn working(terminal: &mut DefaultTerminal, app: &mut App, effect: &Effect) {
    let Some(message) = effect.working_message(&app.review.query) else {
        return;
    };
    let status = app.status.clone();
    app.info(message);
    // A failed draw only loses this hint; the next draw reports real trouble.
    let _ = terminal.draw(|frame| frame.render_widget(&*app, frame.area()));
    if effect.is_read() {
        app.status = status;
    }
}

/// Carries out an effect and feeds its result back until nothing is left to do.
#[cfg(test)]
pub(crate) fn run(shell: &mut Shell<'_>, app: &mut App, effect: Effect) {
    run_with(shell, app, effect, &mut |_, _| {});
}

/// [`run`], with `before` seeing each effect first (the event loop shows slow ones).
fn run_with(
    shell: &mut Shell<'_>,
    app: &mut App,
    effect: Effect,
    before: &mut impl FnMut(&mut App, &Effect),
) {
    let mut next = Some(effect);
    while let Some(effect) = next.take() {
        before(app, &effect);
        let action = shell.apply(app, effect);
        next = update::update(app, action);
    }
    if app.screen != Screen::Control {
        app.review.history = None;
    }
}
