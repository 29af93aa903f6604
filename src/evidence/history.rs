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

/// Writes the decision history to `path`; returns the number of events.
pub fn export_file(conn: &Connection, campaign: &Campaign, path: &Path) -> Result<u64> {
    write_query_csv(conn, path, &COLUMNS, SELECT, [campaign.id])
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
