//! Writing `evidence.csv`: one hash-chained row per item, streamed from the
//! workspace in evidence order (PRODUCT.md §5).

use std::fmt::Write as _;
use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::format::{EvidenceFormat, Field};
use super::order::campaign_controls;
use crate::campaign::Campaign;
use crate::campaign::catalog::Catalog;
use crate::campaign::ranges;
use crate::chain::{self, GENESIS};
use crate::model::SignalSet;
use crate::text::neutralise_formula;

/// Why an export could not be written. The cause is the error's source,
/// not part of its message, so an error chain names it once.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("reading the campaign's items")]
    Database(#[from] rusqlite::Error),
    #[error("writing the evidence")]
    Write(#[from] csv::Error),
    #[error("writing the evidence")]
    Io(#[from] std::io::Error),
}

/// What an export wrote: counts and the chain's last hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceSummary {
    pub rows: u64,
    pub certified: u64,
    pub revoked: u64,
    pub undecided: u64,
    /// `row_hash` of the last row, or 64 zeros for a campaign without items.
    pub last_hash: String,
}

/// `reviewer (os_user@host)` of the first of two reviews that decided an
/// item (a control that needs a second reviewer), else NULL.
const FIRST_REVIEW: &str =
    "(SELECT f.reviewer || ' (' || coalesce(nullif(f.os_user, ''), 'unknown')
        || '@' || coalesce(nullif(f.host, ''), 'unknown') || ')'
    FROM current_decisions c JOIN decision_events f ON f.id = c.first_event_id
    WHERE c.item_id = item_view.item_id)";

/// The columns read from `item_view`, in the order `fill_item_cells` expects.
/// One control's rows (?1 campaign, ?2 control) in item order.
fn select() -> String {
    format!(
        "SELECT item_id, identity_id, identity_name, identity_kind, identity_status,
            system, entitlement, entitlement_type, privileged, signal_mask, recommendation,
            assigned_reviewer, decision, justification, decided_by_reviewer, decided_by_os_user,
            decided_by_host, decided_at, source_sha256, account, decision_basis, valid_until,
            decided_key, link_basis, {FIRST_REVIEW}, prior_decision, prior_campaign_id
        FROM item_view WHERE {} ORDER BY item_id",
        ranges::in_control(ranges::VIEW, "?1", "?2")
    )
}

/// Streams the campaign's evidence to `out` and returns its summary.
///
/// Rows are read one control at a time through its id range, already in
/// item order, so nothing is sorted or held in memory.
/// One buffer of cells is reused for every row and each row's hash is
/// computed from exactly the bytes written. The campaign's format decides
/// which cells a row has (format 1 for campaigns created before format 2).
pub fn write_evidence<W: Write>(
    conn: &Connection,
    campaign: &Campaign,
    out: W,
) -> Result<EvidenceSummary, ExportError> {
    let format = EvidenceFormat::of_campaign(campaign.evidence_format);
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(format.columns())?;
    // Indexed by `Field`; each row writes the fields of its format.
    let mut cells: Vec<String> = vec![String::new(); Field::COUNT];
    set(
        &mut cells[Field::CampaignId as usize],
        &campaign.id.to_string(),
    );
    set(&mut cells[Field::CampaignName as usize], &campaign.name);
    set(
        &mut cells[Field::Period as usize],
        campaign.period.as_deref().unwrap_or(""),
    );
    set(&mut cells[Field::AsOf as usize], &campaign.as_of);
    let mut summary = EvidenceSummary {
        rows: 0,
        certified: 0,
        revoked: 0,
        undecided: 0,
        last_hash: GENESIS.to_owned(),
    };
    let mut scratch = String::new();
    for control in campaign_controls(conn, campaign.id)? {
        set(&mut cells[Field::ControlId as usize], &control);
        // A control the catalog does not know gets an empty title, not a guess.
        let title = Catalog::builtin()
            .get(&control)
            .map_or("", |c| c.title.as_str());
        set(&mut cells[Field::ControlTitle as usize], title);
        let mut statement = conn.prepare_cached(&select())?;
        let mut rows = statement.query((campaign.id, &control))?;
        while let Some(row) = rows.next()? {
            fill_item_cells(row, &mut cells, &mut scratch)?;
            match cells[Field::Decision as usize].as_str() {
                "certify" => summary.certified += 1,
                "revoke" => summary.revoked += 1,
                _ => summary.undecided += 1,
            }
            let in_order = || format.fields().iter().map(|f| cells[*f as usize].as_str());
            let hash = chain::link(&summary.last_hash, in_order());
            writer.write_record(in_order().chain([summary.last_hash.as_str(), hash.as_str()]))?;
            summary.last_hash = hash;
            summary.rows += 1;
        }
    }
    writer.flush()?;
    Ok(summary)
}

/// Fills the item's cells (every field but the campaign's and the
/// control's) from one `SELECT` row.
fn fill_item_cells(
    row: &rusqlite::Row<'_>,
    cells: &mut [String],
    scratch: &mut String,
) -> rusqlite::Result<()> {
    let mut put = |field: Field, value: &str| set(&mut cells[field as usize], value);
    let item_id: i64 = row.get(0)?;
    scratch.clear();
    let _ = write!(scratch, "{item_id}");
    put(Field::ItemId, scratch);
    for (field, column) in [
        (Field::IdentityId, 1),
        (Field::IdentityName, 2),
        (Field::IdentityKind, 3),
        (Field::IdentityStatus, 4),
        (Field::System, 5),
        (Field::Entitlement, 6),
        (Field::EntitlementType, 7),
    ] {
        put(field, text(row, column)?);
    }
    let privileged: bool = row.get(8)?;
    put(Field::Privileged, if privileged { "true" } else { "false" });
    scratch.clear();
    for (n, signal) in SignalSet::from_bits(row.get(9)?).iter().enumerate() {
        if n > 0 {
            scratch.push(';');
        }
        scratch.push_str(signal.as_str());
    }
    put(Field::Signals, scratch);
    for (field, column) in [
        (Field::Recommendation, 10),
        (Field::AssignedReviewer, 11),
        (Field::Decision, 12),
        (Field::Justification, 13),
    ] {
        put(field, text(row, column)?);
    }
    scratch.clear();
    // Both deciders of a second review, the first review first.
    let first = text(row, 24)?;
    if !first.is_empty() {
        let _ = write!(scratch, "{first}; ");
    }
    let reviewer = text(row, 14)?;
    if !reviewer.is_empty() {
        let os_user = or_unknown(text(row, 15)?);
        let host = or_unknown(text(row, 16)?);
        let _ = write!(scratch, "{reviewer} ({os_user}@{host})");
    }
    put(Field::DecidedBy, scratch);
    put(Field::DecidedAt, &rfc3339_utc(text(row, 17)?));
    put(Field::SourceSha256, text(row, 18)?);
    put(Field::Account, text(row, 19)?);
    // A decided item of a format-2 campaign always has a basis; the
    // events of format 1 had none (their rows do not have the column).
    let decided = !text(row, 12)?.is_empty();
    let basis = text(row, 20)?;
    put(
        Field::DecisionBasis,
        if basis.is_empty() && decided {
            "reviewer"
        } else {
            basis
        },
    );
    put(Field::ValidUntil, text(row, 21)?);
    put(Field::DecidedKey, text(row, 22)?);
    put(Field::LinkBasis, text(row, 23)?);
    // The baseline's decision on the same grant: `certify 3` (PRODUCT.md §7).
    scratch.clear();
    let prior = text(row, 25)?;
    if !prior.is_empty() {
        let campaign: i64 = row.get(26)?;
        let _ = write!(scratch, "{prior} {campaign}");
    }
    put(Field::PriorDecision, scratch);
    Ok(())
}

/// Replaces `cell` with `value`, formula-neutralised.
fn set(cell: &mut String, value: &str) {
    cell.clear();
    cell.push_str(&neutralise_formula(value));
}

/// A text column, NULL as the empty string, without copying.
fn text<'r>(row: &'r rusqlite::Row<'_>, index: usize) -> rusqlite::Result<&'r str> {
    match row.get_ref(index)? {
        ValueRef::Null => Ok(""),
        value => value.as_str().map_err(Into::into),
    }
}

fn or_unknown(value: &str) -> &str {
    if value.is_empty() { "unknown" } else { value }
}

/// A stored decision time as RFC 3339 UTC with milliseconds; a value that
/// does not parse is kept as stored rather than guessed at.
pub fn rfc3339_utc(stored: &str) -> std::borrow::Cow<'_, str> {
    // Fast path: recert stores exactly this form (`2026-12-01T09:00:00.000Z`).
    let bytes = stored.as_bytes();
    if stored.is_empty()
        || (bytes.len() == 24 && bytes[10] == b'T' && bytes[19] == b'.' && bytes[23] == b'Z')
    {
        return stored.into();
    }
    match DateTime::parse_from_rfc3339(stored) {
        Ok(at) => at
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Millis, true)
            .into(),
        Err(_) => stored.into(),
    }
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
