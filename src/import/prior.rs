//! Earlier review decisions (table `prior_reviews`, migration 0002) as the
//! review shows them: "last reviewed" beside an item.

use rusqlite::{Connection, OptionalExtension};

use crate::model::Decision;

/// One decision of an earlier review about the person an item belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LastReview {
    /// The group, application or role that review was about.
    pub resource: String,
    /// Whether `resource` names the item's system or entitlement, or the
    /// family of its system (`github` for `github:northwind`), ignoring ASCII
    /// case; otherwise it is another access of the same person.
    pub same_resource: bool,
    pub review_name: Option<String>,
    /// The result as the file wrote it (`Approve`, `Deny`, `NotReviewed`).
    pub result: String,
    /// `None` when the earlier review left it undecided.
    pub decision: Option<Decision>,
    /// Stored text: `2026-05-31` or `2026-05-31T09:12:00Z`.
    pub reviewed_at: Option<String>,
    pub reviewer: Option<String>,
    pub justification: Option<String>,
    /// The history file it came from.
    pub file_name: String,
}

/// Earlier decisions about the holder of `item_id`, those about the item's
/// own system or entitlement first, newest first within each. Empty when
/// there are none.
///
/// A campaign resolved, when it was created, which earlier decisions were
/// about each person (under any of their accounts) or unlinked account
/// (`campaign_prior_reviews`); decisions about the holder's own keys
/// (identity_id, e-mail, account) are found too, so campaigns created
/// before identity correlation still show theirs.
pub fn for_item(conn: &Connection, item_id: i64) -> rusqlite::Result<Vec<LastReview>> {
    let mut statement = conn.prepare_cached(
        "SELECT p.resource,
                (lower(p.resource) IN (lower(v.system), lower(v.entitlement))
                 OR substr(lower(v.system), 1, length(p.resource) + 1) = lower(p.resource) || ':') AS same_resource,
                p.review_name, p.result, p.decision, p.reviewed_at, p.reviewer, p.justification, p.file_name
         FROM item_view v
         JOIN prior_reviews p
           ON p.principal_key IN (lower(trim(v.identity_id)), lower(trim(coalesce(v.identity_email, ''))),
                                  lower(trim(v.account)))
           OR p.id IN (SELECT prior_review_id FROM campaign_prior_reviews c
                       WHERE c.campaign_id = v.campaign_id AND c.holder_row = v.holder_row)
         WHERE v.item_id = ?1
         ORDER BY same_resource DESC, p.reviewed_at DESC, p.id DESC",
    )?;
    let rows = statement.query_map([item_id], |row| {
        Ok(LastReview {
            resource: row.get(0)?,
            same_resource: row.get(1)?,
            review_name: row.get(2)?,
            result: row.get(3)?,
            decision: row.get(4)?,
            reviewed_at: row.get(5)?,
            reviewer: row.get(6)?,
            justification: row.get(7)?,
            file_name: row.get(8)?,
        })
    })?;
    rows.collect()
}

/// The latest earlier decision about this item's own system or entitlement,
/// for a one-line "last reviewed" in the detail pane.
pub fn last_for_item(conn: &Connection, item_id: i64) -> rusqlite::Result<Option<LastReview>> {
    Ok(for_item(conn, item_id)?
        .into_iter()
        .find(|r| r.same_resource))
}

/// Earlier decisions of a whole campaign by holder row, resolved when it
/// was created (`campaign_prior_reviews`), for listing many items at once;
/// [`for_holder`] orders one item's.
pub fn for_campaign(
    conn: &Connection,
    campaign_id: i64,
) -> rusqlite::Result<std::collections::HashMap<i64, Vec<LastReview>>> {
    let mut statement = conn.prepare(
        "SELECT c.holder_row, p.resource, p.review_name, p.result, p.decision, p.reviewed_at,
                p.reviewer, p.justification, p.file_name
         FROM campaign_prior_reviews c JOIN prior_reviews p ON p.id = c.prior_review_id
         WHERE c.campaign_id = ?1
         ORDER BY p.reviewed_at DESC, p.id DESC",
    )?;
    let mut rows = statement.query([campaign_id])?;
    let mut by_holder: std::collections::HashMap<i64, Vec<LastReview>> =
        std::collections::HashMap::new();
    while let Some(row) = rows.next()? {
        let decision: Option<String> = row.get(4)?;
        by_holder.entry(row.get(0)?).or_default().push(LastReview {
            resource: row.get(1)?,
            same_resource: false,
            review_name: row.get(2)?,
            result: row.get(3)?,
            decision: decision.as_deref().and_then(Decision::parse),
            reviewed_at: row.get(5)?,
            reviewer: row.get(6)?,
            justification: row.get(7)?,
            file_name: row.get(8)?,
        });
    }
    Ok(by_holder)
}

/// One holder's earlier decisions as an item of `system` and `entitlement`
/// shows them: those about its own resource first, newest first within each.
pub fn for_holder(reviews: &[LastReview], system: &str, entitlement: &str) -> Vec<LastReview> {
    let mut ordered: Vec<LastReview> = reviews
        .iter()
        .map(|review| {
            let resource = review.resource.trim();
            let same = resource.eq_ignore_ascii_case(system)
                || resource.eq_ignore_ascii_case(entitlement)
                || system.get(..resource.len() + 1).is_some_and(|p| {
                    p[..resource.len()].eq_ignore_ascii_case(resource) && p.ends_with(':')
                });
            LastReview {
                same_resource: same,
                ..review.clone()
            }
        })
        .collect();
    // Stable: within each group the order stays newest first.
    ordered.sort_by_key(|review| !review.same_resource);
    ordered
}

/// How many earlier decisions the workspace holds (for status screens).
pub fn count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT count(*) FROM prior_reviews", [], |row| row.get(0))
        .optional()
        .map(Option::unwrap_or_default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportOptions;
    use crate::import::vendor::testing::{fixture, import_paths};

    /// A campaign item for the first grant held by `holder`.
    fn item_for(conn: &Connection, holder: &str) -> i64 {
        conn.execute(
            "INSERT INTO campaigns (name, as_of, justify_mask, rules, created_at, created_by)
             VALUES ('Q4', '2026-11-30', 0, '', '2026-11-30T00:00:00Z', 'test')",
            [],
        )
        .expect("campaign");
        let campaign = conn.last_insert_rowid();
        conn.execute(
            "INSERT INTO items (campaign_id, control_id, grant_row, identity_row, signal_mask, reasons,
                 recommendation, recommendation_reason, assigned_reviewer)
             SELECT ?1, '5.18', g.id, i.id, 0, '[]', 'certify', 'no risk', 'R'
             FROM grants g LEFT JOIN identities i ON lower(i.identity_id) = lower(g.identity_ref)
             WHERE g.identity_ref = ?2 ORDER BY g.id LIMIT 1",
            (campaign, holder),
        )
        .expect("item");
        conn.last_insert_rowid()
    }

    #[test]
    fn an_item_shows_the_last_review_of_its_resource_first() {
        let paths = [
            fixture("github-enterprise-members.csv"),
            fixture("google-workspace-users.csv"),
            fixture("entra-access-review-history.csv"),
        ];
        let (ws, _) = import_paths(&paths, &ImportOptions::default()).expect("imports");
        let zoe = item_for(&ws.conn, "zoe.muller@northwind.example");
        let reviews = for_item(&ws.conn, zoe).expect("query");
        assert_eq!(reviews.len(), 1);
        let last = last_for_item(&ws.conn, zoe).expect("query").expect("one");
        assert_eq!(
            (
                last.resource.as_str(),
                last.decision,
                last.reviewed_at.as_deref(),
                last.reviewer.as_deref()
            ),
            (
                "github",
                Some(Decision::Certify),
                Some("2026-05-12T10:30:00Z"),
                Some("ada.lovelace@northwind.example")
            )
        );
        assert_eq!(count(&ws.conn).expect("count"), 3);
    }

    #[test]
    fn another_resource_is_listed_but_is_not_the_last_review() {
        let paths = [
            fixture("google-workspace-users.csv"),
            fixture("entra-access-review-history.csv"),
        ];
        let (ws, _) = import_paths(&paths, &ImportOptions::default()).expect("imports");
        // Bo's Google account: the history only knows his Finance-Admins review.
        let bo = item_for(&ws.conn, "bo.worker@northwind.example");
        let reviews = for_item(&ws.conn, bo).expect("query");
        assert_eq!(reviews.len(), 1);
        assert!(!reviews[0].same_resource);
        assert_eq!(reviews[0].decision, Some(Decision::Revoke));
        assert_eq!(last_for_item(&ws.conn, bo).expect("query"), None);
    }
}
