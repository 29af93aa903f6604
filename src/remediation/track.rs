//! Starting to follow a campaign's revocations: at sign-off, in its
//! transaction, the newest snapshot (later ones were imported after the
//! sign-off) and every revoked item with its scope and grant key.

use rusqlite::Connection;

use crate::campaign::grant_key;

/// Records campaign `campaign_id`'s sign-off point and revoked items.
/// Called by the sign-off itself, so no import can fall between the two.
pub fn track_sign_off(conn: &Connection, campaign_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO remediation_campaigns (campaign_id, last_snapshot, checked_through)
         SELECT ?1, coalesce(max(id), 0), coalesce(max(id), 0) FROM snapshots",
        [campaign_id],
    )?;
    track_items(conn, campaign_id)
}

/// Lists the campaign's revoked items in `remediation`: the scope of the
/// snapshot each grant came from and its grant key as text.
pub(super) fn track_items(conn: &Connection, campaign_id: i64) -> rusqlite::Result<()> {
    let mut select = conn.prepare(
        "SELECT cd.item_id, sn.scope, g.system, g.entitlement, g.identity_ref
         FROM current_decisions cd
         JOIN items it ON it.id = cd.item_id
         JOIN grants g ON g.id = it.grant_row
         JOIN snapshots sn ON sn.id = g.snapshot_id
         WHERE cd.campaign_id = ?1 AND cd.decision = 'revoke'",
    )?;
    let mut insert = conn.prepare(
        "INSERT OR IGNORE INTO remediation (item_id, campaign_id, scope, grant_key)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut key = String::new();
    let mut rows = select.query([campaign_id])?;
    while let Some(row) = rows.next()? {
        grant_key::text_into(
            row.get_ref(2)?.as_str()?,
            row.get_ref(3)?.as_str()?,
            row.get_ref(4)?.as_str()?,
            &mut key,
        );
        let item: i64 = row.get(0)?;
        let scope = row.get_ref(1)?.as_str()?;
        insert.execute((item, campaign_id, scope, key.as_str()))?;
    }
    conn.execute(
        "UPDATE remediation_campaigns SET tracked = 1 WHERE campaign_id = ?1",
        [campaign_id],
    )?;
    Ok(())
}
