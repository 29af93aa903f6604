//! The sign-off screen: a summary per control and what signing off needs.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::fmt::fit;
use crate::tui::app::App;
use crate::tui::counts::{ControlCounts, totals};

pub fn render(app: &App, header: Rect, body: Rect, buf: &mut Buffer) {
    Line::styled(
        fit(
            &format!("Sign-off · {}", app.campaign.name),
            usize::from(header.width),
        ),
        app.theme.title,
    )
    .render(header, buf);
    let title_width = usize::from(body.width).saturating_sub(48).clamp(8, 40);
    let row = |c: &ControlCounts, name: String| {
        format!(
            "{:<title_width$} {:>8} {:>8} {:>9} {:>8} {:>9}",
            fit(&name, title_width),
            c.total,
            c.decided,
            c.certified,
            c.revoked,
            c.undecided()
        )
    };
    let mut lines = vec![Line::styled(
        format!(
            "{:<title_width$} {:>8} {:>8} {:>9} {:>8} {:>9}",
            "Control", "Items", "Decided", "Certified", "Revoked", "Undecided"
        ),
        app.theme.header,
    )];
    for c in &app.controls {
        lines.push(Line::raw(row(c, format!("{} {}", c.control, c.title))));
    }
    let all = totals(&app.controls);
    lines.push(Line::styled(row(&all, "All".to_owned()), app.theme.title));
    lines.push(Line::raw(""));
    let undecided = all.undecided();
    if app.is_signed_off() {
        lines.push(Line::styled(
            "✓ Signed off: the campaign is locked and its evidence final.",
            app.theme.certified,
        ));
    } else if undecided > 0 {
        lines.push(Line::styled(
            format!(
                "✗ Not ready: {undecided} item{} undecided. Sign-off needs every item decided.",
                if undecided == 1 { " is" } else { "s are" }
            ),
            app.theme.error,
        ));
        lines.push(Line::raw("Enter shows the undecided items; Esc goes back."));
    } else {
        lines.push(Line::styled(
            "✓ Ready: every item is decided.",
            app.theme.certified,
        ));
        lines.push(Line::raw(format!(
            "Signing off records you ({}), the time and your statement, and locks the campaign: no decision can change afterwards.",
            fit(&app.reviewer, 30)
        )));
        lines.push(Line::raw(
            "Enter writes the statement and signs off; Esc goes back.",
        ));
    }
    warnings(app, &mut lines);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(body, buf);
}

/// The independence warnings, once read: they never block the sign-off,
/// but the signer reads them first (the report repeats them).
fn warnings(app: &App, lines: &mut Vec<Line<'static>>) {
    let Some(warnings) = &app.warnings else {
        lines.push(Line::styled(
            "Checking the independence of the review…",
            app.theme.dim,
        ));
        return;
    };
    lines.push(Line::raw(""));
    if warnings.is_empty() {
        lines.push(Line::styled("Independence: no warning.", app.theme.dim));
        return;
    }
    lines.push(Line::styled(
        format!(
            "Independence warnings ({}, also in the report):",
            warnings.len()
        ),
        app.theme.risk,
    ));
    for warning in warnings {
        lines.push(Line::raw(format!("! {}", super::fmt::safe(warning))));
    }
}
