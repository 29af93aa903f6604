//! Writing the evidence file a campaign hands over: atomically, checked
//! against its sign-off, and signed with `FILE.minisig` when a key is given.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use color_eyre::eyre::{Result, WrapErr, bail};
use rusqlite::Connection;

use super::atomic::{AtomicFile, check_target, write_atomically};
use super::export::{EvidenceSummary, write_evidence};
use super::keys::SigningKey;
use super::seal::{Sealed, seal};
use super::sign::{sign_file, signature_path, trusted_comment};
use super::signoff::{SignOff, load_sign_off};
use crate::campaign::Campaign;
use crate::text::for_display;

/// What [`publish`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub summary: EvidenceSummary,
    pub signoff: Option<SignOff>,
    /// The `.minisig` written, when signed.
    pub signature: Option<PathBuf>,
    /// Set when the evidence no longer ends with the hash recorded at
    /// sign-off: the workspace was changed behind recert's back.
    pub drifted_from: Option<String>,
    /// The sign-off had no signature yet and was signed with this key now.
    pub sealed_now: bool,
}

/// Writes the campaign's evidence to `path`; with `key`, also `path.minisig`.
/// Only a signed-off campaign is signed, only while its evidence still
/// ends with the hash recorded at sign-off, and only once its sign-off
/// record checks out against the sign-off log and is signed by this key
/// ([`seal`]; `now` dates a signature added to the log).
pub fn publish(
    conn: &Connection,
    campaign: &Campaign,
    path: &Path,
    key: Option<&SigningKey>,
    now: DateTime<Utc>,
) -> Result<Published> {
    // One read transaction, so the rows and the sign-off are one consistent view.
    let tx = conn.unchecked_transaction()?;
    let signoff = load_sign_off(&tx, campaign.id)?;
    if key.is_some() && signoff.is_none() {
        bail!(
            "campaign {} ({}) is not signed off, and only signed-off evidence is signed; run `recert signoff {}` first, or export without --key for a draft",
            campaign.id,
            for_display(&campaign.name),
            campaign.id
        );
    }
    check_target(path)?;
    if key.is_some() {
        // Refused before anything is written: evidence without its signature
        // would look like an unsigned export.
        check_target(&signature_path(path))?;
    }
    let mut file = AtomicFile::create(path)
        .wrap_err_with(|| format!("creating a temporary file beside {}", path.display()))?;
    let summary = write_evidence(&tx, campaign, &mut file)?;
    file.sync()
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    let drifted_from = signoff
        .as_ref()
        .filter(|s| s.final_hash != summary.last_hash)
        .map(|s| s.final_hash.clone());
    let mut signature = None;
    let mut sealed_now = false;
    if let (Some(key), Some(signoff)) = (key, &signoff) {
        if let Some(recorded) = &drifted_from {
            bail!(
                "refusing to sign: the evidence ends with row_hash {} but the sign-off recorded {recorded}; the workspace was changed outside recert",
                summary.last_hash
            );
        }
        // The read snapshot ends here: sealing takes the write lock.
        tx.finish()?;
        let sealed = seal(
            conn,
            campaign.id,
            &summary.last_hash,
            key,
            &now.to_rfc3339_opts(SecondsFormat::Millis, true),
        )?;
        sealed_now = matches!(sealed, Sealed::SignedNow { .. });
        let comment = trusted_comment(campaign, signoff, &summary);
        let text = sign_file(key, file.temp_path(), &comment)?;
        let sig_path = signature_path(path);
        file.commit()
            .wrap_err_with(|| format!("writing {}", path.display()))?;
        write_atomically(&sig_path, text.as_bytes())
            .wrap_err_with(|| format!("writing {}", sig_path.display()))?;
        signature = Some(sig_path);
    } else {
        file.commit()
            .wrap_err_with(|| format!("writing {}", path.display()))?;
    }
    Ok(Published {
        summary,
        signoff,
        signature,
        drifted_from,
        sealed_now,
    })
}
