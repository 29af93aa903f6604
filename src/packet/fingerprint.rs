//! The fingerprint of a campaign: a SHA-256 over the campaign's identity
//! and every item as it was frozen (id, control, grant, holder, signals,
//! recommendation). A packet carries it; merging refuses a packet whose
//! fingerprint is not its campaign's in this workspace (a packet of another
//! workspace whose campaign happens to have the same id).
//!
//! Only what never changes after a campaign is created is covered:
//! reassignments and decisions do not change the fingerprint.

use rusqlite::Connection;

use crate::chain::{ChainHash, GENESIS};

/// The lowercase hex fingerprint of campaign `campaign_id`.
pub fn campaign_fingerprint(conn: &Connection, campaign_id: i64) -> rusqlite::Result<String> {
    let mut hash = ChainHash::after(GENESIS);
    hash.field("recert campaign fingerprint 1");
    conn.query_row(
        "SELECT id, name, as_of, created_at, created_by FROM campaigns WHERE id = ?1",
        [campaign_id],
        |row| {
            hash.display(row.get::<_, i64>(0)?)
                .field(row.get::<_, String>(1)?)
                .field(row.get::<_, String>(2)?)
                .field(row.get::<_, String>(3)?)
                .field(row.get::<_, String>(4)?);
            Ok(())
        },
    )?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT it.id, it.control_id, it.grant_row, coalesce(it.identity_row, 0), it.signal_mask,
                it.recommendation
         FROM items it WHERE {} ORDER BY it.id",
        crate::campaign::ranges::in_campaign(crate::campaign::ranges::ITEMS_AS_IT, "?1")
    ))?;
    let mut rows = statement.query([campaign_id])?;
    while let Some(row) = rows.next()? {
        hash.display(row.get::<_, i64>(0)?);
        if let rusqlite::types::ValueRef::Text(control) = row.get_ref(1)? {
            hash.field(control);
        }
        hash.display(row.get::<_, i64>(2)?)
            .display(row.get::<_, i64>(3)?)
            .display(row.get::<_, i64>(4)?);
        if let rusqlite::types::ValueRef::Text(recommendation) = row.get_ref(5)? {
            hash.field(recommendation);
        }
    }
    Ok(hash.finish())
}
