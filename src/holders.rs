//! Linking a grant to the identity that holds it (PRODUCT.md §2).
//!
//! A grant names its holder by identity_id, or by an email or login that
//! matches an identity's email or identity_id. Matching ignores ASCII case and
//! surrounding spaces, the same rule in Rust and in SQL (`lower()` folds only
//! ASCII), so counts in the import summary and campaign items always agree.

use std::collections::HashMap;

use rusqlite::Connection;

/// The form of an identity key or grant holder used for matching.
pub fn holder_key(text: &str) -> String {
    text.trim().to_ascii_lowercase()
}

/// Grants in the current view whose holder matches no current identity.
pub fn count_orphaned_grants(conn: &Connection) -> rusqlite::Result<u64> {
    Ok(orphaned_grants_by_snapshot(conn)?.values().sum())
}

/// Orphaned grants of the current view per snapshot id, so the import
/// summary can say which file's holders could not be linked.
pub fn orphaned_grants_by_snapshot(conn: &Connection) -> rusqlite::Result<HashMap<i64, u64>> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS holder_keys (key TEXT PRIMARY KEY) WITHOUT ROWID;
         DELETE FROM temp.holder_keys;
         INSERT OR IGNORE INTO temp.holder_keys
             SELECT lower(trim(identity_id)) FROM identities
             WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1)
             UNION ALL
             SELECT lower(trim(email)) FROM identities
             WHERE email IS NOT NULL AND snapshot_id IN (SELECT id FROM snapshots WHERE current = 1);",
    )?;
    let counts = conn
        .prepare(
            "SELECT g.snapshot_id, count(*) FROM grants g
             WHERE g.snapshot_id IN (SELECT id FROM snapshots WHERE current = 1)
               AND NOT EXISTS (SELECT 1 FROM temp.holder_keys k WHERE k.key = lower(trim(g.identity_ref)))
             GROUP BY g.snapshot_id",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<HashMap<i64, u64>>>()?;
    conn.execute_batch("DROP TABLE temp.holder_keys;")?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_ascii_case_and_padding() {
        assert_eq!(
            holder_key(" Zoe.Muller@Northwind.example "),
            "zoe.muller@northwind.example"
        );
    }
}
