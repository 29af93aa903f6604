//! Overlays drawn over the screen: the text prompts (wrapped, with the
//! cursor shown), the confirmations and the filter menu; the help is in
//! `help`.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthChar;

use super::fmt::{fit, safe, signal_counts, wrap};
use super::help;
use crate::campaign::policy::Verdict;
use crate::model::Signal;
use crate::tui::app::{App, BulkSummary, Overlay, Pending, Selection};
use crate::tui::editor::Editor;
use crate::tui::update::FILTER_ROWS;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    match &app.overlay {
        None => {}
        Some(Overlay::Help { scroll }) => help::render(app, *scroll, area, buf),
        Some(Overlay::Confirm { pending, summary }) => confirm(app, pending, summary, area, buf),
        Some(Overlay::Filter { cursor }) => filter(app, *cursor, area, buf),
        Some(_) => {
            if let Some(prompt) = prompt(app, area) {
                Clear.render(prompt.rect, buf);
                let title = fit(
                    &prompt.title,
                    usize::from(prompt.rect.width.saturating_sub(2)),
                );
                Paragraph::new(prompt.lines)
                    .block(boxed(app, &title))
                    .render(prompt.rect, buf);
            }
        }
    }
}

/// Where the open prompt's cursor is on screen.
pub fn cursor(app: &App, area: Rect) -> Option<Position> {
    prompt(app, area).map(|p| p.cursor)
}

/// A text prompt laid out on the screen.
struct Prompt {
    rect: Rect,
    title: String,
    lines: Vec<Line<'static>>,
    cursor: Position,
}

fn prompt(app: &App, area: Rect) -> Option<Prompt> {
    let (title, why, editor, keys) = match app.overlay.as_ref()? {
        Overlay::Justify {
            pending,
            editor,
            why,
        } => (
            format!(" Justification: {} ", describe(pending)),
            why.as_str(),
            editor,
            if pending.verdict == Verdict::Certify {
                "Enter saves · Tab sets an end date · Esc cancels"
            } else {
                "Enter saves · Esc cancels"
            },
        ),
        Overlay::Statement { editor } => (
            " Sign-off statement ".to_owned(),
            "What do you attest to? It is recorded with your name and the time.",
            editor,
            "Enter signs off and locks the campaign · Esc cancels",
        ),
        Overlay::Search { editor } => (
            " Search ".to_owned(),
            "",
            editor,
            "Enter keeps the search · Esc drops it",
        ),
        Overlay::Until {
            pending, editor, ..
        } => (
            format!(" Certify until: {} ", describe(pending)),
            "Keep the access through this day (YYYY-MM-DD), at most the rules' maximum from today; a later campaign flags it once ended.",
            editor,
            "Enter goes on to the justification · Esc cancels",
        ),
        other => prompt_parts(other)?,
    };
    let width = area.width.saturating_sub(4).min(100);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let mut lines = Vec::new();
    if !why.is_empty() {
        for part in wrap(why, inner) {
            lines.push(Line::styled(fit(&part, inner), app.theme.dim));
        }
    }
    let above = u16::try_from(lines.len()).unwrap_or(0);
    // Long text scrolls inside the box so the keys line and the cursor stay in view.
    let room = usize::from(area.height.saturating_sub(8)).max(1);
    let (text, cursor_row, cursor_col) = wrapped(
        editor,
        inner,
        room,
        Style::new().add_modifier(Modifier::REVERSED),
    );
    lines.extend(text);
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
    let cursor = Position::new(
        rect.x + 1 + cursor_col,
        (rect.y + 1 + above + cursor_row).min(rect.bottom().saturating_sub(2)),
    );
    Some(Prompt {
        rect,
        title,
        lines,
        cursor,
    })
}

/// Title, explanation, editor and keys of the prompts of the accounts
/// screen and of reassignment; `None` for an overlay that is no prompt.
fn prompt_parts(overlay: &Overlay) -> Option<(String, &str, &Editor, &'static str)> {
    Some(match overlay {
        Overlay::FindAccount { editor } => (
            " Find an account ".to_owned(),
            "",
            editor,
            "Enter keeps the search · Esc drops it",
        ),
        Overlay::LinkReason { target, editor } => (
            match &target.person {
                Some((_, person)) => {
                    format!(" Link {} to {} ", safe(&target.account), safe(person))
                }
                None => format!(" Unlink {} ", safe(&target.account)),
            },
            if target.person.is_some() {
                "Why is this account this person? The reason is kept with the link for the auditor. Campaigns created from now on use the link; this campaign keeps the links it was created with."
            } else {
                "Why is this account not that person? The reason is kept for the auditor. Campaigns created from now on use it; this campaign keeps the links it was created with."
            },
            editor,
            "Enter records it · Esc cancels",
        ),
        Overlay::Reassign {
            target,
            editor,
            to: None,
        } => (
            format!(" Reassign {} ", describe_target(target)),
            "To whom? An identity_id, e-mail or registered reviewer; not the holder.",
            editor,
            "Enter goes on · Esc cancels",
        ),
        Overlay::Reassign {
            target,
            editor,
            to: Some((_, label)),
        } => (
            format!(" Reassign {} to {} ", describe_target(target), safe(label)),
            "Why? The reason is recorded with the reassignment, in the item's history.",
            editor,
            "Enter reassigns · Esc cancels",
        ),
        Overlay::Help { .. }
        | Overlay::Confirm { .. }
        | Overlay::Filter { .. }
        | Overlay::Justify { .. }
        | Overlay::Statement { .. }
        | Overlay::Search { .. }
        | Overlay::Until { .. } => return None,
    })
}

fn describe(pending: &Pending) -> String {
    let until = pending
        .until
        .map(|d| format!(" until {d}"))
        .unwrap_or_default();
    format!(
        "{} {}{until}",
        verb(pending.verdict),
        describe_target(&pending.target)
    )
}

fn describe_target(target: &Selection) -> String {
    match target {
        Selection::Items(ids) if ids.len() == 1 => format!("item #{}", ids[0]),
        Selection::Items(ids) => format!("{} marked items", ids.len()),
        Selection::Matching(_) => "every matching item".to_owned(),
    }
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

pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

pub fn boxed<'a>(app: &App, title: &'a str) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_style(app.theme.border)
        .title(Span::styled(title, app.theme.title))
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

/// Word-wraps the editor's text to `width` columns, the cursor shown
/// reversed, keeping at most `room` lines around the cursor. Returns the
/// lines and the cursor's row among them and column.
fn wrapped(
    editor: &Editor,
    width: usize,
    room: usize,
    cursor_style: Style,
) -> (Vec<Line<'static>>, u16, u16) {
    let text = safe(editor.text());
    let chars: Vec<char> = text.chars().chain([' ']).collect();
    let starts = breaks(&chars, width);
    let cursor = editor.cursor().min(chars.len() - 1);
    let cursor_line = starts.iter().rposition(|&s| s <= cursor).unwrap_or(0);
    let first = cursor_line.saturating_sub(room - 1);
    let mut lines = Vec::new();
    let mut column = 0;
    for (n, &start) in starts.iter().enumerate().skip(first).take(room) {
        let end = starts.get(n + 1).copied().unwrap_or(chars.len());
        if n == cursor_line {
            column = chars[start..cursor]
                .iter()
                .map(|c| c.width().unwrap_or(0))
                .sum();
        }
        let spans: Vec<Span> = (start..end)
            .map(|i| {
                let style = if i == cursor {
                    cursor_style
                } else {
                    Style::new()
                };
                Span::styled(chars[i].to_string(), style)
            })
            .collect();
        lines.push(Line::from(spans));
    }
    let row = u16::try_from(cursor_line - first).unwrap_or(0);
    (lines, row, u16::try_from(column).unwrap_or(0))
}

/// The first lines of a bulk confirmation: how many items, and what
/// happens to those already decided.
fn bulk_lines(app: &App, pending: &Pending, summary: &BulkSummary) -> Vec<Line<'static>> {
    let impact = summary.impact(pending);
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let verb = match pending.verdict {
        Verdict::Certify => "Certify",
        Verdict::Revoke => "Revoke",
        Verdict::Accept => "Accept the recommendation for",
        Verdict::Undo => "Undo the decision of",
    };
    let mut lines = vec![Line::styled(
        format!("{verb} {} item{}?", impact.items, plural(impact.items)),
        app.theme.title,
    )];
    let decided = summary.decided;
    if decided > 0 && pending.verdict != Verdict::Undo {
        let them = if decided == 1 { "it" } else { "them" };
        lines.push(Line::raw(if pending.include_decided {
            format!(
                "{decided} already decided item{} included: decision and justification replaced (i leaves {them})",
                plural(decided),
            )
        } else {
            format!(
                "{decided} already decided item{} left as {} (i includes {them})",
                plural(decided),
                if decided == 1 { "it is" } else { "they are" },
            )
        }));
    }
    lines
}

fn confirm(app: &App, pending: &Pending, summary: &BulkSummary, area: Rect, buf: &mut Buffer) {
    let impact = summary.impact(pending);
    let inner = usize::from(area.width.min(64).saturating_sub(2)).max(1);
    let signals = if impact.signals.is_empty() {
        "none".to_owned()
    } else {
        signal_counts(&impact.signals, inner.saturating_sub(9) * 2)
    };
    let (title, mut lines) = if let Some(against) = &summary.against {
        (
            " Certify against the recommendation ",
            vec![
                Line::styled(
                    format!(
                        "Certify item #{}, recommended for revocation?",
                        against.item
                    ),
                    app.theme.title,
                ),
                Line::raw(safe(&against.what)),
                Line::raw(format!("Recommended: revoke — {}", safe(&against.reason))),
            ],
        )
    } else {
        (" Bulk decision ", bulk_lines(app, pending, summary))
    };
    lines.push(Line::raw(format!("Signals: {signals}")));
    lines.push(Line::raw(""));
    if impact.items == 0 {
        lines.push(Line::raw("Nothing to decide."));
    } else if impact.certifies_risk {
        lines.push(Line::styled(
            if summary.against.is_some() {
                "! Press y to certify it anyway."
            } else {
                "! Risk-flagged items would be certified. Press y to confirm."
            },
            app.theme.error,
        ));
    } else {
        lines.push(Line::raw("y or Enter confirms."));
    }
    if impact.needs_justification && impact.items > 0 {
        lines.push(Line::raw(if impact.items == 1 {
            "A justification is asked for next."
        } else {
            "One justification will be asked for all of them."
        }));
    }
    lines.push(Line::styled(
        if summary.against.is_some() {
            "Esc cancels."
        } else {
            "Esc cancels (the marks are kept)."
        },
        app.theme.dim,
    ));
    // Long lines wrap: count the rows they take inside the borders.
    let rows: usize = lines
        .iter()
        .map(|line| line.width().div_ceil(inner).max(1))
        .sum();
    let rect = centered(area, 64, u16::try_from(rows + 2).unwrap_or(u16::MAX));
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .block(boxed(app, title))
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
        f.delta
            .map_or("any", crate::model::Delta::as_str)
            .to_owned(),
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
