//! The provisioning team's work list: every revoked item of a campaign,
//! sorted by system then identity.

use std::path::Path;

use color_eyre::eyre::Result;
use rusqlite::Connection;

use super::query_csv::write_query_csv;
use crate::campaign::Campaign;

pub const COLUMNS: [&str; 8] = [
    "system",
    "identity",
    "entitlement",
    "type",
    "justification",
    "decided_by",
    "decided_at",
    "item_id",
];

const SELECT: &str = "SELECT system, identity_id, entitlement, entitlement_type, justification,
        decided_by_reviewer || ' (' || coalesce(decided_by_os_user, 'unknown') || '@'
            || coalesce(decided_by_host, 'unknown') || ')',
        decided_at, item_id
    FROM item_view
    WHERE campaign_id = ?1 AND decision = 'revoke'
    ORDER BY system, identity_id, entitlement, item_id";

/// Writes the revocation list to `path`; returns the number of revocations.
pub fn export_file(conn: &Connection, campaign: &Campaign, path: &Path) -> Result<u64> {
    write_query_csv(conn, path, &COLUMNS, SELECT, [campaign.id])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::fixture;

    #[test]
    fn only_revoked_items_sorted_by_system_then_identity() {
        let mut ws = fixture::workspace();
        fixture::decide_all(&mut ws);
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("revoke.csv");
        let rows = export_file(&ws.conn, &fixture::campaign(&ws), &path).expect("export");
        assert_eq!(rows, 2);
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "system,identity,entitlement,type,justification,decided_by,decided_at,item_id\n\
             crm,E2,user,role,left the company,M1 (tester@testhost),2026-12-01T09:00:00.000Z,2\n\
             crm,ghost,'@admins,group,\"'=orphaned, remove\",M1 (tester@testhost),2026-12-01T09:00:00.000Z,1\n"
        );
    }
}
