//! The review driven without a terminal: the same key table, reducer and
//! shell as `recert review`, drawn into a `TestBackend`. Benchmarks use it to
//! time a keystroke plus its render at any campaign size.

use color_eyre::eyre::Result;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyEvent};

use super::action::Action;
use super::app::App;
use super::driver;
use super::effects::Shell;
use super::theme::Theme;
use super::view;
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
        let mut shell = Shell::new(conn, campaign, actor);
        let mut app = shell.app(Theme::plain())?;
        driver::act(
            &mut shell,
            &mut app,
            Action::Resize(width, height),
            &mut driver::quiet,
        );
        let terminal = Terminal::new(TestBackend::new(width, height))?;
        Ok(Headless {
            shell,
            app,
            terminal,
        })
    }

    /// Handles one key as the terminal loop does: through the loop driver.
    pub fn press(&mut self, key: KeyEvent) {
        driver::events(
            &mut self.shell,
            &mut self.app,
            [Event::Key(key)],
            &mut driver::quiet,
        );
    }

    /// Draws the current state and returns the screen's text, row by row.
    pub fn render(&mut self) -> Result<String> {
        let app = &self.app;
        self.terminal.draw(|frame| view::draw(frame, app))?;
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
