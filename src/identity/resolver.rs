//! The one answer to "who is this key?": indexes over the current persons
//! and accounts, the Okta application pairs and the manual links, and the
//! link rules of PRODUCT.md §6 applied strongest first.
//!
//! Everything here is read once into hash maps, so linking a million grants
//! costs one hash look-up per distinct holder key, never a query.

use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rusqlite::Connection;

use super::config::Correlation;
use super::keys::{account_name, email_parts, fold, is_object_id};
use super::links::{ManualLink, current_manual_links};
use super::rows::{IdentityRow, load_current, parse_attributes};

/// Which rule joined an account to its person (evidence `link_basis`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkBasis {
    /// `recert link`: a person said so, with a reason.
    Manual,
    /// Rule 1: the holder key is the person's identity_id.
    IdentityId,
    /// Rule 2: the account's employee id is the person's identity_id.
    EmployeeId,
    /// Rule 3: an e-mail, UPN or login equals the person's e-mail.
    Email,
    /// Rule 3 under a declared domain alias.
    EmailAlias,
    /// Rule 4: an Azure object id is an Entra user's id (then rule 3).
    ObjectId,
    /// Rule 5: an Okta application assignment pairs the login with an Okta user.
    OktaApp,
    /// Rule 6: the account name is the local part of one person's e-mail.
    AccountName,
    /// Rule 7: a secondary-account pattern (`adm-{local}`).
    Secondary,
}

impl LinkBasis {
    pub const ALL: [LinkBasis; 9] = [
        LinkBasis::Manual,
        LinkBasis::IdentityId,
        LinkBasis::EmployeeId,
        LinkBasis::Email,
        LinkBasis::EmailAlias,
        LinkBasis::ObjectId,
        LinkBasis::OktaApp,
        LinkBasis::AccountName,
        LinkBasis::Secondary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkBasis::Manual => "manual",
            LinkBasis::IdentityId => "identity-id",
            LinkBasis::EmployeeId => "employee-id",
            LinkBasis::Email => "email",
            LinkBasis::EmailAlias => "email-alias",
            LinkBasis::ObjectId => "object-id",
            LinkBasis::OktaApp => "okta-app",
            LinkBasis::AccountName => "account-name",
            LinkBasis::Secondary => "secondary",
        }
    }

    pub fn parse(text: &str) -> Option<LinkBasis> {
        LinkBasis::ALL.into_iter().find(|b| b.as_str() == text)
    }
}

/// How one account key resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Link {
    /// The person (an index into [`Resolver::rows`]), when linked.
    pub person: Option<u32>,
    pub basis: Option<LinkBasis>,
    /// The account is a secondary (admin) account of the person.
    pub secondary: bool,
    /// Persons a rule matched equally: the account links to none of them.
    pub ambiguous: Vec<u32>,
    /// What a reviewer should know about the link (a rehire sharing the
    /// key, a manual link to a person who is gone, the pattern matched).
    pub note: Option<String>,
}

impl Link {
    fn to(person: Pick, basis: LinkBasis) -> Link {
        Link {
            person: Some(person.person),
            basis: Some(basis),
            secondary: basis == LinkBasis::Secondary,
            ambiguous: Vec::new(),
            note: person.note,
        }
    }

    fn ambiguous(persons: Vec<u32>) -> Link {
        Link {
            ambiguous: persons,
            ..Link::default()
        }
    }
}

/// A person chosen among those sharing a key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pick {
    person: u32,
    note: Option<String>,
}

/// The current persons and accounts, indexed for linking.
pub struct Resolver {
    pub config: Correlation,
    /// Every current identity row: persons first.
    pub rows: Vec<IdentityRow>,
    /// How many of `rows`, at the front, are persons.
    persons: usize,
    person_by_id: HashMap<String, Vec<u32>>,
    /// Persons by the alias-canonical form of their e-mail (and of an
    /// identity_id that is an e-mail).
    person_by_email: HashMap<String, Vec<u32>>,
    /// Persons by the folded local part of their e-mail.
    person_by_local: HashMap<String, Vec<u32>>,
    /// Accounts (non-person rows) by folded identity_id and e-mail.
    account_by_key: HashMap<String, Vec<u32>>,
    /// Accounts by folded directory object id.
    account_by_object_id: HashMap<String, u32>,
    /// (folded system, folded application login) → folded Okta login.
    app_pairs: HashMap<(String, String), String>,
    /// Application logins that occur in `app_pairs`, to keep the cache by key.
    app_logins: HashSet<String>,
    /// The latest manual link per folded account key.
    manual: HashMap<String, ManualLink>,
    /// Each row's manager_id and owner_id resolved once ([`Resolver::reference`]):
    /// a campaign asks for them once per grant.
    managers: Vec<Option<u32>>,
    owners: Vec<Option<u32>>,
    /// The day "active" is judged on (the as-of date, or today).
    pub day: NaiveDate,
}

impl Resolver {
    /// Reads the current view and the manual links up to `link_watermark`
    /// (`None`: all of them).
    pub fn load(
        conn: &Connection,
        config: Correlation,
        day: NaiveDate,
        link_watermark: Option<i64>,
    ) -> rusqlite::Result<Resolver> {
        let rows = load_current(conn)?;
        let manual = current_manual_links(conn, link_watermark)?;
        let app_rows = okta_assignment_pairs(conn)?;
        let systems = pairable_systems(conn)?;
        let mut resolver = Resolver {
            persons: rows.iter().take_while(|r| r.is_person()).count(),
            rows,
            config,
            person_by_id: HashMap::new(),
            person_by_email: HashMap::new(),
            person_by_local: HashMap::new(),
            account_by_key: HashMap::new(),
            account_by_object_id: HashMap::new(),
            app_pairs: HashMap::new(),
            app_logins: HashSet::new(),
            manual,
            managers: Vec::new(),
            owners: Vec::new(),
            day,
        };
        resolver.index();
        for (label, okta_login, app_login) in app_rows {
            if let Some(system) = resolver.config.application_system(&label, &systems) {
                let system = fold(&system);
                let login = fold(&app_login);
                let mut keys = vec![login.clone()];
                // An AWS IAM user is keyed `aws:<account>:<user>`.
                if let Some(account) = system.strip_prefix("aws:") {
                    keys.push(format!("aws:{account}:{login}"));
                }
                for key in keys {
                    resolver.app_logins.insert(key.clone());
                    resolver
                        .app_pairs
                        .entry((system.clone(), key))
                        .or_insert_with(|| fold(&okta_login));
                }
            }
        }
        let references = |name: Option<&String>| name.and_then(|n| resolver.reference(n));
        let managers = resolver
            .rows
            .iter()
            .map(|r| references(r.manager_id.as_ref()))
            .collect();
        let owners = resolver
            .rows
            .iter()
            .map(|r| references(r.owner_id.as_ref()))
            .collect();
        resolver.managers = managers;
        resolver.owners = owners;
        Ok(resolver)
    }

    /// The resolved manager of the row at `index` ([`Resolver::reference`]).
    pub fn manager_of(&self, index: u32) -> Option<u32> {
        self.managers.get(index as usize).copied().flatten()
    }

    /// The resolved owner of the row at `index` ([`Resolver::reference`]).
    pub fn owner_of(&self, index: u32) -> Option<u32> {
        self.owners.get(index as usize).copied().flatten()
    }

    fn index(&mut self) {
        for (index, row) in self.rows.iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            if row.is_person() {
                self.person_by_id
                    .entry(fold(&row.identity_id))
                    .or_default()
                    .push(index);
                let mut emails: Vec<String> = Vec::new();
                for text in [row.email.as_deref(), Some(row.identity_id.as_str())]
                    .into_iter()
                    .flatten()
                {
                    let folded = fold(text);
                    if let Some(canonical) = self.config.aliases.canonical_email(&folded) {
                        if !emails.contains(&canonical) {
                            emails.push(canonical);
                        }
                        if let Some((local, _)) = email_parts(&folded) {
                            let list = self.person_by_local.entry(local.to_owned()).or_default();
                            if !list.contains(&index) {
                                list.push(index);
                            }
                        }
                    }
                }
                for email in emails {
                    self.person_by_email.entry(email).or_default().push(index);
                }
            } else {
                let mut keys = vec![fold(&row.identity_id)];
                if let Some(email) = row.email.as_deref().map(fold) {
                    if !keys.contains(&email) {
                        keys.push(email);
                    }
                }
                for key in keys {
                    self.account_by_key.entry(key).or_default().push(index);
                }
                if let Some(id) = row.attribute("object_id") {
                    self.account_by_object_id.entry(fold(id)).or_insert(index);
                }
            }
        }
    }

    /// Whether any HR or canonical identities are imported.
    pub fn has_persons(&self) -> bool {
        self.persons > 0
    }

    pub fn person_count(&self) -> usize {
        self.persons
    }

    /// The persons (`rows[..persons]`).
    pub fn persons(&self) -> &[IdentityRow] {
        &self.rows[..self.persons]
    }

    pub fn row(&self, index: u32) -> &IdentityRow {
        &self.rows[index as usize]
    }

    /// The directory rows of an account key (identity_id or e-mail).
    pub fn accounts_of(&self, key: &str) -> &[u32] {
        self.account_by_key.get(key).map_or(&[], Vec::as_slice)
    }

    /// The account row to show for `key` on `system`: the one from that
    /// system's own export where there is one (an Entra account grant shows
    /// the Entra user), else the first.
    pub fn account_row(&self, key: &str, system: &str) -> Option<u32> {
        let rows = self.accounts_of(key);
        rows.iter()
            .copied()
            .find(|&r| fold(&self.row(r).scope) == system)
            .or_else(|| rows.first().copied())
    }

    /// Whether the link of this folded key depends on the system it is
    /// seen on: the logins of Okta application assignments (rule 5) do.
    pub fn depends_on_system(&self, key: &str) -> bool {
        self.app_logins.contains(key)
    }

    /// The person a folded holder key on a folded system belongs to, by the
    /// first rule that decides: a manual link, then rules 1 to 7.
    pub fn link(&self, key: &str, system: &str) -> Link {
        if let Some(manual) = self.manual.get(key) {
            return self.manual_link(manual);
        }
        let mut link = self.link_by_rules(key, system, 0);
        if link.person.is_some() && !link.secondary {
            link.secondary = self.secondary_of(key, link.person);
        }
        link
    }

    fn manual_link(&self, manual: &ManualLink) -> Link {
        let Some(person_id) = &manual.person_id else {
            return Link {
                basis: None,
                note: Some(format!(
                    "unlinked by {} on {}: {}",
                    manual.reviewer, manual.at, manual.reason
                )),
                ..Link::default()
            };
        };
        match self.pick(self.person_by_id.get(&fold(person_id))) {
            Some(pick) => Link {
                note: Some(format!(
                    "linked by {} on {}: {}",
                    manual.reviewer, manual.at, manual.reason
                )),
                ..Link::to(pick, LinkBasis::Manual)
            },
            None => Link {
                note: Some(format!(
                    "linked by {} to {person_id}, who is not among the current identities",
                    manual.reviewer
                )),
                ..Link::default()
            },
        }
    }

    fn link_by_rules(&self, key: &str, system: &str, depth: u8) -> Link {
        // Rule 1: the key is a person's identity_id.
        if let Some(pick) = self.pick(self.person_by_id.get(key)) {
            return Link::to(pick, LinkBasis::IdentityId);
        }
        let accounts = self.accounts_of(key);
        // Rule 2: an employee id the account's export carries.
        let mut found = Found::default();
        for &account in accounts {
            for name in ["employee_id", "employeeId", "employee id"] {
                if let Some(id) = self.row(account).attribute(name) {
                    found.add(self.pick(self.person_by_employee_id(id)));
                }
            }
        }
        if let Some(link) = found.link(LinkBasis::EmployeeId) {
            return link;
        }
        // Rule 3: an e-mail, UPN or login the account goes by.
        let mut exact = Found::default();
        let mut aliased = Found::default();
        for email in self.emails_of(key, accounts) {
            let Some(canonical) = self.config.aliases.canonical_email(&email) else {
                continue;
            };
            let Some(persons) = self.person_by_email.get(&canonical) else {
                continue;
            };
            let pick = self.pick(Some(persons));
            if persons.iter().any(|&p| self.person_has_email(p, &email)) {
                exact.add(pick);
            } else {
                aliased.add(pick);
            }
        }
        let basis = if exact.persons.is_empty() {
            LinkBasis::EmailAlias
        } else {
            LinkBasis::Email
        };
        exact.merge(aliased);
        if let Some(link) = exact.link(basis) {
            return link;
        }
        // Rule 4: an Azure object id that an Entra user has.
        if depth == 0 && is_object_id(key) {
            if let Some(&account) = self.account_by_object_id.get(key) {
                let user = fold(&self.row(account).identity_id);
                if user != key {
                    let link = self.link_by_rules(&user, "entra-id", depth + 1);
                    if link.person.is_some() || !link.ambiguous.is_empty() {
                        return Link {
                            basis: link.basis.map(|_| LinkBasis::ObjectId),
                            ..link
                        };
                    }
                }
            }
        }
        // Rule 5: an Okta application assignment of this login on this system.
        if depth == 0 {
            if let Some(okta_login) = self.app_pairs.get(&(system.to_owned(), key.to_owned())) {
                let link = self.link(okta_login, "okta");
                if link.person.is_some() {
                    return Link {
                        basis: Some(LinkBasis::OktaApp),
                        secondary: false,
                        ..link
                    };
                }
            }
        }
        let name = account_name(key);
        // Rule 6: the account name is the local part of one person's e-mail.
        if self.config.account_name_rule && email_parts(name).is_none() {
            let mut found = Found::default();
            if let Some(persons) = self.person_by_local.get(name) {
                for &person in persons {
                    found.add(self.pick(Some(&vec![person])));
                }
            }
            if let Some(link) = found.link(LinkBasis::AccountName) {
                return link;
            }
        }
        // Rule 7: a secondary-account pattern.
        if self.config.secondary_rule {
            if let Some(link) = self.secondary_link(name) {
                return link;
            }
        }
        Link::default()
    }

    /// Rule 7 for an account name (a bare name or an e-mail).
    fn secondary_link(&self, name: &str) -> Option<Link> {
        let (source, domain) = match email_parts(name) {
            Some((local, domain)) => (local, Some(domain)),
            None => (name, None),
        };
        let (local, pattern) = self.config.secondary_local(source)?;
        let local = local.to_ascii_lowercase();
        let mut found = Found::default();
        if let Some(domain) = domain {
            let canonical = self
                .config
                .aliases
                .canonical_email(&format!("{local}@{domain}"))
                .unwrap_or_default();
            if let Some(persons) = self.person_by_email.get(&canonical) {
                found.add(self.pick(Some(persons)));
            }
        }
        if found.persons.is_empty() {
            for &person in self
                .person_by_local
                .get(&local)
                .map_or(&[][..], Vec::as_slice)
            {
                found.add(self.pick(Some(&vec![person])));
            }
        }
        let mut link = found.link(LinkBasis::Secondary)?;
        if link.person.is_some() {
            let why = format!("secondary account by the pattern {pattern}");
            link.note = Some(match link.note {
                Some(note) => format!("{why}; {note}"),
                None => why,
            });
        }
        Some(link)
    }

    /// Whether an account linked to `person` by a stronger rule is named
    /// like a secondary account of that same person (`adm-jdoe` carrying
    /// Jane Doe's employee id).
    fn secondary_of(&self, key: &str, person: Option<u32>) -> bool {
        self.config.secondary_rule
            && self
                .secondary_link(account_name(key))
                .is_some_and(|link| link.person.is_some() && link.person == person)
    }

    /// The e-mails an account goes by: the key itself, and each of its
    /// directory rows' identity_id, e-mail and guest home address.
    fn emails_of(&self, key: &str, accounts: &[u32]) -> Vec<String> {
        let mut emails = Vec::new();
        let mut add = |text: &str| {
            let folded = fold(text);
            if email_parts(&folded).is_some() && !emails.contains(&folded) {
                emails.push(folded);
            }
        };
        add(key);
        for &account in accounts {
            let row = self.row(account);
            add(&row.identity_id);
            if let Some(email) = &row.email {
                add(email);
            }
            if let Some(home) = row.attribute("guest_home_address") {
                add(home);
            }
        }
        emails
    }

    fn person_has_email(&self, person: u32, email: &str) -> bool {
        let row = self.row(person);
        fold(&row.identity_id) == email || row.email.as_deref().map(fold).as_deref() == Some(email)
    }

    /// Persons whose identity_id is this employee id: exactly, else (for
    /// all-digit ids) ignoring leading zeros, since a spreadsheet that
    /// opened the HR file may have dropped them.
    fn person_by_employee_id(&self, id: &str) -> Option<&Vec<u32>> {
        let folded = fold(id);
        if let Some(persons) = self.person_by_id.get(&folded) {
            return Some(persons);
        }
        if folded.is_empty() || !folded.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let wanted = folded.trim_start_matches('0');
        self.person_by_id
            .iter()
            .find(|(id, _)| {
                id.bytes().all(|b| b.is_ascii_digit()) && id.trim_start_matches('0') == wanted
            })
            .map(|(_, persons)| persons)
    }

    /// One person among those sharing a key: the one active on `day`, else
    /// the most recent (latest termination date, then latest row), with a
    /// note naming the others (a rehire keeps their e-mail).
    fn pick(&self, candidates: Option<&Vec<u32>>) -> Option<Pick> {
        let candidates = candidates?;
        let (&first, rest) = candidates.split_first()?;
        if rest.is_empty() {
            return Some(Pick {
                person: first,
                note: None,
            });
        }
        let rank = |&index: &u32| {
            let row = self.row(index);
            (
                row.is_active_on(self.day),
                row.termination_date.is_none(),
                row.termination_date.map(crate::model::When::date),
                row.row,
            )
        };
        let chosen = candidates.iter().copied().max_by_key(rank)?;
        let others: Vec<String> = candidates
            .iter()
            .copied()
            .filter(|&p| p != chosen)
            .map(|p| self.describe_person(p))
            .collect();
        Some(Pick {
            person: chosen,
            note: Some(format!(
                "{} {} by this key too; linked to {} (the active record, else the most recent)",
                others.join(", "),
                if others.len() == 1 { "goes" } else { "go" },
                self.describe_person(chosen)
            )),
        })
    }

    /// `E0123 (terminated 2024-03-31)` or `E0456 (active)`.
    pub fn describe_person(&self, person: u32) -> String {
        let row = self.row(person);
        let state = match row.termination_date {
            Some(date) if !row.is_active_on(self.day) => format!("{} {date}", "terminated"),
            _ => row.status.as_str().to_owned(),
        };
        format!("{} ({state})", row.identity_id.trim())
    }

    /// The person (or, without one, the account) a reference names: a
    /// manager_id, owner_id or system owner, given as an identity_id, an
    /// e-mail under any alias, or a directory account's key.
    pub fn reference(&self, name: &str) -> Option<u32> {
        let key = fold(name);
        if key.is_empty() {
            return None;
        }
        if let Some(person) = self.link(&key, "").person {
            return Some(person);
        }
        self.accounts_of(&key).first().copied()
    }
}

/// The distinct persons rules matched, for telling one from ambiguous.
#[derive(Debug, Clone, Default)]
struct Found {
    persons: Vec<u32>,
    note: Option<String>,
}

impl Found {
    fn add(&mut self, pick: Option<Pick>) {
        if let Some(pick) = pick {
            if !self.persons.contains(&pick.person) {
                self.persons.push(pick.person);
                if self.note.is_none() {
                    self.note = pick.note;
                }
            }
        }
    }

    fn merge(&mut self, other: Found) {
        for person in other.persons {
            self.add(Some(Pick { person, note: None }));
        }
        if self.note.is_none() {
            self.note = other.note;
        }
    }

    /// One person: the link; several: ambiguous; none: `None`.
    fn link(self, basis: LinkBasis) -> Option<Link> {
        match self.persons.as_slice() {
            [] => None,
            [person] => Some(Link::to(
                Pick {
                    person: *person,
                    note: self.note,
                },
                basis,
            )),
            _ => Some(Link::ambiguous(self.persons)),
        }
    }
}

/// (application instance label, Okta login, application login) of every
/// current Okta assignment that names an application login.
fn okta_assignment_pairs(conn: &Connection) -> rusqlite::Result<Vec<(String, String, String)>> {
    let mut statement = conn.prepare(
        "SELECT system, identity_ref, attributes FROM grants
         WHERE snapshot_id IN (SELECT id FROM snapshots
                               WHERE current = 1 AND format = 'okta-current-assignments')
           AND attributes IS NOT NULL",
    )?;
    let mut rows = statement.query([])?;
    let mut pairs = Vec::new();
    while let Some(row) = rows.next()? {
        let attributes = parse_attributes(row.get_ref(2)?.as_str()?);
        if let Some((_, login)) = attributes
            .into_iter()
            .find(|(n, v)| n == "application_login" && !v.trim().is_empty())
        {
            pairs.push((row.get(0)?, row.get(1)?, login));
        }
    }
    Ok(pairs)
}

/// The folded systems an Okta application label may name: GitHub
/// organisations and AWS accounts of the current view.
fn pairable_systems(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare(
        "SELECT DISTINCT lower(system) FROM grants
         WHERE snapshot_id IN (SELECT id FROM snapshots
                               WHERE current = 1 AND kind = 'entitlements'
                                 AND (format LIKE 'github%' OR scope LIKE 'aws:%'))",
    )?;
    let systems = statement
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(systems)
}

impl Resolver {
    /// The kind an unlinked account is reviewed as: what its export or
    /// name says (`svc-…`, a Google resource), else its own row's kind.
    pub fn unlinked_kind(&self, key: &str, account: u32) -> crate::model::IdentityKind {
        let rows: Vec<&IdentityRow> = self.accounts_of(key).iter().map(|&r| self.row(r)).collect();
        super::facts::account_facts(&self.config, key, &rows)
            .kind
            .map_or(self.row(account).kind, |(kind, _)| kind)
    }

    /// Groups of persons sharing an e-mail (a rehire keeps theirs), with
    /// the person accounts of that e-mail link to: `(e-mail, chosen, all)`.
    pub fn shared_emails(&self) -> Vec<(String, u32, Vec<u32>)> {
        let mut shared: Vec<(String, u32, Vec<u32>)> = self
            .person_by_email
            .iter()
            .filter(|(_, persons)| persons.len() > 1)
            .filter_map(|(email, persons)| {
                let pick = self.pick(Some(persons))?;
                Some((email.clone(), pick.person, persons.clone()))
            })
            .collect();
        shared.sort();
        shared
    }
}

#[cfg(test)]
#[path = "resolver_tests.rs"]
mod tests;
