//! Who still owes what (PRODUCT.md §8): per assigned reviewer, the items
//! assigned, decided, left and overdue, and whether the name is a known
//! reviewer at all (an item assigned to nobody recert knows is never
//! decided until it is reassigned).

use std::collections::BTreeMap;

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
    // The whole campaign in id order, tallied here by reviewer (in name
    // order, as a `GROUP BY` would give them, without sorting the items).
    let mut statement = conn.prepare_cached(&format!(
        "SELECT it.assigned_reviewer, cd.item_id IS NOT NULL, p.item_id IS NOT NULL
         FROM items it
         LEFT JOIN current_decisions cd ON cd.item_id = it.id
         LEFT JOIN pending_reviews p ON p.item_id = it.id
         WHERE {}",
        super::ranges::in_campaign(super::ranges::ITEMS_AS_IT, "?1")
    ))?;
    let mut tallies: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    let mut found = statement.query([campaign.id])?;
    while let Some(row) = found.next()? {
        let reviewer = row.get_ref(0)?.as_str()?;
        let (decided, awaiting): (bool, bool) = (row.get(1)?, row.get(2)?);
        let tally = match tallies.get_mut(reviewer) {
            Some(tally) => tally,
            None => tallies.entry(reviewer.to_owned()).or_default(),
        };
        tally.0 += 1;
        tally.1 += u64::from(decided);
        tally.2 += u64::from(awaiting);
    }
    let rows: Vec<(String, u64, u64, u64)> = tallies
        .into_iter()
        .map(|(reviewer, (assigned, decided, awaiting))| (reviewer, assigned, decided, awaiting))
        .collect();
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
