//! Every account of the current view with its person and how it was
//! linked (`recert links`, the review's accounts screen): the holder keys
//! of all current grants and the rows of directory exports.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::candidates::{Candidate, Candidates};
use super::keys::fold;
use super::{Link, Resolver};

/// One account and how it resolved.
#[derive(Debug, Clone)]
pub struct AccountEntry {
    /// The folded key.
    pub key: String,
    /// The key as an export first wrote it.
    pub shown: String,
    /// Where it appears: directory scopes and grant systems.
    pub sources: Vec<String>,
    /// Current grants it holds.
    pub grants: u64,
    pub link: Link,
    /// Its own directory row, if any.
    pub account_row: Option<u32>,
    /// Suggestions, for unlinked accounts only (when asked for).
    pub candidates: Vec<Candidate>,
}

impl AccountEntry {
    pub fn is_unlinked(&self) -> bool {
        self.link.person.is_none()
    }

    pub fn is_ambiguous(&self) -> bool {
        !self.link.ambiguous.is_empty()
    }
}

/// Every account of the current view, sorted by key. Candidates are
/// proposed for unlinked accounts when `suggest` is set and persons exist.
pub fn list_accounts(
    conn: &Connection,
    resolver: &Resolver,
    suggest: bool,
) -> rusqlite::Result<Vec<AccountEntry>> {
    let mut accounts: BTreeMap<String, AccountEntry> = BTreeMap::new();
    let mut entry = |key: String, shown: &str, source: &str, grants: u64| {
        let entry = accounts.entry(key.clone()).or_insert_with(|| AccountEntry {
            key,
            shown: shown.trim().to_owned(),
            sources: Vec::new(),
            grants: 0,
            link: Link::default(),
            account_row: None,
            candidates: Vec::new(),
        });
        if !entry.sources.iter().any(|s| s == source) {
            entry.sources.push(source.to_owned());
        }
        entry.grants += grants;
    };
    for row in &resolver.rows[resolver.person_count()..] {
        entry(fold(&row.identity_id), &row.identity_id, &row.scope, 0);
    }
    let mut statement = conn.prepare(
        "SELECT identity_ref, system, count(*) FROM grants
         WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1 AND kind = 'entitlements')
         GROUP BY identity_ref, system",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let shown: String = row.get(0)?;
        let system: String = row.get(1)?;
        entry(fold(&shown), &shown, &system, row.get(2)?);
    }
    let candidates = (suggest && resolver.has_persons()).then(|| Candidates::new(resolver));
    let mut list: Vec<AccountEntry> = accounts.into_values().collect();
    for account in &mut list {
        // The first system or scope it appears in decides rule 5 (Okta
        // application logins are per system).
        let system = account.sources.first().map(|s| fold(s)).unwrap_or_default();
        account.link = resolver.link(&account.key, &system);
        account.account_row = resolver.account_row(&account.key, &system);
        if let (Some(candidates), true) = (&candidates, account.is_unlinked()) {
            let name = account
                .account_row
                .and_then(|r| resolver.row(r).display_name.clone());
            account.candidates = candidates.for_account(&account.key, name.as_deref(), 3);
        }
    }
    Ok(list)
}
