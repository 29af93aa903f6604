//! Closing a campaign out at its deadline (PRODUCT.md §8): every item still
//! open gets a decision whose basis is `close-out`, kept apart from the
//! reviewers' decisions everywhere, so that sign-off becomes possible.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior};

use super::decisions::{DecideError, DecisionRequest, EventExtras, Refusal, record_in_transaction};
use super::lookup::Campaign;
use super::policy;
use crate::actor::Actor;
use crate::model::{Decision, DecisionAction, DecisionBasis};

/// What an open item becomes (`--undecided`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Undecided {
    /// Certify every open item (one recommended for revocation only with `--force`).
    Keep,
    /// Revoke every open item.
    Revoke,
    /// Follow each item's recommendation.
    Recommendation,
}

/// What a close-out did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClosedOut {
    pub kept: u64,
    pub revoked: u64,
    /// Of the kept, those recommended for revocation (`--force`).
    pub kept_against_revoke: u64,
}

impl ClosedOut {
    pub fn total(&self) -> u64 {
        self.kept + self.revoked
    }
}

/// Why a close-out was refused; nothing was recorded.
#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error(
        "{} still open {} recommended for revocation (items {}); closing them out as keep would certify access the rules say to remove. Decide them, close out with --undecided recommendation or revoke, or say so with --force: their justification then records that they were kept against the recommendation",
        crate::text::count(*.count, "item"),
        if *.count == 1 { "is" } else { "are" },
        .items
    )]
    KeepOverRevoke { count: u64, items: String },
    #[error(transparent)]
    Decide(#[from] DecideError),
}

impl From<rusqlite::Error> for CloseError {
    fn from(err: rusqlite::Error) -> Self {
        CloseError::Decide(err.into())
    }
}

/// What the justification of an item kept against a revoke
/// recommendation adds to the reason.
pub const FORCED: &str = "kept at close-out against the revoke recommendation (--force)";

/// Decides every open item of `campaign` as `undecided` says, with
/// `reason` as the justification and the basis `close-out`, in one
/// transaction that first reads which items are open (under the write lock,
/// so a decision made meanwhile is never overwritten). Items awaiting a
/// second review are open: the close-out decides them.
pub fn close_out(
    conn: &mut Connection,
    campaign: &Campaign,
    undecided: Undecided,
    reason: &str,
    force: bool,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<ClosedOut, CloseError> {
    let reason = reason.trim();
    if !policy::is_justified(Some(reason)) {
        return Err(DecideError::from(Refusal::ReasonNeeded).into());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let open = open_items(&tx, campaign.id)?;
    let (mut keep, mut forced, mut revoke) = (Vec::new(), Vec::new(), Vec::new());
    for (item, recommendation) in open {
        match (undecided, recommendation) {
            (Undecided::Revoke, _) | (Undecided::Recommendation, Decision::Revoke) => {
                revoke.push(item);
            }
            (Undecided::Keep, Decision::Revoke) => forced.push(item),
            (Undecided::Keep | Undecided::Recommendation, Decision::Certify) => keep.push(item),
        }
    }
    if !forced.is_empty() && !force {
        let shown: Vec<String> = forced.iter().take(10).map(i64::to_string).collect();
        let more = if forced.len() > 10 { ", ..." } else { "" };
        return Err(CloseError::KeepOverRevoke {
            count: forced.len() as u64,
            items: format!("{}{more}", shown.join(", ")),
        });
    }
    let forced_reason = format!("{reason} [{FORCED}]");
    let extras = EventExtras {
        basis: Some(DecisionBasis::CloseOut),
        ..EventExtras::default()
    };
    let requests: Vec<DecisionRequest<'_>> = [
        (&keep, DecisionAction::Certify, reason),
        (&forced, DecisionAction::Certify, forced_reason.as_str()),
        (&revoke, DecisionAction::Revoke, reason),
    ]
    .into_iter()
    .filter(|(items, _, _)| !items.is_empty())
    .map(|(items, action, justification)| DecisionRequest {
        items,
        action,
        justification: Some(justification),
        extras: extras.clone(),
    })
    .collect();
    if !requests.is_empty() {
        record_in_transaction(&tx, campaign, &requests, actor, now)?;
        tx.commit()?;
    }
    Ok(ClosedOut {
        kept: (keep.len() + forced.len()) as u64,
        revoked: revoke.len() as u64,
        kept_against_revoke: forced.len() as u64,
    })
}

/// The campaign's items without a current decision (those awaiting a
/// second review included), with their recommendation, in id order.
fn open_items(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<(i64, Decision)>> {
    conn.prepare_cached(&format!(
        "SELECT it.id, it.recommendation FROM items it
         LEFT JOIN current_decisions cd ON cd.item_id = it.id
         WHERE {} AND cd.item_id IS NULL ORDER BY it.id",
        super::ranges::in_campaign(super::ranges::ITEMS_AS_IT, "?1")
    ))?
    .query_map([campaign], |row| Ok((row.get(0)?, row.get(1)?)))?
    .collect()
}

/// Items decided by a close-out, per control, as the current decisions
/// hold them (a close-out decision changed later by a reviewer is theirs).
pub fn close_out_counts(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<(String, u64)>> {
    conn.prepare_cached(
        "SELECT it.control_id, count(*)
         FROM decision_events e INDEXED BY decision_events_close_out
         JOIN current_decisions cd ON cd.item_id = e.item_id AND cd.event_id = e.id
         JOIN items it ON it.id = e.item_id
         WHERE e.campaign_id = ?1 AND e.basis = 'close-out'
         GROUP BY it.control_id",
    )?
    .query_map([campaign], |row| Ok((row.get(0)?, row.get(1)?)))?
    .collect()
}

/// Items awaiting a second review, per control.
pub fn awaiting_counts(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<(String, u64)>> {
    conn.prepare_cached(
        "SELECT it.control_id, count(*) FROM pending_reviews p
         JOIN items it ON it.id = p.item_id
         WHERE p.campaign_id = ?1 GROUP BY it.control_id",
    )?
    .query_map([campaign], |row| Ok((row.get(0)?, row.get(1)?)))?
    .collect()
}
