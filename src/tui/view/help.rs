//! The `?` overlay: every key from the key table by context, then the
//! signal abbreviations the table uses, each wrapped under its text rather
//! than under the keys.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use super::fmt::{signal_meaning, signal_short, width, wrap};
use super::overlay::{boxed, centered};
use crate::model::Signal;
use crate::tui::app::App;
use crate::tui::keymap::{Ctx, help_lines};

/// Columns before the description: two of indent and the keys.
const KEYS: usize = 20;

/// The help's box on a screen of `area`.
fn rect(area: Rect) -> Rect {
    centered(area, 76, area.height.saturating_sub(2))
}

/// Every line of the help for a box `inner` columns wide.
fn lines(app: &App, inner: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut last: Option<Ctx> = None;
    for line in help_lines() {
        if last != Some(line.ctx) {
            if last.is_some() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(line.ctx.title(), app.theme.header));
            last = Some(line.ctx);
        }
        entry(app, &line.keys, line.help, inner, &mut lines);
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Signals, as the table abbreviates them",
        app.theme.header,
    ));
    for signal in Signal::ALL {
        let text = format!("{}: {}", signal.as_str(), signal_meaning(*signal));
        entry(app, signal_short(*signal), &text, inner, &mut lines);
    }
    lines
}

/// One entry: the keys, then the text wrapped in its own column.
fn entry(app: &App, keys: &str, text: &str, inner: usize, lines: &mut Vec<Line<'static>>) {
    let room = inner.saturating_sub(KEYS).max(10);
    for (i, part) in wrap(text, room).into_iter().enumerate() {
        let left = if i == 0 {
            let pad = KEYS.saturating_sub(2 + width(keys)).max(1);
            Span::styled(format!("  {keys}{}", " ".repeat(pad)), app.theme.key)
        } else {
            Span::raw(" ".repeat(KEYS))
        };
        lines.push(Line::from(vec![left, Span::raw(part)]));
    }
}

pub fn render(app: &App, scroll: u16, area: Rect, buf: &mut Buffer) {
    let rect = rect(area);
    Clear.render(rect, buf);
    let inner = usize::from(rect.width.saturating_sub(2));
    Paragraph::new(lines(app, inner))
        .block(boxed(app, " Keys (j/k scroll, g/G top/end, Esc closes) "))
        .scroll((scroll, 0))
        .render(rect, buf);
}

/// How far the help scrolls: its lines minus the rows inside its box.
pub fn max_scroll(app: &App) -> u16 {
    let rect = rect(Rect::new(0, 0, app.size.0, app.size.1));
    let inner = usize::from(rect.width.saturating_sub(2));
    let rows = usize::from(rect.height.saturating_sub(2));
    u16::try_from(lines(app, inner).len().saturating_sub(rows)).unwrap_or(u16::MAX)
}
