//! The one loop driver: terminal events become actions through the key
//! table, `update` reduces them, and the shell carries out each effect and
//! feeds its result back until nothing is left to do. The terminal loop,
//! the headless review (benches) and the tests all go through here, so
//! what they exercise is what the reviewer runs.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Action, Effect};
use super::app::App;
use super::effects::Shell;
use super::query::Anchor;
use super::{keymap, update, view};

/// Handles a batch of terminal events, in order, before the next draw.
/// Keys typed ahead (a search typed quickly) are all handled, and only the
/// last re-query of a search runs. `show` sees each effect before it runs
/// (the terminal loop shows slow ones).
pub fn events(
    shell: &mut Shell<'_>,
    app: &mut App,
    events: impl IntoIterator<Item = Event>,
    show: &mut impl FnMut(&mut App, &Effect),
) {
    let mut deferred: Option<Effect> = None;
    for event in events {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                for key in typed(key) {
                    // Each key is read in the context the keys before it left.
                    if let Some(action) = keymap::dispatch(keymap::context(app), key) {
                        step(shell, app, action, &mut deferred, show);
                    }
                }
            }
            Event::Paste(text) => step(shell, app, Action::Paste(text), &mut deferred, show),
            Event::Resize(width, height) => {
                step(
                    shell,
                    app,
                    Action::Resize(width, height),
                    &mut deferred,
                    show,
                );
            }
            _ => {}
        }
        if app.quit {
            return;
        }
    }
    if let Some(effect) = deferred {
        run(shell, app, effect, show);
        measure(shell, app, show);
    }
}

/// The keys a key event stands for. A terminal sends Esc as one byte, and
/// Esc followed at once by another key (typed ahead, or read in one burst)
/// reaches us as that key with Alt. No binding uses Alt, so such a key is
/// taken apart again into Esc and the key: Esc always cancels.
pub fn typed(key: KeyEvent) -> Vec<KeyEvent> {
    if !key.modifiers.contains(KeyModifiers::ALT) {
        return vec![key];
    }
    let mut plain = key;
    plain.modifiers.remove(KeyModifiers::ALT);
    vec![KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE), plain]
}

fn step(
    shell: &mut Shell<'_>,
    app: &mut App,
    action: Action,
    deferred: &mut Option<Effect>,
    show: &mut impl FnMut(&mut App, &Effect),
) {
    let typing = matches!(action, Action::Input(_) | Action::Paste(_));
    if !typing {
        if let Some(effect) = deferred.take() {
            run(shell, app, effect, show);
        }
    }
    if let Some(effect) = update::update(app, action) {
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
            run(shell, app, effect, show);
        }
    }
    // Typing into a prompt changes neither the detail pane nor the help.
    if !typing {
        measure(shell, app, show);
    }
}

/// Reduces one action and carries out everything it leads to; returns the
/// first effect it asked for (tests check what a key would do).
pub fn act(
    shell: &mut Shell<'_>,
    app: &mut App,
    action: Action,
    show: &mut impl FnMut(&mut App, &Effect),
) -> Option<Effect> {
    let first = update::update(app, action);
    if let Some(effect) = first.clone() {
        run(shell, app, effect, show);
    }
    measure(shell, app, show);
    first
}

/// Carries out an effect and feeds its result back until nothing is left to do.
pub fn run(
    shell: &mut Shell<'_>,
    app: &mut App,
    effect: Effect,
    show: &mut impl FnMut(&mut App, &Effect),
) {
    let mut next = Some(effect);
    while let Some(effect) = next.take() {
        show(app, &effect);
        let action = shell.apply(app, effect);
        next = update::update(app, action);
    }
}

/// Re-reads what another process changed in the workspace, if anything;
/// returns whether it did (the screen then needs drawing).
pub fn refresh(
    shell: &mut Shell<'_>,
    app: &mut App,
    show: &mut impl FnMut(&mut App, &Effect),
) -> bool {
    if !shell.changed() {
        return false;
    }
    act(shell, app, Action::Changed, show);
    true
}

/// Tells `update` how far the detail pane and the help can scroll, as the
/// view lays them out now, when that changed.
fn measure(shell: &mut Shell<'_>, app: &mut App, show: &mut impl FnMut(&mut App, &Effect)) {
    let limits = view::limits(app);
    if limits != app.limits {
        if let Some(effect) = update::update(app, Action::Measured(limits)) {
            run(shell, app, effect, show);
        }
    }
}

/// An effect runner that shows nothing (tests, benches).
pub fn quiet(_: &mut App, _: &Effect) {}
