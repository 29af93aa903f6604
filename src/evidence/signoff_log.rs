//! The sign-off log (schema 6): every sign-off appended to one hash chain
//! over all campaigns, with the minisign signature of its record when a key
//! is given, so that a deleted, rewritten or re-signed sign-off shows.

use std::io::Cursor;

use color_eyre::eyre::{Result, eyre};
use minisign::{PublicKey, SignatureBox};
use rusqlite::{Connection, OptionalExtension, named_params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keys::SigningKey;
use crate::chain::GENESIS;

/// The `kind` of every record this recert writes.
pub const RECORD_KIND: &str = "recert sign-off 1";

/// What a sign-off attests, as logged and signed: stored as the JSON of
/// this struct, fields in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOffRecord {
    pub kind: String,
    pub campaign_id: i64,
    pub campaign_name: String,
    pub reviewer: String,
    pub os_user: String,
    pub host: String,
    pub signed_at: String,
    pub statement: String,
    /// The evidence's last row_hash, as recorded at sign-off.
    pub final_row_hash: String,
    pub items: u64,
    pub certified: u64,
    pub revoked: u64,
    /// The campaign's decision events and the stored hash of its last one:
    /// the whole history behind the evidence, undone decisions included.
    pub decision_events: u64,
    pub chain_head: String,
}

impl SignOffRecord {
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|err| eyre!("encoding the sign-off record: {err}"))
    }

    /// The names of the fields whose values differ from `other`'s.
    pub fn differences(&self, other: &SignOffRecord) -> Vec<&'static str> {
        let mut differ = Vec::new();
        macro_rules! compare {
            ($($field:ident),*) => {
                $(if self.$field != other.$field {
                    differ.push(stringify!($field));
                })*
            };
        }
        compare!(
            kind,
            campaign_id,
            campaign_name,
            reviewer,
            os_user,
            host,
            signed_at,
            statement,
            final_row_hash,
            items,
            certified,
            revoked,
            decision_events,
            chain_head
        );
        differ
    }
}

/// The record of `campaign`'s sign-off as the workspace holds it now, or
/// `None` when it has no sign-off.
pub fn current_record(conn: &Connection, campaign: i64) -> rusqlite::Result<Option<SignOffRecord>> {
    conn.query_row(
        "SELECT c.name, s.reviewer, s.os_user, s.host, s.signed_at, s.statement, s.final_hash,
             (SELECT count(*) FROM items WHERE campaign_id = s.campaign_id),
             (SELECT count(*) FROM current_decisions WHERE campaign_id = s.campaign_id AND decision = 'certify'),
             (SELECT count(*) FROM current_decisions WHERE campaign_id = s.campaign_id AND decision = 'revoke'),
             (SELECT count(*) FROM decision_events WHERE campaign_id = s.campaign_id),
             (SELECT event_hash FROM decision_events WHERE campaign_id = s.campaign_id ORDER BY id DESC LIMIT 1)
         FROM signoffs s JOIN campaigns c ON c.id = s.campaign_id WHERE s.campaign_id = ?1",
        [campaign],
        |row| {
            Ok(SignOffRecord {
                kind: RECORD_KIND.to_owned(),
                campaign_id: campaign,
                campaign_name: row.get(0)?,
                reviewer: row.get(1)?,
                os_user: row.get(2)?,
                host: row.get(3)?,
                signed_at: row.get(4)?,
                statement: row.get(5)?,
                final_row_hash: row.get(6)?,
                items: row.get(7)?,
                certified: row.get(8)?,
                revoked: row.get(9)?,
                decision_events: row.get(10)?,
                chain_head: row
                    .get::<_, Option<String>>(11)?
                    .unwrap_or_else(|| GENESIS.to_owned()),
            })
        },
    )
    .optional()
}

/// One entry of the log as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: i64,
    pub campaign_id: i64,
    /// The record's JSON, exactly the bytes signed.
    pub record: String,
    pub signature: Option<Signed>,
    pub logged_at: String,
    pub prev_hash: String,
    pub entry_hash: String,
}

/// A record's minisign signature and the id of the key that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// As minisign prints it: 16 upper-case hex digits.
    pub key_id: String,
    /// The `.minisig` text.
    pub signature: String,
}

impl LogEntry {
    /// SHA-256 over the previous hash and every field, each preceded by
    /// 0x1F, as recert computed `entry_hash` (the record is JSON, in which
    /// control characters are escaped, and the other fields are recert's).
    pub fn computed_hash(&self) -> String {
        let (key_id, signature) = self
            .signature
            .as_ref()
            .map_or(("", ""), |s| (s.key_id.as_str(), s.signature.as_str()));
        let mut hasher = Sha256::new();
        hasher.update(self.prev_hash.as_bytes());
        for field in [
            self.id.to_string().as_str(),
            &self.campaign_id.to_string(),
            &self.record,
            key_id,
            signature,
            &self.logged_at,
        ] {
            hasher.update([0x1f]);
            hasher.update(field.as_bytes());
        }
        hex::encode(hasher.finalize())
    }

    /// The record, when it is one this recert wrote.
    pub fn parsed(&self) -> Option<SignOffRecord> {
        serde_json::from_str::<SignOffRecord>(&self.record)
            .ok()
            .filter(|r| r.kind == RECORD_KIND)
    }
}

const ENTRY_COLUMNS: &str =
    "id, campaign_id, record, key_id, signature, logged_at, prev_hash, entry_hash";

fn entry_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<LogEntry> {
    let key_id: Option<String> = row.get(3)?;
    let signature: Option<String> = row.get(4)?;
    Ok(LogEntry {
        id: row.get(0)?,
        campaign_id: row.get(1)?,
        record: row.get(2)?,
        signature: key_id
            .zip(signature)
            .map(|(key_id, signature)| Signed { key_id, signature }),
        logged_at: row.get(5)?,
        prev_hash: row.get(6)?,
        entry_hash: row.get(7)?,
    })
}

/// Every entry, in log order.
pub fn entries(conn: &Connection) -> rusqlite::Result<Vec<LogEntry>> {
    let mut statement = conn.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM signoff_log ORDER BY id"
    ))?;
    statement.query_map([], entry_from_row)?.collect()
}

/// The entries of one campaign, in log order.
pub fn entries_of(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<LogEntry>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM signoff_log WHERE campaign_id = ?1 ORDER BY id"
    ))?;
    statement.query_map([campaign], entry_from_row)?.collect()
}

/// A key's id as minisign prints it (its `.pub` file's comment too).
pub fn key_id(public: &PublicKey) -> String {
    <[u8; 8]>::try_from(public.keynum()).map_or_else(
        |_| hex::encode_upper(public.keynum()),
        |keynum| format!("{:016X}", u64::from_le_bytes(keynum)),
    )
}

/// Signs the record's JSON with `key`.
pub fn sign(key: &SigningKey, record: &SignOffRecord, json: &str) -> Result<Signed> {
    let comment = format!(
        "recert sign-off; campaign {}; final_row_hash={}; chain_head={}",
        record.campaign_id, record.final_row_hash, record.chain_head
    );
    let signature = minisign::sign(
        Some(&key.public),
        &key.secret,
        Cursor::new(json.as_bytes()),
        Some(&comment),
        Some("signature of a recert sign-off record"),
    )
    .map_err(|err| eyre!("signing the sign-off record: {err}"))?;
    Ok(Signed {
        key_id: key_id(&key.public),
        signature: signature.into_string(),
    })
}

/// Checks an entry's signature with `public`; the reason when it fails.
pub fn check_signature(public: &PublicKey, entry: &LogEntry) -> Result<(), String> {
    let Some(signed) = &entry.signature else {
        return Err("is not signed".to_owned());
    };
    let signature = SignatureBox::from_string(&signed.signature)
        .map_err(|err| format!("is not a minisign signature ({err})"))?;
    if signature.keynum() != public.keynum() {
        return Err(format!(
            "was made with key ID {}, not with the given key {}",
            signed.key_id,
            key_id(public)
        ));
    }
    minisign::verify(
        public,
        &signature,
        Cursor::new(entry.record.as_bytes()),
        true,
        false,
        false,
    )
    .map_err(|_| {
        "does not match the record: the record or its signature was changed after signing"
            .to_owned()
    })
}

/// Appends `campaign`'s current sign-off record to the log, signed with
/// `key` when given; run inside the transaction that records or checks the
/// sign-off. Entry ids follow each other without gaps, like decision events.
pub fn log_sign_off(
    conn: &Connection,
    campaign: i64,
    key: Option<&SigningKey>,
    logged_at: &str,
) -> Result<SignOffRecord> {
    let record = current_record(conn, campaign)?
        .ok_or_else(|| eyre!("campaign {campaign} has no sign-off to log"))?;
    let json = record.to_json()?;
    let signature = key.map(|key| sign(key, &record, &json)).transpose()?;
    let (id, prev_hash): (i64, String) = conn.query_row(
        "SELECT coalesce(max(id), 0) + 1,
             coalesce((SELECT entry_hash FROM signoff_log ORDER BY id DESC LIMIT 1), ?1)
         FROM signoff_log",
        [GENESIS],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut entry = LogEntry {
        id,
        campaign_id: campaign,
        record: json,
        signature,
        logged_at: logged_at.to_owned(),
        prev_hash,
        entry_hash: String::new(),
    };
    entry.entry_hash = entry.computed_hash();
    let (key_id, signature) = entry
        .signature
        .as_ref()
        .map(|s| (s.key_id.clone(), s.signature.clone()))
        .unzip();
    conn.execute(
        "INSERT INTO signoff_log (id, campaign_id, record, key_id, signature, logged_at, prev_hash, entry_hash)
         VALUES (:id, :campaign, :record, :key_id, :signature, :logged_at, :prev_hash, :entry_hash)",
        named_params! {
            ":id": entry.id,
            ":campaign": entry.campaign_id,
            ":record": entry.record,
            ":key_id": key_id,
            ":signature": signature,
            ":logged_at": entry.logged_at,
            ":prev_hash": entry.prev_hash,
            ":entry_hash": entry.entry_hash,
        },
    )?;
    Ok(record)
}

/// Logs, unsigned, every sign-off a workspace made before schema 6, in the
/// migration's transaction, in the order they were made.
pub fn log_earlier_sign_offs(conn: &Connection) -> Result<()> {
    let mut statement = conn
        .prepare("SELECT campaign_id, signed_at FROM signoffs ORDER BY signed_at, campaign_id")?;
    let earlier: Vec<(i64, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (campaign, signed_at) in earlier {
        log_sign_off(conn, campaign, None, &signed_at)?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "signoff_log_tests.rs"]
mod tests;
