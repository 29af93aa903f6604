//! A small campaign built with raw SQL for the evidence tests: five items
//! under four controls, one orphaned grant and formula-like imported text.

use crate::campaign::{Campaign, find_campaign};
use crate::model::{DecisionAction, Signal};
use crate::workspace::Workspace;

pub const SOURCE_SHA: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

/// Items 1..=5 under controls 8.2, 5.18, 5.16, 5.17 and 5.18, inserted out
/// of evidence order on purpose. Item 3's holder is not an identity.
pub fn workspace() -> Workspace {
    crate::test_support::workspace_with(&format!(
        "INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
             VALUES (1, 1, 'identities', 'canonical', 'identities', 'i.csv', '{h}', 3),
                    (2, 1, 'entitlements', 'canonical', 'entitlements', 'e.csv', '{s}', 5);
         INSERT INTO identities (id, snapshot_id, line, identity_id, display_name, kind, status)
             VALUES (1, 1, 2, 'E1', 'Ann Example', 'human', 'active'),
                    (2, 1, 3, 'E2', '=HYPERLINK(\"http://evil.example\",\"x\")', 'human', 'terminated'),
                    (3, 1, 4, 'svc-ci', 'CI, \"deploy\" bot', 'service', 'active');
         INSERT INTO grants (id, snapshot_id, line, identity_ref, system, entitlement, type, privileged)
             VALUES (1, 2, 2, 'E1', 'aws', 'Admin', 'role', 1),
                    (2, 2, 3, 'E1', 'crm', 'user', 'role', 0),
                    (3, 2, 4, 'ghost', 'crm', '@admins', 'group', 0),
                    (4, 2, 5, 'svc-ci', 'github', 'key-1', 'api_key', 0),
                    (5, 2, 6, 'E2', 'crm', 'user', 'role', 0);
         INSERT INTO campaigns (id, name, period, as_of, justify_mask, rules, created_at, created_by)
             VALUES (1, 'Q4 review', '2026-Q4', '2026-11-30', {justify}, '{{}}', '2026-11-30T00:00:00Z', 'u');
         INSERT INTO items (id, campaign_id, control_id, grant_row, identity_row, signal_mask, reasons,
             recommendation, recommendation_reason, assigned_reviewer)
             VALUES (1, 1, '8.2', 1, 1, {privileged}, '[\"privileged\"]', 'certify', 'in use', 'M1'),
                    (2, 1, '5.18', 2, 1, 0, '[]', 'certify', 'no risk', 'M1'),
                    (3, 1, '5.16', 3, NULL, {orphaned}, '[\"no such identity\"]', 'revoke', 'orphaned', 'M1'),
                    (4, 1, '5.17', 4, 3, {unrotated}, '[\"never rotated\"]', 'certify', 'in use', 'M1'),
                    (5, 1, '5.18', 5, 2, {terminated}, '[\"left\"]', 'revoke', 'terminated', 'M1');",
        h = "a".repeat(64),
        s = SOURCE_SHA,
        justify = Signal::ALL.iter().filter(|s| s.is_risk()).fold(0, |m, s| m | s.bit()),
        privileged = Signal::Privileged.bit(),
        orphaned = Signal::Orphaned.bit() | Signal::New.bit(),
        unrotated = Signal::Unrotated.bit(),
        terminated = Signal::Terminated.bit(),
    ))
}

pub fn campaign(ws: &Workspace) -> Campaign {
    find_campaign(&ws.conn, "1").expect("campaign")
}

pub use crate::test_support::at;

pub fn decide(ws: &mut Workspace, items: &[i64], action: DecisionAction, why: &str) {
    crate::test_support::decide(ws, "1", items, action, Some(why), "M1").expect("decide");
}

pub fn decide_all(ws: &mut Workspace) {
    decide(ws, &[1, 2, 4], DecisionAction::Certify, "still needed");
    decide(ws, &[3], DecisionAction::Revoke, "=orphaned, remove");
    decide(ws, &[5], DecisionAction::Revoke, "left the company");
}
