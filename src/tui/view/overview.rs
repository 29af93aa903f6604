//! The campaign overview: due date, overall and own progress, and one block
//! per control with its gauge and signal counts.

use std::fmt::Write as _;

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::fmt::{bar, first_fitting, fit, percent, signal_counts};
use crate::model::Signal;
use crate::tui::app::App;
use crate::tui::counts::{ControlCounts, totals};

pub fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let c = &app.campaign;
    let mut text = fit(&c.name, 40);
    if let Some(period) = &c.period {
        let _ = write!(text, " · {}", fit(period, 12));
    }
    let _ = write!(text, " · as of {}", c.as_of);
    let _ = write!(text, " · {}", due(c.due.as_deref(), app.today));
    if app.is_signed_off() {
        text.push_str(" · SIGNED OFF");
    }
    // A packet says so first, where the title is cut last.
    let text = match app.packet {
        Some(packet) if packet.sealed => format!("PACKET {} SEALED, read only · {text}", packet.id),
        Some(packet) => format!("packet {} · {text}", packet.id),
        None => text,
    };
    Line::styled(fit(&text, usize::from(area.width)), app.theme.title).render(area, buf);
}

/// `due 2026-12-31 (31 days left)`, or overdue.
fn due(due: Option<&str>, today: NaiveDate) -> String {
    let Some(text) = due else {
        return "no due date".to_owned();
    };
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => match (date - today).num_days() {
            0 => format!("due {text} (today)"),
            1 => format!("due {text} (1 day left)"),
            d if d > 0 => format!("due {text} ({d} days left)"),
            d => format!("due {text} ({} days OVERDUE)", -d),
        },
        Err(_) => format!("due {}", fit(text, 20)),
    }
}

pub fn body(app: &App, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let gauge = (width / 4).clamp(10, 40);
    let all = totals(&app.controls);
    let mut lines = vec![
        progress_line(
            app,
            "All items ",
            (all.decided, all.total),
            (gauge, width),
            &[
                format!(" · {} certified · {} revoked", all.certified, all.revoked),
                format!(" · ✓ {} · ✗ {}", all.certified, all.revoked),
            ],
        ),
        progress_line(
            app,
            "Your items",
            (all.mine_decided, all.mine_total),
            (gauge, width),
            &[format!(" · assigned to {}", fit(&app.reviewer, 20))],
        ),
    ];
    if let Some(counts) = &app.remediation {
        lines.push(super::cycle::remediation_line(app, counts, width));
    }
    lines.push(Line::raw(""));
    let per_control = 3;
    let room = usize::from(area.height).saturating_sub(lines.len()) / per_control;
    let first = app.overview_cursor.saturating_sub(room.saturating_sub(1));
    for (index, control) in app
        .controls
        .iter()
        .enumerate()
        .skip(first)
        .take(room.max(1))
    {
        lines.extend(control_lines(
            app,
            control,
            index == app.overview_cursor,
            gauge,
            width,
        ));
    }
    if app.controls.is_empty() {
        lines.push(Line::raw("This campaign has no items."));
    }
    for (i, line) in lines.into_iter().enumerate() {
        let Ok(y) = u16::try_from(i) else { break };
        if y >= area.height {
            break;
        }
        line.render(Rect::new(area.x, area.y + y, area.width, 1), buf);
    }
}

/// `  All items  ███░░ 1/9 decided (11%) · 1 certified · 0 revoked`, with
/// the shorter tails (then less) when the line would not fit `width`.
fn progress_line(
    app: &App,
    label: &str,
    (done, total): (u64, u64),
    (gauge, width): (usize, usize),
    tails: &[String],
) -> Line<'static> {
    let (filled, empty) = bar(done, total, gauge);
    let head = format!("  {label} ");
    let room = width.saturating_sub(super::fmt::width(&head) + gauge);
    let counts = format!(" {done}/{total} decided ({})", percent(done, total));
    let mut candidates: Vec<String> = tails.iter().map(|t| format!("{counts}{t}")).collect();
    candidates.push(counts);
    candidates.push(format!(" {done}/{total}"));
    Line::from(vec![
        Span::styled(head, app.theme.title),
        Span::styled(filled, app.theme.gauge_done),
        Span::styled(empty, app.theme.gauge_todo),
        Span::raw(first_fitting(&candidates, room)),
    ])
}

fn control_lines(
    app: &App,
    c: &ControlCounts,
    selected: bool,
    gauge: usize,
    width: usize,
) -> Vec<Line<'static>> {
    let cursor = if selected { "> " } else { "  " };
    let style = if selected {
        app.theme.selected
    } else {
        app.theme.title
    };
    let title = fit(&format!("{cursor}{} {}", c.control, c.title), width);
    let pad = width.saturating_sub(super::fmt::width(&title));
    let (filled, empty) = bar(c.decided, c.total, gauge);
    let counts: Vec<(Signal, u64)> = Signal::ALL
        .iter()
        .filter(|s| c.signal(**s) > 0)
        .map(|s| (*s, c.signal(*s)))
        .collect();
    let signals = if counts.is_empty() {
        "no signals".to_owned()
    } else {
        signal_counts(&counts, width.saturating_sub(4))
    };
    let progress = [
        format!(
            " {}/{} decided · ✓ {} · ✗ {} · yours {}/{}",
            c.decided, c.total, c.certified, c.revoked, c.mine_decided, c.mine_total
        ),
        format!(
            " {}/{} · ✓ {} · ✗ {} · yours {}/{}",
            c.decided, c.total, c.certified, c.revoked, c.mine_decided, c.mine_total
        ),
        format!(
            " {}/{} · ✓ {} · ✗ {}",
            c.decided, c.total, c.certified, c.revoked
        ),
        format!(" {}/{}", c.decided, c.total),
    ];
    vec![
        Line::from(vec![
            Span::styled(title, style),
            Span::styled(" ".repeat(pad), style),
        ]),
        Line::from(vec![
            Span::raw("    "),
            Span::styled(filled, app.theme.gauge_done),
            Span::styled(empty, app.theme.gauge_todo),
            Span::raw(first_fitting(&progress, width.saturating_sub(4 + gauge))),
        ]),
        Line::from(vec![
            Span::raw("    "),
            Span::styled(signals, risk_style(app, c)),
        ]),
    ]
}

fn risk_style(app: &App, c: &ControlCounts) -> Style {
    let risky = Signal::ALL.iter().any(|s| s.is_risk() && c.signal(*s) > 0);
    if risky { app.theme.risk } else { app.theme.dim }
}
