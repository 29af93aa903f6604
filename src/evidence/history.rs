//! Every decision event of a campaign in order, undos and re-decisions
//! included, with the event hash chain the workspace keeps.

use std::path::Path;

use color_eyre::eyre::Result;
use rusqlite::Connection;

use super::query_csv::write_query_csv;
use crate::campaign::Campaign;

pub const COLUMNS: [&str; 11] = [
    "event_id",
    "campaign_id",
    "item_id",
    "action",
    "justification",
    "reviewer",
    "os_user",
    "host",
    "decided_at",
    "prev_hash",
    "event_hash",
];

const SELECT: &str = "SELECT id, campaign_id, item_id, action, justification, reviewer, os_user,
        host, decided_at, prev_hash, event_hash
    FROM decision_events WHERE campaign_id = ?1 ORDER BY id";

/// The history of format-2 campaigns: every field each event hashes, and
/// first the manual links the campaign was built with (`link-N` events of
/// the workspace's link chain, whose `prev_hash` is the link chain's).
pub const COLUMNS_2: [&str; 19] = [
    "event_id",
    "campaign_id",
    "item_id",
    "action",
    "justification",
    "reviewer",
    "os_user",
    "host",
    "decided_at",
    "basis",
    "valid_until",
    "assignee",
    "stage",
    "decided_key",
    "packet_sha256",
    "account",
    "person",
    "prev_hash",
    "event_hash",
];

const SELECT_2: &str = "SELECT 'link-' || l.id, ?1, NULL,
        CASE WHEN l.person_id IS NULL THEN 'unlink' ELSE 'link' END, l.reason, l.reviewer,
        l.os_user, l.host, l.linked_at, NULL, NULL, NULL, NULL, NULL, NULL, l.account,
        l.person_id, l.prev_hash, l.event_hash, 0 AS part, l.id AS ord
    FROM link_events l
    WHERE l.id <= (SELECT coalesce(link_watermark, 0) FROM campaigns WHERE id = ?1)
      AND l.account_key IN (SELECT account_key FROM campaign_links WHERE campaign_id = ?1)
    UNION ALL
    SELECT id, campaign_id, item_id, action, justification, reviewer, os_user, host,
        decided_at, basis, valid_until, assignee, stage, decided_key, packet_sha256, NULL, NULL,
        prev_hash, event_hash, 1, id
    FROM decision_events WHERE campaign_id = ?1
    ORDER BY part, ord";

/// Writes the decision history to `path`; returns the number of events.
pub fn export_file(conn: &Connection, campaign: &Campaign, path: &Path) -> Result<u64> {
    if campaign.evidence_format >= 2 {
        write_query_csv(conn, path, &COLUMNS_2, SELECT_2, [campaign.id])
    } else {
        write_query_csv(conn, path, &COLUMNS, SELECT, [campaign.id])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::GENESIS;
    use crate::evidence::fixture;
    use crate::model::DecisionAction;

    #[test]
    fn undos_and_redecisions_are_listed_in_order() {
        let mut ws = fixture::workspace();
        fixture::decide_all(&mut ws);
        fixture::decide(&mut ws, &[2], DecisionAction::Undo, "x");
        fixture::decide(&mut ws, &[2], DecisionAction::Revoke, "-not needed");
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("history.csv");
        let rows = export_file(&ws.conn, &fixture::campaign(&ws), &path).expect("export");
        assert_eq!(rows, 7);
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert!(lines[1].starts_with(
            "1,1,3,certify,still needed,M1,tester,testhost,2026-12-01T09:00:00.000Z,"
        ));
        assert!(lines[1].contains(GENESIS));
        assert!(lines[6].starts_with("6,1,2,undo,x,"), "{}", lines[6]);
        assert!(
            lines[7].starts_with("7,1,2,revoke,'-not needed,"),
            "{}",
            lines[7]
        );
    }
}
