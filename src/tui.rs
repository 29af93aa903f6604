//! The review TUI's shell: takes the terminal, reads its events in batches,
//! hands them to the loop driver (key table, `update`, effects against the
//! workspace), draws, and gives the terminal back on every way out.

pub mod accounts;
pub mod action;
pub mod app;
pub mod counts;
pub mod data;
pub mod driver;
pub mod editor;
mod effects;
#[cfg(test)]
pub(crate) mod fixture;
pub mod headless;
#[cfg(test)]
mod hostile_tests;
pub mod index;
pub mod keymap;
pub mod layout;
pub mod pair_walk;
mod picker;
pub mod query;
mod session;
mod signals;
pub mod theme;
pub mod update;
pub mod view;

#[cfg(test)]
pub(crate) mod tests;

use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, WrapErr, bail};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event};

use crate::actor::Actor;
use crate::campaign::{Campaign, CampaignState, list_campaigns};
use action::{Action, Effect};
use app::App;
use effects::Shell;
use session::Session;

/// The longest the loop waits for input before it looks at signals and at
/// the workspace (another process's decisions) again.
const TICK: Duration = Duration::from_millis(100);
/// Input already on its way when a batch is read joins that batch...
const DRAIN: Duration = Duration::from_millis(1);
/// ...for at most this long, so a stream of keys still gets drawn.
const BATCH: Duration = Duration::from_millis(50);

/// Opens the review of `campaign` in the terminal until the reviewer quits.
pub fn review(conn: &mut rusqlite::Connection, campaign: Campaign, actor: &Actor) -> Result<()> {
    let mut shell = Shell::new(conn, campaign, actor);
    let mut app = shell.first_app(theme::Theme::from_env())?;
    let mut session = Session::start().wrap_err("taking the terminal")?;
    let ended = event_loop(&mut session, &mut shell, &mut app);
    drop(session);
    if let Some(signal) = ended? {
        bail!(
            "the review ended on {}; every decision shown as saved is in the workspace",
            signals::name(signal)
        );
    }
    Ok(())
}

/// The campaign to review when none is named: the only open one, else a picker.
pub fn choose_campaign(conn: &rusqlite::Connection) -> Result<Option<Campaign>> {
    let campaigns = list_campaigns(conn)?;
    if campaigns.is_empty() {
        bail!(
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
    let mut session = Session::start().wrap_err("taking the terminal")?;
    let chosen = picker::pick(&mut session, &campaigns, &theme::Theme::from_env());
    drop(session);
    match chosen? {
        picker::Picked::Campaign(campaign) => Ok(Some(campaign)),
        picker::Picked::Nothing => Ok(None),
        picker::Picked::Signal(signal) => bail!("ended on {}", signals::name(signal)),
    }
}

/// What woke the loop up.
enum Wake {
    /// Input, in the order it came.
    Events(Vec<Event>),
    /// A terminating signal.
    Signal(i32),
    /// The terminal was given back and taken again: draw all of it.
    Redraw,
    /// Nothing within a tick.
    Idle,
}

/// Waits up to a tick for input and reads everything already pending with
/// it, so typed-ahead keys and a held Enter are never left behind; looks
/// at signals first.
fn wait(session: &mut Session) -> Result<Wake> {
    if let Some(signal) = signals::quit() {
        return Ok(Wake::Signal(signal));
    }
    if signals::take_suspend() {
        session.suspend().wrap_err("suspending")?;
        return Ok(Wake::Redraw);
    }
    if signals::take_resumed() {
        session.resume().wrap_err("taking the terminal again")?;
        return Ok(Wake::Redraw);
    }
    if !event::poll(TICK).wrap_err("reading the keyboard")? {
        return Ok(Wake::Idle);
    }
    let start = Instant::now();
    let mut events = vec![event::read().wrap_err("reading the keyboard")?];
    while start.elapsed() < BATCH && event::poll(DRAIN).wrap_err("reading the keyboard")? {
        events.push(event::read().wrap_err("reading the keyboard")?);
    }
    Ok(Wake::Events(events))
}

/// Runs the review until the reviewer quits (`None`) or a signal ends it.
fn event_loop(session: &mut Session, shell: &mut Shell<'_>, app: &mut App) -> Result<Option<i32>> {
    resize(session, shell, app)?;
    let mut dirty = true;
    let mut finished = false;
    while !app.quit {
        let terminal = session.terminal();
        let mut show = |app: &mut App, effect: &Effect| working(terminal, app, effect);
        dirty |= driver::refresh(shell, app, &mut show);
        if dirty {
            draw(session.terminal(), app)?;
            dirty = false;
        }
        if !finished {
            // The first frame is up; what can wait for it comes now.
            shell.finish_app(app)?;
            finished = true;
            draw(session.terminal(), app)?;
        }
        match wait(session)? {
            Wake::Signal(signal) => return Ok(Some(signal)),
            Wake::Redraw => {
                resize(session, shell, app)?;
                dirty = true;
            }
            Wake::Idle => {}
            Wake::Events(events) => {
                let terminal = session.terminal();
                let mut show = |app: &mut App, effect: &Effect| working(terminal, app, effect);
                driver::events(shell, app, events, &mut show);
                dirty = true;
            }
        }
    }
    Ok(None)
}

fn resize(session: &mut Session, shell: &mut Shell<'_>, app: &mut App) -> Result<()> {
    let size = session
        .terminal()
        .size()
        .wrap_err("reading the terminal size")?;
    driver::act(
        shell,
        app,
        Action::Resize(size.width, size.height),
        &mut driver::quiet,
    );
    Ok(())
}

fn draw(terminal: &mut DefaultTerminal, app: &App) -> Result<()> {
    terminal
        .draw(|frame| view::draw(frame, app))
        .wrap_err("drawing the screen")?;
    Ok(())
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
    let _ = terminal.draw(|frame| view::draw(frame, app));
    if effect.is_read() {
        app.status = status;
    }
}
