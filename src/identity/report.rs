//! What identity correlation makes of the current view, for the import
//! summary: grants whose holder nobody knows, accounts no person matches,
//! persons sharing a key, and references (managers, owners) that resolve
//! to nobody. The campaign assigns reviewers by the same resolver, so the
//! summary's warnings and the campaign never disagree.

use foldhash::{HashMap, HashMapExt};
use rusqlite::Connection;

use super::Resolver;
use super::keys::fold;
use crate::model::{IdentityKind, IdentityStatus};

/// Counts and warnings about the current view.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ViewReport {
    /// Current grants per snapshot whose holder is neither a person nor a
    /// directory account.
    pub orphaned: HashMap<i64, u64>,
    /// Current grants per snapshot held by a human account no person
    /// matches (only counted when persons are imported).
    pub unmatched: HashMap<i64, u64>,
    /// Distinct accounts a rule matched to several persons.
    pub ambiguous: Vec<String>,
    pub warnings: Vec<String>,
}

impl ViewReport {
    pub fn orphaned_total(&self) -> u64 {
        self.orphaned.values().sum()
    }
}

/// Reads every current grant's holder through `resolver`, once per
/// distinct key, and checks the persons' references.
pub fn report_current(conn: &Connection, resolver: &Resolver) -> rusqlite::Result<ViewReport> {
    let mut report = ViewReport::default();
    let mut statement = conn.prepare(
        "SELECT snapshot_id, identity_ref, system FROM grants
         WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1 AND kind = 'entitlements')",
    )?;
    let mut rows = statement.query([])?;
    // (orphaned, unmatched) per folded key (and system, for Okta logins).
    let mut seen: HashMap<String, (bool, bool)> = HashMap::new();
    let mut key = String::new();
    while let Some(row) = rows.next()? {
        crate::identity::keys::fold_into(row.get_ref(1)?.as_str()?, &mut key);
        let system = fold(row.get_ref(2)?.as_str()?);
        let memo = if resolver.depends_on_system(&key) {
            format!("{key}\u{1f}{system}")
        } else {
            key.clone()
        };
        let (orphaned, unmatched) = if let Some(known) = seen.get(&memo) {
            *known
        } else {
            {
                let link = resolver.link(&key, &system);
                let account = resolver.account_row(&key, &system);
                let orphaned = link.person.is_none() && account.is_none();
                let unmatched = resolver.has_persons()
                    && link.person.is_none()
                    && account
                        .is_some_and(|a| resolver.unlinked_kind(&key, a) == IdentityKind::Human);
                if !link.ambiguous.is_empty() && !report.ambiguous.contains(&key) {
                    report.ambiguous.push(key.clone());
                }
                seen.insert(memo, (orphaned, unmatched));
                (orphaned, unmatched)
            }
        };
        let snapshot: i64 = row.get(0)?;
        if orphaned {
            *report.orphaned.entry(snapshot).or_insert(0) += 1;
        }
        if unmatched {
            *report.unmatched.entry(snapshot).or_insert(0) += 1;
        }
    }
    for (email, chosen, persons) in resolver.shared_emails() {
        let others: Vec<String> = persons
            .iter()
            .filter(|&&p| p != chosen)
            .map(|&p| resolver.describe_person(p))
            .collect();
        report.warnings.push(format!(
            "{} and {} share the e-mail {email}; accounts with that e-mail are linked to {} (prefer the active, else the most recent record)",
            others.join(", "),
            resolver.describe_person(chosen),
            resolver.row(chosen).identity_id.trim()
        ));
    }
    if !report.ambiguous.is_empty() {
        report.warnings.push(format!(
            "{} account(s) match more than one person and are linked to none: {}; see `recert links --ambiguous` and link them with `recert link ACCOUNT PERSON --reason TEXT`",
            report.ambiguous.len(),
            report.ambiguous.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    references(resolver, &mut report.warnings);
    Ok(report)
}

/// Warnings about managers and owners that resolve to nobody, and leavers
/// without a date, among the persons (or, without persons, the accounts).
fn references(resolver: &Resolver, warnings: &mut Vec<String>) {
    let rows = if resolver.has_persons() {
        resolver.persons()
    } else {
        &resolver.rows[..]
    };
    let (mut managers, mut owners, mut undated) = (0_u64, 0_u64, 0_u64);
    for row in rows {
        if row
            .manager_id
            .as_deref()
            .is_some_and(|m| resolver.reference(m).is_none())
        {
            managers += 1;
        }
        if row
            .owner_id
            .as_deref()
            .is_some_and(|o| resolver.reference(o).is_none())
        {
            owners += 1;
        }
        if row.status == IdentityStatus::Terminated && row.termination_date.is_none() {
            undated += 1;
        }
    }
    if managers > 0 {
        warnings.push(format!(
            "{managers} identities name a manager_id that matches no identity or account; their items fall back to the system owner or the default reviewer"
        ));
    }
    if owners > 0 {
        warnings.push(format!(
            "{owners} identities name an owner_id that matches no identity or account; they will be flagged no-owner"
        ));
    }
    if undated > 0 {
        warnings.push(format!(
            "{undated} terminated identities have no termination_date"
        ));
    }
}
