//! The current systems (systems exports), by name, with their owners
//! resolved once through identity correlation.

use foldhash::{HashMap, HashMapExt};
use rusqlite::Connection;

use crate::identity::Resolver;
use crate::identity::keys::fold;
use crate::identity::keys::fold_into;

/// One current system row, as much as a campaign needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemRow {
    pub row: i64,
    pub owner_id: Option<String>,
    /// The owner's identity row (an index into the resolver's rows), when
    /// the owner_id names a current person or account.
    pub owner: Option<u32>,
}

/// Systems by folded name.
#[derive(Debug, Default)]
pub struct Systems {
    by_name: HashMap<String, SystemRow>,
}

impl Systems {
    /// Loads the systems of the current snapshots, resolving each owner.
    pub fn load_current(conn: &Connection, resolver: &Resolver) -> rusqlite::Result<Systems> {
        let mut statement = conn.prepare(
            "SELECT id, system, owner_id FROM systems
             WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1 AND kind = 'systems')
             ORDER BY id",
        )?;
        let mut rows = statement.query([])?;
        let mut systems = Systems {
            by_name: HashMap::new(),
        };
        while let Some(row) = rows.next()? {
            let name: String = row.get(1)?;
            let owner_id = row
                .get::<_, Option<String>>(2)?
                .filter(|o| !o.trim().is_empty());
            let owner = owner_id.as_deref().and_then(|o| resolver.reference(o));
            systems.by_name.entry(fold(&name)).or_insert(SystemRow {
                row: row.get(0)?,
                owner_id,
                owner,
            });
        }
        Ok(systems)
    }

    /// The system row of a grant's system, matched like holders.
    pub fn get(&self, name: &str, key: &mut String) -> Option<&SystemRow> {
        fold_into(name, key);
        self.by_name.get(key.as_str())
    }
}
