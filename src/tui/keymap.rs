//! The one key table: it dispatches keys, and generates the footer hints,
//! the `?` overlay and the README's key list, so they can never disagree.

use std::fmt::Write as _;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::app::{App, Overlay, Screen};
use super::counts::totals;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// Everywhere, prompts and overlays included.
    Always,
    /// Every screen (no overlay open).
    Screens,
    /// Every screen and the help: moving and scrolling.
    Moving,
    Overview,
    Control,
    /// The overview and the control review.
    Review,
    /// The sign-off screen, whatever the campaign's state.
    SignOff,
    /// The sign-off screen while items are undecided.
    SignOffPending,
    /// The sign-off screen once every item is decided.
    SignOffReady,
    /// The sign-off screen of a signed-off campaign.
    SignOffDone,
    /// Accounts without a person.
    Accounts,
    Help,
    Prompt,
    Confirm,
    Filter,
}

impl Ctx {
    pub fn title(self) -> &'static str {
        match self {
            Ctx::Always => "Always, even in a prompt",
            Ctx::Screens => "Every screen",
            Ctx::Moving => "Every screen and the help",
            Ctx::Overview => "Campaign overview",
            Ctx::Control => "Control review",
            Ctx::Review => "Overview and control review",
            Ctx::SignOff => "Sign-off screen",
            Ctx::SignOffPending => "Sign-off screen, items undecided",
            Ctx::SignOffReady => "Sign-off screen, every item decided",
            Ctx::SignOffDone => "Sign-off screen, signed off",
            Ctx::Accounts => "Accounts without a person",
            Ctx::Help => "This help",
            Ctx::Prompt => {
                "Text prompts (justification, reason, end date, search, statement, reassignment)"
            }
            Ctx::Confirm => "Confirmation (bulk, or certifying against the recommendation)",
            Ctx::Filter => "Filter menu",
        }
    }

    fn covers(self, current: Ctx) -> bool {
        let sign_off = matches!(
            current,
            Ctx::SignOff | Ctx::SignOffPending | Ctx::SignOffReady | Ctx::SignOffDone
        );
        let screen = matches!(current, Ctx::Overview | Ctx::Control | Ctx::Accounts) || sign_off;
        self == current
            || self == Ctx::Always
            || (self == Ctx::Screens && screen)
            || (self == Ctx::Moving && (screen || current == Ctx::Help))
            || (self == Ctx::Review && matches!(current, Ctx::Overview | Ctx::Control))
            || (self == Ctx::SignOff && sign_off)
    }
}

/// One key binding.
#[derive(Debug, Clone)]
pub struct Binding {
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub ctx: Ctx,
    /// Only key actions: never a result or typed text.
    pub action: Action,
    pub help: &'static str,
    /// The footer label, or "" to leave it out of the footer.
    pub hint: &'static str,
}

mod table;

pub use table::KEYS;

/// The context the app is in: its overlay, else its screen.
pub fn context(app: &App) -> Ctx {
    match &app.overlay {
        Some(Overlay::Help { .. }) => Ctx::Help,
        Some(
            Overlay::Justify { .. }
            | Overlay::Search { .. }
            | Overlay::Statement { .. }
            | Overlay::LinkReason { .. }
            | Overlay::FindAccount { .. }
            | Overlay::Reassign { .. }
            | Overlay::Until { .. },
        ) => Ctx::Prompt,
        Some(Overlay::Confirm { .. }) => Ctx::Confirm,
        Some(Overlay::Filter { .. }) => Ctx::Filter,
        None => match app.screen {
            Screen::Overview => Ctx::Overview,
            Screen::Control => Ctx::Control,
            Screen::SignOff if app.is_signed_off() => Ctx::SignOffDone,
            Screen::SignOff if totals(&app.controls).undecided() > 0 => Ctx::SignOffPending,
            Screen::SignOff => Ctx::SignOffReady,
            Screen::Accounts => Ctx::Accounts,
        },
    }
}

/// The action for a key press in `ctx`; in a prompt, unbound keys edit the text.
pub fn dispatch(ctx: Ctx, key: KeyEvent) -> Option<Action> {
    // Terminals report upper-case letters with or without SHIFT; ignore it for characters.
    let mods = match key.code {
        KeyCode::Char(_) => key.modifiers - KeyModifiers::SHIFT,
        _ => key.modifiers,
    };
    let found = KEYS
        .iter()
        .find(|b| b.ctx.covers(ctx) && b.code == key.code && b.mods == mods);
    match found {
        Some(binding) => Some(binding.action.clone()),
        None if ctx == Ctx::Prompt => Some(Action::Input(key)),
        None => None,
    }
}

/// How a key is written in help and README.
pub fn key_name(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        KeyCode::Char(' ') => "Space".to_owned(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".to_owned(),
        KeyCode::Esc => "Esc".to_owned(),
        KeyCode::Tab => "Tab".to_owned(),
        KeyCode::BackTab => "Shift-Tab".to_owned(),
        KeyCode::Up => "↑".to_owned(),
        KeyCode::Down => "↓".to_owned(),
        KeyCode::Left => "←".to_owned(),
        KeyCode::Right => "→".to_owned(),
        KeyCode::Home => "Home".to_owned(),
        KeyCode::End => "End".to_owned(),
        KeyCode::PageUp => "PgUp".to_owned(),
        KeyCode::PageDown => "PgDn".to_owned(),
        other => format!("{other:?}"),
    };
    if mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// One help line: the keys (joined by `/`) and what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLine {
    pub ctx: Ctx,
    pub keys: String,
    pub help: &'static str,
}

/// The key table as help lines, bindings with the same context and help merged.
pub fn help_lines() -> Vec<HelpLine> {
    let mut lines: Vec<HelpLine> = Vec::new();
    for binding in KEYS {
        let name = key_name(binding.code, binding.mods);
        match lines
            .iter_mut()
            .find(|l| l.ctx == binding.ctx && l.help == binding.help)
        {
            Some(line) => {
                line.keys.push('/');
                line.keys.push_str(&name);
            }
            None => lines.push(HelpLine {
                ctx: binding.ctx,
                keys: name,
                help: binding.help,
            }),
        }
    }
    lines
}

/// The footer hints for `ctx`: `key label` pairs.
pub fn hints(ctx: Ctx) -> Vec<(String, &'static str)> {
    KEYS.iter()
        .filter(|b| b.ctx.covers(ctx) && !b.hint.is_empty())
        .map(|b| (key_name(b.code, b.mods), b.hint))
        .collect()
}

/// The key table as Markdown, for the README.
pub fn markdown() -> String {
    let mut out = String::from("| where | keys | what |\n|---|---|---|\n");
    for line in help_lines() {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            line.ctx.title(),
            line.keys.replace('|', "\\|"),
            line.help
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in KEYS.iter().enumerate() {
            for b in &KEYS[i + 1..] {
                let overlap = a.ctx.covers(b.ctx) || b.ctx.covers(a.ctx);
                assert!(
                    !(overlap && a.code == b.code && a.mods == b.mods),
                    "{:?} bound twice ({:?}, {:?})",
                    a.code,
                    a.ctx,
                    b.ctx
                );
            }
        }
    }

    #[test]
    fn shifted_capitals_and_plain_capitals_dispatch_alike() {
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(dispatch(Ctx::Control, shifted), Some(Action::Last));
        let plain = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE);
        assert_eq!(dispatch(Ctx::Control, plain), Some(Action::Last));
    }

    #[test]
    fn unbound_keys_type_into_prompts_but_do_nothing_elsewhere() {
        let z = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE);
        assert_eq!(dispatch(Ctx::Prompt, z), Some(Action::Input(z)));
        assert_eq!(dispatch(Ctx::Control, z), None);
    }

    #[test]
    fn readme_lists_the_key_table() {
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&markdown()),
            "README's key table is out of date; paste this under \"Keys\":\n{}",
            markdown()
        );
    }
}
