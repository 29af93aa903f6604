//! The accounts screen's state: the accounts of the current workspace view
//! that no person matches (or more than one), each with its sources, grants
//! and the persons it could be linked to, and where the cursor is. Loaded
//! whole when the screen opens (a hundred thousand accounts take a few MB);
//! only the rows on screen are drawn.

use super::app::Pane;

/// How an account stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// No person matches it.
    Unlinked,
    /// A rule matched several persons, so it links to none.
    Ambiguous,
    /// Linked: the person's label and the rule (`manual` for a link by hand).
    Linked { person: String, basis: String },
}

/// A person the account could be linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The person's identity_id, as `recert link` takes it.
    pub person_id: String,
    /// `Hannah Vogel (E0136)`.
    pub label: String,
    /// The suggestion's score (`0.9`); `None` for a person an ambiguous
    /// account matched.
    pub score: Option<String>,
    pub reason: String,
}

/// One account of the current view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// The account as an export first wrote it (what `recert link` takes).
    pub account: String,
    /// Directory scopes and grant systems it appears in.
    pub sources: Vec<String>,
    pub grants: u64,
    pub standing: Standing,
    /// What its export or name says it is (`service account: …`), or its
    /// directory row's kind; `None` when only grants name it.
    pub kind: Option<String>,
    /// Whether it is a human account (an unlinked one is `unmatched`).
    pub human: bool,
    /// What the link noted (a rehire, a manual link's reason, an unlink).
    pub note: Option<String>,
    /// Suggestions (unlinked) or the persons it matched (ambiguous).
    pub choices: Vec<Choice>,
}

impl AccountRow {
    /// Whether the screen lists it without "every account": it has no person.
    pub fn needs_person(&self) -> bool {
        !matches!(self.standing, Standing::Linked { .. })
    }

    pub fn is_linked(&self) -> bool {
        !self.needs_person()
    }
}

/// A link or unlink waiting for its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    /// The account as `recert link` takes it.
    pub account: String,
    /// The person to link to (identity_id, label); `None` unlinks.
    pub person: Option<(String, String)>,
}

/// The accounts screen.
#[derive(Debug, Default)]
pub struct Accounts {
    /// Every account of the current view, in the order shown; `None` until
    /// loaded.
    pub rows: Option<Vec<AccountRow>>,
    /// Indexes into `rows` of the accounts listed (after the "every account"
    /// switch and the search).
    pub shown: Vec<usize>,
    /// Also list accounts that are linked.
    pub every: bool,
    /// Only accounts whose name contains this (ASCII case ignored).
    pub search: String,
    /// Index into `shown`.
    pub cursor: usize,
    /// First listed row on screen.
    pub top: usize,
    /// The chosen person of the account under the cursor.
    pub choice: usize,
    pub focus: Pane,
}

impl Accounts {
    /// The account under the cursor.
    pub fn selected(&self) -> Option<&AccountRow> {
        let index = *self.shown.get(self.cursor)?;
        self.rows.as_ref()?.get(index)
    }

    /// The chosen person of the account under the cursor.
    pub fn chosen(&self) -> Option<&Choice> {
        self.selected()?.choices.get(self.choice)
    }

    /// Recomputes which accounts are listed, keeping the cursor on the same
    /// account when it still is, else at the same place.
    pub fn refilter(&mut self) {
        let keep = self.shown.get(self.cursor).copied();
        let needle = self.search.trim().to_ascii_lowercase();
        self.shown = self
            .rows
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, row)| self.every || row.needs_person())
            .filter(|(_, row)| {
                needle.is_empty() || row.account.to_ascii_lowercase().contains(&needle)
            })
            .map(|(index, _)| index)
            .collect();
        self.cursor = keep
            .and_then(|k| self.shown.iter().position(|&i| i == k))
            .unwrap_or(self.cursor)
            .min(self.shown.len().saturating_sub(1));
        self.choice = 0;
    }

    /// Takes a freshly read list, the cursor staying on its account when it
    /// is still listed (one just linked is not: the cursor then stays at
    /// the same place, on the next one).
    pub fn replace_rows(&mut self, rows: Vec<AccountRow>) {
        let selected = self.selected().map(|r| r.account.clone());
        self.rows = Some(rows);
        self.shown.clear();
        self.refilter();
        if let Some(account) = selected {
            let rows = self.rows.as_deref().unwrap_or_default();
            if let Some(at) = self.shown.iter().position(|&i| rows[i].account == account) {
                self.cursor = at;
            }
        }
    }

    /// (unlinked, ambiguous, all) accounts of the view.
    pub fn counts(&self) -> (usize, usize, usize) {
        let rows = self.rows.as_deref().unwrap_or_default();
        let count = |standing: &Standing| rows.iter().filter(|r| &r.standing == standing).count();
        (
            count(&Standing::Unlinked),
            count(&Standing::Ambiguous),
            rows.len(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(account: &str, standing: Standing) -> AccountRow {
        AccountRow {
            account: account.to_owned(),
            sources: vec!["entra-id".to_owned()],
            grants: 1,
            standing,
            kind: None,
            human: true,
            note: None,
            choices: Vec::new(),
        }
    }

    #[test]
    fn the_list_follows_the_switch_and_the_search_and_keeps_the_cursor() {
        let linked = Standing::Linked {
            person: "Jo (E1)".to_owned(),
            basis: "email".to_owned(),
        };
        let mut accounts = Accounts {
            rows: Some(vec![
                row("amy@x.example", Standing::Unlinked),
                row("bo@x.example", linked),
                row("cy@x.example", Standing::Ambiguous),
            ]),
            ..Accounts::default()
        };
        accounts.refilter();
        assert_eq!(accounts.shown, [0, 2]);
        accounts.cursor = 1;
        accounts.every = true;
        accounts.refilter();
        assert_eq!(accounts.shown, [0, 1, 2]);
        assert_eq!(
            accounts.selected().map(|r| r.account.as_str()),
            Some("cy@x.example")
        );
        accounts.search = "BO".to_owned();
        accounts.refilter();
        assert_eq!(accounts.shown, [1]);
        assert_eq!(accounts.cursor, 0);
        assert_eq!(accounts.counts(), (1, 1, 3));
    }
}
