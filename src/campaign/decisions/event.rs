//! One decision event as stored, its chain hash, and reading an item's history.

use rusqlite::Connection;

use crate::chain::ChainHash;
use crate::model::{DecisionAction, DecisionBasis};

/// One appended decision event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DecisionEvent {
    pub id: i64,
    pub campaign_id: i64,
    pub item_id: i64,
    pub action: DecisionAction,
    pub justification: Option<String>,
    pub reviewer: String,
    pub os_user: String,
    pub host: String,
    pub decided_at: String,
    pub prev_hash: String,
    /// The fields only format-2 campaigns have (migration 0007); `None` for
    /// an event of a format-1 campaign, whose hash never covered them.
    pub extras: Option<EventExtras>,
}

/// What an event of a format-2 campaign records beyond a format-1 event.
/// Each is hashed (empty when absent), so none can be added or altered later.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EventExtras {
    /// `reviewer`, `close-out` or `carry-over` (evidence `decision_basis`).
    pub basis: Option<DecisionBasis>,
    /// The end date of a time-boxed certification (`YYYY-MM-DD`).
    pub valid_until: Option<String>,
    /// For a `reassign` event: the reviewer the item now belongs to.
    pub assignee: Option<String>,
    /// For a control that needs a second review: 1 or 2.
    pub stage: Option<u8>,
    /// The key id of the reviewer key that sealed the packet the event came from.
    pub decided_key: Option<String>,
    /// SHA-256 of that packet file.
    pub packet_sha256: Option<String>,
}

impl DecisionEvent {
    /// SHA-256 over the previous hash and every field, each preceded by 0x1F,
    /// so that changing, removing or reordering an event breaks the chain.
    pub fn hash(&self) -> String {
        let mut hash = String::with_capacity(64);
        EventFields {
            id: self.id,
            campaign_id: self.campaign_id,
            item_id: self.item_id,
            action: self.action,
            justification: self.justification.as_deref(),
            reviewer: &self.reviewer,
            os_user: &self.os_user,
            host: &self.host,
            decided_at: &self.decided_at,
            extras: self.extras.as_ref(),
        }
        .hash_into(&self.prev_hash, &mut hash);
        hash
    }
}

/// The hashed fields of one event, borrowed, so that a bulk decision hashes
/// a hundred thousand events without copying the reviewer, host and time
/// into each.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventFields<'a> {
    pub id: i64,
    pub campaign_id: i64,
    pub item_id: i64,
    pub action: DecisionAction,
    pub justification: Option<&'a str>,
    pub reviewer: &'a str,
    pub os_user: &'a str,
    pub host: &'a str,
    pub decided_at: &'a str,
    /// `Some` for every event of a format-2 campaign, even when all its
    /// extras are empty: the campaign's format decides what is hashed.
    pub extras: Option<&'a EventExtras>,
}

impl EventFields<'_> {
    /// Replaces `out` with the lowercase hex event hash chained to
    /// `prev_hash`: the bytes `DecisionEvent::hash` has always produced
    /// (evidence and scripts/verify-chain.py re-compute them), written into
    /// a reused buffer.
    pub fn hash_into(&self, prev_hash: &str, out: &mut String) {
        let mut hash = ChainHash::after(prev_hash);
        hash.display(self.id)
            .display(self.campaign_id)
            .display(self.item_id)
            .field(self.action.as_str())
            .field(self.justification.unwrap_or(""))
            .field(self.reviewer)
            .field(self.os_user)
            .field(self.host)
            .field(self.decided_at);
        // A format-2 campaign's events hash their extras too, empty or not.
        if let Some(extras) = self.extras {
            hash.field(extras.basis.map_or("", DecisionBasis::as_str))
                .field(extras.valid_until.as_deref().unwrap_or(""))
                .field(extras.assignee.as_deref().unwrap_or(""))
                .field(extras.stage.map(|s| s.to_string()).unwrap_or_default())
                .field(extras.decided_key.as_deref().unwrap_or(""))
                .field(extras.packet_sha256.as_deref().unwrap_or(""));
        }
        hash.finish_into(out);
    }
}

/// The select list [`event_from_row`] reads, in its order (`e` is
/// `decision_events`); a query may select more columns after these.
pub const EVENT_COLUMNS: &str = "e.id, e.campaign_id, e.item_id, e.action, e.justification,
    e.reviewer, e.os_user, e.host, e.decided_at, e.prev_hash, e.basis, e.valid_until,
    e.assignee, e.stage, e.decided_key, e.packet_sha256,
    (SELECT evidence_format FROM campaigns WHERE id = e.campaign_id)";

/// How many columns [`EVENT_COLUMNS`] selects.
pub const EVENT_COLUMN_COUNT: usize = 17;

/// Every event of one item, oldest first (the detail pane's history).
pub fn history(conn: &Connection, item: i64) -> rusqlite::Result<Vec<DecisionEvent>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM decision_events e WHERE e.item_id = ?1 ORDER BY e.id"
    ))?;
    let events = statement
        .query_map([item], event_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(events)
}

/// Maps a row selected with [`EVENT_COLUMNS`].
pub fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DecisionEvent> {
    let format: Option<i64> = row.get(16)?;
    let extras = if format == Some(2) {
        Some(EventExtras {
            basis: row.get(10)?,
            valid_until: row.get(11)?,
            assignee: row.get(12)?,
            stage: row.get(13)?,
            decided_key: row.get(14)?,
            packet_sha256: row.get(15)?,
        })
    } else {
        None
    };
    Ok(DecisionEvent {
        id: row.get(0)?,
        campaign_id: row.get(1)?,
        item_id: row.get(2)?,
        action: row.get(3)?,
        justification: row.get(4)?,
        reviewer: row.get(5)?,
        os_user: row.get(6)?,
        host: row.get(7)?,
        decided_at: row.get(8)?,
        prev_hash: row.get(9)?,
        extras,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash of a fixed event as the original implementation (one
    /// `to_string` per field) computed it, and as Python's
    /// `sha256((prev + "".join("\x1f" + f for f in fields)).encode())` does:
    /// workspaces already hold events hashed this way.
    #[test]
    fn the_hash_format_is_unchanged() {
        let event = DecisionEvent {
            id: 42,
            campaign_id: 3,
            item_id: 1_000_001,
            action: DecisionAction::Revoke,
            justification: Some("left the company – größer".to_owned()),
            reviewer: "M1".to_owned(),
            os_user: "alice".to_owned(),
            host: "laptop".to_owned(),
            decided_at: "2026-12-01T09:00:00.000Z".to_owned(),
            prev_hash: "ab".repeat(32),
            extras: None,
        };
        assert_eq!(event.hash(), EXPECTED);
        let undo = DecisionEvent {
            action: DecisionAction::Undo,
            justification: None,
            id: -7,
            ..event
        };
        assert_eq!(undo.hash(), EXPECTED_UNDO);
    }

    const EXPECTED: &str = "47e2569b491b0a6bf33ad7e49ef37ea1dccc61e85efbe0ce93064b5eb11a4b7f";
    const EXPECTED_UNDO: &str = "7af091467b355616101f0fafd4315bd286e3b98a01a06f30e2fec759482b6926";
}
