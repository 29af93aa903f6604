//! Recording decisions as appended, hash-chained events, after checking the
//! rules every decision must follow (PRODUCT.md §4).

mod event;
mod projection;
pub mod reassign;
mod stages;

use std::collections::HashSet;
use std::fmt::{self, Write as _};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::lookup::{Campaign, CampaignState};
use super::policy::{self, Justification};
use super::review_rules::ReviewRules;
use super::timebox::{self, TimeBoxRefusal};
use crate::actor::Actor;
use crate::model::{Decision, DecisionAction, DecisionBasis, Signal, SignalSet};
use event::EventFields;
pub use event::{
    DecisionEvent, EVENT_COLUMN_COUNT, EVENT_COLUMNS, EventExtras, event_from_row, history,
};
use projection::CountChange;

/// One decision to apply to a set of items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRequest<'a> {
    pub items: &'a [i64],
    pub action: DecisionAction,
    pub justification: Option<&'a str>,
    /// What format-2 campaigns also record (basis, end date, stage, packet);
    /// a format-1 campaign refuses a request that sets any of them.
    pub extras: EventExtras,
}

/// Why a decision was refused; nothing was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    SignedOff {
        campaign: String,
    },
    UnknownItem {
        item: i64,
        campaign: String,
    },
    OwnAccess {
        item: i64,
        reviewer: String,
    },
    RevokeNeedsJustification {
        items: Vec<i64>,
    },
    RiskNeedsJustification {
        items: Vec<i64>,
        signals: SignalSet,
    },
    /// An undo of an item that has no decision would only clutter its history.
    NothingToUndo {
        item: i64,
    },
    /// A text field holds U+001F, the byte that separates fields in every
    /// hash recert computes: such an event could be re-split unnoticed.
    Separator {
        field: &'static str,
    },
    /// The request needs evidence format 2 (a basis other than reviewer,
    /// an end date, a second review, a packet), which a campaign created
    /// before format 2 existed cannot record without changing its hashes.
    NeedsFormat2 {
        campaign: String,
        feature: &'static str,
    },
    /// The item awaits a second review, and the first was this reviewer's.
    SameSecondReviewer {
        item: i64,
        reviewer: String,
    },
    /// A reassignment onto the holder of the access.
    ReassignToHolder {
        item: i64,
        reviewer: String,
    },
    /// The item is assigned to that reviewer already.
    AlreadyAssigned {
        item: i64,
        reviewer: String,
    },
    /// A reassignment sent down the decision path: it needs its assignee.
    NotADecision,
    /// A reassignment or close-out without a reason.
    ReasonNeeded,
    /// A time-boxed certification the rules do not allow (PRODUCT.md §7).
    TimeBox(TimeBoxRefusal),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::SignedOff { campaign } => write!(
                f,
                "campaign {campaign:?} is signed off and locked; decisions can no longer change"
            ),
            Refusal::UnknownItem { item, campaign } => {
                write!(
                    f,
                    "item {item} is not in campaign {campaign:?}; list its items with `recert items`"
                )
            }
            Refusal::OwnAccess { item, reviewer } => write!(
                f,
                "item {item} is {reviewer}'s own access; a reviewer never decides on their own access (ask another reviewer)"
            ),
            Refusal::RevokeNeedsJustification { items } => write!(
                f,
                "rule: every revoke needs a justification; add --justification TEXT (items {})",
                list(items)
            ),
            Refusal::NothingToUndo { item } => write!(
                f,
                "item {item} has no decision to undo; nothing was recorded"
            ),
            Refusal::NeedsFormat2 { campaign, feature } => write!(
                f,
                "campaign {campaign:?} was created before recert recorded {feature}; its evidence keeps the first format, so create a new campaign to use it"
            ),
            Refusal::SameSecondReviewer { item, reviewer } => write!(
                f,
                "item {item} needs a second, different reviewer: {reviewer} made its first review; ask another reviewer (or undo the first review to change it)"
            ),
            Refusal::ReassignToHolder { item, reviewer } => write!(
                f,
                "item {item} is {reviewer}'s own access; it cannot be reassigned to them (a reviewer never decides on their own access)"
            ),
            Refusal::AlreadyAssigned { item, reviewer } => write!(
                f,
                "item {item} is already assigned to {reviewer}; nothing was recorded"
            ),
            Refusal::ReasonNeeded => write!(
                f,
                "say why: a reassignment or close-out needs a reason (--reason TEXT); nothing was recorded"
            ),
            Refusal::NotADecision => write!(
                f,
                "a reassignment is recorded with its assignee (recert reassign), not as a decision"
            ),
            Refusal::TimeBox(refusal) => write!(f, "{refusal}"),
            Refusal::Separator { field } => write!(
                f,
                "the {field} holds the control character U+001F, which recert's hash chains use to separate fields; remove it and try again"
            ),
            Refusal::RiskNeedsJustification { items, signals } => write!(
                f,
                "rule: certifying an item with risk signals ({}) needs a justification; add --justification TEXT (items {})",
                signals
                    .iter()
                    .map(Signal::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                list(items)
            ),
        }
    }
}

impl std::error::Error for Refusal {}

fn list(items: &[i64]) -> String {
    const SHOWN: usize = 10;
    let shown = items
        .iter()
        .take(SHOWN)
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match items.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{shown} and {more} more"),
        _ => shown,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    // The cause is the source, not part of the message: an error chain
    // then names it once.
    #[error("recording the decision")]
    Database(#[from] rusqlite::Error),
    #[error(
        "campaign {campaign_id} has no progress counts for control {control_id}: the workspace was changed outside recert (`recert verify` names what); nothing was recorded"
    )]
    MissingCounts {
        campaign_id: i64,
        control_id: String,
    },
}

/// Checks and records one decision on every item of `request` in a single
/// immediate transaction: all items are decided, or none. The same
/// transaction moves `current_decisions` and the per-control counts of
/// `control_stats` (migration 0004 took them out of triggers). Returns once
/// all of it is durably committed.
pub fn record_decisions(
    conn: &mut Connection,
    campaign: &Campaign,
    request: &DecisionRequest<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<usize, DecideError> {
    record_decision_groups(conn, campaign, std::slice::from_ref(request), actor, now)
}

/// [`record_decisions`] for several requests in one transaction, all or
/// none: accepting the recommendations of many items certifies some and
/// revokes others, and a crash between the two must not leave half of it.
/// Returns the number of items decided.
pub fn record_decision_groups(
    conn: &mut Connection,
    campaign: &Campaign,
    requests: &[DecisionRequest<'_>],
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<usize, DecideError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let decided = record_in_transaction(&tx, campaign, requests, actor, now)?;
    tx.commit()?;
    Ok(decided)
}

/// [`record_decision_groups`] inside a transaction the caller holds (with
/// the write lock taken, so what it read there still holds), for a command
/// that decides what to record from the workspace's state: `recert close`
/// decides the items still open. The caller commits.
pub(crate) fn record_in_transaction(
    tx: &Connection,
    campaign: &Campaign,
    requests: &[DecisionRequest<'_>],
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<usize, DecideError> {
    for request in requests {
        if campaign.evidence_format < 2 {
            if let Some(feature) = format2_feature(&request.extras) {
                return Err(Refusal::NeedsFormat2 {
                    campaign: campaign.name.clone(),
                    feature,
                }
                .into());
            }
        }
        for (field, text) in [
            ("justification", request.justification.unwrap_or("")),
            (
                "end date",
                request.extras.valid_until.as_deref().unwrap_or(""),
            ),
            ("assignee", request.extras.assignee.as_deref().unwrap_or("")),
            (
                "key id",
                request.extras.decided_key.as_deref().unwrap_or(""),
            ),
            ("reviewer name", actor.reviewer.as_str()),
            ("OS user name", actor.os_user.as_str()),
            ("host name", actor.host.as_str()),
        ] {
            if text.contains('\u{1f}') {
                return Err(Refusal::Separator { field }.into());
            }
        }
        if let Some(until) = request.extras.valid_until.as_deref() {
            let today = now.date_naive();
            let checked = timebox::check(
                tx,
                campaign,
                request.action,
                request.items,
                request.justification,
                until,
                today,
            )?;
            checked.map_err(Refusal::TimeBox)?;
        }
    }
    // Read the state inside the write lock: another process may have signed off.
    let signed_off: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM signoffs WHERE campaign_id = ?1)",
        [campaign.id],
        |row| row.get(0),
    )?;
    if signed_off || campaign.state == CampaignState::SignedOff {
        return Err(Refusal::SignedOff {
            campaign: campaign.name.clone(),
        }
        .into());
    }
    let decided_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    let own = crate::reviewers::own_keys(tx, campaign.id, &actor.reviewer)?;
    let review = ReviewRules::of_campaign(tx, campaign)?;
    let mut decided = 0;
    for request in requests {
        if !stages::is_decision(request.action) {
            return Err(Refusal::NotADecision.into());
        }
        for step in stages::plan(tx, campaign, &review, request, &own)? {
            let request = DecisionRequest {
                items: &step.items,
                extras: EventExtras {
                    stage: step.stage,
                    ..request.extras.clone()
                },
                ..request.clone()
            };
            let counts_to = step.outcome.counts_to(request.action.decision());
            let changes = check(tx, campaign, &request, actor, &own, counts_to)?;
            let events = append_events(tx, campaign, &request, actor, &decided_at)?;
            projection::apply(tx, campaign.id, step.outcome, events, &changes)?;
        }
        decided += request.items.len();
    }
    Ok(decided)
}

/// Appends one chained event per item and returns the first and last
/// event id written.
fn append_events(
    conn: &Connection,
    campaign: &Campaign,
    request: &DecisionRequest<'_>,
    actor: &Actor,
    decided_at: &str,
) -> rusqlite::Result<(i64, i64)> {
    let mut prev_hash: String = conn
        .query_row(
            "SELECT event_hash FROM decision_events WHERE campaign_id = ?1 ORDER BY id DESC LIMIT 1",
            [campaign.id],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or_else(|| crate::chain::GENESIS.to_owned());
    let first: i64 = conn.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM decision_events",
        [],
        |row| row.get(0),
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO decision_events (campaign_id, action, justification, reviewer, os_user,
             host, decided_at, id, item_id, prev_hash, event_hash, basis, valid_until, assignee,
             stage, decided_key, packet_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    // What every event of the request shares is bound once; SQLite keeps
    // bindings across executions, so each event binds only its own four.
    insert.raw_bind_parameter(1, campaign.id)?;
    insert.raw_bind_parameter(2, request.action.as_str())?;
    insert.raw_bind_parameter(3, request.justification)?;
    insert.raw_bind_parameter(4, actor.reviewer.as_str())?;
    insert.raw_bind_parameter(5, actor.os_user.as_str())?;
    insert.raw_bind_parameter(6, actor.host.as_str())?;
    insert.raw_bind_parameter(7, decided_at)?;
    // A format-2 campaign hashes the extras of every event; a decision by a
    // reviewer says so explicitly.
    let extras = (campaign.evidence_format >= 2).then(|| EventExtras {
        basis: Some(request.extras.basis.unwrap_or(DecisionBasis::Reviewer))
            .filter(|_| request.action != DecisionAction::Reassign),
        ..request.extras.clone()
    });
    let extra = extras.as_ref();
    insert.raw_bind_parameter(12, extra.and_then(|e| e.basis).map(DecisionBasis::as_str))?;
    insert.raw_bind_parameter(13, extra.and_then(|e| e.valid_until.as_deref()))?;
    insert.raw_bind_parameter(14, extra.and_then(|e| e.assignee.as_deref()))?;
    insert.raw_bind_parameter(15, extra.and_then(|e| e.stage))?;
    insert.raw_bind_parameter(16, extra.and_then(|e| e.decided_key.as_deref()))?;
    insert.raw_bind_parameter(17, extra.and_then(|e| e.packet_sha256.as_deref()))?;
    let mut hash = String::with_capacity(64);
    let mut id = first;
    for &item in request.items {
        EventFields {
            id,
            campaign_id: campaign.id,
            item_id: item,
            action: request.action,
            justification: request.justification,
            reviewer: &actor.reviewer,
            os_user: &actor.os_user,
            host: &actor.host,
            decided_at,
            extras: extra,
        }
        .hash_into(&prev_hash, &mut hash);
        insert.raw_bind_parameter(8, id)?;
        insert.raw_bind_parameter(9, item)?;
        insert.raw_bind_parameter(10, prev_hash.as_str())?;
        insert.raw_bind_parameter(11, hash.as_str())?;
        insert.raw_execute()?;
        std::mem::swap(&mut prev_hash, &mut hash);
        id += 1;
    }
    Ok((first, id - 1))
}

/// The rules of PRODUCT.md §4, checked for every item before anything is
/// written. Returns how the decision moves each control's counts, read in
/// the same pass from each item's control and current decision.
///
/// One statement reads every item: the ids go in as a JSON array, so a bulk
/// decision pays for one query instead of one per item. Rows carry their
/// position in the request, so refusals name the same item a check in
/// request order would, whatever order the rows come in.
fn check(
    conn: &Connection,
    campaign: &Campaign,
    request: &DecisionRequest<'_>,
    actor: &Actor,
    own: &[String],
    counts_to: Option<Decision>,
) -> Result<Vec<CountChange>, DecideError> {
    let justified = policy::is_justified(request.justification);
    let new = request.action.decision();
    // (position in the request, item) of the first item refused outright.
    let mut refused: Option<(usize, Refusal)> = None;
    let mut unjustified_revokes = Vec::new();
    let mut unjustified_risks = Vec::new();
    let mut risk_signals = SignalSet::EMPTY;
    let mut changes: Vec<CountChange> = Vec::new();
    // An item named twice is decided once as far as the counts go.
    let mut seen = HashSet::with_capacity(request.items.len());
    let mut lookup = conn.prepare_cached(
        "SELECT r.key, r.value, it.id, it.signal_mask, coalesce(i.identity_id, g.identity_ref),
                i.email, it.control_id, cd.decision, g.identity_ref, p.item_id IS NOT NULL
         FROM json_each(?1) r
         LEFT JOIN items it ON it.id = r.value AND it.campaign_id = ?2
         LEFT JOIN grants g ON g.id = it.grant_row
         LEFT JOIN identities i ON i.id = it.identity_row
         LEFT JOIN current_decisions cd ON cd.item_id = it.id
         LEFT JOIN pending_reviews p ON p.item_id = it.id",
    )?;
    let mut rows = lookup.query((id_array(request.items), campaign.id))?;
    while let Some(row) = rows.next()? {
        let position: usize = row.get(0)?;
        let item: i64 = row.get(1)?;
        if refused.as_ref().is_some_and(|(first, _)| *first < position) {
            continue;
        }
        if row.get_ref(2)? == ValueRef::Null {
            let campaign = campaign.name.clone();
            refused = Some((position, Refusal::UnknownItem { item, campaign }));
            continue;
        }
        let holder = [text(row, 4)?, text(row, 5)?, text(row, 8)?];
        if policy::is_own_access(own, holder.into_iter().flatten()) {
            let reviewer = actor.reviewer.clone();
            refused = Some((position, Refusal::OwnAccess { item, reviewer }));
            continue;
        }
        let old: Option<Decision> = row.get(7)?;
        let awaiting: bool = row.get(9)?;
        if old.is_none() && !awaiting && new.is_none() {
            refused = Some((position, Refusal::NothingToUndo { item }));
            continue;
        }
        if refused.is_some() || !seen.insert(item) {
            continue;
        }
        if old != counts_to {
            let control = text(row, 6)?.unwrap_or_default();
            let index = changes
                .iter()
                .position(|c| c.control_id == control)
                .unwrap_or_else(|| {
                    changes.push(CountChange::new(control));
                    changes.len() - 1
                });
            changes[index].record(old, counts_to);
        }
        if justified {
            continue;
        }
        let Some(decision) = new else { continue };
        let signals = SignalSet::from_bits(row.get(3)?);
        match policy::justification_rule(decision, signals, campaign.justify) {
            Some(Justification::Revoke) => unjustified_revokes.push((position, item)),
            Some(Justification::Risk(needing)) => {
                unjustified_risks.push((position, item));
                risk_signals = SignalSet::from_bits(risk_signals.bits() | needing.bits());
            }
            None => {}
        }
    }
    if let Some((_, refusal)) = refused {
        return Err(refusal.into());
    }
    if !unjustified_revokes.is_empty() {
        return Err(Refusal::RevokeNeedsJustification {
            items: in_request_order(unjustified_revokes),
        }
        .into());
    }
    if !unjustified_risks.is_empty() {
        return Err(Refusal::RiskNeedsJustification {
            items: in_request_order(unjustified_risks),
            signals: risk_signals,
        }
        .into());
    }
    Ok(changes)
}

/// The format-2 feature a request uses, if any (a format-1 campaign's
/// events have none of these fields).
fn format2_feature(extras: &EventExtras) -> Option<&'static str> {
    if extras.basis.is_some_and(|b| b != DecisionBasis::Reviewer) {
        Some("the decision basis (close-out, carry-over)")
    } else if extras.valid_until.is_some() {
        Some("time-boxed certifications")
    } else if extras.assignee.is_some() {
        Some("reassignments")
    } else if extras.stage.is_some() {
        Some("second reviews")
    } else if extras.decided_key.is_some() || extras.packet_sha256.is_some() {
        Some("decisions merged from review packets")
    } else {
        None
    }
}

/// `[1,2,3]`: the ids as the JSON array `json_each` reads.
fn id_array(items: &[i64]) -> String {
    let mut json = String::with_capacity(items.len() * 8 + 2);
    json.push('[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            json.push(',');
        }
        let _ = write!(json, "{item}");
    }
    json.push(']');
    json
}

fn in_request_order(mut items: Vec<(usize, i64)>) -> Vec<i64> {
    items.sort_unstable();
    items.into_iter().map(|(_, item)| item).collect()
}

/// A text column borrowed from the row, without a `String` per item.
fn text<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> rusqlite::Result<Option<&'r str>> {
    match row.get_ref(column)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes)
            .map(Some)
            .map_err(rusqlite::Error::Utf8Error),
        other => Err(rusqlite::Error::InvalidColumnType(
            column,
            String::new(),
            other.data_type(),
        )),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod finishing_tests;
