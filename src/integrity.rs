//! Re-checking the workspace's hash-chained decision log, to detect events
//! altered, deleted or inserted behind recert's back (plain SQL, a dropped trigger).

mod projection;
mod signoff_log;
mod signoffs;

use std::fmt;

use color_eyre::eyre::{Result, WrapErr};
use minisign::PublicKey;
use rusqlite::Connection;

use crate::campaign::DecisionEvent;
use crate::campaign::decisions::{EVENT_COLUMN_COUNT, EVENT_COLUMNS, event_from_row};
use crate::chain::GENESIS;

/// The triggers that make the logs append-only, sign-offs final and lock
/// signed-off campaigns; a missing one means somebody removed the protection
/// with plain SQL. (The projection is recert's own since schema 4, and
/// checked below.)
const GUARDS: &[&str] = &[
    "decision_events_append_only_update",
    "decision_events_append_only_delete",
    "signoffs_lock_decisions",
    "signoffs_final_update",
    "signoffs_final_delete",
    "signoff_log_append_only_update",
    "signoff_log_append_only_delete",
    "link_events_append_only_update",
    "link_events_append_only_delete",
    "reviewers_append_only_update",
    "reviewers_append_only_delete",
    "remediation_checks_append_only_update",
    "remediation_checks_append_only_delete",
];

/// What `verify_decision_log` found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogReport {
    /// Every campaign, with or without events, in id order.
    pub chains: Vec<ChainSummary>,
    /// Every signed-off campaign's sign-off and its signature, in campaign order.
    pub signoffs: Vec<SignOffStatus>,
    /// Everything that does not match, in the order found (chains in
    /// campaign order, then missing events, then the projection).
    pub problems: Vec<LogProblem>,
    /// The manual link chain: how many events and its head hash.
    pub links: (u64, String),
}

/// One sign-off as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOffStatus {
    pub campaign_id: i64,
    /// `reviewer (os_user@host)`.
    pub signer: String,
    pub signed_at: String,
    pub signature: SignatureState,
}

/// What is known of a sign-off's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureState {
    /// Signed off without a key, and not signed since.
    Unsigned,
    /// Signed, but no public key was given to check it.
    NotChecked { key_id: String },
    /// Checked with the given public key.
    Good { key_id: String },
    /// Does not verify with the given public key (named in the problems).
    Bad { key_id: String },
}

impl LogReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn events(&self) -> u64 {
        self.chains.iter().map(|c| c.events).sum()
    }
}

/// One campaign's chain as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    pub campaign_id: i64,
    pub campaign_name: String,
    pub events: u64,
    /// The stored `event_hash` of the campaign's latest event (64 zeros when
    /// it has none): write it down to detect a later rewrite of the whole tail.
    pub head: String,
}

/// One thing in the log that recert did not write that way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogProblem {
    pub kind: ProblemKind,
    pub campaign_id: Option<i64>,
    pub event_id: Option<i64>,
    pub item_id: Option<i64>,
    /// What is wrong, as a sentence for the reader.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// An event's fields no longer give its hash, or it names a foreign
    /// item; or a manual link event was edited, removed or inserted.
    Altered,
    /// An event id is missing, or the chain skips over deleted events.
    Deleted,
    /// The chain does not link: an event was inserted, re-ordered or re-hashed.
    Inserted,
    /// `current_decisions` disagrees with the latest events, or a control's
    /// stored counts with `current_decisions`.
    Projection,
    /// An append-only trigger is gone.
    Unprotected,
    /// A signed-off campaign no longer gives the evidence it was signed off
    /// with, or its sign-off no longer reads as logged.
    SignedOff,
    /// A logged sign-off is gone: the campaign was reopened.
    Reopened,
    /// A sign-off's signature is missing, made with another key, or wrong.
    Signature,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Altered => "altered",
            ProblemKind::Deleted => "deleted",
            ProblemKind::Inserted => "inserted",
            ProblemKind::Projection => "projection",
            ProblemKind::Unprotected => "unprotected",
            ProblemKind::SignedOff => "changed after sign-off",
            ProblemKind::Reopened => "sign-off deleted",
            ProblemKind::Signature => "sign-off signature",
        }
    }
}

impl fmt::Display for LogProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(event) = self.event_id {
            place.push(format!("event {event}"));
        }
        if let Some(item) = self.item_id {
            place.push(format!("item {item}"));
        }
        if let Some(campaign) = self.campaign_id {
            place.push(format!("campaign {campaign}"));
        }
        if place.is_empty() {
            write!(f, "{}: {}", self.kind.as_str(), self.detail)
        } else {
            write!(
                f,
                "{} ({}): {}",
                place.join(", "),
                self.kind.as_str(),
                self.detail
            )
        }
    }
}

/// Re-computes every campaign's decision chain from the stored fields and
/// reports each event that was altered, deleted or inserted, missing
/// append-only triggers, `current_decisions` rows that disagree with the
/// latest events, per-control counts that disagree with those, signed-off
/// campaigns whose evidence no longer ends with the hash recorded at
/// sign-off, and a sign-off log that does not match the sign-offs. Reads
/// only; run it inside a read transaction for a consistent view of a
/// workspace other processes write to.
pub fn verify_decision_log(conn: &Connection) -> Result<LogReport> {
    verify_workspace(conn, None)
}

/// [`verify_decision_log`], and with the signer's `public` key every
/// sign-off's signature is checked too: a sign-off not signed with it is a
/// problem, since nothing outside the workspace vouches for it.
pub fn verify_workspace(conn: &Connection, public: Option<&PublicKey>) -> Result<LogReport> {
    let mut report = LogReport::default();
    check_guards(conn, &mut report).wrap_err("reading the workspace's triggers")?;
    let gaps = missing_ids(conn).wrap_err("reading decision event ids")?;
    let mut explained = vec![false; gaps.len()];
    check_chains(conn, &gaps, &mut explained, &mut report)
        .wrap_err("re-computing the decision chains")?;
    for (gap, _) in gaps.iter().zip(&explained).filter(|(_, used)| !**used) {
        report.problems.push(LogProblem {
            kind: ProblemKind::Deleted,
            campaign_id: None,
            event_id: Some(gap.0),
            item_id: None,
            detail: deleted_detail(*gap),
        });
    }
    projection::check(conn, &mut report).wrap_err("comparing current decisions with events")?;
    projection::check_counts(conn, &mut report)
        .wrap_err("comparing per-control counts with current decisions")?;
    projection::check_ranges(conn, &mut report)
        .wrap_err("comparing per-control item ranges with the items")?;
    projection::check_reviewer_runs(conn, &mut report)
        .wrap_err("comparing reviewers' item runs with the items")?;
    signoffs::check(conn, &mut report).wrap_err("re-computing signed-off evidence")?;
    signoff_log::check(conn, public, &mut report).wrap_err("checking the sign-off log")?;
    report.links = crate::identity::links::chain_head(conn).wrap_err("reading the link chain")?;
    for detail in
        crate::identity::links::check_chain(conn).wrap_err("re-computing the link chain")?
    {
        report.problems.push(LogProblem {
            kind: ProblemKind::Altered,
            campaign_id: None,
            event_id: None,
            item_id: None,
            detail,
        });
    }
    Ok(report)
}

fn check_guards(conn: &Connection, report: &mut LogReport) -> rusqlite::Result<()> {
    let mut exists = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?1)",
    )?;
    for guard in GUARDS {
        if !exists.query_row([guard], |row| row.get::<_, bool>(0))? {
            report.problems.push(LogProblem {
                kind: ProblemKind::Unprotected,
                campaign_id: None,
                event_id: None,
                item_id: None,
                detail: format!(
                    "trigger {guard} is missing: the log's protection was removed outside recert"
                ),
            });
        }
    }
    Ok(())
}

/// Ranges `(first, last)` of event ids absent below the highest one. recert
/// numbers events `max(id) + 1` inside the write lock, so ids have no gaps.
fn missing_ids(conn: &Connection) -> rusqlite::Result<Vec<(i64, i64)>> {
    let mut statement = conn.prepare("SELECT id FROM decision_events ORDER BY id")?;
    let mut rows = statement.query([])?;
    let mut gaps = Vec::new();
    let mut expected = 1_i64;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        if id > expected {
            gaps.push((expected, id - 1));
        }
        expected = id.saturating_add(1);
    }
    Ok(gaps)
}

fn deleted_detail((first, last): (i64, i64)) -> String {
    if first == last {
        format!("event {first} is missing: it was deleted from the log")
    } else {
        format!("events {first} to {last} are missing: they were deleted from the log")
    }
}

/// The raw columns of one event: the action as stored, not as parsed, so a
/// changed spelling cannot hide behind a lenient parser.
struct StoredEvent {
    event: DecisionEvent,
    action: String,
    event_hash: String,
    item_campaign: Option<i64>,
}

fn check_chains(
    conn: &Connection,
    gaps: &[(i64, i64)],
    explained: &mut [bool],
    report: &mut LogReport,
) -> rusqlite::Result<()> {
    let mut campaigns = conn.prepare("SELECT id, name FROM campaigns ORDER BY id")?;
    report.chains = campaigns
        .query_map([], |row| {
            Ok(ChainSummary {
                campaign_id: row.get(0)?,
                campaign_name: row.get(1)?,
                events: 0,
                head: GENESIS.to_owned(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut statement = conn.prepare(&format!(
        "SELECT {EVENT_COLUMNS}, e.event_hash, it.campaign_id
             FROM decision_events e LEFT JOIN items it ON it.id = e.item_id
             ORDER BY e.campaign_id, e.id"
    ))?;
    let mut rows = statement.query([])?;
    // (campaign, previous event id, the hash the next event must carry)
    let mut chain: Option<(i64, i64, String)> = None;
    while let Some(row) = rows.next()? {
        // The first columns are `history`'s, so its row mapper reads them.
        let stored = StoredEvent {
            event: event_from_row(row)?,
            action: row.get(3)?,
            event_hash: row.get(EVENT_COLUMN_COUNT)?,
            item_campaign: row.get(EVENT_COLUMN_COUNT + 1)?,
        };
        let event = &stored.event;
        let (prev_id, expected) = match &chain {
            Some((campaign, prev_id, hash)) if *campaign == event.campaign_id => {
                (*prev_id, hash.clone())
            }
            _ => (0, GENESIS.to_owned()),
        };
        if event.prev_hash != expected {
            report
                .problems
                .push(link_problem(event, prev_id, gaps, explained));
        }
        check_event(&stored, report);
        if let Some(summary) = report
            .chains
            .iter_mut()
            .find(|c| c.campaign_id == event.campaign_id)
        {
            summary.events += 1;
            summary.head.clone_from(&stored.event_hash);
        }
        chain = Some((event.campaign_id, event.id, stored.event_hash));
    }
    Ok(())
}

/// Why `event` does not link to the campaign's previous event `prev_id`
/// (0 = it should have been the first): events deleted between them, or
/// else something inserted or re-hashed.
fn link_problem(
    event: &DecisionEvent,
    prev_id: i64,
    gaps: &[(i64, i64)],
    explained: &mut [bool],
) -> LogProblem {
    let between = gaps
        .iter()
        .position(|&(first, last)| first > prev_id && last < event.id);
    let (kind, event_id, item_id, detail) = if let Some(index) = between {
        explained[index] = true;
        (
            ProblemKind::Deleted,
            gaps[index].0,
            None,
            format!(
                "{}; event {} no longer links to the event before it",
                deleted_detail(gaps[index]),
                event.id
            ),
        )
    } else if prev_id == 0 {
        (
            ProblemKind::Inserted,
            event.id,
            Some(event.item_id),
            "the campaign's first event does not start from the genesis hash: earlier events were deleted or this one was inserted".to_owned(),
        )
    } else {
        (
            ProblemKind::Inserted,
            event.id,
            Some(event.item_id),
            format!(
                "does not link to event {prev_id} before it: an event was inserted or re-ordered here, or event {prev_id} was altered and re-hashed"
            ),
        )
    };
    LogProblem {
        kind,
        campaign_id: Some(event.campaign_id),
        event_id: Some(event_id),
        item_id,
        detail,
    }
}

fn check_event(stored: &StoredEvent, report: &mut LogReport) {
    let event = &stored.event;
    let mut altered = |detail: String| {
        report.problems.push(LogProblem {
            kind: ProblemKind::Altered,
            campaign_id: Some(event.campaign_id),
            event_id: Some(event.id),
            item_id: Some(event.item_id),
            detail,
        });
    };
    if event.action.as_str() != stored.action {
        altered(format!(
            "its action {:?} is not one recert writes",
            stored.action
        ));
    } else if event.hash() != stored.event_hash {
        altered(
            "its recorded fields (decision, justification, reviewer, time...) no longer give its event_hash"
                .to_owned(),
        );
    }
    if stored.item_campaign != Some(event.campaign_id) {
        altered(format!(
            "it names item {} which is not an item of campaign {}",
            event.item_id, event.campaign_id
        ));
    }
}

#[cfg(test)]
mod tests;
