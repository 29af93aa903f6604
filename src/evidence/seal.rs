//! Before `export --key` signs a signed-off campaign's evidence: the
//! sign-off must still be the one logged, and signed by this key (signed
//! now, if it was signed off without one), so a key holder never re-signs
//! evidence someone forged in the workspace.

use color_eyre::eyre::{Result, bail, eyre};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::keys::SigningKey;
use super::signoff_log::{
    LogEntry, check_signature, current_record, entries_of, key_id, log_sign_off,
};

/// What [`seal`] did to the sign-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sealed {
    /// Its record was already signed with this key, and still matches.
    Checked { key_id: String },
    /// It was not signed yet; its record now is, with this key.
    SignedNow { key_id: String },
}

/// Checks `campaign`'s sign-off against every log entry of it, and the
/// latest signature with `key`'s public key; signs the record with `key`
/// when no entry is signed. `final_hash` is the last row_hash of the
/// evidence about to be signed. Refuses, writing nothing, when anything
/// differs: the workspace was changed outside recert.
pub fn seal(
    conn: &Connection,
    campaign: i64,
    final_hash: &str,
    key: &SigningKey,
    now: &str,
) -> Result<Sealed> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let current = current_record(&tx, campaign)?
        .ok_or_else(|| eyre!("campaign {campaign} is not signed off"))?;
    let refuse = |why: String| -> Result<Sealed> {
        bail!(
            "refusing to sign the evidence of campaign {campaign}: {why}; the workspace was changed outside recert, see `recert verify --pubkey KEY`"
        )
    };
    if current.final_row_hash != final_hash {
        return refuse(format!(
            "the evidence ends with row_hash {final_hash} but the sign-off records {}",
            current.final_row_hash
        ));
    }
    let entries = entries_of(&tx, campaign)?;
    if entries.is_empty() {
        return refuse("its sign-off has no entry in the sign-off log".to_owned());
    }
    for entry in &entries {
        let Some(logged) = entry.parsed() else {
            return refuse(format!(
                "sign-off log entry {} is not a sign-off record recert wrote",
                entry.id
            ));
        };
        let changed = logged.differences(&current);
        if !changed.is_empty() {
            return refuse(format!(
                "its sign-off no longer matches the one logged in entry {} ({} changed)",
                entry.id,
                changed.join(", ")
            ));
        }
    }
    let own = key_id(&key.public);
    if let Some(signed) = entries.iter().rev().find(|e| e.signature.is_some()) {
        return match check_signature(&key.public, signed) {
            Ok(()) => Ok(Sealed::Checked { key_id: own }),
            Err(why) if is_other_key(signed, &own) => bail!(
                "the sign-off of campaign {campaign} was signed with key ID {}; sign its evidence with that key (this one is {own}): {why}",
                signed.signature.as_ref().map_or("?", |s| s.key_id.as_str())
            ),
            Err(why) => refuse(format!(
                "the signature of its sign-off (log entry {}) {why}",
                signed.id
            )),
        };
    }
    log_sign_off(&tx, campaign, Some(key), now)?;
    tx.commit()?;
    Ok(Sealed::SignedNow { key_id: own })
}

fn is_other_key(entry: &LogEntry, own: &str) -> bool {
    entry.signature.as_ref().is_some_and(|s| s.key_id != own)
}
