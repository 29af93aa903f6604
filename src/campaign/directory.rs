//! The current identities and systems, loaded once into memory maps so that
//! building a campaign looks up holders, managers, owners and system owners
//! without a query per grant.

use std::collections::HashMap;

use rusqlite::Connection;

use super::signals::Owner;
use crate::holders::holder_key;
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemRow {
    pub row: i64,
    pub owner_id: Option<String>,
}

/// Identities by `holder_key` of identity_id and of email, and systems by name.
#[derive(Debug, Default)]
pub struct Directory {
    identities: Vec<IdentityRow>,
    by_key: HashMap<String, usize>,
    systems: HashMap<String, SystemRow>,
}

impl Directory {
    /// Loads the identities and systems of the current snapshots.
    pub fn load_current(conn: &Connection) -> rusqlite::Result<Directory> {
        let mut directory = Directory::default();
        let mut statement = conn.prepare(
            "SELECT id, identity_id, email, kind, status, manager_id, owner_id, termination_date
             FROM identities
             WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1 AND kind = 'identities')
             ORDER BY id",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let kind: String = row.get(3)?;
            let status: String = row.get(4)?;
            let termination: Option<String> = row.get(7)?;
            directory.identities.push(IdentityRow {
                row: row.get(0)?,
                identity_id: row.get(1)?,
                email: row.get(2)?,
                // The schema's CHECK constraints allow only the known values.
                kind: IdentityKind::parse(&kind).unwrap_or(IdentityKind::Human),
                status: IdentityStatus::parse(&status).unwrap_or(IdentityStatus::Active),
                manager_id: row.get(5)?,
                owner_id: row.get(6)?,
                termination_date: termination.as_deref().and_then(When::parse_stored),
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
                });
        }
        Ok(directory)
    }

    /// Builds the key map: identity_ids first, so an identity_id always wins
    /// over another identity's email that happens to spell the same; the
    /// earliest row wins among equals.
    fn index(&mut self) {
        self.by_key.reserve(self.identities.len() * 2);
        for (index, identity) in self.identities.iter().enumerate() {
            self.by_key
                .entry(holder_key(&identity.identity_id))
                .or_insert(index);
        }
        for (index, identity) in self.identities.iter().enumerate() {
            if let Some(email) = identity.email.as_deref().filter(|e| !e.trim().is_empty()) {
                self.by_key.entry(holder_key(email)).or_insert(index);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.identities.is_empty()
    }

    /// The identity a grant holder (identity_id, email or login) names.
    pub fn find(&self, name: &str) -> Option<&IdentityRow> {
        self.by_key
            .get(&holder_key(name))
            .map(|&index| &self.identities[index])
    }

    pub fn system(&self, name: &str) -> Option<&SystemRow> {
        self.systems.get(&holder_key(name))
    }

    /// A manager or system owner as a reviewer: the identity's own
    /// identity_id when known and active, `None` when known but not active,
    /// and the name as written when it is not in the export (a person the
    /// export does not cover can still review under that name).
    pub fn reviewer<'a>(&'a self, name: Option<&'a str>) -> Option<&'a str> {
        let name = name.map(str::trim).filter(|n| !n.is_empty())?;
        match self.find(name) {
            Some(identity) if identity.status == IdentityStatus::Active => {
                Some(identity.identity_id.as_str())
            }
            Some(_) => None,
            None => Some(name),
        }
    }

    /// What is known about a non-human identity's owner.
    pub fn owner<'a>(&'a self, owner_id: Option<&'a str>) -> Owner<'a> {
        let Some(id) = owner_id.map(str::trim).filter(|o| !o.is_empty()) else {
            return Owner::Missing;
        };
        match self.find(id) {
            None => Owner::NotFound(id),
            Some(owner) if owner.status == IdentityStatus::Active => {
                Owner::Active(owner.identity_id.as_str())
            }
            Some(owner) => Owner::Inactive {
                id: owner.identity_id.as_str(),
                status: owner.status,
                termination_date: owner.termination_date,
            },
        }
    }
}
