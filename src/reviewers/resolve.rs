//! Who a reviewer name names (PRODUCT.md §8): a person of the workspace by
//! identity_id or e-mail, an account linked to one, or a registered
//! reviewer; anything else is refused with the closest known names.

use std::fmt::{self, Write as _};

use chrono::Utc;
use rusqlite::Connection;

use super::name::{Cleaned, clean, closest, fold};
use super::registry;
use crate::campaign::Campaign;
use crate::identity::Resolver;
use crate::text::for_display;

/// What a known reviewer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewerKind {
    /// An identity of an HR or canonical identities file.
    Person,
    /// A directory or application account no person is linked to.
    Account,
    /// An entry of `recert reviewer add`.
    Registered,
}

/// A reviewer name resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownReviewer {
    /// The name recert records: the person's (or account's) identity_id,
    /// or the registered name.
    pub name: String,
    pub kind: ReviewerKind,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// The name as typed, once cleaned.
    pub typed: String,
    /// Control or invisible characters removed from what was typed.
    pub removed: usize,
    /// How the name was found when not as an identity_id or registered name
    /// (an e-mail, a linked account).
    pub via: Option<String>,
}

impl KnownReviewer {
    /// `Jane Doe (E0412)`, or the name alone.
    pub fn label(&self) -> String {
        match self.display_name.as_deref().map(str::trim) {
            Some(display) if !display.is_empty() => format!("{display} ({})", self.name),
            _ => self.name.clone(),
        }
    }

    /// What to tell the user when the name was read other than as typed:
    /// invisible characters removed, or an e-mail or account that names a
    /// person recorded under their identity_id.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.removed > 0 {
            parts.push(format!(
                "the reviewer name held {} that {} removed",
                crate::text::count(self.removed, "control or invisible character"),
                if self.removed == 1 { "was" } else { "were" }
            ));
        }
        if self.typed != self.name {
            let how = self
                .via
                .as_deref()
                .map(|via| format!(" ({via})"))
                .unwrap_or_default();
            parts.push(format!(
                "{:?} is {}{how}, recorded as {:?}",
                for_display(&self.typed),
                for_display(&self.label()),
                for_display(&self.name)
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Why a reviewer name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewerError {
    #[error(
        "no reviewer name: give one with --reviewer NAME or RECERT_REVIEWER (an identity_id, an e-mail or a registered reviewer)"
    )]
    Empty,
    #[error("{}", unknown_message(.name, *.removed, .suggestions))]
    Unknown {
        name: String,
        removed: usize,
        suggestions: Vec<String>,
    },
    #[error(
        "reviewer {:?} names several persons ({}); give the identity_id of the one you mean",
        for_display(.name),
        for_display(&.ids.join(", "))
    )]
    Ambiguous { name: String, ids: Vec<String> },
    #[error("looking up the reviewer: {0}")]
    Lookup(String),
}

fn unknown_message(name: &str, removed: usize, suggestions: &[String]) -> String {
    let mut text = format!("reviewer {:?} is not known", for_display(name));
    if removed > 0 {
        let _ = write!(
            text,
            " (read after removing {})",
            crate::text::count(removed, "control or invisible character")
        );
    }
    text.push_str(": no person in the workspace has that identity_id or e-mail, and no reviewer is registered under it.");
    if !suggestions.is_empty() {
        let names: Vec<String> = suggestions
            .iter()
            .map(|s| for_display(s).into_owned())
            .collect();
        let _ = write!(text, " Did you mean {}?", names.join(", "));
    }
    text.push_str(" A reviewer who is not in the imported identities is registered once with: recert reviewer add NAME");
    text
}

impl From<rusqlite::Error> for ReviewerError {
    fn from(err: rusqlite::Error) -> Self {
        ReviewerError::Lookup(err.to_string())
    }
}

/// One identity row a name matched.
#[derive(Debug, Clone)]
struct Row {
    identity_id: String,
    email: Option<String>,
    display_name: Option<String>,
    person: bool,
    active: bool,
}

/// Resolves `typed` to a known reviewer. With a campaign, the identities
/// it was created from and the accounts it linked count, besides the
/// current identities; without one, the current identities only.
pub fn resolve(
    conn: &Connection,
    campaign: Option<&Campaign>,
    typed: &str,
) -> Result<KnownReviewer, ReviewerError> {
    let cleaned = clean(typed);
    if cleaned.text.is_empty() {
        return Err(ReviewerError::Empty);
    }
    let key = fold(&cleaned.text);
    let snapshots = snapshot_set(conn, campaign.map(|c| c.id))?;
    // An identity_id as written, then a registered name: both indexed
    // look-ups, so the usual names never scan the identities for an e-mail.
    let mut rows = identity_rows(conn, &snapshots, &cleaned.text, false)?;
    if rows.is_empty() {
        if let Some(entry) = registry::find(conn, &cleaned.text)? {
            return Ok(KnownReviewer {
                name: entry.name,
                kind: ReviewerKind::Registered,
                display_name: None,
                email: None,
                typed: cleaned.text,
                removed: cleaned.removed,
                via: None,
            });
        }
        rows = identity_rows(conn, &snapshots, &key, true)?;
    }
    if let Some(found) = pick(&cleaned.text, &key, &rows)? {
        if found.person {
            let via = (fold(&found.identity_id) != key).then(|| "by e-mail".to_owned());
            return Ok(known(&cleaned, found, ReviewerKind::Person, via));
        }
        // An account: reviewed as the person it is linked to, if any.
        let account = fold(&found.identity_id);
        if let Some(person) = linked_person(conn, campaign, &account)? {
            let via = format!("through the linked account {}", found.identity_id.trim());
            return Ok(known(&cleaned, &person, ReviewerKind::Person, Some(via)));
        }
        if let Some(person) = correlated(conn, &account)?.filter(|row| row.person) {
            let via = format!("through the account {}", found.identity_id.trim());
            return Ok(known(&cleaned, &person, ReviewerKind::Person, Some(via)));
        }
        return Ok(known(&cleaned, found, ReviewerKind::Account, None));
    }
    if let Some(person) = linked_person(conn, campaign, &key)? {
        let via = "through a linked account".to_owned();
        return Ok(known(&cleaned, &person, ReviewerKind::Person, Some(via)));
    }
    if let Some(row) = correlated(conn, &key)? {
        let kind = if row.person {
            ReviewerKind::Person
        } else {
            ReviewerKind::Account
        };
        let via = "by identity correlation".to_owned();
        return Ok(known(&cleaned, &row, kind, Some(via)));
    }
    Err(ReviewerError::Unknown {
        suggestions: suggestions(conn, &snapshots, &cleaned.text)?,
        name: cleaned.text,
        removed: cleaned.removed,
    })
}

fn known(cleaned: &Cleaned, row: &Row, kind: ReviewerKind, via: Option<String>) -> KnownReviewer {
    KnownReviewer {
        name: row.identity_id.trim().to_owned(),
        kind,
        display_name: row.display_name.clone(),
        email: row.email.clone(),
        typed: cleaned.text.clone(),
        removed: cleaned.removed,
        via,
    }
}

/// The identities snapshots a name is looked for in, as a JSON array: the
/// campaign's, then the current ones (a reviewer may have joined since).
pub(super) fn snapshot_set(conn: &Connection, campaign: Option<i64>) -> rusqlite::Result<String> {
    let mut ids: Vec<i64> = Vec::new();
    if let Some(campaign) = campaign {
        let mut statement = conn.prepare_cached(
            "SELECT cs.snapshot_id FROM campaign_snapshots cs
             JOIN snapshots s ON s.id = cs.snapshot_id
             WHERE cs.campaign_id = ?1 AND s.kind = 'identities' ORDER BY cs.snapshot_id",
        )?;
        for id in statement.query_map([campaign], |row| row.get(0))? {
            ids.push(id?);
        }
    }
    let mut statement = conn.prepare_cached(
        "SELECT id FROM snapshots WHERE kind = 'identities' AND current = 1 ORDER BY id",
    )?;
    for id in statement.query_map([], |row| row.get::<_, i64>(0))? {
        let id = id?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned()))
}

/// Identity rows of `snapshots` whose identity_id is `name` exactly, or
/// with `folded`, whose identity_id or e-mail is (indexed look-ups both,
/// the folded ones through migration 0011's indexes).
fn identity_rows(
    conn: &Connection,
    snapshots: &str,
    name: &str,
    folded: bool,
) -> rusqlite::Result<Vec<Row>> {
    // Folded, the look-up goes through migration 0011's indexes, and `+`
    // keeps SQLite from reading every identity of the snapshots instead.
    let snapshot = if folded {
        "+i.snapshot_id"
    } else {
        "i.snapshot_id"
    };
    let condition = if folded {
        format!("i.id IN ({})", crate::identity::keys::ROWS_BY_FOLDED_KEY)
    } else {
        "i.identity_id = ?2".to_owned()
    };
    let mut statement = conn.prepare_cached(&format!(
        "SELECT i.identity_id, i.email, i.display_name, s.scope = 'canonical',
                i.status = 'active' AND (i.termination_date IS NULL OR i.termination_date > ?3)
         FROM identities i JOIN snapshots s ON s.id = i.snapshot_id
         WHERE {snapshot} IN (SELECT value FROM json_each(?1)) AND {condition}
         ORDER BY i.id DESC"
    ))?;
    let today = Utc::now().date_naive().to_string();
    statement
        .query_map((snapshots, name, today), |row| {
            Ok(Row {
                identity_id: row.get(0)?,
                email: row.get(1)?,
                display_name: row.get(2)?,
                person: row.get(3)?,
                active: row.get(4)?,
            })
        })?
        .collect()
}

/// The row a name stands for among those it matched: persons before
/// accounts, an identity_id before an e-mail, the active record of a rehire.
fn pick<'r>(typed: &str, key: &str, rows: &'r [Row]) -> Result<Option<&'r Row>, ReviewerError> {
    let persons: Vec<&Row> = rows.iter().filter(|r| r.person).collect();
    let mut tier: Vec<&Row> = if persons.is_empty() {
        rows.iter().collect()
    } else {
        persons
    };
    if tier.iter().any(|r| fold(&r.identity_id) == key) {
        tier.retain(|r| fold(&r.identity_id) == key);
    }
    let mut ids: Vec<String> = Vec::new();
    for row in &tier {
        let id = row.identity_id.trim().to_owned();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    match ids.len() {
        0 => Ok(None),
        1 => Ok(tier.first().copied()),
        _ => {
            let active: Vec<&Row> = tier.iter().copied().filter(|r| r.active).collect();
            let mut active_ids: Vec<&str> = active.iter().map(|r| r.identity_id.trim()).collect();
            active_ids.dedup();
            if active_ids.len() == 1 {
                return Ok(active.first().copied());
            }
            Err(ReviewerError::Ambiguous {
                name: typed.to_owned(),
                ids,
            })
        }
    }
}

/// The person a campaign linked the account `key` (folded) to.
fn linked_person(
    conn: &Connection,
    campaign: Option<&Campaign>,
    key: &str,
) -> rusqlite::Result<Option<Row>> {
    let Some(campaign) = campaign else {
        return Ok(None);
    };
    let mut statement = conn.prepare_cached(
        "SELECT p.identity_id, p.email, p.display_name
         FROM campaign_links l JOIN identities p ON p.id = l.person_row
         WHERE l.campaign_id = ?1 AND l.account_key = ?2 LIMIT 1",
    )?;
    let mut rows = statement.query_map((campaign.id, key), |row| {
        Ok(Row {
            identity_id: row.get(0)?,
            email: row.get(1)?,
            display_name: row.get(2)?,
            person: true,
            active: true,
        })
    })?;
    rows.next().transpose()
}

/// The person (or account) identity correlation finds for `key` in the
/// current view: an e-mail under a domain alias, a directory account.
/// Read only when nothing cheaper named the reviewer.
fn correlated(conn: &Connection, key: &str) -> Result<Option<Row>, ReviewerError> {
    let (_, rules) = crate::campaign::rules::workspace_rules(conn)
        .map_err(|err| ReviewerError::Lookup(format!("{err:#}")))?;
    let resolver = Resolver::load(conn, rules.correlation, Utc::now().date_naive(), None)?;
    Ok(resolver.reference(key).map(|index| {
        let row = resolver.row(index);
        Row {
            identity_id: row.identity_id.clone(),
            email: row.email.clone(),
            display_name: row.display_name.clone(),
            person: row.is_person(),
            active: row.is_active_on(resolver.day),
        }
    }))
}

/// The known names closest to `typed`: identity_ids and e-mails of the
/// identities looked in, and registered reviewers.
fn suggestions(conn: &Connection, snapshots: &str, typed: &str) -> rusqlite::Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    let mut statement = conn.prepare_cached(
        "SELECT identity_id, email FROM identities
         WHERE snapshot_id IN (SELECT value FROM json_each(?1))",
    )?;
    let mut rows = statement.query([snapshots])?;
    while let Some(row) = rows.next()? {
        names.push(row.get(0)?);
        if let Some(email) = row.get::<_, Option<String>>(1)? {
            names.push(email);
        }
    }
    names.extend(registry::list(conn)?.into_iter().map(|r| r.name));
    Ok(closest(typed, names.iter().map(String::as_str), 3))
}

impl fmt::Display for ReviewerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReviewerKind::Person => "person",
            ReviewerKind::Account => "account",
            ReviewerKind::Registered => "registered reviewer",
        })
    }
}
