//! Linking a grant to the identity that holds it (PRODUCT.md §2).
//!
//! A grant names its holder by identity_id, or by an email or login that
//! matches an identity's email or identity_id. Matching ignores ASCII case and
//! surrounding spaces, so counts in the import summary and campaign items
//! always agree.

// foldhash, not SipHash: these sets are keyed by every identity and
// probed once per grant of a million-grant import.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use rusqlite::Connection;

/// The form of an identity key or grant holder used for matching.
pub fn holder_key(text: &str) -> String {
    text.trim().to_ascii_lowercase()
}

/// Writes `holder_key(text)` into a reused buffer (no allocation per row).
pub fn holder_key_into(text: &str, buffer: &mut String) {
    buffer.clear();
    buffer.push_str(trim(text));
    buffer.make_ascii_lowercase();
}

/// `str::trim`, skipping its Unicode whitespace scan for the usual value
/// that starts and ends with a visible ASCII character (a million grants
/// are keyed per campaign).
pub fn trim(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    if visible(text.as_bytes().first()) && visible(text.as_bytes().last()) {
        text
    } else {
        text.trim()
    }
}

/// The identities of the current view, as far as linking and reference
/// checks need them.
pub struct Directory {
    /// Every identity_id and email, as holder keys.
    keys: HashSet<String>,
    /// Exact identity_ids (manager_id and owner_id name them exactly).
    ids: HashSet<String>,
    references: Vec<(Option<String>, Option<String>, bool)>,
}

/// Dangling references among the current identities.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct References {
    pub unknown_managers: u64,
    pub unknown_owners: u64,
    pub undated_leavers: u64,
}

impl Directory {
    pub fn load_current(conn: &Connection) -> rusqlite::Result<Directory> {
        let mut statement = conn.prepare(
            "SELECT identity_id, email, manager_id, owner_id,
                    status = 'terminated' AND termination_date IS NULL
             FROM identities WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1)",
        )?;
        let mut rows = statement.query([])?;
        let mut directory = Directory {
            keys: HashSet::new(),
            ids: HashSet::new(),
            references: Vec::new(),
        };
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let email: Option<String> = row.get(1)?;
            directory.keys.insert(holder_key(&id));
            if let Some(email) = email {
                directory.keys.insert(holder_key(&email));
            }
            directory.ids.insert(id);
            directory
                .references
                .push((row.get(2)?, row.get(3)?, row.get(4)?));
        }
        Ok(directory)
    }

    /// Whether a grant holder (identity_id, email or login) names a known identity.
    pub fn knows(&self, holder: &str, buffer: &mut String) -> bool {
        holder_key_into(holder, buffer);
        self.keys.contains(buffer.as_str())
    }

    /// Orphaned grants of the current view per snapshot id, so the import
    /// summary can say which file's holders could not be linked.
    pub fn orphaned_grants_by_snapshot(
        &self,
        conn: &Connection,
    ) -> rusqlite::Result<HashMap<i64, u64>> {
        let mut statement = conn.prepare(
            "SELECT snapshot_id, identity_ref FROM grants
             WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1)",
        )?;
        let mut rows = statement.query([])?;
        let mut buffer = String::new();
        let mut orphaned = HashMap::new();
        while let Some(row) = rows.next()? {
            let holder = row.get_ref(1)?.as_str()?;
            if !self.knows(holder, &mut buffer) {
                *orphaned.entry(row.get::<_, i64>(0)?).or_insert(0) += 1;
            }
        }
        Ok(orphaned)
    }

    pub fn references(&self) -> References {
        let mut references = References::default();
        for (manager, owner, undated_leaver) in &self.references {
            if manager.as_ref().is_some_and(|m| !self.ids.contains(m)) {
                references.unknown_managers += 1;
            }
            if owner.as_ref().is_some_and(|o| !self.ids.contains(o)) {
                references.unknown_owners += 1;
            }
            if *undated_leaver {
                references.undated_leavers += 1;
            }
        }
        references
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_into_a_buffer_is_the_same_key() {
        let mut key = String::from("stale");
        for text in [
            " Zoë.MÜLLER@X.example ",
            "E0412",
            "",
            "\tBO@X\n",
            "\u{a0}NBSP\u{a0}",
            "É",
        ] {
            holder_key_into(text, &mut key);
            assert_eq!(key, holder_key(text));
        }
    }

    #[test]
    fn keys_ignore_ascii_case_and_padding() {
        assert_eq!(
            holder_key(" Zoe.Muller@Northwind.example "),
            "zoe.muller@northwind.example"
        );
        let mut buffer = String::new();
        holder_key_into(" E001 ", &mut buffer);
        assert_eq!(buffer, "e001");
    }

    #[test]
    fn orphans_and_dangling_references_are_counted() {
        let ws = crate::workspace::Workspace::open_in_memory().expect("workspace");
        ws.conn
            .execute_batch(&format!(
                "INSERT INTO imports VALUES (1, '2026-11-01T00:00:00Z', 'u', 'h');
                 INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count, current)
                     VALUES (1, 1, 'identities', 'canonical', 'identities', 'i.csv', '{h}', 2, 1),
                            (2, 1, 'entitlements', 'canonical', 'entitlements', 'e.csv', '{h}', 3, 1),
                            (3, 1, 'entitlements', 'old', 'entitlements', 'o.csv', '{h}', 1, 0);
                 INSERT INTO identities (snapshot_id, line, identity_id, email, kind, status, manager_id, owner_id)
                     VALUES (1, 2, 'E1', 'Ann@X.example', 'human', 'terminated', 'M9', NULL),
                            (1, 3, 'S1', NULL, 'service', 'active', NULL, 'E1');
                 INSERT INTO grants (snapshot_id, line, identity_ref, system, entitlement, type, privileged)
                     VALUES (2, 2, 'ann@x.EXAMPLE', 'a', 'r', 'role', 0),
                            (2, 3, ' s1 ', 'a', 'r', 'role', 0),
                            (2, 4, 'X999', 'a', 'r', 'role', 0),
                            (3, 2, 'Y1', 'a', 'r', 'role', 0);",
                h = "a".repeat(64)
            ))
            .expect("fixture");
        let directory = Directory::load_current(&ws.conn).expect("load");
        let orphaned = directory
            .orphaned_grants_by_snapshot(&ws.conn)
            .expect("count");
        assert_eq!(
            orphaned.values().sum::<u64>(),
            1,
            "only X999; Y1 is superseded"
        );
        let references = directory.references();
        assert_eq!(
            references,
            References {
                unknown_managers: 1,
                unknown_owners: 0,
                undated_leavers: 1
            }
        );
    }
}
