//! Sealing a packet: the reviewer signs its decision log with their own
//! minisign key (`recert keygen`). A sealed packet refuses further
//! decisions (a trigger of migration 0011), and merging checks the seal
//! against the public key registered for the reviewer.

use std::io::Cursor;

use chrono::{DateTime, SecondsFormat, Utc};
use color_eyre::eyre::{Result, bail, eyre};
use minisign::{PublicKey, SignatureBox};
use rusqlite::TransactionBehavior;

use super::info::{self, OwnLog, PacketInfo, seal_message};
use crate::evidence::keys::SigningKey;
use crate::evidence::signoff_log::key_id;
use crate::workspace::Workspace;

/// What [`seal`] recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub events: usize,
    pub head: String,
}

/// Signs the packet's decision log with `key` and records the seal.
pub fn seal(packet: &mut Workspace, key: &SigningKey, now: DateTime<Utc>) -> Result<Sealed> {
    let tx = packet
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let info = info::require(&tx)?;
    if let Some(at) = &info.sealed_at {
        bail!(
            "packet {} is already sealed (at {at}, key {}); a sealed packet never changes: return it to the campaign owner as it is",
            info.id,
            info.key_id.as_deref().unwrap_or("?")
        );
    }
    let log = info::own_log(&tx, &info)?;
    let message = seal_message(&info, &log);
    let comment = format!(
        "recert review packet {}; campaign {}; reviewer {}; events={}; head={}",
        info.id,
        info.campaign_id,
        crate::text::for_display(&info.reviewer)
            .chars()
            .take(100)
            .collect::<String>(),
        log.events.len(),
        log.head
    );
    let signature = minisign::sign(
        Some(&key.public),
        &key.secret,
        Cursor::new(message.as_bytes()),
        Some(&comment),
        Some("signature of a recert review packet"),
    )
    .map_err(|err| eyre!("signing the packet: {err}"))?;
    let id = key_id(&key.public);
    tx.execute(
        "UPDATE packet SET sealed_at = ?1, key_id = ?2, signature = ?3",
        (
            now.to_rfc3339_opts(SecondsFormat::Millis, true),
            &id,
            signature.into_string(),
        ),
    )?;
    tx.commit()?;
    Ok(Sealed {
        key_id: id,
        events: log.events.len(),
        head: log.head,
    })
}

/// Checks a sealed packet's signature over its decision log with `public`;
/// the reason when it does not hold.
pub fn check(info: &PacketInfo, log: &OwnLog, public: &PublicKey) -> Result<(), String> {
    let Some(signed) = &info.signature else {
        return Err("is not sealed".to_owned());
    };
    let signature = SignatureBox::from_string(signed)
        .map_err(|err| format!("holds a seal that is not a minisign signature ({err})"))?;
    if signature.keynum() != public.keynum() {
        return Err(format!(
            "was sealed with key ID {}, not with the key registered for {} ({})",
            info.key_id.as_deref().unwrap_or("?"),
            crate::text::for_display(&info.reviewer),
            key_id(public)
        ));
    }
    let message = seal_message(info, log);
    minisign::verify(
        public,
        &signature,
        Cursor::new(message.as_bytes()),
        true,
        false,
        false,
    )
    .map_err(|_| {
        "does not match its seal: its decisions or record were changed after it was sealed"
            .to_owned()
    })
}
