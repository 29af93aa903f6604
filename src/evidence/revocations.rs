//! The provisioning team's work list: every revoked item of a campaign,
//! sorted by system then account. A campaign of evidence format 2 names
//! each row's account as the target system knows it (GitHub login, IAM
//! user, UPN, Okta or application login, Azure principal), the person
//! behind it and the scope, so a provisioning engineer acts on each row
//! without looking anything up.

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

/// The work list of format-2 campaigns.
pub const COLUMNS_2: [&str; 12] = [
    "system",
    "account",
    "person_id",
    "person_name",
    "entitlement",
    "scope",
    "type",
    "justification",
    "decided_by",
    "decided_at",
    "item_id",
    "holder_key",
];

/// The account as its own system names it, from what its export kept:
/// the GitHub login behind a SAML NameID or e-mail, the IAM user of an AWS
/// key, the application login of an Okta assignment; else the key itself.
/// Azure assignments add their role assignment id to the scope.
const SELECT_2: &str = "SELECT system,
        CASE
            WHEN json_extract(grant_attributes, '$.github_login') IS NOT NULL
                THEN json_extract(grant_attributes, '$.github_login')
            WHEN json_extract(grant_attributes, '$.application_login') IS NOT NULL
                THEN json_extract(grant_attributes, '$.application_login')
            WHEN system LIKE 'aws:%' AND account LIKE system || ':%'
                THEN substr(account, length(system) + 2)
            ELSE account
        END,
        person_id, CASE WHEN person_id IS NOT NULL THEN identity_name END, entitlement,
        trim(coalesce(json_extract(grant_attributes, '$.scope'), '')
            || coalesce(' (role assignment ' || json_extract(grant_attributes, '$.role_assignment_id') || ')', '')
            || coalesce('Okta assignment of ' || CASE WHEN json_extract(grant_attributes, '$.application_login') IS NOT NULL THEN account END, '')),
        entitlement_type, justification,
        decided_by_reviewer || ' (' || coalesce(decided_by_os_user, 'unknown') || '@'
            || coalesce(decided_by_host, 'unknown') || ')',
        decided_at, item_id, account
    FROM item_view
    WHERE campaign_id = ?1 AND decision = 'revoke'
    ORDER BY system, 2, entitlement, item_id";

/// Writes the revocation list to `path`; returns the number of revocations.
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
