//! The review driven without a terminal: the same key table, reducer and
//! shell as `recert review`, drawn into a `TestBackend`. Benchmarks use it to
//! time a keystroke plus its render at any campaign size.

use color_eyre::eyre::Result;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyEvent;

use super::action::Action;
use super::app::App;
use super::effects::Shell;
use super::theme::Theme;
use super::{keymap, run_with, update};
use crate::actor::Actor;
use crate::campaign::Campaign;

/// One review session in memory, rendering into a fixed-size test terminal.
pub struct Headless<'a> {
    shell: Shell<'a>,
    app: App,
    terminal: Terminal<TestBackend>,
}

impl<'a> Headless<'a> {
    /// Opens the campaign overview at `width` x `height`, without colour.
    pub fn open(
        conn: &'a mut rusqlite::Connection,
        campaign: Campaign,
        actor: &Actor,
        width: u16,
        height: u16,
    ) -> Result<Headless<'a>> {
        let shell = Shell::new(conn, campaign, actor);
        let mut app = shell.app(Theme::plain())?;
        update::update(&mut app, Action::Resize(width, height));
        let terminal = Terminal::new(TestBackend::new(width, height))?;
        Ok(Headless {
            shell,
            app,
            terminal,
        })
    }

    /// Handles one key as the terminal loop does: the key table, the reducer,
    /// then every effect against the workspace (typed-ahead batching aside).
    pub fn press(&mut self, key: KeyEvent) {
        let Some(action) = keymap::dispatch(keymap::context(&self.app), key) else {
            return;
        };
        if let Some(effect) = update::update(&mut self.app, action) {
            run_with(&mut self.shell, &mut self.app, effect, &mut |_, _| {});
        }
        self.shell.sync_history(&mut self.app);
    }

    /// Draws the current state and returns the screen's text, row by row.
    pub fn render(&mut self) -> Result<String> {
        let app = &self.app;
        self.terminal
            .draw(|frame| frame.render_widget(app, frame.area()))?;
        let buffer = self.terminal.backend().buffer();
        let width = usize::from(buffer.area.width).max(1);
        let mut rows = String::new();
        for row in buffer.content.chunks(width) {
            rows.extend(row.iter().map(ratatui::buffer::Cell::symbol));
            rows.push('\n');
        }
        Ok(rows)
    }
}
