//! Drawing: `view` only reads the state. One module per screen, plus the
//! overlays and the status bar every screen shares.

mod control;
mod detail;
pub use detail::max_scroll as detail_max_scroll;
pub mod fmt;
mod overlay;
mod overview;
mod signoff;
mod status;
#[cfg(test)]
mod tests;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::app::{App, Screen};
use super::layout;

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
        }
        status::bottom(self, status_area, footer, buf);
        overlay::render(self, area, buf);
    }
}
