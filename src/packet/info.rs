//! A packet's record, its own decision chain (the events recorded in the
//! packet, after those copied from the workspace) and the text its seal
//! signs.

use color_eyre::eyre::{Result, bail};
use rusqlite::{Connection, OptionalExtension};

use crate::campaign::decisions::{DecisionEvent, EVENT_COLUMNS, event_from_row};

/// The packet's one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketInfo {
    pub id: i64,
    pub campaign_id: i64,
    pub reviewer: String,
    pub fingerprint: String,
    pub issued_at: String,
    pub issued_by: String,
    /// The last decision event copied from the workspace; the packet's own
    /// events have larger ids.
    pub base_event: i64,
    /// That event's hash: the first own event's `prev_hash`.
    pub base_hash: String,
    pub sealed_at: Option<String>,
    pub key_id: Option<String>,
    pub signature: Option<String>,
}

impl PacketInfo {
    pub fn is_sealed(&self) -> bool {
        self.signature.is_some()
    }
}

/// The packet record of the file `conn` has open, if it is a packet.
pub fn read(conn: &Connection) -> Result<Option<PacketInfo>> {
    Ok(conn
        .query_row(
            "SELECT id, campaign_id, reviewer, fingerprint, issued_at, issued_by, base_event,
                    base_hash, sealed_at, key_id, signature FROM packet",
            [],
            |row| {
                Ok(PacketInfo {
                    id: row.get(0)?,
                    campaign_id: row.get(1)?,
                    reviewer: row.get(2)?,
                    fingerprint: row.get(3)?,
                    issued_at: row.get(4)?,
                    issued_by: row.get(5)?,
                    base_event: row.get(6)?,
                    base_hash: row.get(7)?,
                    sealed_at: row.get(8)?,
                    key_id: row.get(9)?,
                    signature: row.get(10)?,
                })
            },
        )
        .optional()?)
}

/// The packet record, which must be there.
pub fn require(conn: &Connection) -> Result<PacketInfo> {
    match read(conn)? {
        Some(info) => Ok(info),
        None => bail!("this file is not a review packet (it holds no packet record)"),
    }
}

/// The packet's own decision log, checked: every event chained to the one
/// before (the first to the packet's base hash) and hashing to what it
/// stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnLog {
    pub events: Vec<DecisionEvent>,
    /// The last event's hash, or the base hash when there is none.
    pub head: String,
}

/// Reads and checks the events recorded in the packet; a broken link is
/// an error naming the event.
pub fn own_log(conn: &Connection, info: &PacketInfo) -> Result<OwnLog> {
    let mut statement = conn.prepare(&format!(
        "SELECT {EVENT_COLUMNS}, e.event_hash FROM decision_events e
         WHERE e.id > ?1 ORDER BY e.id"
    ))?;
    let mut rows = statement.query([info.base_event])?;
    let mut events = Vec::new();
    let mut head = info.base_hash.clone();
    while let Some(row) = rows.next()? {
        let event = event_from_row(row)?;
        let stored: String = row.get(crate::campaign::decisions::EVENT_COLUMN_COUNT)?;
        if event.prev_hash != head {
            bail!(
                "decision event {} of the packet does not follow the one before it (its prev_hash is not the previous event's hash): the packet was changed after it was written",
                event.id
            );
        }
        if event.campaign_id != info.campaign_id {
            bail!(
                "decision event {} of the packet is for campaign {}, not the packet's campaign {}",
                event.id,
                event.campaign_id,
                info.campaign_id
            );
        }
        if event.hash() != stored {
            bail!(
                "decision event {} of the packet does not hash to what it stores: the packet was changed after it was written",
                event.id
            );
        }
        head = stored;
        events.push(event);
    }
    Ok(OwnLog { events, head })
}

/// The text a packet's seal signs: the packet, its campaign and reviewer,
/// and its decision log by count and last hash (each event's hash covers
/// all before it).
pub fn seal_message(info: &PacketInfo, log: &OwnLog) -> String {
    format!(
        "recert review packet 1\npacket: {}\ncampaign: {}\nfingerprint: {}\nreviewer: {}\nissued_at: {}\nbase_hash: {}\nevents: {}\nhead: {}\n",
        info.id,
        info.campaign_id,
        info.fingerprint,
        info.reviewer,
        info.issued_at,
        info.base_hash,
        log.events.len(),
        log.head
    )
}
