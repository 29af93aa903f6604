//! Drawing: `view` only reads the state. One module per screen, plus the
//! overlays and the status bar every screen shares.

mod accounts;
mod control;
mod cycle;
mod detail;
pub mod fmt;
mod help;
mod overlay;
mod overview;
mod person;
mod signoff;
mod status;
#[cfg(test)]
mod tests;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::app::{App, Limits, Overlay, Screen};
use super::layout;

/// Draws the whole screen and puts the terminal's cursor where a prompt
/// types, so it shows while typing (and screen readers follow it).
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    frame.render_widget(app, area);
    if let Some(position) = overlay::cursor(app, area) {
        frame.set_cursor_position(position);
    }
}

/// How far the detail pane and the help scroll at the current size (each
/// measured only while it is on screen).
pub fn limits(app: &App) -> Limits {
    let detail = if app.screen == Screen::Control {
        detail::max_scroll(app)
    } else {
        0
    };
    let help = if matches!(app.overlay, Some(Overlay::Help { .. })) {
        help::max_scroll(app)
    } else {
        0
    };
    Limits { detail, help }
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        buf.set_style(area, self.theme.base);
        let [header, body, status_area, footer] = layout::frame(area);
        match self.screen {
            Screen::Overview => {
                overview::header(self, header, buf);
                overview::body(self, body, buf);
            }
            Screen::Control => {
                let areas = layout::control(area);
                control::header(self, areas.header, buf);
                control::table(self, areas.table, buf);
                detail::render(self, areas.detail, buf);
            }
            Screen::SignOff => signoff::render(self, header, body, buf),
            Screen::Accounts => accounts::render(self, area, buf),
        }
        status::bottom(self, status_area, footer, buf);
        overlay::render(self, area, buf);
    }
}
