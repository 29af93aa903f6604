//! `recert status CAMPAIGN --by-reviewer`: who still owes what.

use std::fmt::Write as _;

use chrono::Local;
use color_eyre::eyre::Result;
use rusqlite::Connection;
use serde_json::json;

use crate::campaign::Campaign;
use crate::campaign::by_reviewer::{ReviewerProgress, by_reviewer, is_overdue};
use crate::commands::table::{self, Column, TERMINAL_WIDTH};
use crate::output;
use crate::text::{count, for_display};

pub fn run(conn: &Connection, campaign: &Campaign, json: bool) -> Result<()> {
    let today = Local::now().date_naive();
    let progress = by_reviewer(conn, campaign, today)?;
    if json {
        output::print_json(&json!({
            "campaign": {
                "id": campaign.id,
                "name": campaign.name,
                "period": campaign.period,
                "state": campaign.state.as_str(),
                "due": campaign.due,
            },
            "today": today.to_string(),
            "overdue": is_overdue(campaign, today),
            "reviewers": progress,
        }))?;
    } else {
        output::print(&render(campaign, &progress, is_overdue(campaign, today)))?;
    }
    Ok(())
}

/// One row per reviewer, most work left first, and what to do next.
pub fn render(campaign: &Campaign, progress: &[ReviewerProgress], overdue: bool) -> String {
    let mut out = String::new();
    let due = campaign
        .due
        .as_deref()
        .map_or_else(|| "no due date".to_owned(), |d| format!("due {d}"));
    let _ = writeln!(
        out,
        "Campaign {} \"{}\", {due}{}: progress per reviewer",
        campaign.id,
        table::fit(&for_display(&campaign.name), 30).0,
        if overdue { " (overdue)" } else { "" }
    );
    let number = |header: &'static str| Column::right(header, header.len().max(6));
    let mut columns = vec![
        Column::left("REVIEWER", 8),
        number("ASSIGNED"),
        number("DECIDED"),
        number("LEFT"),
        number("2ND REVIEW"),
        number("OVERDUE"),
    ];
    let names: Vec<String> = progress
        .iter()
        .map(|p| {
            if p.known {
                p.name.clone()
            } else {
                format!("{} (not a known reviewer)", p.reviewer)
            }
        })
        .collect();
    let room = TERMINAL_WIDTH.saturating_sub(table::width(&columns) - columns[0].width);
    columns[0].width = names
        .iter()
        .map(|n| unicode_width::UnicodeWidthStr::width(n.as_str()))
        .max()
        .unwrap_or(8)
        .clamp(8, room.max(8));
    let _ = writeln!(out, "{}", table::header(&columns));
    for (p, name) in progress.iter().zip(&names) {
        let cells = [
            name.clone(),
            p.assigned.to_string(),
            p.decided.to_string(),
            p.left.to_string(),
            p.awaiting_second_review.to_string(),
            p.overdue.to_string(),
        ];
        let _ = writeln!(out, "{}", table::row(&columns, &cells));
    }
    let owing = progress.iter().filter(|p| p.left > 0).count();
    if owing == 0 {
        let _ = writeln!(out, "Every reviewer is done.");
        return out;
    }
    let _ = writeln!(
        out,
        "{} {} work left; write each a reminder with: recert remind {} -o DIR",
        count(owing, "reviewer"),
        if owing == 1 { "has" } else { "have" },
        campaign.id
    );
    let unknown: Vec<&str> = progress
        .iter()
        .filter(|p| !p.known && p.left > 0)
        .map(|p| p.reviewer.as_str())
        .collect();
    if !unknown.is_empty() {
        let _ = writeln!(
            out,
            "Not known as reviewers, so nobody can decide their items: {}.\nRegister them (recert reviewer add NAME) or hand their items on:\n  recert reassign {} --from NAME --to REVIEWER --reason TEXT",
            for_display(&unknown.join(", ")),
            campaign.id
        );
    }
    out
}
