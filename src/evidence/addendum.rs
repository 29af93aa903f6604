//! Addenda (PRODUCT.md §5): chained CSV files continuing a campaign's
//! evidence, all written by [`write_rows`]. The packets addendum lists each
//! merged review packet (§9). The remediation addendum (§7): one chained row per
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

/// Streams an addendum of kind `addendum` to `out`: the header, then each
/// row of `rows` (its hashed cells, in the addendum's column order) with
/// formulas neutralised, chained after `evidence_last_hash`. Returns the
/// last row_hash. Every addendum kind is written here.
pub fn write_rows<W: Write>(
    addendum: Addendum,
    rows: impl IntoIterator<Item = Vec<String>>,
    evidence_last_hash: &str,
    out: W,
) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(addendum.columns())?;
    let mut last = evidence_last_hash.to_owned();
    for row in rows {
        debug_assert_eq!(row.len(), addendum.fields().len());
        let cells: Vec<String> = row
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

/// Streams the addendum of `report` to `out`, chained after
/// `evidence_last_hash`; returns the last row_hash.
pub fn write_remediation<W: Write>(
    report: &Report,
    evidence_last_hash: &str,
    out: W,
) -> Result<String, csv::Error> {
    let rows = report.revocations.iter().map(|row| {
        let snapshot = row.snapshot.as_ref();
        vec![
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
    });
    write_rows(Addendum::Remediation, rows, evidence_last_hash, out)
}

/// What [`export_packets`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenPackets {
    pub rows: u64,
    pub evidence_last_hash: String,
    pub last_hash: String,
}

/// Writes the packets addendum of `campaign` to `path`: one chained row
/// per merged packet, the first chained after the campaign's evidence as
/// it exports now (the sign-off's final row_hash once signed off).
pub fn export_packets(
    conn: &Connection,
    campaign: &Campaign,
    path: &Path,
) -> Result<WrittenPackets> {
    check_target(path)?;
    let evidence_last_hash = match load_sign_off(conn, campaign.id)? {
        Some(signoff) => signoff.final_hash,
        None => write_evidence(conn, campaign, std::io::sink())?.last_hash,
    };
    let packets = crate::packet::list::issued(conn, campaign.id)?;
    let mut events =
        conn.prepare("SELECT first_event, last_event FROM packet_merges WHERE packet_id = ?1")?;
    let mut rows = Vec::new();
    for packet in &packets {
        let Some(merged) = &packet.merged else {
            continue;
        };
        let (first, last): (Option<i64>, Option<i64>) =
            events.query_row([packet.id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        rows.push(vec![
            campaign.id.to_string(),
            packet.id.to_string(),
            packet.reviewer.clone(),
            merged.key_id.clone(),
            merged.sha256.clone(),
            merged.items.to_string(),
            merged.decisions.to_string(),
            merged.skipped.to_string(),
            merged.prefer.clone().unwrap_or_default(),
            text(first),
            text(last),
            packet.issued_at.clone(),
            merged.merged_at.clone(),
        ]);
    }
    let count = rows.len() as u64;
    let mut file = AtomicFile::create(path)
        .wrap_err_with(|| format!("creating a temporary file beside {}", path.display()))?;
    let last_hash = write_rows(Addendum::Packets, rows, &evidence_last_hash, &mut file)
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    file.sync()
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    file.commit()
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    Ok(WrittenPackets {
        rows: count,
        evidence_last_hash,
        last_hash,
    })
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
