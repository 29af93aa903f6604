//! Where each part of a screen goes for a terminal size; shared by the views
//! and by `update`, which needs the table height to page and scroll.

use ratatui::layout::{Constraint, Layout, Rect};

/// Terminals at least this wide show the detail pane beside the table.
pub const WIDE: u16 = 150;

/// The areas of the control review screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlAreas {
    pub header: Rect,
    /// The table including its header row.
    pub table: Rect,
    pub detail: Rect,
    pub status: Rect,
    pub footer: Rect,
}

/// Header, body, status bar and footer of every screen.
pub fn frame(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

pub fn control(area: Rect) -> ControlAreas {
    let [header, body, status, footer] = frame(area);
    let [table, detail] = if area.width >= WIDE {
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(body)
    } else {
        // Stacked: the table gets a bit under half, the detail the rest.
        let table_height = (body.height * 9 / 20).max(3);
        Layout::vertical([Constraint::Length(table_height), Constraint::Fill(1)]).areas(body)
    };
    ControlAreas {
        header,
        table,
        detail,
        status,
        footer,
    }
}

/// How many item rows the table shows at this terminal size.
pub fn table_rows(size: (u16, u16)) -> usize {
    let areas = control(Rect::new(0, 0, size.0, size.1));
    usize::from(areas.table.height.saturating_sub(1)).max(1)
}

/// The areas of the accounts screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountsAreas {
    pub header: Rect,
    /// One line saying what a link changes.
    pub note: Rect,
    /// The list including its header row.
    pub table: Rect,
    /// The selected account and the persons it could be linked to.
    pub detail: Rect,
}

pub fn accounts(area: Rect) -> AccountsAreas {
    let [header, body, _, _] = frame(area);
    let [note, rest] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body);
    let table_height = (rest.height / 2).max(3);
    let [table, detail] =
        Layout::vertical([Constraint::Length(table_height), Constraint::Fill(1)]).areas(rest);
    AccountsAreas {
        header,
        note,
        table,
        detail,
    }
}

/// How many accounts the list shows at this terminal size.
pub fn account_rows(size: (u16, u16)) -> usize {
    let areas = accounts(Rect::new(0, 0, size.0, size.1));
    usize::from(areas.table.height.saturating_sub(1)).max(1)
}
