//! Who still owes what (PRODUCT.md §8): per assigned reviewer, the items
//! assigned, decided, left and overdue, and whether the name is a known
//! reviewer at all (an item assigned to nobody recert knows is never
//! decided until it is reassigned).

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use super::lookup::Campaign;
use crate::reviewers::{self, ReviewerError};

/// One assigned reviewer's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewerProgress {
    /// As `assigned_reviewer` holds it.
    pub reviewer: String,
    /// `Mia Manager (M1)` for a person, else the name.
    pub name: String,
    /// Whether the name resolves to a known reviewer.
    pub known: bool,
    pub assigned: u64,
    pub decided: u64,
    /// Of the undecided, those awaiting a second review.
    pub awaiting_second_review: u64,
    pub left: u64,
    /// Items left once the due date has passed (0 before it, or without one).
    pub overdue: u64,
}

/// Whether the campaign's due date has passed on `today`.
pub fn is_overdue(campaign: &Campaign, today: NaiveDate) -> bool {
    campaign
        .due
        .as_deref()
        .and_then(|due| NaiveDate::parse_from_str(due, "%Y-%m-%d").ok())
        .is_some_and(|due| today > due)
}

/// Every assigned reviewer's progress, most items left first.
pub fn by_reviewer(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
) -> color_eyre::Result<Vec<ReviewerProgress>> {
    let overdue = is_overdue(campaign, today);
    let mut statement = conn.prepare_cached(
        "SELECT it.assigned_reviewer, count(*), count(cd.item_id), count(p.item_id)
         FROM items it INDEXED BY items_by_reviewer
         LEFT JOIN current_decisions cd ON cd.item_id = it.id
         LEFT JOIN pending_reviews p ON p.item_id = it.id
         WHERE it.campaign_id = ?1
         GROUP BY it.assigned_reviewer",
    )?;
    let rows: Vec<(String, u64, u64, u64)> = statement
        .query_map([campaign.id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut progress = Vec::with_capacity(rows.len());
    for (reviewer, assigned, decided, awaiting) in rows {
        let (name, known) = match reviewers::resolve(conn, Some(campaign), &reviewer) {
            Ok(known) => (known.label(), true),
            Err(ReviewerError::Lookup(message)) => color_eyre::eyre::bail!(message),
            Err(_) => (reviewer.clone(), false),
        };
        let left = assigned - decided;
        progress.push(ReviewerProgress {
            reviewer,
            name,
            known,
            assigned,
            decided,
            awaiting_second_review: awaiting,
            left,
            overdue: if overdue { left } else { 0 },
        });
    }
    progress.sort_by(|a, b| {
        b.left
            .cmp(&a.left)
            .then_with(|| a.reviewer.cmp(&b.reviewer))
    });
    Ok(progress)
}
