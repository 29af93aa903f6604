//! Styles of the TUI in one place, with a plain variant for `NO_COLOR`:
//! every state also reads from symbols and text, so colour is only a help.

use ratatui::style::{Color, Modifier, Style};

/// The styles every view draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub base: Style,
    pub dim: Style,
    pub title: Style,
    pub header: Style,
    /// The cursor row of a focused table.
    pub selected: Style,
    pub certified: Style,
    pub revoked: Style,
    pub risk: Style,
    pub error: Style,
    pub gauge_done: Style,
    pub gauge_todo: Style,
    pub key: Style,
    pub border: Style,
}

impl Theme {
    /// Colours when the terminal may show them, else the plain theme.
    pub fn from_env() -> Theme {
        // https://no-color.org: any non-empty value disables colour.
        match std::env::var_os("NO_COLOR") {
            Some(value) if !value.is_empty() => Theme::plain(),
            _ => Theme::colour(),
        }
    }

    pub fn colour() -> Theme {
        Theme {
            base: Style::new(),
            dim: Style::new().fg(Color::DarkGray),
            title: Style::new().add_modifier(Modifier::BOLD),
            header: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selected: Style::new().bg(Color::Blue).fg(Color::White),
            certified: Style::new().fg(Color::Green),
            revoked: Style::new().fg(Color::Red),
            risk: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            gauge_done: Style::new().fg(Color::Green),
            gauge_todo: Style::new().fg(Color::DarkGray),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
        }
    }

    /// No colour at all: emphasis by bold, reverse and underline only.
    pub fn plain() -> Theme {
        let none = Style::new();
        Theme {
            base: none,
            dim: none,
            title: none.add_modifier(Modifier::BOLD),
            header: none.add_modifier(Modifier::BOLD),
            selected: none.add_modifier(Modifier::REVERSED),
            certified: none,
            revoked: none.add_modifier(Modifier::BOLD),
            risk: none,
            error: none.add_modifier(Modifier::BOLD),
            gauge_done: none,
            gauge_todo: none,
            key: none.add_modifier(Modifier::BOLD),
            border: none,
        }
    }
}
