//! The campaign picker shown by `recert review` when several campaigns could be meant.

use color_eyre::eyre::Result;
use ratatui::crossterm::event::{Event, KeyCode, KeyEventKind};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::session::Session;
use super::theme::Theme;
use super::view::fmt::fit;
use super::{Wake, wait};
use crate::campaign::{Campaign, CampaignState};

/// How the picker ended.
pub enum Picked {
    Campaign(Campaign),
    /// The reviewer quit.
    Nothing,
    Signal(i32),
}

/// Lets the reviewer choose a campaign.
pub fn pick(session: &mut Session, campaigns: &[Campaign], theme: &Theme) -> Result<Picked> {
    let mut cursor = 0;
    loop {
        session.terminal().draw(|frame| {
            let area = frame.area();
            let buf = frame.buffer_mut();
            Line::styled(
                "Choose a campaign to review (Enter opens, q quits)",
                theme.title,
            )
            .render(Rect { height: 1, ..area }, buf);
            for (i, c) in campaigns.iter().enumerate() {
                let Ok(y) = u16::try_from(i + 2) else { break };
                if y >= area.height {
                    break;
                }
                let state = if c.state == CampaignState::SignedOff {
                    "signed off"
                } else {
                    "open"
                };
                let text = format!(
                    "{} {:>4}  {}  ({}, due {})",
                    if i == cursor { ">" } else { " " },
                    c.id,
                    c.name,
                    state,
                    c.due.as_deref().unwrap_or("—")
                );
                let style = if i == cursor {
                    theme.selected
                } else {
                    theme.base
                };
                Line::styled(fit(&text, usize::from(area.width)), style)
                    .render(Rect::new(area.x, area.y + y, area.width, 1), buf);
            }
        })?;
        let events = match wait(session)? {
            Wake::Events(events) => events,
            Wake::Signal(signal) => return Ok(Picked::Signal(signal)),
            Wake::Redraw | Wake::Idle => continue,
        };
        for event in events {
            let Event::Key(key) = event else { continue };
            if key.kind == KeyEventKind::Release {
                continue;
            }
            match key.code {
                KeyCode::Char('j') | KeyCode::Down => {
                    cursor = (cursor + 1).min(campaigns.len() - 1);
                }
                KeyCode::Char('k') | KeyCode::Up => cursor = cursor.saturating_sub(1),
                KeyCode::Enter => {
                    return Ok(campaigns
                        .get(cursor)
                        .cloned()
                        .map_or(Picked::Nothing, Picked::Campaign));
                }
                KeyCode::Char('q') | KeyCode::Esc => return Ok(Picked::Nothing),
                _ => {}
            }
        }
    }
}
