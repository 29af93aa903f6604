//! The packets a campaign issued, and which came back (`recert packet list`).

use rusqlite::Connection;
use serde::Serialize;

/// One issued packet and, once merged, what it brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedPacket {
    pub id: i64,
    pub campaign_id: i64,
    pub reviewer: String,
    pub file_name: String,
    pub items: u64,
    pub issued_at: String,
    pub issued_by: String,
    /// `out` until merged, then `returned`.
    pub state: &'static str,
    pub merged: Option<MergedPacket>,
}

/// What merging a packet recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergedPacket {
    pub sha256: String,
    pub key_id: String,
    pub items: u64,
    pub decisions: u64,
    pub skipped: u64,
    pub prefer: Option<String>,
    pub merged_at: String,
}

/// Every packet of `campaign`, in the order they were issued.
pub fn issued(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<IssuedPacket>> {
    let mut statement = conn.prepare_cached(
        "SELECT p.id, p.campaign_id, p.reviewer, p.file_name, p.item_count, p.issued_at,
                p.os_user || '@' || p.host,
                m.sha256, m.key_id, m.items, m.decisions, m.skipped, m.prefer, m.merged_at
         FROM packets p LEFT JOIN packet_merges m ON m.packet_id = p.id
         WHERE p.campaign_id = ?1 ORDER BY p.id",
    )?;
    statement
        .query_map([campaign], |row| {
            let sha256: Option<String> = row.get(7)?;
            let merged = match sha256 {
                Some(sha256) => Some(MergedPacket {
                    sha256,
                    key_id: row.get(8)?,
                    items: row.get(9)?,
                    decisions: row.get(10)?,
                    skipped: row.get(11)?,
                    prefer: row.get(12)?,
                    merged_at: row.get(13)?,
                }),
                None => None,
            };
            Ok(IssuedPacket {
                id: row.get(0)?,
                campaign_id: row.get(1)?,
                reviewer: row.get(2)?,
                file_name: row.get(3)?,
                items: row.get(4)?,
                issued_at: row.get(5)?,
                issued_by: row.get(6)?,
                state: if merged.is_some() { "returned" } else { "out" },
                merged,
            })
        })?
        .collect()
}
