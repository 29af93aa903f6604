//! One decision event as stored, its chain hash, and reading an item's history.

use rusqlite::Connection;

use crate::chain::ChainHash;
use crate::model::DecisionAction;

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
        hash.finish_into(out);
    }
}

/// Every event of one item, oldest first (the detail pane's history).
pub fn history(conn: &Connection, item: i64) -> rusqlite::Result<Vec<DecisionEvent>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, campaign_id, item_id, action, justification, reviewer, os_user, host,
                decided_at, prev_hash
         FROM decision_events WHERE item_id = ?1 ORDER BY id",
    )?;
    let events = statement
        .query_map([item], event_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(events)
}

/// Maps a `decision_events` row selected in `history`'s column order.
pub fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DecisionEvent> {
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
