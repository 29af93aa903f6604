//! The status bar (message, reviewer, progress, last save) and the footer
//! of key hints taken from the key table.

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::fmt::{self, width};
use crate::tui::app::{App, Tone};
use crate::tui::counts::totals;
use crate::tui::keymap::{context, hints};

/// The status bar and the footer. The status bar is one line: the newest
/// message beside the progress, or alone when it needs the room, cut with
/// an ellipsis when even that is too little; the footer of keys always stays.
pub fn bottom(app: &App, status_area: Rect, footer_area: Rect, buf: &mut Buffer) {
    let all = totals(&app.controls);
    let mut right = format!(
        "{} · {} · {}/{} decided",
        fmt::fit(&app.reviewer, 16),
        fmt::fit(&app.campaign.name, 16),
        all.decided,
        all.total
    );
    if let Some(at) = &app.status.last_save {
        let _ = write!(right, " · saved {at}");
    }
    if !app.review.marks.is_empty() && app.screen == crate::tui::app::Screen::Control {
        right = format!("{} · {right}", app.review.marks.describe());
    }
    let total = usize::from(status_area.width);
    let right_width = width(&right).min(total);
    let message_width = total.saturating_sub(right_width + 2);
    let style = match app.status.tone {
        Tone::Info => app.theme.base,
        Tone::Error => app.theme.error,
    };
    let prefix = match app.status.tone {
        Tone::Info => "",
        Tone::Error => "! ",
    };
    let message = format!("{prefix}{}", app.status.message);
    let shown = fmt::fit(&message, total);
    if width(&shown) > message_width {
        // The progress gives way for a moment; the header still shows where we are.
        Line::styled(shown, style).render(status_area, buf);
    } else {
        let gap = total.saturating_sub(width(&shown) + right_width);
        Line::from(vec![
            Span::styled(shown, style),
            Span::raw(" ".repeat(gap)),
            Span::styled(fmt::fit(&right, right_width), app.theme.dim),
        ])
        .render(status_area, buf);
    }
    footer(app, footer_area, buf);
}

fn footer(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    let mut used = 0;
    let limit = usize::from(area.width);
    for (key, label) in hints(context(app)) {
        let w = width(&key) + 1 + width(label) + 2;
        if used + w > limit {
            break;
        }
        used += w;
        spans.push(Span::styled(key, app.theme.key));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    Line::from(spans).render(area, buf);
}
