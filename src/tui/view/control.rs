//! The control review's header line and its table of items (only the rows
//! on screen are drawn; the window holds a few hundred at most).

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::fmt::{self, fit};
use crate::model::Decision;
use crate::tui::app::{App, Pane};

/// `5.18 Access rights · 1/5 decided · filter: … · search: …`: what the
/// table shows comes first; the control's title gives way when the line is
/// too narrow, so a filter or search is never cut off unseen.
pub fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let review = &app.review;
    let width = usize::from(area.width);
    let (id, title) = match app.control() {
        Some(c) => (c.control.clone(), c.title.clone()),
        None => (review.query.control.clone(), String::new()),
    };
    let mut tail = String::new();
    if let Some(c) = app.control() {
        let _ = write!(tail, " · {}/{} decided", c.decided, c.total);
    }
    let filter = review.query.filter.describe();
    if !filter.is_empty() {
        let _ = write!(tail, " · filter: {}", fmt::safe(&filter));
    }
    if !review.query.search.is_empty() {
        let _ = write!(tail, " · search: {}", fmt::safe(&review.query.search));
    }
    if review.query.sort != crate::tui::query::Sort::Item {
        let _ = write!(tail, " · by {}", review.query.sort.label());
    }
    let room = width.saturating_sub(fmt::width(&id) + fmt::width(&tail) + 1);
    let text = if title.is_empty() {
        format!("{id}{tail}")
    } else if room >= 6.min(fmt::width(&title)) {
        format!("{id} {}{tail}", fit(&title, room))
    } else {
        format!("{id}{tail}")
    };
    Line::styled(fit(&text, width), app.theme.title).render(area, buf);
}

/// Column widths: cursor+mark, identity, kind, system, entitlement,
/// signals, then (for a campaign with a baseline) how the grant compares
/// with it, recommendation, decision.
fn columns(area: Rect, before: bool) -> Vec<Rect> {
    let mut constraints = vec![
        Constraint::Length(5),
        Constraint::Fill(3),
        Constraint::Length(5),
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Length(11),
        Constraint::Length(7),
        Constraint::Length(11),
    ];
    if before {
        constraints.insert(BEFORE, Constraint::Length(6));
    }
    Layout::horizontal(constraints)
        .spacing(1)
        .split(area)
        .to_vec()
}

const HEADINGS: [&str; 8] = [
    "",
    "Identity",
    "Kind",
    "System",
    "Entitlement",
    "Signals",
    "Rec.",
    "Decision",
];

/// Where the baseline column goes, when there is one.
const BEFORE: usize = 6;

pub fn table(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let review = &app.review;
    // Every item of a campaign with a baseline has a delta.
    let before = review.rows.iter().any(|item| item.delta.is_some());
    let head = Rect { height: 1, ..area };
    let mut headings = HEADINGS.to_vec();
    if before {
        headings.insert(BEFORE, "Before");
    }
    for (cell, text) in columns(head, before).iter().zip(headings) {
        Line::styled(text, app.theme.header).render(*cell, buf);
    }
    if review.rows.is_empty() {
        let message = if review.query.filter.is_empty() && review.query.search.is_empty() {
            "  No items under this control."
        } else {
            "  No items match this filter or search (f changes the filter, / the search)."
        };
        Line::raw(message).render(Rect::new(area.x, area.y + 1, area.width, 1), buf);
        return;
    }
    let visible = usize::from(area.height - 1);
    for (offset, item) in review
        .rows
        .iter()
        .enumerate()
        .skip(review.top)
        .take(visible)
    {
        let Ok(y) = u16::try_from(offset - review.top) else {
            break;
        };
        let line = Rect::new(area.x, area.y + 1 + y, area.width, 1);
        let selected = offset == review.cursor;
        let base = if selected && review.focus == Pane::Table {
            app.theme.selected
        } else if selected {
            app.theme.title
        } else {
            Style::new()
        };
        buf.set_style(line, base);
        let cells = columns(line, before);
        let mark = if review.is_marked(item.item_id) {
            "[x]"
        } else {
            "[ ]"
        };
        let cursor = if selected { ">" } else { " " };
        let name = item.identity_name.as_deref().unwrap_or(&item.identity_id);
        let mut texts = vec![
            format!("{cursor} {mark}"),
            fit(name, usize::from(cells[1].width)),
            fmt::kind_short(item.identity_kind.map(crate::model::IdentityKind::as_str)).to_owned(),
            fmt::fit_middle(&item.system, usize::from(cells[3].width)),
            fit(&item.entitlement, usize::from(cells[4].width)),
            fmt::signals_short(item.signals, usize::from(cells[5].width)),
            item.recommendation.as_str().to_owned(),
            fmt::decision_cell(item).to_owned(),
        ];
        if before {
            texts.insert(BEFORE, fmt::before(item.delta, item.prior.as_ref()));
        }
        let decision_column = texts.len() - 1;
        for (i, (cell, text)) in cells.iter().zip(texts).enumerate() {
            let style = match i {
                5 if item.signals.iter().any(crate::model::Signal::is_risk) => app.theme.risk,
                i if i == decision_column => match item.decision {
                    Some(Decision::Certify) => app.theme.certified,
                    Some(Decision::Revoke) => app.theme.revoked,
                    None => app.theme.dim,
                },
                _ => Style::new(),
            };
            Span::styled(fit(&text, usize::from(cell.width)), base.patch(style)).render(*cell, buf);
        }
    }
}
