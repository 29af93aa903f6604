//! Overlays drawn over the screen: the help generated from the key table,
//! the text prompts (wrapped, with a visible cursor), the bulk confirmation
//! and the filter menu.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthChar;

use super::fmt::{fit, safe};
use crate::campaign::policy::Verdict;
use crate::model::Signal;
use crate::tui::app::{App, BulkSummary, Overlay, Pending, Selection};
use crate::tui::editor::Editor;
use crate::tui::keymap::{Ctx, help_lines};
use crate::tui::update::FILTER_ROWS;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    match &app.overlay {
        None => {}
        Some(Overlay::Help { scroll }) => help(app, *scroll, area, buf),
        Some(Overlay::Justify {
            pending,
            editor,
            why,
        }) => {
            let title = format!(" Justification: {} ", describe(pending));
            prompt(
                app,
                &title,
                why,
                editor,
                "Enter saves · Esc cancels",
                area,
                buf,
            );
        }
        Some(Overlay::Statement { editor }) => prompt(
            app,
            " Sign-off statement ",
            "What do you attest to? It is recorded with your name and the time.",
            editor,
            "Enter signs off and locks the campaign · Esc cancels",
            area,
            buf,
        ),
        Some(Overlay::Search { editor, .. }) => prompt(
            app,
            " Search ",
            "",
            editor,
            "Enter keeps the search · Esc drops it",
            area,
            buf,
        ),
        Some(Overlay::Confirm { pending, summary }) => confirm(app, pending, summary, area, buf),
        Some(Overlay::Filter { cursor }) => filter(app, *cursor, area, buf),
    }
}

fn describe(pending: &Pending) -> String {
    let what = match &pending.target {
        Selection::Items(ids) if ids.len() == 1 => format!("item #{}", ids[0]),
        Selection::Items(ids) => format!("{} marked items", ids.len()),
        Selection::Matching(_) => "every matching item".to_owned(),
    };
    format!("{} {what}", verb(pending.verdict))
}

/// What a decision key does, as the prompt's title says it.
fn verb(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Certify => "certify",
        Verdict::Revoke => "revoke",
        Verdict::Accept => "accept the recommendation for",
        Verdict::Undo => "undo the decision of",
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

fn boxed<'a>(app: &App, title: &'a str) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_style(app.theme.border)
        .title(Span::styled(title, app.theme.title))
}

fn help(app: &App, scroll: u16, area: Rect, buf: &mut Buffer) {
    let rect = centered(area, 76, area.height.saturating_sub(2));
    Clear.render(rect, buf);
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
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<18}", line.keys), app.theme.key),
            Span::raw(line.help),
        ]));
    }
    Paragraph::new(lines)
        .block(boxed(app, " Keys (j/k scroll, Esc closes) "))
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(rect, buf);
}

/// Where lines break when `chars` are word-wrapped to `width` columns: the
/// index of each line's first character. A word longer than a line is split.
fn breaks(chars: &[char], width: usize) -> Vec<usize> {
    let mut starts = vec![0];
    let mut used = 0;
    let mut last_space: Option<usize> = None;
    for (i, c) in chars.iter().enumerate() {
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            let start = starts.last().copied().unwrap_or(0);
            let next = match last_space {
                Some(space) if space >= start && space + 1 < i => space + 1,
                _ => i,
            };
            starts.push(next);
            used = chars[next..i].iter().map(|c| c.width().unwrap_or(0)).sum();
            last_space = None;
        }
        if *c == ' ' {
            last_space = Some(i);
        }
        used += w;
    }
    starts
}

/// Word-wraps the editor's text to `width` columns, the cursor shown reversed.
fn wrapped(editor: &Editor, width: usize, cursor_style: Style) -> Vec<Line<'static>> {
    let text = safe(editor.text());
    let chars: Vec<char> = text.chars().chain([' ']).collect();
    let starts = breaks(&chars, width);
    let mut lines = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(chars.len());
        let spans: Vec<Span> = (start..end)
            .map(|i| {
                let style = if i == editor.cursor() {
                    cursor_style
                } else {
                    Style::new()
                };
                Span::styled(chars[i].to_string(), style)
            })
            .collect();
        lines.push(Line::from(spans));
    }
    lines
}

fn prompt(
    app: &App,
    title: &str,
    why: &str,
    editor: &Editor,
    keys: &str,
    area: Rect,
    buf: &mut Buffer,
) {
    let width = area.width.saturating_sub(4).min(100);
    let inner = usize::from(width.saturating_sub(2));
    let mut lines = Vec::new();
    if !why.is_empty() {
        lines.push(Line::styled(fit(why, inner), app.theme.dim));
    }
    lines.extend(wrapped(
        editor,
        inner.max(1),
        Style::new().add_modifier(Modifier::REVERSED),
    ));
    lines.push(Line::styled(fit(keys, inner), app.theme.dim));
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height.saturating_sub(2))
        .max(4);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.bottom().saturating_sub(height + 2),
        width,
        height,
    );
    Clear.render(rect, buf);
    let title = fit(title, inner);
    Paragraph::new(lines)
        .block(boxed(app, &title))
        .render(rect, buf);
}

fn confirm(app: &App, pending: &Pending, summary: &BulkSummary, area: Rect, buf: &mut Buffer) {
    let verb = match pending.verdict {
        Verdict::Certify => "Certify",
        Verdict::Revoke => "Revoke",
        Verdict::Accept => "Accept the recommendation for",
        Verdict::Undo => "Undo the decision of",
    };
    let signals: Vec<String> = Signal::ALL
        .iter()
        .filter(|s| summary.signals[**s as usize] > 0)
        .map(|s| format!("{} {}", s.as_str(), summary.signals[*s as usize]))
        .collect();
    let mut lines = vec![
        Line::styled(format!("{verb} {} items?", summary.items), app.theme.title),
        Line::raw(format!(
            "{} undecided, {} already decided",
            summary.undecided,
            summary.items - summary.undecided
        )),
        Line::raw(format!(
            "Signals: {}",
            if signals.is_empty() {
                "none".to_owned()
            } else {
                signals.join(", ")
            }
        )),
        Line::raw(""),
    ];
    if summary.certifies_risk {
        lines.push(Line::styled(
            "! Risk-flagged items would be certified. Press y to confirm.",
            app.theme.error,
        ));
    } else {
        lines.push(Line::raw("y or Enter confirms."));
    }
    if summary.needs_justification {
        lines.push(Line::raw(
            "One justification will be asked for all of them.",
        ));
    }
    lines.push(Line::styled(
        "Esc cancels (the marks are kept).",
        app.theme.dim,
    ));
    // Long signal lists wrap: count the rows they take inside the borders.
    let inner = usize::from(area.width.min(64).saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|line| line.width().div_ceil(inner).max(1))
        .sum();
    let rect = centered(area, 64, u16::try_from(rows + 2).unwrap_or(u16::MAX));
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .block(boxed(app, " Bulk decision "))
        .wrap(Wrap { trim: false })
        .render(rect, buf);
}

fn filter(app: &App, cursor: usize, area: Rect, buf: &mut Buffer) {
    let f = &app.review.query.filter;
    let values = [
        f.decision.label().to_owned(),
        f.signal.map_or("any", Signal::as_str).to_owned(),
        f.system.as_deref().map_or_else(|| "any".to_owned(), safe),
        f.kind.map_or("any", |k| k.label()).to_owned(),
        if f.mine { "yes" } else { "no" }.to_owned(),
    ];
    let mut lines: Vec<Line> = FILTER_ROWS
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (name, value))| {
            let selected = i == cursor;
            let style = if selected {
                app.theme.selected
            } else {
                Style::new()
            };
            Line::styled(
                format!(
                    "{} {name:<14} ‹ {} ›",
                    if selected { ">" } else { " " },
                    fit(&value, 30)
                ),
                style,
            )
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "j/k choose · ←/→ change · x clear · Esc close",
        app.theme.dim,
    ));
    let rect = centered(area, 56, u16::try_from(lines.len() + 2).unwrap_or(10));
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .block(boxed(app, " Filter "))
        .render(rect, buf);
}
