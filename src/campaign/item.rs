//! One review item as everybody reads it: a row of the `item_view` SQL view.

use rusqlite::Row;
use serde::Serialize;

use crate::model::{
    Criticality, Decision, Delta, GrantType, IdentityKind, IdentityStatus, SignalSet,
};

/// Every column of `item_view`, in its order, then the second-review
/// state; select with [`ItemRecord::COLUMNS`] from `item_view` itself
/// (unaliased: the last columns look the item up by `item_view.item_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRecord {
    pub item_id: i64,
    pub campaign_id: i64,
    pub control_id: String,
    pub identity_id: String,
    pub identity_name: Option<String>,
    /// `None` for an orphaned grant: the holder is unknown.
    pub identity_kind: Option<IdentityKind>,
    pub identity_status: Option<IdentityStatus>,
    pub identity_email: Option<String>,
    pub department: Option<String>,
    pub manager_id: Option<String>,
    pub owner_id: Option<String>,
    pub termination_date: Option<String>,
    pub last_login_at: Option<String>,
    /// Extra columns of the identity row, a JSON object.
    pub identity_attributes: Option<String>,
    pub system: String,
    pub entitlement: String,
    pub entitlement_type: GrantType,
    pub privileged: bool,
    pub granted_at: Option<String>,
    pub last_used_at: Option<String>,
    pub last_rotated_at: Option<String>,
    pub expires_at: Option<String>,
    pub grant_attributes: Option<String>,
    pub system_owner: Option<String>,
    pub system_criticality: Option<Criticality>,
    pub source_sha256: String,
    pub source_file: String,
    pub source_line: i64,
    #[serde(skip)]
    pub signals: SignalSet,
    /// One sentence per signal, in signal order (a JSON array in the database).
    pub reasons: Vec<String>,
    pub recommendation: Decision,
    pub recommendation_reason: String,
    pub assigned_reviewer: String,
    pub decision: Option<Decision>,
    pub justification: Option<String>,
    pub decided_by_reviewer: Option<String>,
    pub decided_by_os_user: Option<String>,
    pub decided_by_host: Option<String>,
    pub decided_at: Option<String>,
    /// The holder's key as the export wrote it (login, UPN, IAM user, ...).
    pub account: String,
    /// `reviewer`, `close-out` or `carry-over` (format-2 campaigns).
    pub decision_basis: Option<String>,
    pub valid_until: Option<String>,
    pub decided_key: Option<String>,
    /// How the account was linked to its person; `None` when unlinked
    /// (or for campaigns created before identity correlation).
    pub link_basis: Option<String>,
    /// The person's identity_id, `None` when the account has no person.
    pub person_id: Option<String>,
    /// A secondary (admin) account of the person.
    pub secondary_account: bool,
    /// Why the holder is reviewed as its kind, when an export said so.
    pub kind_reason: Option<String>,
    /// What a reviewer should know about the link (rehire, ambiguity, manual reason).
    pub link_note: Option<String>,
    /// The account's own directory row, if any.
    pub account_row: Option<i64>,
    /// The identity row the `identity_*` fields describe.
    pub holder_row: Option<i64>,
    /// A first review waiting for a second, different reviewer (a control
    /// the rules give a second review): its decision; the item is undecided.
    pub awaiting_second_review: Option<Decision>,
    /// Who made the first review: of the one waiting, or of the two that
    /// decided the item.
    pub first_review_by: Option<String>,
    /// How the grant compares with the baseline; `None` without one.
    pub delta: Option<Delta>,
    /// Recommended for certification because the baseline certified the
    /// unchanged grant: accepting records basis `carry-over`.
    pub carry_over: bool,
    /// The baseline's decision on the same grant.
    pub prior: Option<PriorDecision>,
}

/// The baseline campaign's decision on an item's grant (PRODUCT.md §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorDecision {
    pub item_id: i64,
    pub campaign_id: i64,
    pub campaign: String,
    pub decision: Decision,
    pub justification: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub valid_until: Option<String>,
    pub decision_basis: Option<String>,
}

impl PriorDecision {
    /// `certify 3`: the evidence's `prior_decision` cell.
    pub fn cell(&self) -> String {
        format!("{} {}", self.decision, self.campaign_id)
    }
}

impl ItemRecord {
    /// The select list matching [`ItemRecord::from_row`].
    pub const COLUMNS: &'static str =
        "item_id, campaign_id, control_id, identity_id, identity_name,
        identity_kind, identity_status, identity_email, department, manager_id, owner_id,
        termination_date, last_login_at, identity_attributes, system, entitlement,
        entitlement_type, privileged, granted_at, last_used_at, last_rotated_at, expires_at,
        grant_attributes, system_owner, system_criticality, source_sha256, source_file,
        source_line, signal_mask, reasons, recommendation, recommendation_reason,
        assigned_reviewer, decision, justification, decided_by_reviewer, decided_by_os_user,
        decided_by_host, decided_at, account, decision_basis, valid_until, decided_key,
        link_basis, person_id, secondary_account, kind_reason, link_note, account_row,
        holder_row,
        (SELECT p.decision FROM pending_reviews p WHERE p.item_id = item_view.item_id),
        coalesce(
            (SELECT e.reviewer FROM pending_reviews p JOIN decision_events e ON e.id = p.event_id
             WHERE p.item_id = item_view.item_id),
            (SELECT f.reviewer FROM current_decisions c JOIN decision_events f ON f.id = c.first_event_id
             WHERE c.item_id = item_view.item_id)),
        delta, carry_over, prior_item, prior_campaign_id, prior_campaign_name,
        prior_decision, prior_justification, prior_decided_by_reviewer, prior_decided_at,
        prior_valid_until, prior_basis";

    /// Reads one row; a kind, status, type, criticality or decision that
    /// recert does not write is an error naming the value, never a default.
    pub fn from_row(row: &Row<'_>) -> rusqlite::Result<ItemRecord> {
        let reasons: String = row.get(29)?;
        Ok(ItemRecord {
            item_id: row.get(0)?,
            campaign_id: row.get(1)?,
            control_id: row.get(2)?,
            identity_id: row.get(3)?,
            identity_name: row.get(4)?,
            identity_kind: row.get(5)?,
            identity_status: row.get(6)?,
            identity_email: row.get(7)?,
            department: row.get(8)?,
            manager_id: row.get(9)?,
            owner_id: row.get(10)?,
            termination_date: row.get(11)?,
            last_login_at: row.get(12)?,
            identity_attributes: row.get(13)?,
            system: row.get(14)?,
            entitlement: row.get(15)?,
            entitlement_type: row.get(16)?,
            privileged: row.get(17)?,
            granted_at: row.get(18)?,
            last_used_at: row.get(19)?,
            last_rotated_at: row.get(20)?,
            expires_at: row.get(21)?,
            grant_attributes: row.get(22)?,
            system_owner: row.get(23)?,
            system_criticality: row.get(24)?,
            source_sha256: row.get(25)?,
            source_file: row.get(26)?,
            source_line: row.get(27)?,
            signals: SignalSet::from_bits(row.get(28)?),
            reasons: serde_json::from_str(&reasons).map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(
                    29,
                    rusqlite::types::Type::Text,
                    Box::new(err),
                )
            })?,
            recommendation: row.get(30)?,
            recommendation_reason: row.get(31)?,
            assigned_reviewer: row.get(32)?,
            decision: row.get(33)?,
            justification: row.get(34)?,
            decided_by_reviewer: row.get(35)?,
            decided_by_os_user: row.get(36)?,
            decided_by_host: row.get(37)?,
            decided_at: row.get(38)?,
            account: row.get(39)?,
            decision_basis: row.get(40)?,
            valid_until: row.get(41)?,
            decided_key: row.get(42)?,
            link_basis: row.get(43)?,
            person_id: row.get(44)?,
            secondary_account: row.get::<_, Option<bool>>(45)?.unwrap_or(false),
            kind_reason: row.get(46)?,
            link_note: row.get(47)?,
            account_row: row.get(48)?,
            holder_row: row.get(49)?,
            awaiting_second_review: row.get(50)?,
            first_review_by: row.get(51)?,
            delta: row.get(52)?,
            carry_over: row.get::<_, Option<bool>>(53)?.unwrap_or(false),
            prior: prior_from_row(row)?,
        })
    }

    /// The evidence's `prior_decision` cell, e.g. `certify 3`.
    pub fn prior_decision(&self) -> Option<String> {
        self.prior.as_ref().map(PriorDecision::cell)
    }

    /// `reviewer (os_user@host)` of the current decision, as evidence writes it.
    pub fn decided_by(&self) -> Option<String> {
        let reviewer = self.decided_by_reviewer.as_deref()?;
        Some(format!(
            "{reviewer} ({}@{})",
            self.decided_by_os_user.as_deref().unwrap_or("unknown"),
            self.decided_by_host.as_deref().unwrap_or("unknown")
        ))
    }

    pub fn is_orphaned(&self) -> bool {
        self.identity_kind.is_none()
    }
}

/// The baseline's decision of a row selected with [`ItemRecord::COLUMNS`]
/// (columns 52 to 60), when it has one.
fn prior_from_row(row: &Row<'_>) -> rusqlite::Result<Option<PriorDecision>> {
    let (Some(item_id), Some(campaign_id), Some(decision)) = (
        row.get::<_, Option<i64>>(54)?,
        row.get::<_, Option<i64>>(55)?,
        row.get::<_, Option<Decision>>(57)?,
    ) else {
        return Ok(None);
    };
    Ok(Some(PriorDecision {
        item_id,
        campaign_id,
        campaign: row.get::<_, Option<String>>(56)?.unwrap_or_default(),
        decision,
        justification: row.get(58)?,
        decided_by: row.get(59)?,
        decided_at: row.get(60)?,
        valid_until: row.get(61)?,
        decision_basis: row.get(62)?,
    }))
}
