//! Registered reviewers (`recert reviewer add NAME [--pubkey FILE]`): people
//! who review without being a person of an imported identities file, and
//! persons whose public key is kept for signed review packets.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

use super::name::fold;
use crate::actor::Actor;

/// One registered reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    pub name: String,
    /// The minisign key id of the registered public key, if one was given.
    pub key_id: Option<String>,
    /// The public key's base64 line.
    pub public_key: Option<String>,
    pub os_user: String,
    pub host: String,
    pub added_at: String,
}

const SELECT: &str = "SELECT name, key_id, public_key, os_user, host, added_at FROM reviewers";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Registered> {
    Ok(Registered {
        name: row.get(0)?,
        key_id: row.get(1)?,
        public_key: row.get(2)?,
        os_user: row.get(3)?,
        host: row.get(4)?,
        added_at: row.get(5)?,
    })
}

/// The registered reviewer `name` names (compared folded), if any.
pub fn find(conn: &Connection, name: &str) -> rusqlite::Result<Option<Registered>> {
    conn.prepare_cached(&format!("{SELECT} WHERE name_key = ?1"))?
        .query_row([fold(name)], from_row)
        .optional()
}

/// Every registered reviewer, in the order they were added.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Registered>> {
    conn.prepare_cached(&format!("{SELECT} ORDER BY id"))?
        .query_map([], from_row)?
        .collect()
}

/// A public key to register: its base64 line and key id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyText {
    pub base64: String,
    pub key_id: String,
}

/// Registers `name` (already cleaned and checked by the caller). Refuses a
/// name registered before: a reviewer's entry never changes under the
/// decisions made in their name.
pub fn add(
    conn: &Connection,
    name: &str,
    key: Option<&PublicKeyText>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> color_eyre::Result<Registered> {
    if let Some(existing) = find(conn, name)? {
        color_eyre::eyre::bail!(
            "reviewer {:?} is already registered (by {}@{} at {}); a registered reviewer never changes",
            crate::text::for_display(&existing.name),
            crate::text::for_display(&existing.os_user),
            crate::text::for_display(&existing.host),
            existing.added_at
        );
    }
    let entry = Registered {
        name: name.to_owned(),
        key_id: key.map(|k| k.key_id.clone()),
        public_key: key.map(|k| k.base64.clone()),
        os_user: actor.os_user.clone(),
        host: actor.host.clone(),
        added_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
    };
    conn.execute(
        "INSERT INTO reviewers (name, name_key, public_key, key_id, os_user, host, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        (
            &entry.name,
            fold(&entry.name),
            &entry.public_key,
            &entry.key_id,
            &entry.os_user,
            &entry.host,
            &entry.added_at,
        ),
    )?;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Workspace;

    #[test]
    fn a_name_is_registered_once_and_found_however_it_is_typed() {
        let ws = Workspace::open_in_memory().expect("workspace");
        let at = Utc::now();
        add(&ws.conn, "CISO", None, &Actor::fixed("x"), at).expect("add");
        let found = find(&ws.conn, " ciso\u{200B} ")
            .expect("find")
            .expect("found");
        assert_eq!(found.name, "CISO");
        let err = add(&ws.conn, "Ciso", None, &Actor::fixed("x"), at).expect_err("twice");
        assert!(err.to_string().contains("already registered"), "{err}");
        assert!(
            ws.conn
                .execute("UPDATE reviewers SET name = 'x'", [])
                .is_err(),
            "append-only"
        );
        assert_eq!(list(&ws.conn).expect("list").len(), 1);
    }
}
