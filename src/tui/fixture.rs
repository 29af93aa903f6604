//! A small campaign built with raw SQL for the TUI tests: three controls,
//! people and non-human identities, an orphaned grant, hostile and wide
//! text, extra attributes and one decision already made.

use chrono::NaiveDate;

use super::app::App;
use super::data;
use super::theme::Theme;
use crate::campaign::{Campaign, find_campaign};
use crate::model::{DecisionAction, Signal};
use crate::workspace::Workspace;

/// The reviewer of every fixture item.
pub const REVIEWER: &str = "M1";

pub fn workspace() -> Workspace {
    let bit = |s: Signal| s.bit();
    let ws = crate::test_support::workspace_with(&format!(
        "INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
             VALUES (1, 1, 'identities', 'canonical', 'identities', 'identities.csv', '{h}', 5),
                    (2, 1, 'entitlements', 'canonical', 'entitlements', 'entitlements.csv', '{h}', 9);
         INSERT INTO identities (id, snapshot_id, line, identity_id, display_name, email, department, kind, status,
                 manager_id, owner_id, termination_date, last_login_at, attributes)
             VALUES (1, 1, 2, 'E1', 'Zoë Müller', 'zoe@x.example', 'Engineering', 'human', 'active', 'M1', NULL, NULL, '2026-11-20', '{{\"location\":\"Berlin\"}}'),
                    (2, 1, 3, 'E2', 'Wang Fang (王芳) 👩‍💻', NULL, 'Finance', 'human', 'terminated', 'M1', NULL, '2026-10-01', '2026-09-30T17:00:00Z', NULL),
                    (3, 1, 4, 'svc-ci', 'CI deploy bot', NULL, 'Engineering', 'service', 'active', NULL, 'M1', NULL, NULL, NULL),
                    (4, 1, 5, 'E4', 'Mallory' || char(27) || '[31m Evil', NULL, 'Sales', 'human', 'active', 'M1', NULL, NULL, '2026-01-02', NULL),
                    (5, 1, 6, 'M1', 'Mia Manager', 'm1@x.example', 'Engineering', 'human', 'active', NULL, NULL, NULL, '2026-11-29', NULL);
         INSERT INTO grants (id, snapshot_id, line, identity_ref, system, entitlement, type, privileged,
                 granted_at, last_used_at, last_rotated_at, expires_at, attributes)
             VALUES (1, 2, 2, 'E1', 'aws-prod', 'AdministratorAccess', 'role', 1, '2024-01-10', '2026-11-25', NULL, NULL, '{{\"source_ticket\":\"CHG-1\"}}'),
                    (2, 2, 3, 'E1', 'crm', 'sales-user', 'role', 0, '2026-11-15', '2026-11-28', NULL, NULL, NULL),
                    (3, 2, 4, 'ghost@x.example', 'crm', 'admins', 'group', 0, '2025-02-01', NULL, NULL, NULL, NULL),
                    (4, 2, 5, 'svc-ci', 'github', 'deploy-key', 'api_key', 0, '2023-05-01', '2026-11-29', NULL, NULL, NULL),
                    (5, 2, 6, 'E2', 'crm', 'finance-reports', 'role', 0, '2022-03-01', '2026-09-30', NULL, NULL, NULL),
                    (6, 2, 7, 'E4', 'jira', 'project-admin', 'role', 0, '2025-01-01', '2026-01-02', NULL, NULL, NULL),
                    (7, 2, 8, 'E1', 'jira', 'user', 'role', 0, '2025-06-01', '2026-11-27', NULL, NULL, NULL),
                    (8, 2, 9, 'M1', 'jira', 'user', 'role', 0, '2025-06-01', '2026-11-27', NULL, NULL, NULL),
                    (9, 2, 10, 'E4', 'vpn', 'access', 'account', 0, '2025-06-01', '2026-11-01', NULL, '2026-11-01', NULL);
         INSERT INTO campaigns (id, name, period, as_of, due, default_reviewer, justify_mask, rules, created_at, created_by)
             VALUES (1, 'Q4 review', '2026-Q4', '2026-11-30', '2026-12-31', 'M1', {justify}, '{{}}', '2026-11-30T00:00:00Z', 'u');
         INSERT INTO campaign_snapshots (campaign_id, snapshot_id) VALUES (1, 1), (1, 2);
         INSERT INTO items (id, campaign_id, control_id, grant_row, identity_row, signal_mask, reasons,
                 recommendation, recommendation_reason, assigned_reviewer)
             VALUES (1, 1, '8.2', 1, 1, {privileged}, '[\"privileged role\"]', 'certify', 'in use', 'M1'),
                    (2, 1, '5.18', 2, 1, {new}, '[\"granted 15 days ago\"]', 'certify', 'in use', 'M1'),
                    (3, 1, '5.16', 3, NULL, {orphaned}, '[\"holder ghost@x.example matches no identity\"]', 'revoke', 'orphaned grant', 'M1'),
                    (4, 1, '5.17', 4, 3, {unrotated}, '[\"rotation date unknown\"]', 'certify', 'in use', 'M1'),
                    (5, 1, '5.16', 5, 2, {terminated}, '[\"terminated on 2026-10-01\"]', 'revoke', 'holder terminated', 'M1'),
                    (6, 1, '5.18', 6, 4, {dormant}, '[\"last used 332 days ago\"]', 'revoke', 'dormant for 332 days', 'M1'),
                    (7, 1, '5.18', 7, 1, 0, '[]', 'certify', 'in use, no risk signals', 'M1'),
                    (8, 1, '5.18', 8, 5, 0, '[]', 'certify', 'in use, no risk signals', 'OWNER'),
                    (9, 1, '5.18', 9, 4, {expired}, '[\"expired on 2026-11-01\"]', 'revoke', 'expired', 'M1');",
        h = "ab".repeat(32),
        justify = Signal::ALL.iter().filter(|s| s.is_risk()).fold(0, |m, s| m | s.bit()),
        privileged = bit(Signal::Privileged),
        new = bit(Signal::New),
        orphaned = bit(Signal::Orphaned),
        unrotated = bit(Signal::Unrotated),
        terminated = bit(Signal::Terminated),
        dormant = bit(Signal::Dormant),
        expired = bit(Signal::Expired),
    ));
    crate::test_support::record_control_stats(&ws.conn, 1);
    let mut ws = ws;
    decide(&mut ws, &[7], DecisionAction::Certify, None, REVIEWER);
    ws
}

/// Records a decision the way recert does (events, projection and counts),
/// for tests that need many items decided before they start.
pub fn decide(
    ws: &mut Workspace,
    items: &[i64],
    action: DecisionAction,
    justification: Option<&str>,
    reviewer: &str,
) {
    crate::test_support::decide(ws, "Q4 review", items, action, justification, reviewer)
        .expect("decision");
}

pub fn campaign(ws: &Workspace) -> Campaign {
    find_campaign(&ws.conn, "Q4 review").expect("campaign")
}

/// The app on the overview, as the shell builds it, on 2026-12-01.
pub fn app(ws: &Workspace, theme: Theme) -> App {
    let controls = data::control_counts(&ws.conn, &campaign(ws), REVIEWER).expect("counts");
    App::new(
        campaign(ws),
        REVIEWER,
        NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        controls,
        theme,
    )
}

/// Adds `n` plain items (ids 101..) under control 5.15, for paging tests.
pub fn add_many(ws: &Workspace, n: u32) {
    ws.conn
        .execute(
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?1)
             INSERT INTO items (id, campaign_id, control_id, grant_row, identity_row, signal_mask, reasons,
                 recommendation, recommendation_reason, assigned_reviewer)
             SELECT 100 + i, 1, '5.15', 7, 1, 0, '[]', 'certify', 'no risk', 'M1' FROM k",
            [n],
        )
        .expect("many items");
    crate::test_support::record_control_stats(&ws.conn, 1);
}

/// The fixture workspace as a file in `dir`, for tests that need a second
/// connection (another process deciding, a held write lock).
pub fn file_workspace(dir: &std::path::Path) -> (Workspace, std::path::PathBuf) {
    let path = dir.join("workspace.db");
    workspace()
        .conn
        .execute("VACUUM INTO ?1", [path.to_string_lossy()])
        .expect("copy to a file");
    (Workspace::open(&path).expect("open"), path)
}

/// Links the fixture's items as identity correlation would have (PRODUCT.md
/// §6), for the detail pane's account lines: item 1 held by Zoë's admin
/// account, item 7 by a login linked by hand, item 3 an ambiguous account,
/// item 5 a key a rehire shares, item 4 a service account no person holds; and
/// two earlier reviews of Zoë, one of item 1's own system, one by a
/// reviewer the history names by e-mail (shown by name).
pub fn correlate(ws: &Workspace) {
    ws.conn
        .execute_batch(&format!(
            "INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
                 VALUES (3, 1, 'identities', 'entra-id', 'entra-users', 'entra-users.csv', '{h}', 1);
             INSERT INTO identities (id, snapshot_id, line, identity_id, display_name, kind, status)
                 VALUES (20, 3, 2, 'adm-zoe@x.example', 'Zoë Müller (admin)', 'human', 'active');
             UPDATE grants SET identity_ref = 'adm-zoe@x.example' WHERE id = 1;
             UPDATE grants SET identity_ref = 'zmuller' WHERE id = 7;
             INSERT INTO campaign_links (id, campaign_id, account_key, account_row, person_row, basis,
                     secondary, kind, kind_reason, note)
                 VALUES (1, 1, 'adm-zoe@x.example', 20, 1, 'secondary', 1, NULL, NULL,
                         'secondary account by the pattern adm-{{local}}'),
                        (2, 1, 'zmuller', NULL, 1, 'manual', 0, NULL, NULL,
                         'linked by iam-lead on 2026-11-20T10:00:00.000Z: HR ticket 4711, her Jira login'),
                        (3, 1, 'ghost@x.example', NULL, NULL, NULL, 0, NULL, NULL,
                         'ambiguous: matches Zoë Müller (E1) and Mia Manager (M1); link it by hand (recert link)'),
                        (4, 1, 'e2', NULL, 2, 'identity-id', 0, NULL, NULL,
                         'E9 (terminated 2019-03-31) goes by this key too; linked to E2 (terminated 2026-10-01) (the active record, else the most recent)'),
                        (5, 1, 'svc-ci', 3, NULL, NULL, 0, 'service',
                         'service account: the name svc-ci matches svc-*', NULL);
             UPDATE items SET link_row = 1 WHERE id = 1;
             UPDATE items SET link_row = 2 WHERE id = 7;
             UPDATE items SET link_row = 3 WHERE id = 3;
             UPDATE items SET link_row = 4 WHERE id = 5;
             UPDATE items SET link_row = 5 WHERE id = 4;
             INSERT INTO prior_reviews (id, import_id, format, file_name, sha256, line, principal_ref,
                     principal_key, resource, review_name, result, decision, reviewed_at, reviewer,
                     justification)
                 VALUES (1, 1, 'entra-access-review-history', 'history.csv', '{h}', 2, 'zoe@x.example',
                         'zoe@x.example', 'github', 'Q2 2026', 'Approve', 'certify',
                         '2026-05-12T10:30:00Z', 'M1@x.example', 'Needs the web repositories'),
                        (2, 1, 'entra-access-review-history', 'history.csv', '{h}', 3, 'zoe@x.example',
                         'zoe@x.example', 'aws-prod', 'Q1 2025', 'Deny', 'revoke',
                         '2025-04-02T09:00:00Z', 'Marcus Oyelaran', 'Left the company');
             INSERT INTO campaign_prior_reviews (campaign_id, holder_row, prior_review_id)
                 VALUES (1, 1, 1), (1, 1, 2);",
            h = "ab".repeat(32),
        ))
        .expect("correlated fixture");
}

/// Accounts for the accounts screen: a second Zoe among the persons, so a
/// bare `zoe` (an AWS console user) matches both and is ambiguous; an Entra
/// account with Zoë Müller's display name (a suggestion); and a service
/// account nobody could be.
pub fn accounts(ws: &Workspace) {
    ws.conn
        .execute_batch(&format!(
            "INSERT INTO identities (id, snapshot_id, line, identity_id, display_name, email, department, kind, status)
                 VALUES (6, 1, 7, 'E6', 'Zoe Other', 'zoe@y.example', 'Sales', 'human', 'active');
             INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
                 VALUES (4, 1, 'identities', 'entra-id', 'entra-users', 'entra-users.csv', '{h}', 2),
                        (5, 1, 'entitlements', 'entra-id', 'entra-users', 'entra-users.csv', '{h}', 3);
             INSERT INTO identities (id, snapshot_id, line, identity_id, display_name, kind, status)
                 VALUES (30, 4, 2, 'zmuller@x.example', 'Zoë Müller', 'human', 'active'),
                        (31, 4, 3, 'svc-sync@x.example', 'Directory sync', 'human', 'active');
             INSERT INTO grants (id, snapshot_id, line, identity_ref, system, entitlement, type, privileged)
                 VALUES (30, 5, 2, 'zmuller@x.example', 'entra-id', 'member account', 'account', 0),
                        (31, 5, 3, 'svc-sync@x.example', 'entra-id', 'member account', 'account', 0),
                        (32, 5, 4, 'zoe', 'aws:111122223333', 'console password', 'password', 0);",
            h = "ab".repeat(32),
        ))
        .expect("accounts fixture");
}
