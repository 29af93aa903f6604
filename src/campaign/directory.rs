//! The current identities and systems, loaded once into memory maps so that
//! building a campaign looks up holders, managers, owners and system owners
//! without a query per grant.

use foldhash::HashMap;
use rusqlite::Connection;

use super::signals::Owner;
use crate::holders::{holder_key, holder_key_into};
use crate::model::{IdentityKind, IdentityStatus, When};

/// One current identity row, as much as a campaign needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRow {
    pub row: i64,
    pub identity_id: String,
    pub email: Option<String>,
    pub kind: IdentityKind,
    pub status: IdentityStatus,
    pub manager_id: Option<String>,
    pub owner_id: Option<String>,
    pub termination_date: Option<When>,
    /// manager_id resolved once against the directory.
    pub manager: Link,
    /// owner_id resolved once against the directory.
    pub owner: Link,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemRow {
    pub row: i64,
    pub owner_id: Option<String>,
    /// owner_id resolved once against the directory.
    pub owner: Link,
}

/// A reference to a person (manager_id, owner_id), resolved once so that a
/// million grants do not look up the same manager a million times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Link {
    /// Nothing named.
    #[default]
    Absent,
    /// The identity at this index of the directory.
    Identity(usize),
    /// A name that matches no identity.
    Unknown,
}

/// Identities by `holder_key` of identity_id and of email, and systems by name.
#[derive(Debug, Default)]
pub struct Directory {
    identities: Vec<IdentityRow>,
    /// How many of `identities`, at the front, come from canonical files.
    authoritative: usize,
    by_key: HashMap<String, usize>,
    systems: HashMap<String, SystemRow>,
}

impl Directory {
    /// Loads the identities and systems of the current snapshots.
    pub fn load_current(conn: &Connection) -> rusqlite::Result<Directory> {
        let mut directory = Directory::default();
        // Identities from the canonical (HR) files come first: a person named
        // by e-mail in an Okta or Azure export is the HR record with that
        // e-mail, with its manager and leaver status, not the directory
        // account whose identity_id happens to be the same address.
        let mut statement = conn.prepare(
            "SELECT i.id, i.identity_id, i.email, i.kind, i.status, i.manager_id, i.owner_id,
                    i.termination_date, s.scope = 'canonical'
             FROM identities i JOIN snapshots s ON s.id = i.snapshot_id
             WHERE s.current = 1 AND s.kind = 'identities'
             ORDER BY s.scope <> 'canonical', i.id",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            if row.get::<_, bool>(8)? {
                directory.authoritative += 1;
            }
            let termination: Option<String> = row.get(7)?;
            directory.identities.push(IdentityRow {
                row: row.get(0)?,
                identity_id: row.get(1)?,
                email: row.get(2)?,
                kind: row.get(3)?,
                status: row.get(4)?,
                manager_id: row.get(5)?,
                owner_id: row.get(6)?,
                termination_date: termination.as_deref().and_then(When::parse_stored),
                manager: Link::Absent,
                owner: Link::Absent,
            });
        }
        directory.index();
        let mut statement = conn.prepare(
            "SELECT id, system, owner_id FROM systems
             WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1 AND kind = 'systems')
             ORDER BY id",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let name: String = row.get(1)?;
            directory
                .systems
                .entry(holder_key(&name))
                .or_insert(SystemRow {
                    row: row.get(0)?,
                    owner_id: row
                        .get::<_, Option<String>>(2)?
                        .filter(|o| !o.trim().is_empty()),
                    owner: Link::Absent,
                });
        }
        let links: Vec<(String, Link)> = directory
            .systems
            .iter()
            .map(|(key, system)| (key.clone(), directory.link(system.owner_id.as_deref())))
            .collect();
        for (key, link) in links {
            if let Some(system) = directory.systems.get_mut(&key) {
                system.owner = link;
            }
        }
        Ok(directory)
    }

    /// Builds the key map. Canonical identities claim their keys first, then
    /// those of vendor exports; within each, identity_ids before emails, so an
    /// identity_id wins over another identity's email that happens to spell
    /// the same; the earliest row wins among equals.
    fn index(&mut self) {
        self.by_key.reserve(self.identities.len() * 2);
        let tiers = [
            0..self.authoritative,
            self.authoritative..self.identities.len(),
        ];
        for tier in tiers {
            for index in tier.clone() {
                let key = holder_key(&self.identities[index].identity_id);
                self.by_key.entry(key).or_insert(index);
            }
            for index in tier {
                let email = self.identities[index].email.as_deref();
                if let Some(email) = email.filter(|e| !e.trim().is_empty()) {
                    self.by_key.entry(holder_key(email)).or_insert(index);
                }
            }
        }
        let links: Vec<(Link, Link)> = self
            .identities
            .iter()
            .map(|i| {
                (
                    self.link(i.manager_id.as_deref()),
                    self.link(i.owner_id.as_deref()),
                )
            })
            .collect();
        for (identity, (manager, owner)) in self.identities.iter_mut().zip(links) {
            identity.manager = manager;
            identity.owner = owner;
        }
    }

    fn link(&self, name: Option<&str>) -> Link {
        match name.map(str::trim).filter(|n| !n.is_empty()) {
            None => Link::Absent,
            Some(name) => self
                .by_key
                .get(&holder_key(name))
                .map_or(Link::Unknown, |&index| Link::Identity(index)),
        }
    }

    /// A resolved manager or system owner as a reviewer, by the rule of
    /// [`Directory::reviewer`]; `raw` is the name as written.
    pub fn reviewer_link<'a>(&'a self, link: Link, raw: Option<&'a str>) -> Option<&'a str> {
        match link {
            Link::Absent => None,
            Link::Unknown => raw.map(str::trim),
            Link::Identity(index) => {
                let identity = &self.identities[index];
                (identity.status == IdentityStatus::Active).then_some(identity.identity_id.as_str())
            }
        }
    }

    /// A resolved owner, by the rule of [`Directory::owner`].
    pub fn owner_link<'a>(&'a self, link: Link, raw: Option<&'a str>) -> Owner<'a> {
        match link {
            Link::Absent => Owner::Missing,
            Link::Unknown => Owner::NotFound(raw.map_or("", str::trim)),
            Link::Identity(index) => {
                let owner = &self.identities[index];
                if owner.status == IdentityStatus::Active {
                    Owner::Active(owner.identity_id.as_str())
                } else {
                    Owner::Inactive {
                        id: owner.identity_id.as_str(),
                        status: owner.status,
                        termination_date: owner.termination_date,
                    }
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.identities.is_empty()
    }

    /// The identity a grant holder (identity_id, email or login) names.
    pub fn find(&self, name: &str) -> Option<&IdentityRow> {
        self.find_with(name, &mut String::new())
    }

    /// [`Directory::find`] with a reused key buffer.
    pub fn find_with(&self, name: &str, key: &mut String) -> Option<&IdentityRow> {
        holder_key_into(name, key);
        self.by_key
            .get(key.as_str())
            .map(|&index| &self.identities[index])
    }

    /// The system row of a grant's system, matched like holders.
    pub fn system_with(&self, name: &str, key: &mut String) -> Option<&SystemRow> {
        holder_key_into(name, key);
        self.systems.get(key.as_str())
    }

    /// A manager or system owner as a reviewer: the identity's own
    /// identity_id when known and active, `None` when known but not active,
    /// and the name as written when it is not in the export (a person the
    /// export does not cover can still review under that name).
    pub fn reviewer<'a>(&'a self, name: Option<&'a str>) -> Option<&'a str> {
        self.reviewer_link(self.link(name), name)
    }

    /// What is known about a non-human identity's owner.
    pub fn owner<'a>(&'a self, owner_id: Option<&'a str>) -> Owner<'a> {
        self.owner_link(self.link(owner_id), owner_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Workspace;

    /// HR knows Alice as E1, a leaver; the Entra export keys her account by
    /// the same address she has as her HR email.
    #[test]
    fn a_canonical_identity_wins_a_key_over_a_directory_account() {
        let ws = Workspace::open_in_memory().expect("workspace");
        ws.conn
            .execute_batch(&format!(
                "INSERT INTO imports VALUES (1, '2026-11-01T00:00:00Z', 'u', 'h');
                 INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
                     VALUES (1, 1, 'identities', 'entra-id', 'entra-users', 'entra.csv', '{h}', 1),
                            (2, 1, 'identities', 'canonical', 'identities', 'hr.csv', '{h}', 1);
                 INSERT INTO identities (snapshot_id, line, identity_id, email, kind, status, manager_id)
                     VALUES (1, 2, 'alice@corp.example', 'alice@corp.example', 'human', 'active', NULL),
                            (2, 2, 'E1', 'alice@corp.example', 'human', 'terminated', 'M1');",
                h = "a".repeat(64)
            ))
            .expect("fixture");
        let directory = Directory::load_current(&ws.conn).expect("directory");
        let alice = directory.find("Alice@Corp.example").expect("linked");
        assert_eq!(alice.identity_id, "E1");
        assert_eq!(alice.status, IdentityStatus::Terminated);
    }
}
