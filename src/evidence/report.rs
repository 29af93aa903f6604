//! The campaign report for auditors and managers: what it shows, gathered
//! from the workspace, and writing it as one self-contained HTML page.

pub mod auditor;
pub mod finishing;
mod html;
mod svg;

use std::fs::File;
use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};
use color_eyre::eyre::{Result, WrapErr, bail};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::atomic::write_atomically;
use super::export::write_evidence;
use super::order::compare_controls;
use super::signoff::{SignOff, load_sign_off};
use crate::campaign::catalog::Catalog;
use crate::campaign::{Campaign, ranges};
use crate::model::Signal;

/// How many revoked items the page lists; the revocation export has all.
pub const REVOKED_SHOWN: usize = 500;

/// Totals of one control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlTotals {
    pub id: String,
    pub title: String,
    pub total: u64,
    pub certified: u64,
    pub revoked: u64,
}

impl ControlTotals {
    pub fn undecided(&self) -> u64 {
        self.total - self.certified - self.revoked
    }
}

/// One revoked item as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedItem {
    pub item_id: i64,
    pub control_id: String,
    pub identity_id: String,
    pub identity_name: String,
    pub system: String,
    pub entitlement: String,
    pub justification: String,
    pub decided_by: String,
    pub decided_at: String,
}

/// Where the evidence hash on the page comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceSource {
    /// The bytes `recert export` writes for this campaign now.
    Computed,
    /// A file given with `--evidence`, checked to be those same bytes.
    File(String),
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub campaign: Campaign,
    pub controls: Vec<ControlTotals>,
    pub revoked: Vec<RevokedItem>,
    pub revoked_total: u64,
    /// Items per signal, in signal order; signals nobody has are left out.
    pub signals: Vec<(Signal, u64)>,
    pub signoff: Option<SignOff>,
    pub evidence_sha256: String,
    pub evidence_source: EvidenceSource,
    pub last_row_hash: String,
    pub generated_at: DateTime<Utc>,
    /// Decisions made by close-out (the first `finishing::CLOSED_SHOWN`).
    pub closed_out: Vec<finishing::ClosedItem>,
    pub closed_out_total: u64,
    /// The independence warnings, as sentences.
    pub warnings: Vec<String>,
    /// Kept despite a risk signal, time-boxed, remediation, reviewers.
    pub auditor: auditor::Sections,
}

impl Report {
    pub fn total(&self) -> u64 {
        self.controls.iter().map(|c| c.total).sum()
    }
    pub fn certified(&self) -> u64 {
        self.controls.iter().map(|c| c.certified).sum()
    }
    pub fn revoked(&self) -> u64 {
        self.controls.iter().map(|c| c.revoked).sum()
    }
}

/// Collects the report of `campaign`. The evidence SHA-256 is computed from
/// the bytes the export writes (exports are byte-identical, so it is the
/// hash of any evidence file exported from this campaign); with `evidence`,
/// that file is hashed and must hold exactly those bytes.
pub fn gather(
    conn: &Connection,
    campaign: &Campaign,
    evidence: Option<&Path>,
    now: DateTime<Utc>,
) -> Result<Report> {
    let tx = conn.unchecked_transaction()?;
    // Sha256 is an io::Write: the evidence streams into it, never into memory.
    let mut hasher = Sha256::new();
    let summary = write_evidence(&tx, campaign, &mut hasher)?;
    let computed = hex::encode(hasher.finalize());
    let evidence_source = match evidence {
        None => EvidenceSource::Computed,
        Some(path) => {
            let mut file =
                File::open(path).wrap_err_with(|| format!("opening {}", path.display()))?;
            let mut hasher = Sha256::new();
            io::copy(&mut file, &mut hasher)?;
            let found = hex::encode(hasher.finalize());
            if found != computed {
                bail!(
                    "{} is not this campaign's evidence (SHA-256 {found}, but campaign {} exports {computed}); export it again or name the right file",
                    path.display(),
                    campaign.id
                );
            }
            EvidenceSource::File(path.display().to_string())
        }
    };
    let signoff = load_sign_off(&tx, campaign.id)?;
    let (closed_out, closed_out_total) = finishing::closed_items(&tx, campaign.id)?;
    let warnings =
        finishing::warnings(&tx, campaign, signoff.as_ref().map(|s| s.reviewer.as_str()))?;
    Ok(Report {
        campaign: campaign.clone(),
        controls: control_totals(&tx, campaign.id)?,
        revoked: revoked_items(&tx, campaign.id)?,
        revoked_total: summary.revoked,
        signals: signal_counts(&tx, campaign.id)?,
        signoff,
        evidence_sha256: computed,
        evidence_source,
        last_row_hash: summary.last_hash,
        generated_at: now,
        closed_out,
        closed_out_total,
        warnings,
        auditor: auditor::gather(&tx, campaign, now.date_naive())?,
    })
}

/// Writes the page to `path` (atomically, mode 0600: it names people and access).
pub fn write_report(report: &Report, path: &Path) -> Result<()> {
    super::atomic::check_target(path)?;
    write_atomically(path, html::render(report).as_bytes())
        .wrap_err_with(|| format!("writing {}", path.display()))
}

fn control_totals(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<ControlTotals>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT it.control_id, count(*),
             coalesce(sum(cd.decision = 'certify'), 0), coalesce(sum(cd.decision = 'revoke'), 0)
         FROM items it LEFT JOIN current_decisions cd ON cd.item_id = it.id
         WHERE {} GROUP BY it.control_id",
        ranges::in_campaign(ranges::ITEMS_AS_IT, "?1")
    ))?;
    let mut controls = statement
        .query_map([campaign], |row| {
            let id: String = row.get(0)?;
            Ok(ControlTotals {
                title: Catalog::builtin()
                    .get(&id)
                    .map_or_else(String::new, |c| c.title.clone()),
                id,
                total: row.get(1)?,
                certified: row.get(2)?,
                revoked: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    controls.sort_by(|a, b| compare_controls(&a.id, &b.id));
    Ok(controls)
}

fn revoked_items(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<RevokedItem>> {
    let mut statement = conn.prepare_cached(
        "SELECT item_id, control_id, identity_id, coalesce(identity_name, ''), system, entitlement,
             coalesce(justification, ''),
             decided_by_reviewer || ' (' || coalesce(decided_by_os_user, 'unknown') || '@'
                 || coalesce(decided_by_host, 'unknown') || ')',
             decided_at
         FROM item_view WHERE campaign_id = ?1 AND decision = 'revoke'
         ORDER BY system, identity_id, entitlement, item_id LIMIT ?2",
    )?;
    statement
        .query_map(
            (campaign, i64::try_from(REVOKED_SHOWN).unwrap_or(i64::MAX)),
            |row| {
                Ok(RevokedItem {
                    item_id: row.get(0)?,
                    control_id: row.get(1)?,
                    identity_id: row.get(2)?,
                    identity_name: row.get(3)?,
                    system: row.get(4)?,
                    entitlement: row.get(5)?,
                    justification: row.get(6)?,
                    decided_by: row.get(7)?,
                    decided_at: row.get(8)?,
                })
            },
        )?
        .collect()
}

fn signal_counts(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<(Signal, u64)>> {
    let columns: Vec<String> = Signal::ALL
        .iter()
        .map(|s| format!("coalesce(sum(signal_mask & {} != 0), 0)", s.bit()))
        .collect();
    let sql = format!(
        "SELECT {} FROM items it WHERE {}",
        columns.join(", "),
        ranges::in_campaign(ranges::ITEMS_AS_IT, "?1")
    );
    conn.query_row(&sql, [campaign], |row| {
        let mut counts = Vec::new();
        for (index, signal) in Signal::ALL.iter().enumerate() {
            let count: u64 = row.get(index)?;
            if count > 0 {
                counts.push((*signal, count));
            }
        }
        Ok(counts)
    })
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
