//! Resolving grant holders while a campaign is built: each distinct holder
//! key is linked once (per thread) through `identity::Resolver`, and each
//! distinct account a campaign reviews becomes one `campaign_links` row.

use foldhash::{HashMap, HashMapExt};

use crate::identity::facts::{AccountFacts, account_facts};
use crate::identity::{IdentityRow, Link, LinkBasis, Resolver};
use crate::model::IdentityKind;

/// How one holder key resolved, with what its export rows say.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    pub key: String,
    pub link: Link,
    pub facts: AccountFacts,
}

/// One distinct account of the campaign and how it resolved: a future
/// `campaign_links` row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct LinkRecord {
    pub account_key: String,
    pub account_row: Option<i64>,
    pub person_row: Option<i64>,
    pub basis: Option<LinkBasis>,
    pub secondary: bool,
    pub kind: Option<IdentityKind>,
    pub kind_reason: Option<String>,
    pub note: Option<String>,
}

/// What a grant's holder resolved to, for computing its item.
pub(super) struct Holding<'a> {
    pub resolved: &'a Resolved,
    /// The person, else the account's own row.
    pub holder: Option<(u32, &'a IdentityRow)>,
    /// The account's own directory row, if any.
    pub account_row: Option<u32>,
    /// The kind the item is reviewed as: the person's, else the kind the
    /// export gives the account, else its row's.
    pub kind: Option<IdentityKind>,
    /// Index of its `LinkRecord` in [`HolderCache::links`].
    pub link: u32,
}

/// Per-thread memo of resolved holder keys and distinct accounts.
pub(super) struct HolderCache<'r> {
    resolver: &'r Resolver,
    by_key: HashMap<String, u32>,
    resolved: Vec<Resolved>,
    link_ids: HashMap<(u32, Option<u32>), u32>,
    pub links: Vec<LinkRecord>,
    key: String,
    system: String,
    composite: String,
    /// The previous grant's holder and system as written, and what they
    /// resolved to: exports list a holder's grants together, so most
    /// grants skip folding and hashing altogether.
    last_ref: String,
    last_system: String,
    last: Option<(u32, Option<u32>, u32)>,
}

impl<'r> HolderCache<'r> {
    pub fn new(resolver: &'r Resolver) -> HolderCache<'r> {
        HolderCache {
            resolver,
            by_key: HashMap::new(),
            resolved: Vec::new(),
            link_ids: HashMap::new(),
            links: Vec::new(),
            key: String::new(),
            system: String::new(),
            composite: String::new(),
            last_ref: String::new(),
            last_system: String::new(),
            last: None,
        }
    }

    /// Resolves the holder of a grant on `system` (both as the export
    /// writes them).
    pub fn holding(&mut self, identity_ref: &str, system: &str) -> Holding<'_> {
        let (index, account_row, link) = match self.last {
            Some(last) if identity_ref == self.last_ref && system == self.last_system => last,
            _ => {
                let resolved = self.resolve(identity_ref, system);
                self.last_ref.clear();
                self.last_ref.push_str(identity_ref);
                self.last_system.clear();
                self.last_system.push_str(system);
                self.last = Some(resolved);
                resolved
            }
        };
        self.holding_of(index, account_row, link)
    }

    /// (resolved key, account row, link record) of a holder on a system.
    fn resolve(&mut self, identity_ref: &str, system: &str) -> (u32, Option<u32>, u32) {
        crate::identity::keys::fold_into(identity_ref, &mut self.key);
        crate::identity::keys::fold_into(system, &mut self.system);
        let system = self.system.as_str();
        let resolver = self.resolver;
        // Most links do not depend on the system; the logins of Okta
        // application assignments do, so those are memoised per system.
        self.composite.clear();
        self.composite.push_str(&self.key);
        if resolver.depends_on_system(&self.key) {
            self.composite.push('\u{1f}');
            self.composite.push_str(system);
        }
        let index = if let Some(&index) = self.by_key.get(self.composite.as_str()) {
            index
        } else {
            {
                let link = resolver.link(&self.key, system);
                let rows: Vec<&IdentityRow> = resolver
                    .accounts_of(&self.key)
                    .iter()
                    .map(|&r| resolver.row(r))
                    .collect();
                let facts = account_facts(&resolver.config, &self.key, &rows);
                let index = u32::try_from(self.resolved.len()).unwrap_or(u32::MAX);
                self.resolved.push(Resolved {
                    key: self.key.clone(),
                    link,
                    facts,
                });
                self.by_key.insert(self.composite.clone(), index);
                index
            }
        };
        let account_row = resolver.account_row(&self.key, system);
        let link = if let Some(&link) = self.link_ids.get(&(index, account_row)) {
            link
        } else {
            let record = self.record(index, account_row);
            let link = u32::try_from(self.links.len()).unwrap_or(u32::MAX);
            self.links.push(record);
            self.link_ids.insert((index, account_row), link);
            link
        };
        (index, account_row, link)
    }

    fn holding_of(&self, index: u32, account_row: Option<u32>, link: u32) -> Holding<'_> {
        let resolver = self.resolver;
        let entry = &self.resolved[index as usize];
        let holder = entry
            .link
            .person
            .or(account_row)
            .map(|i| (i, resolver.row(i)));
        let kind = match (entry.link.person, &entry.facts.kind) {
            (Some(person), _) => Some(resolver.row(person).kind),
            (None, Some((kind, _))) => Some(*kind),
            (None, None) => holder.map(|(_, row)| row.kind),
        };
        Holding {
            resolved: entry,
            holder,
            account_row,
            kind,
            link,
        }
    }

    fn record(&self, index: u32, account_row: Option<u32>) -> LinkRecord {
        let resolver = self.resolver;
        let entry = &self.resolved[index as usize];
        let link = &entry.link;
        // The recognised kind is kept where it decides how the item is
        // reviewed (an unlinked account) or is worth a reviewer's eye
        // (a break-glass account of a person).
        let kind = entry
            .facts
            .kind
            .as_ref()
            .filter(|(kind, _)| link.person.is_none() || *kind == IdentityKind::BreakGlass);
        let mut note = link.note.clone();
        if !link.ambiguous.is_empty() {
            let persons: Vec<String> = link
                .ambiguous
                .iter()
                .map(|&p| resolver.row(p).label())
                .collect();
            note = Some(format!(
                "ambiguous: matches {}; link it by hand (recert link)",
                persons.join(" and ")
            ));
        }
        LinkRecord {
            account_key: entry.key.clone(),
            account_row: account_row.map(|r| resolver.row(r).row),
            person_row: link.person.map(|p| resolver.row(p).row),
            basis: link.basis,
            secondary: link.secondary,
            kind: kind.map(|(k, _)| *k),
            kind_reason: kind.map(|(_, why)| why.clone()),
            note,
        }
    }
}
