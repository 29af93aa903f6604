//! Decisions of earlier reviews run in other tools (the Entra access-review
//! history), attached to the person or account they were about through
//! identity correlation: shown beside every item of that holder, and
//! flagging access an earlier review denied that is still there
//! (`denied-before`).

use std::fmt::Write as _;

use foldhash::{HashMap, HashMapExt};
use rusqlite::{Connection, params};

use crate::identity::Resolver;
use crate::model::When;

/// One earlier decision, as a campaign reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierReview {
    pub id: i64,
    pub resource: String,
    pub review_name: Option<String>,
    pub denied: bool,
    pub reviewed_at: Option<When>,
    pub reviewer: Option<String>,
    pub justification: Option<String>,
}

/// Earlier reviews by holder (an index into the resolver's rows).
#[derive(Debug, Default)]
pub struct EarlierReviews {
    reviews: Vec<EarlierReview>,
    by_holder: HashMap<u32, Vec<usize>>,
}

impl EarlierReviews {
    /// Reads every earlier decision and resolves whom it was about.
    pub fn load(conn: &Connection, resolver: &Resolver) -> rusqlite::Result<EarlierReviews> {
        let mut statement = conn.prepare(
            "SELECT id, principal_key, resource, review_name, decision, reviewed_at, reviewer,
                    justification
             FROM prior_reviews ORDER BY id",
        )?;
        let mut rows = statement.query([])?;
        let mut earlier = EarlierReviews {
            reviews: Vec::new(),
            by_holder: HashMap::new(),
        };
        let mut holders: HashMap<String, Option<u32>> = HashMap::new();
        while let Some(row) = rows.next()? {
            let principal: String = row.get(1)?;
            let holder = *holders.entry(principal.clone()).or_insert_with(|| {
                resolver
                    .link(&principal, "")
                    .person
                    .or_else(|| resolver.accounts_of(&principal).first().copied())
            });
            let Some(holder) = holder else {
                continue;
            };
            let decision: Option<String> = row.get(4)?;
            let reviewed_at: Option<String> = row.get(5)?;
            earlier
                .by_holder
                .entry(holder)
                .or_default()
                .push(earlier.reviews.len());
            earlier.reviews.push(EarlierReview {
                id: row.get(0)?,
                resource: row.get(2)?,
                review_name: row.get(3)?,
                denied: decision.as_deref() == Some("revoke"),
                reviewed_at: reviewed_at.as_deref().and_then(When::parse_stored),
                reviewer: row.get(6)?,
                justification: row.get(7)?,
            });
        }
        Ok(earlier)
    }

    pub fn is_empty(&self) -> bool {
        self.reviews.is_empty()
    }

    /// The sentence for `denied-before`: an earlier review denied this
    /// holder this access (its system, the system's family or the
    /// entitlement), and the grant is older than that decision (or its
    /// date is unknown), so it is the same access still there.
    pub fn denial(
        &self,
        holder: u32,
        system: &str,
        entitlement: &str,
        granted_at: Option<When>,
    ) -> Option<String> {
        let indexes = self.by_holder.get(&holder)?;
        indexes
            .iter()
            .map(|&i| &self.reviews[i])
            .filter(|r| r.denied && same_resource(&r.resource, system, entitlement))
            .filter(|r| match (granted_at, r.reviewed_at) {
                (Some(granted), Some(reviewed)) => granted.date() <= reviewed.date(),
                _ => true,
            })
            .max_by_key(|r| r.reviewed_at)
            .map(|r| {
                let mut text = format!("denied in an earlier review of {}", r.resource.trim());
                if let Some(name) = r.review_name.as_deref().filter(|n| !n.trim().is_empty()) {
                    let _ = write!(text, " ({})", name.trim());
                }
                if let Some(reviewer) = r.reviewer.as_deref().filter(|n| !n.trim().is_empty()) {
                    let _ = write!(text, " by {}", reviewer.trim());
                }
                if let Some(at) = r.reviewed_at {
                    let _ = write!(text, " on {}", at.date());
                }
                if let Some(why) = r.justification.as_deref().filter(|n| !n.trim().is_empty()) {
                    let _ = write!(text, ": {:?}", why.trim());
                }
                text.push_str("; the access is still there");
                text
            })
    }

    /// Stores which earlier decisions concern which holder of the campaign
    /// (`campaign_prior_reviews`), for the review and `items --json`.
    pub fn freeze(
        &self,
        conn: &Connection,
        campaign_id: i64,
        resolver: &Resolver,
    ) -> rusqlite::Result<()> {
        let mut insert = conn.prepare(
            "INSERT OR IGNORE INTO campaign_prior_reviews (campaign_id, holder_row, prior_review_id)
             VALUES (?1, ?2, ?3)",
        )?;
        for (holder, indexes) in &self.by_holder {
            let row = resolver.row(*holder).row;
            for &index in indexes {
                insert.execute(params![campaign_id, row, self.reviews[index].id])?;
            }
        }
        Ok(())
    }
}

/// Whether an earlier review's resource is this grant's system or
/// entitlement, or the family of its system (`github` for
/// `github:northwind`), ignoring ASCII case.
fn same_resource(resource: &str, system: &str, entitlement: &str) -> bool {
    let resource = resource.trim();
    resource.eq_ignore_ascii_case(system.trim())
        || resource.eq_ignore_ascii_case(entitlement.trim())
        || system
            .trim()
            .get(..resource.len() + 1)
            .is_some_and(|prefix| {
                prefix[..resource.len()].eq_ignore_ascii_case(resource) && prefix.ends_with(':')
            })
}

#[cfg(test)]
mod tests {
    use super::same_resource;

    #[test]
    fn resources_match_system_family_or_entitlement() {
        assert!(same_resource("GitHub", "github:northwind", "member"));
        assert!(same_resource(
            "Finance-Admins",
            "entra-id",
            "finance-admins"
        ));
        assert!(same_resource("okta", "okta", "Okta password"));
        assert!(!same_resource("git", "github:northwind", "member"));
        assert!(!same_resource(
            "Finance-Admins",
            "github:northwind",
            "member"
        ));
    }
}
