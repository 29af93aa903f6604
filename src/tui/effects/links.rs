//! The accounts screen against the workspace: the accounts of the current
//! view through the workspace rules' correlation (as `recert links` reads
//! them), and manual links recorded as `recert link` records them.

use chrono::Utc;
use rusqlite::Connection;

use super::Shell;
use crate::campaign::rules;
use crate::identity::accounts::{AccountEntry, list_accounts};
use crate::identity::facts::account_facts;
use crate::identity::{LinkBasis, Resolver, links};
use crate::model::IdentityKind;
use crate::tui::accounts::{AccountRow, Choice, LinkTarget, Standing};
use crate::tui::action::Action;

/// Every account of the current view, in the order the screen lists
/// them: ambiguous ones, then unlinked ones with suggestions, other
/// unlinked human accounts, the remaining unlinked ones, then the linked.
pub fn load(conn: &Connection) -> Result<Vec<AccountRow>, String> {
    let read = || -> color_eyre::Result<Vec<AccountRow>> {
        let (_, rules) = rules::workspace_rules(conn)?;
        let resolver = Resolver::load(conn, rules.correlation, Utc::now().date_naive(), None)?;
        let entries = list_accounts(conn, &resolver, true)?;
        let mut rows: Vec<(u8, AccountRow)> = entries
            .iter()
            .map(|entry| {
                let row = row(entry, &resolver);
                let group = match (&row.standing, row.choices.is_empty(), row.human) {
                    (Standing::Ambiguous, _, _) => 0,
                    (Standing::Unlinked, false, _) => 1,
                    (Standing::Unlinked, true, true) => 2,
                    (Standing::Unlinked, true, false) => 3,
                    (Standing::Linked { .. }, _, _) => 4,
                };
                (group, row)
            })
            .collect();
        // Stable: within a group, the accounts stay in key order.
        rows.sort_by_key(|(group, _)| *group);
        Ok(rows.into_iter().map(|(_, row)| row).collect())
    };
    read().map_err(|err| format!("reading the accounts: {err}"))
}

/// One account as the screen shows it.
fn row(entry: &AccountEntry, resolver: &Resolver) -> AccountRow {
    let link = &entry.link;
    let standing = match (link.person, link.ambiguous.is_empty()) {
        (Some(person), _) => Standing::Linked {
            person: resolver.row(person).label(),
            basis: link.basis.map_or("", LinkBasis::as_str).to_owned(),
        },
        (None, false) => Standing::Ambiguous,
        (None, true) => Standing::Unlinked,
    };
    let choices = if link.ambiguous.is_empty() {
        entry
            .candidates
            .iter()
            .map(|c| Choice {
                person_id: c.person_id.clone(),
                label: resolver.row(c.person).label(),
                score: Some(format!("{:.1}", c.score)),
                reason: c.reason.clone(),
            })
            .collect()
    } else {
        link.ambiguous
            .iter()
            .map(|&p| {
                let person = resolver.row(p);
                Choice {
                    person_id: person.identity_id.trim().to_owned(),
                    label: person.label(),
                    score: None,
                    reason: format!("a link rule matched {}", resolver.describe_person(p)),
                }
            })
            .collect()
    };
    let (kind, human) = match entry.account_row {
        Some(account) => {
            let rows: Vec<_> = resolver
                .accounts_of(&entry.key)
                .iter()
                .map(|&r| resolver.row(r))
                .collect();
            let kind = resolver.unlinked_kind(&entry.key, account);
            let said = account_facts(&resolver.config, &entry.key, &rows)
                .kind
                .map_or_else(|| kind.as_str().to_owned(), |(_, why)| why);
            (Some(said), kind == IdentityKind::Human)
        }
        None => (None, false),
    };
    AccountRow {
        account: entry.shown.clone(),
        sources: entry.sources.clone(),
        grants: entry.grants,
        standing,
        kind,
        human,
        note: link.note.clone(),
        choices,
    }
}

impl Shell<'_> {
    /// Records the link (or unlink), committed before anything says so,
    /// then reads the accounts again.
    pub(super) fn link(&mut self, target: LinkTarget, reason: String) -> Action {
        self.indexes.borrow_mut().forget();
        let person = target.person.as_ref().map(|(id, _)| id.as_str());
        let appended = links::append(
            self.conn,
            &target.account,
            person,
            &reason,
            &self.actor,
            Utc::now(),
        );
        let id = match appended {
            Ok(id) => id,
            Err(err) => {
                return Action::NotLinked {
                    message: if crate::locking::is_busy(&err) {
                        "the workspace is busy: another recert process is writing to it, so nothing was linked yet; Enter tries again".to_owned()
                    } else {
                        format!("nothing was linked: {}", crate::locking::describe(&err))
                    },
                    target,
                    reason,
                };
            }
        };
        self.changed();
        let done = match &target.person {
            Some((_, label)) => format!(
                "Linked {} to {label} (link event {id})",
                crate::text::for_display(&target.account)
            ),
            None => format!(
                "Unlinked {} (link event {id})",
                crate::text::for_display(&target.account)
            ),
        };
        let message = format!(
            "{done}; campaigns created from now on use it, this one keeps the links it was created with"
        );
        match load(self.conn) {
            Ok(rows) => Action::Linked { message, rows },
            Err(err) => Action::Failed(format!("{message}; {err}")),
        }
    }
}
