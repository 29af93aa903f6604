//! The accounts screen: the accounts no person matches (or more than one),
//! one line each, and under the list the one at the cursor with the
//! persons it could be linked to. Only the rows on screen are drawn, so a
//! hundred thousand accounts cost no more than ten.

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::detail::field;
use super::fmt::{first_fitting, fit, fit_middle, safe};
use crate::tui::accounts::{AccountRow, Choice, Standing};
use crate::tui::app::{App, Pane};
use crate::tui::layout;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let areas = layout::accounts(area);
    header(app, areas.header, buf);
    let width = usize::from(areas.note.width);
    let note = first_fitting(
        &[
            "A link changes the campaigns created from now on; this campaign keeps the links it was created with.".to_owned(),
            "Links change later campaigns only; this one keeps the links it was created with.".to_owned(),
            "Links change later campaigns only, not this one.".to_owned(),
        ],
        width,
    );
    Line::styled(note, app.theme.dim).render(areas.note, buf);
    table(app, areas.table, buf);
    detail(app, areas.detail, buf);
}

fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let accounts = &app.accounts;
    let mut text = if accounts.every {
        "Every account".to_owned()
    } else {
        "Accounts without a person".to_owned()
    };
    if accounts.rows.is_some() {
        let (unlinked, ambiguous, all) = accounts.counts();
        let _ = write!(
            text,
            " · {unlinked} unlinked · {ambiguous} ambiguous · of {all}"
        );
    }
    if !accounts.search.is_empty() {
        let _ = write!(text, " · find: {}", safe(&accounts.search));
    }
    Line::styled(fit(&text, usize::from(area.width)), app.theme.title).render(area, buf);
}

/// Column widths: cursor, account, state, grants, person or suggestion.
fn columns(area: Rect) -> [Rect; 5] {
    Layout::horizontal([
        Constraint::Length(1),
        Constraint::Fill(4),
        Constraint::Length(12),
        Constraint::Length(6),
        Constraint::Fill(4),
    ])
    .spacing(1)
    .areas(area)
}

fn table(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let accounts = &app.accounts;
    let head = Rect { height: 1, ..area };
    for (cell, text) in
        columns(head)
            .iter()
            .zip(["", "Account", "State", "Grants", "Person, or suggestion"])
    {
        Line::styled(text, app.theme.header).render(*cell, buf);
    }
    let line_at = |y: u16| Rect::new(area.x, area.y + 1 + y, area.width, 1);
    let Some(rows) = accounts.rows.as_deref() else {
        Line::raw("  reading the accounts…").render(line_at(0), buf);
        return;
    };
    if accounts.shown.is_empty() {
        let message = match (accounts.search.is_empty(), accounts.every) {
            (false, _) => "  No account matches the search (/ changes it).",
            (true, false) => "  Every account is linked to a person (a lists them all).",
            (true, true) => "  The workspace's current exports name no account.",
        };
        Line::raw(message).render(line_at(0), buf);
        return;
    }
    let visible = usize::from(area.height - 1);
    for (offset, &index) in accounts
        .shown
        .iter()
        .enumerate()
        .skip(accounts.top)
        .take(visible)
    {
        let Ok(y) = u16::try_from(offset - accounts.top) else {
            break;
        };
        let row = &rows[index];
        let line = line_at(y);
        let selected = offset == accounts.cursor;
        let style = match (selected, accounts.focus) {
            (true, Pane::Table) => app.theme.selected,
            (true, Pane::Detail) => app.theme.title,
            (false, _) => Style::new(),
        };
        buf.set_style(line, style);
        let cells = columns(line);
        let texts = [
            if selected { ">" } else { " " }.to_owned(),
            fit_middle(&row.account, usize::from(cells[1].width)),
            standing_short(&row.standing).to_owned(),
            row.grants.to_string(),
            fit(&person_or_suggestion(row), usize::from(cells[4].width)),
        ];
        for (i, (cell, text)) in cells.iter().zip(texts).enumerate() {
            let text = if i == 3 {
                format!("{text:>width$}", width = usize::from(cell.width))
            } else {
                text
            };
            Line::raw(text).render(*cell, buf);
        }
    }
}

fn standing_short(standing: &Standing) -> &str {
    match standing {
        Standing::Unlinked => "unlinked",
        Standing::Ambiguous => "ambiguous",
        Standing::Linked { basis, .. } => basis,
    }
}

/// The person column: the linked person, the persons an ambiguous account
/// matched, the best suggestion, or what the account is.
fn person_or_suggestion(row: &AccountRow) -> String {
    match (&row.standing, row.choices.first()) {
        (Standing::Linked { person, .. }, _) => safe(person),
        (Standing::Ambiguous, _) => format!("{} persons match", row.choices.len()),
        (Standing::Unlinked, Some(best)) => format!(
            "? {} {}",
            safe(&best.label),
            best.score.as_deref().unwrap_or_default()
        ),
        (Standing::Unlinked, None) => match &row.kind {
            Some(kind) => safe(kind.split(':').next().unwrap_or(kind)),
            None => "only grants name it".to_owned(),
        },
    }
}

fn detail(app: &App, area: Rect, buf: &mut Buffer) {
    let accounts = &app.accounts;
    let title = if accounts.focus == Pane::Detail {
        " Persons · j/k choose · Enter links · Tab back to the accounts "
    } else {
        " Account · Tab to choose a person · Enter links "
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(app.theme.border)
        .title(fit(title, usize::from(area.width.saturating_sub(2))));
    let Some(row) = accounts.selected() else {
        block.render(area, buf);
        return;
    };
    Paragraph::new(lines(app, row))
        .block(block)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

fn lines(app: &App, row: &AccountRow) -> Vec<Line<'static>> {
    let accounts = &app.accounts;
    let standing = match &row.standing {
        Standing::Unlinked => "no person matches it".to_owned(),
        Standing::Ambiguous => {
            "a link rule matched several persons, so it links to none".to_owned()
        }
        Standing::Linked { person, basis } => format!("linked to {} ({basis})", safe(person)),
    };
    let mut lines = vec![field(
        app,
        "Account",
        format!("{} · {standing}", safe(&row.account)),
    )];
    let label = match row.standing {
        Standing::Ambiguous => "Matches",
        _ => "Suggested",
    };
    for (i, choice) in row.choices.iter().enumerate() {
        let chosen = i == accounts.choice;
        lines.push(choice_line(
            app,
            if i == 0 { label } else { "" },
            choice,
            chosen,
        ));
    }
    if row.choices.is_empty() && row.needs_person() {
        lines.push(field(
            app,
            "Suggested",
            "nobody; recert link ACCOUNT PERSON --reason TEXT links it to anyone".to_owned(),
        ));
    }
    let mut seen = format!(
        "{} · {}",
        safe(&row.sources.join(", ")),
        crate::text::count(row.grants, "grant")
    );
    if let Some(kind) = &row.kind {
        let _ = write!(seen, " · {}", safe(kind));
    }
    lines.push(field(app, "Seen in", seen));
    if let Some(note) = &row.note {
        lines.push(field(app, "Note", safe(note)));
    }
    lines
}

/// `> 0.9 Hannah Vogel (E0136): same display name`, the chosen one marked
/// `>` (and highlighted while the persons have the focus).
fn choice_line(app: &App, label: &str, choice: &Choice, chosen: bool) -> Line<'static> {
    let style = if chosen && app.accounts.focus == Pane::Detail {
        app.theme.selected
    } else {
        Style::new()
    };
    let score = choice
        .score
        .as_deref()
        .map(|s| format!("{s} "))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled(format!("{label:<11}"), app.theme.dim),
        Span::styled(
            format!(
                "{} {score}{}: {}",
                if chosen { ">" } else { " " },
                safe(&choice.label),
                safe(&choice.reason)
            ),
            style,
        ),
    ])
}
