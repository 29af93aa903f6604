//! Handing items to another reviewer (PRODUCT.md §8): one appended, chained
//! `reassign` event per item, and `items.assigned_reviewer` moved to the
//! assignee in the same transaction (`initial_reviewer` keeps the first).

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, TransactionBehavior};

use super::{DecideError, DecisionRequest, EventExtras, Refusal, append_events};
use crate::actor::Actor;
use crate::campaign::lookup::{Campaign, CampaignState};
use crate::campaign::policy;
use crate::model::DecisionAction;
use crate::reviewers::name::fold;

/// Items to hand to `assignee` (a resolved reviewer's name), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassignment<'a> {
    pub items: &'a [i64],
    pub assignee: &'a str,
    pub reason: &'a str,
}

/// Records the reassignment of every item, all or none, after checking
/// that each is in the campaign, is not the assignee's own access and is
/// not assigned to them already. Returns how many items were reassigned.
pub fn record_reassignment(
    conn: &mut Connection,
    campaign: &Campaign,
    reassignment: &Reassignment<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<usize, DecideError> {
    if campaign.evidence_format < 2 {
        return Err(Refusal::NeedsFormat2 {
            campaign: campaign.name.clone(),
            feature: "reassignments",
        }
        .into());
    }
    let reason = reassignment.reason.trim();
    if !policy::is_justified(Some(reason)) {
        return Err(Refusal::ReasonNeeded.into());
    }
    for (field, text) in [
        ("reason", reason),
        ("assignee", reassignment.assignee),
        ("reviewer name", actor.reviewer.as_str()),
        ("OS user name", actor.os_user.as_str()),
        ("host name", actor.host.as_str()),
    ] {
        if text.contains('\u{1f}') {
            return Err(Refusal::Separator { field }.into());
        }
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
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
    let assignee_keys = crate::reviewers::own_keys(&tx, campaign.id, reassignment.assignee)?;
    check(&tx, campaign, reassignment, &assignee_keys)?;
    let request = DecisionRequest {
        items: reassignment.items,
        action: DecisionAction::Reassign,
        justification: Some(reason),
        extras: EventExtras {
            assignee: Some(reassignment.assignee.to_owned()),
            ..EventExtras::default()
        },
    };
    let decided_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    let (first, last) = append_events(&tx, campaign, &request, actor, &decided_at)?;
    tx.prepare_cached(
        "UPDATE items SET initial_reviewer = coalesce(initial_reviewer, assigned_reviewer),
             assigned_reviewer = ?3
         WHERE id IN (SELECT item_id FROM decision_events WHERE id BETWEEN ?1 AND ?2)",
    )?
    .execute((first, last, reassignment.assignee))?;
    tx.commit()?;
    Ok(reassignment.items.len())
}

/// The first item refused, in request order: unknown, the assignee's own
/// access, or assigned to them already.
fn check(
    conn: &Connection,
    campaign: &Campaign,
    reassignment: &Reassignment<'_>,
    assignee_keys: &[String],
) -> Result<(), DecideError> {
    let mut statement = conn.prepare_cached(
        "SELECT j.value, it.id, coalesce(i.identity_id, g.identity_ref), i.email,
                g.identity_ref, it.assigned_reviewer
         FROM json_each(?1) j
         LEFT JOIN items it ON it.id = j.value AND it.campaign_id = ?2
         LEFT JOIN grants g ON g.id = it.grant_row
         LEFT JOIN identities i ON i.id = it.identity_row
         ORDER BY j.key",
    )?;
    let ids = serde_json::to_string(reassignment.items).unwrap_or_else(|_| "[]".to_owned());
    let mut rows = statement.query((ids, campaign.id))?;
    let assignee = fold(reassignment.assignee);
    while let Some(row) = rows.next()? {
        let item: i64 = row.get(0)?;
        if row.get::<_, Option<i64>>(1)?.is_none() {
            return Err(Refusal::UnknownItem {
                item,
                campaign: campaign.name.clone(),
            }
            .into());
        }
        let holder: [Option<String>; 3] = [row.get(2)?, row.get(3)?, row.get(4)?];
        if policy::is_own_access(assignee_keys, holder.iter().flatten().map(String::as_str)) {
            return Err(Refusal::ReassignToHolder {
                item,
                reviewer: reassignment.assignee.to_owned(),
            }
            .into());
        }
        let current: String = row.get(5)?;
        if fold(&current) == assignee {
            return Err(Refusal::AlreadyAssigned {
                item,
                reviewer: reassignment.assignee.to_owned(),
            }
            .into());
        }
    }
    Ok(())
}
