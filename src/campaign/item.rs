//! One review item as everybody reads it: a row of the `item_view` SQL view.

use rusqlite::Row;
use serde::Serialize;

use crate::model::{Criticality, Decision, GrantType, IdentityKind, IdentityStatus, SignalSet};

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
             WHERE c.item_id = item_view.item_id))";

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
        })
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
