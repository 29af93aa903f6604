//! The remediation addendum (PRODUCT.md §5, §7): one chained row per
//! revocation of a signed-off campaign with its remediation state and the
//! snapshot that shows it. Its first `prev_hash` is the last row_hash of
//! the campaign's evidence (as recorded at sign-off), so the addendum
//! continues the signed evidence without rewriting it. Signed like
//! evidence, with a trusted comment naming the addendum.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use color_eyre::eyre::{Result, WrapErr, bail};
use rusqlite::Connection;

use super::atomic::{AtomicFile, check_target, write_atomically};
use super::export::write_evidence;
use super::format::Addendum;
use super::keys::SigningKey;
use super::seal::seal;
use super::sign::{addendum_comment, sign_file, signature_path};
use super::signoff::load_sign_off;
use crate::campaign::Campaign;
use crate::chain;
use crate::remediation::{Counts, Report, report};
use crate::text::{for_display, neutralise_formula};

/// What [`export_remediation`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenAddendum {
    pub rows: u64,
    pub counts: Counts,
    /// The evidence's last row_hash: the first row's prev_hash.
    pub evidence_last_hash: String,
    pub last_hash: String,
    pub signature: Option<PathBuf>,
}

/// Streams the addendum of `report` to `out`, chained after
/// `evidence_last_hash`; returns the last row_hash.
pub fn write_remediation<W: Write>(
    report: &Report,
    evidence_last_hash: &str,
    out: W,
) -> Result<String, csv::Error> {
    let addendum = Addendum::Remediation;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(addendum.columns())?;
    let mut last = evidence_last_hash.to_owned();
    for row in &report.revocations {
        let snapshot = row.snapshot.as_ref();
        let cells: Vec<String> = [
            report.campaign_id.to_string(),
            row.item_id.to_string(),
            row.system.clone(),
            row.account.clone(),
            row.entitlement.clone(),
            row.decision.to_owned(),
            row.decided_at.clone(),
            row.state.to_owned(),
            snapshot.map(|s| s.id.to_string()).unwrap_or_default(),
            snapshot.map(|s| s.file.clone()).unwrap_or_default(),
            snapshot.map(|s| s.sha256.clone()).unwrap_or_default(),
            snapshot.map(|s| s.imported_at.clone()).unwrap_or_default(),
            row.days_since_signoff.to_string(),
        ]
        .iter()
        .map(|cell| neutralise_formula(cell).into_owned())
        .collect();
        let hash = chain::link(&last, &cells);
        writer.write_record(
            cells
                .iter()
                .map(String::as_str)
                .chain([last.as_str(), hash.as_str()]),
        )?;
        last = hash;
    }
    writer.flush()?;
    Ok(last)
}

/// Writes the remediation addendum of signed-off `campaign` to `path`, and
/// with `key` also `path.minisig`. The caller refreshes remediation first.
/// With a key, as for evidence, the sign-off must check out against its
/// log and the evidence must still end with the recorded row_hash.
pub fn export_remediation(
    conn: &Connection,
    campaign: &Campaign,
    path: &Path,
    key: Option<&SigningKey>,
    now: DateTime<Utc>,
) -> Result<WrittenAddendum> {
    let Some(signoff) = load_sign_off(conn, campaign.id)? else {
        bail!(
            "campaign {} ({}) is not signed off: its revocations are followed from sign-off on, and the addendum continues its final evidence (recert signoff {})",
            campaign.id,
            for_display(&campaign.name),
            campaign.id
        );
    };
    check_target(path)?;
    if key.is_some() {
        check_target(&signature_path(path))?;
    }
    let today: NaiveDate = now.date_naive();
    let Some(report) = report(conn, campaign, today)? else {
        bail!("campaign {} is not signed off", campaign.id);
    };
    if let Some(key) = key {
        let evidence = write_evidence(conn, campaign, std::io::sink())?;
        if evidence.last_hash != signoff.final_hash {
            bail!(
                "refusing to sign: the evidence ends with row_hash {} but the sign-off recorded {}; the workspace was changed outside recert",
                evidence.last_hash,
                signoff.final_hash
            );
        }
        seal(
            conn,
            campaign.id,
            &signoff.final_hash,
            key,
            &now.to_rfc3339_opts(SecondsFormat::Millis, true),
        )?;
    }
    let mut file = AtomicFile::create(path)
        .wrap_err_with(|| format!("creating a temporary file beside {}", path.display()))?;
    let last_hash = write_remediation(&report, &signoff.final_hash, &mut file)
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    file.sync()
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    let rows = report.revocations.len() as u64;
    let mut signature = None;
    if let Some(key) = key {
        let comment = addendum_comment(
            campaign,
            &signoff,
            &signoff.final_hash,
            rows,
            &report.counts,
            &last_hash,
        );
        let text = sign_file(key, file.temp_path(), &comment)?;
        file.commit()
            .wrap_err_with(|| format!("writing {}", path.display()))?;
        let sig_path = signature_path(path);
        write_atomically(&sig_path, text.as_bytes())
            .wrap_err_with(|| format!("writing {}", sig_path.display()))?;
        signature = Some(sig_path);
    } else {
        file.commit()
            .wrap_err_with(|| format!("writing {}", path.display()))?;
    }
    Ok(WrittenAddendum {
        rows,
        counts: report.counts,
        evidence_last_hash: signoff.final_hash,
        last_hash,
        signature,
    })
}
