//! Addenda (PRODUCT.md §5): chained CSV files whose first `prev_hash` is
//! the last row_hash of the campaign's evidence (as recorded at sign-off),
//! so they continue the signed evidence without rewriting it. One writer
//! serves every kind ([`Addendum`]): it checks the sign-off, writes the
//! rows atomically (formula-neutralised, each hashed onto the one before)
//! and signs the file like evidence, with a trusted comment naming the
//! kind. The remediation addendum (PRODUCT.md §7) is the first user; the
//! sample (`super::sample`) the second.

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
use super::signoff::{SignOff, load_sign_off};
use crate::campaign::Campaign;
use crate::chain;
use crate::remediation::{Counts, Report, report};
use crate::text::{for_display, neutralise_formula};

/// What [`publish_addendum`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenAddendum {
    pub rows: u64,
    /// The evidence's last row_hash: the first row's prev_hash.
    pub evidence_last_hash: String,
    pub last_hash: String,
    pub signature: Option<PathBuf>,
}

/// Writes an addendum's rows: the header first, then each row's cells
/// formula-neutralised and chained onto the row before, starting from the
/// evidence's last row_hash.
pub struct AddendumWriter<W: Write> {
    kind: Addendum,
    writer: csv::Writer<W>,
    last: String,
    rows: u64,
}

impl<W: Write> AddendumWriter<W> {
    /// Writes the header of `kind` to `out`; rows follow `evidence_last_hash`.
    pub fn new(kind: Addendum, evidence_last_hash: &str, out: W) -> Result<Self, csv::Error> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(out);
        writer.write_record(kind.columns())?;
        Ok(AddendumWriter {
            kind,
            writer,
            last: evidence_last_hash.to_owned(),
            rows: 0,
        })
    }

    /// Writes one row of the kind's hashed cells, in column order.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), csv::Error> {
        debug_assert_eq!(cells.len(), self.kind.fields().len());
        let cells: Vec<String> = cells
            .iter()
            .map(|cell| neutralise_formula(cell.as_ref()).into_owned())
            .collect();
        let hash = chain::link(&self.last, &cells);
        self.writer.write_record(
            cells
                .iter()
                .map(String::as_str)
                .chain([self.last.as_str(), hash.as_str()]),
        )?;
        self.last = hash;
        self.rows += 1;
        Ok(())
    }

    /// Flushes; returns the rows written and the last row_hash.
    pub fn finish(mut self) -> Result<(u64, String), csv::Error> {
        self.writer.flush()?;
        Ok((self.rows, self.last))
    }
}

/// What the caller of [`publish_addendum`] writes into the file: the
/// `key=value` figures of its trusted comment, and anything it returns.
pub struct Body<T> {
    pub counts: String,
    pub value: T,
}

/// Writes the `kind` addendum of signed-off `campaign` to `path`, and with
/// `key` also `path.minisig`. `write` fills the rows once the sign-off and
/// the targets are checked. With a key, as for evidence, the sign-off must
/// check out against its log and the evidence must still end with the
/// recorded row_hash. Nothing is left under `path` when anything fails.
pub fn publish_addendum<T>(
    conn: &Connection,
    campaign: &Campaign,
    kind: Addendum,
    path: &Path,
    key: Option<&SigningKey>,
    now: DateTime<Utc>,
    write: impl FnOnce(&SignOff, &mut AddendumWriter<&mut AtomicFile>) -> Result<Body<T>>,
) -> Result<(WrittenAddendum, T)> {
    let signoff = signed_off(conn, campaign, kind)?;
    check_target(path)?;
    if key.is_some() {
        check_target(&signature_path(path))?;
    }
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
    let mut writer = AddendumWriter::new(kind, &signoff.final_hash, &mut file)
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    let body = write(&signoff, &mut writer)?;
    let (rows, last_hash) = writer
        .finish()
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    file.sync()
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    let mut signature = None;
    if let Some(key) = key {
        let comment = addendum_comment(
            kind,
            campaign,
            &signoff,
            &signoff.final_hash,
            rows,
            &body.counts,
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
    let written = WrittenAddendum {
        rows,
        evidence_last_hash: signoff.final_hash,
        last_hash,
        signature,
    };
    Ok((written, body.value))
}

/// The campaign's sign-off; an addendum continues final evidence only.
pub fn signed_off(conn: &Connection, campaign: &Campaign, kind: Addendum) -> Result<SignOff> {
    match load_sign_off(conn, campaign.id)? {
        Some(signoff) => Ok(signoff),
        None => bail!(
            "campaign {} ({}) is not signed off: the {} addendum continues its final evidence (recert signoff {})",
            campaign.id,
            for_display(&campaign.name),
            kind.name(),
            campaign.id
        ),
    }
}

/// Writes the rows of the remediation `report`.
fn remediation_rows<W: Write>(
    report: &Report,
    out: &mut AddendumWriter<W>,
) -> Result<(), csv::Error> {
    for row in &report.revocations {
        let snapshot = row.snapshot.as_ref();
        out.row(&[
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
        ])?;
    }
    Ok(())
}

/// Writes the remediation addendum of signed-off `campaign` to `path`, and
/// with `key` also `path.minisig`. The caller refreshes remediation first.
pub fn export_remediation(
    conn: &Connection,
    campaign: &Campaign,
    path: &Path,
    key: Option<&SigningKey>,
    now: DateTime<Utc>,
) -> Result<(WrittenAddendum, Counts)> {
    let today: NaiveDate = now.date_naive();
    publish_addendum(
        conn,
        campaign,
        Addendum::Remediation,
        path,
        key,
        now,
        |_, out| {
            let Some(report) = report(conn, campaign, today)? else {
                bail!("campaign {} is not signed off", campaign.id);
            };
            remediation_rows(&report, out)
                .wrap_err_with(|| format!("writing {}", path.display()))?;
            let c = report.counts;
            Ok(Body {
                counts: format!(
                    "removed={} pending={} not_rechecked={} reappeared={}",
                    c.removed, c.pending, c.not_rechecked, c.reappeared
                ),
                value: c,
            })
        },
    )
}

/// The packets addendum's rows of `campaign`: one per merged review packet
/// (PRODUCT.md §9), in the order the packets were issued.
fn packet_rows(conn: &Connection, campaign: &Campaign) -> Result<Vec<Vec<String>>> {
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
    Ok(rows)
}

/// Writes the packets addendum of signed-off `campaign` to `path` (and with
/// `key`, `path.minisig`): one chained row per merged packet, after the
/// evidence's last row_hash as the sign-off recorded it.
pub fn export_packets(
    conn: &Connection,
    campaign: &Campaign,
    path: &Path,
    key: Option<&SigningKey>,
    now: DateTime<Utc>,
) -> Result<WrittenAddendum> {
    let (written, ()) = publish_addendum(
        conn,
        campaign,
        Addendum::Packets,
        path,
        key,
        now,
        |_, out| {
            let rows = packet_rows(conn, campaign)?;
            for row in &rows {
                out.row(row)
                    .wrap_err_with(|| format!("writing {}", path.display()))?;
            }
            Ok(Body {
                counts: format!("packets={}", rows.len()),
                value: (),
            })
        },
    )?;
    Ok(written)
}
