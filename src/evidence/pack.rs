//! The evidence pack (PRODUCT.md §10): one private directory with
//! everything an auditor needs for a signed-off campaign and `VERIFY.txt`
//! saying how to check each file with public tools. The pack is built in a
//! temporary directory beside its target and renamed into place, so a
//! failure leaves no half pack; `--force` replaces an earlier pack only.

mod verify_text;

use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use color_eyre::eyre::{Result, WrapErr, bail};
use minisign::PublicKey;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::addendum::{WrittenAddendum, export_packets, export_remediation, signed_off};
use super::atomic::write_atomically;
use super::format::Addendum;
use super::keys::SigningKey;
use super::publish::publish;
use super::query_csv::write_query_csv;
use super::report::{gather, write_report};
use super::sample::write::{Request, export_sample, sample_campaign};
use super::signoff::SignOff;
use super::signoff_log::{check_signature, entries_of, key_id};
use super::{history, revocations};
use crate::campaign::Campaign;
use crate::text::for_display;

/// How the pack is signed.
pub enum Signing<'k> {
    /// Every CSV and `SHA256SUMS` signed with this key.
    Key(&'k SigningKey),
    /// No key at hand: the sign-off record's own signature (made at
    /// sign-off) is reused, checked with this public key; it covers the
    /// evidence's last row_hash and row count.
    SignOffOnly(&'k PublicKey),
}

/// What [`write_pack`] needs besides the campaign.
pub struct Options<'k> {
    pub dir: &'k Path,
    pub signing: Signing<'k>,
    pub force: bool,
    pub sample: Request,
    pub now: DateTime<Utc>,
}

/// One file of the pack, for the summary and `SHA256SUMS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFile {
    pub name: String,
    pub sha256: String,
}

/// The snapshot manifest's columns.
const SNAPSHOT_COLUMNS: [&str; 9] = [
    "snapshot_id",
    "kind",
    "scope",
    "format",
    "file_name",
    "sha256",
    "rows",
    "imported_by",
    "imported_at",
];

const SNAPSHOT_SELECT: &str = "SELECT s.id, s.kind, s.scope, s.format, s.file_name, s.sha256,
        s.row_count, i.os_user || '@' || i.host, i.imported_at
    FROM campaign_snapshots cs JOIN snapshots s ON s.id = cs.snapshot_id
    JOIN imports i ON i.id = s.import_id
    WHERE cs.campaign_id = ?1 ORDER BY s.id";

/// Every addendum kind the pack holds for a campaign: one entry per kind
/// that exists for it. The remediation addendum exists for every
/// signed-off campaign (it may have no rows), the pack draws a sample, and
/// the packets addendum exists once a review packet was merged.
pub fn addenda(conn: &Connection, campaign: &Campaign) -> Result<Vec<Addendum>> {
    let merged: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM packet_merges m JOIN packets p ON p.id = m.packet_id
                        WHERE p.campaign_id = ?1)",
        [campaign.id],
        |row| row.get(0),
    )?;
    Ok(Addendum::ALL
        .into_iter()
        .filter(|kind| *kind != Addendum::Packets || merged)
        .collect())
}

/// Writes the pack of signed-off `campaign`; returns its files.
pub fn write_pack(
    conn: &Connection,
    campaign: &Campaign,
    options: &Options<'_>,
) -> Result<Vec<PackFile>> {
    let signoff = signed_off(conn, campaign, Addendum::Sample).map_err(|_| {
        color_eyre::eyre::eyre!(
            "campaign {} ({}) is not signed off: a pack is evidence of a finished review (recert signoff {})",
            campaign.id,
            for_display(&campaign.name),
            campaign.id
        )
    })?;
    let target = options.dir;
    check_pack_target(target, options.force)?;
    let signoff_entry = match options.signing {
        Signing::Key(_) => None,
        Signing::SignOffOnly(public) => Some(signed_entry(conn, campaign, public)?),
    };
    // Drawn before anything is written: a refused sample writes nothing.
    let sample = sample_campaign(conn, campaign, &options.sample)?;
    let temp = temp_dir(target)?;
    let built = build(
        conn,
        campaign,
        &signoff,
        &sample,
        &temp,
        options,
        signoff_entry,
    );
    let files = match built {
        Ok(files) => files,
        Err(err) => {
            let _ = fs::remove_dir_all(&temp);
            return Err(err);
        }
    };
    place(&temp, target)?;
    Ok(files)
}

/// Writes every file into `dir`.
fn build(
    conn: &Connection,
    campaign: &Campaign,
    signoff: &SignOff,
    sample: &super::sample::Sample,
    dir: &Path,
    options: &Options<'_>,
    signoff_entry: Option<(String, String)>,
) -> Result<Vec<PackFile>> {
    let key = match options.signing {
        Signing::Key(key) => Some(key),
        Signing::SignOffOnly(_) => None,
    };
    let published = publish(conn, campaign, &dir.join("evidence.csv"), key, options.now)?;
    if let Some(recorded) = &published.drifted_from {
        bail!(
            "the evidence ends with row_hash {} but the sign-off recorded {recorded}: the workspace was changed outside recert, so no pack is written",
            published.summary.last_hash
        );
    }
    // Signing the evidence signed the sign-off record too, if it was not.
    let signoff_entry = match (signoff_entry, key) {
        (None, Some(key)) => signed_entry(conn, campaign, &key.public).ok(),
        (entry, _) => entry,
    };
    revocations::export_file(conn, campaign, &dir.join("revocations.csv"))?;
    history::export_file(conn, campaign, &dir.join("history.csv"))?;
    write_query_csv(
        conn,
        &dir.join("snapshots.csv"),
        &SNAPSHOT_COLUMNS,
        SNAPSHOT_SELECT,
        [campaign.id],
    )?;
    let mut written: Vec<(Addendum, WrittenAddendum)> = Vec::new();
    for kind in addenda(conn, campaign)? {
        let path = dir.join(format!("{}.csv", kind.name()));
        let addendum = match kind {
            Addendum::Remediation => export_remediation(conn, campaign, &path, key, options.now)?.0,
            Addendum::Sample => export_sample(conn, campaign, sample, &path, key, options.now)?,
            Addendum::Packets => export_packets(conn, campaign, &path, key, options.now)?,
        };
        written.push((kind, addendum));
    }
    let report = gather(conn, campaign, Some(&dir.join("evidence.csv")), options.now)?;
    write_report(&report, &dir.join("report.html"))?;
    let public = match options.signing {
        Signing::Key(key) => &key.public,
        Signing::SignOffOnly(public) => public,
    };
    let public_text = public
        .to_box()
        .map_err(|err| color_eyre::eyre::eyre!("encoding the public key: {err}"))?
        .to_string();
    write_atomically(&dir.join("recert.pub"), public_text.as_bytes())?;
    if let Some((record, signature)) = &signoff_entry {
        write_atomically(&dir.join("signoff.json"), record.as_bytes())?;
        write_atomically(&dir.join("signoff.json.minisig"), signature.as_bytes())?;
    }
    for (name, script) in [
        (
            "verify-chain.py",
            include_str!("../../scripts/verify-chain.py"),
        ),
        ("sample.py", include_str!("../../scripts/sample.py")),
    ] {
        write_atomically(&dir.join(name), script.as_bytes())?;
    }
    let facts = verify_text::Facts {
        campaign,
        signoff,
        evidence: &published.summary,
        addenda: &written,
        sample,
        per: options.sample.per,
        key_id: key_id(public),
        signed: key.is_some(),
        signoff_signed: signoff_entry.is_some(),
    };
    write_atomically(
        &dir.join("VERIFY.txt"),
        verify_text::render(&facts).as_bytes(),
    )?;
    let files = checksums(dir)?;
    let mut sums = String::new();
    for file in &files {
        let _ = writeln!(sums, "{}  {}", file.sha256, file.name);
    }
    write_atomically(&dir.join("SHA256SUMS"), sums.as_bytes())?;
    if let Some(key) = key {
        let comment = format!(
            "recert pack; campaign {}; evidence last_row_hash={}; files={}",
            campaign.id,
            published.summary.last_hash,
            files.len()
        );
        let text = super::sign::sign_file(key, &dir.join("SHA256SUMS"), &comment)?;
        write_atomically(&dir.join("SHA256SUMS.minisig"), text.as_bytes())?;
    }
    Ok(files)
}

/// The latest sign-off log entry of `campaign`, which must be signed by
/// `public`: its record and signature, reused in the pack.
fn signed_entry(
    conn: &Connection,
    campaign: &Campaign,
    public: &PublicKey,
) -> Result<(String, String)> {
    let entries = entries_of(conn, campaign.id)?;
    let Some(entry) = entries.iter().rev().find(|e| e.signature.is_some()) else {
        bail!(
            "campaign {}'s sign-off was made without a key, so nothing signed vouches for its evidence: pass --key KEY to sign the pack (recert keygen makes a key)",
            campaign.id
        );
    };
    check_signature(public, entry).map_err(|why| {
        color_eyre::eyre::eyre!(
            "the sign-off signature of campaign {} {why}: pass --pubkey with the key that signed it, or --key KEY to sign the pack",
            campaign.id
        )
    })?;
    let signature = entry
        .signature
        .as_ref()
        .map(|s| s.signature.clone())
        .unwrap_or_default();
    Ok((entry.record.clone(), signature))
}

/// Refuses an existing target, unless `force` and it is an earlier pack.
fn check_pack_target(target: &Path, force: bool) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(target) else {
        return Ok(());
    };
    if !force {
        bail!(
            "{} already exists; choose another directory, or pass --force to replace an earlier pack",
            target.display()
        );
    }
    if !meta.is_dir() || !target.join("VERIFY.txt").is_file() {
        bail!(
            "{} exists and is not a recert pack (no VERIFY.txt): --force replaces only an earlier pack",
            target.display()
        );
    }
    Ok(())
}

/// A private temporary directory beside `target`.
fn temp_dir(target: &Path) -> Result<PathBuf> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map_or_else(|| "pack".into(), |n| n.to_string_lossy().into_owned());
    let temp = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let _ = fs::remove_dir_all(&temp);
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&temp)
        .wrap_err_with(|| format!("creating {}", temp.display()))?;
    Ok(temp)
}

/// Moves the built pack to `target`, replacing an earlier one.
fn place(temp: &Path, target: &Path) -> Result<()> {
    if fs::symlink_metadata(target).is_ok() {
        let old = temp.with_extension("old");
        fs::rename(target, &old).wrap_err_with(|| format!("moving {} aside", target.display()))?;
        if let Err(err) = fs::rename(temp, target) {
            let _ = fs::rename(&old, target);
            let _ = fs::remove_dir_all(temp);
            return Err(err).wrap_err_with(|| format!("writing {}", target.display()));
        }
        fs::remove_dir_all(&old).wrap_err_with(|| format!("removing {}", old.display()))?;
        return Ok(());
    }
    fs::rename(temp, target).wrap_err_with(|| format!("writing {}", target.display()))
}

/// Every file of `dir` with its SHA-256, by name, `SHA256SUMS` itself and
/// its signature left out.
fn checksums(dir: &Path) -> Result<Vec<PackFile>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("SHA256SUMS") {
            continue;
        }
        let bytes = fs::read(entry.path())?;
        files.push(PackFile {
            name,
            sha256: hex::encode(Sha256::digest(&bytes)),
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}
