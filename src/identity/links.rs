//! Manual links (`recert link`, `recert unlink`): appended, hash-chained
//! events saying who joined or separated an account and a person, when and
//! why. The latest event per account beats every rule. One chain runs
//! through all of them, so `recert verify` finds one edited behind
//! recert's back.

use chrono::{DateTime, SecondsFormat, Utc};
use foldhash::{HashMap, HashMapExt};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::keys::fold;
use crate::actor::Actor;
use crate::chain::GENESIS;
use crate::chain::link as row_hash;

/// The latest manual decision about one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualLink {
    pub event_id: i64,
    /// The account as the user typed it.
    pub account: String,
    /// The person's identity_id; `None` for an unlink.
    pub person_id: Option<String>,
    pub reason: String,
    pub reviewer: String,
    /// When, RFC 3339 UTC.
    pub at: String,
}

/// One stored link event, as the history export and verify read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEvent {
    pub id: i64,
    pub account: String,
    pub account_key: String,
    pub person_id: Option<String>,
    pub reason: String,
    pub reviewer: String,
    pub os_user: String,
    pub host: String,
    pub linked_at: String,
    pub prev_hash: String,
    pub event_hash: String,
}

impl LinkEvent {
    /// The chain hash: `prev_hash`, then every field, each after 0x1F.
    pub fn hash(&self) -> String {
        let id = self.id.to_string();
        row_hash(
            &self.prev_hash,
            [
                id.as_str(),
                &self.account,
                &self.account_key,
                self.person_id.as_deref().unwrap_or(""),
                &self.reason,
                &self.reviewer,
                &self.os_user,
                &self.host,
                &self.linked_at,
            ],
        )
    }
}

const SELECT: &str = "SELECT id, account, account_key, person_id, reason, reviewer, os_user, host,
        linked_at, prev_hash, event_hash FROM link_events";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<LinkEvent> {
    Ok(LinkEvent {
        id: row.get(0)?,
        account: row.get(1)?,
        account_key: row.get(2)?,
        person_id: row.get(3)?,
        reason: row.get(4)?,
        reviewer: row.get(5)?,
        os_user: row.get(6)?,
        host: row.get(7)?,
        linked_at: row.get(8)?,
        prev_hash: row.get(9)?,
        event_hash: row.get(10)?,
    })
}

/// Appends one link (`person_id` = `Some`) or unlink event, chained to the
/// last one, in its own immediate transaction; returns its id.
pub fn append(
    conn: &mut Connection,
    account: &str,
    person_id: Option<&str>,
    reason: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (last_id, prev_hash): (i64, String) = tx
        .query_row(
            "SELECT id, event_hash FROM link_events ORDER BY id DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .unwrap_or_else(|| (0, GENESIS.to_owned()));
    let mut event = LinkEvent {
        id: last_id + 1,
        account: account.trim().to_owned(),
        account_key: fold(account),
        person_id: person_id.map(|p| p.trim().to_owned()),
        reason: reason.trim().to_owned(),
        reviewer: actor.reviewer.clone(),
        os_user: actor.os_user.clone(),
        host: actor.host.clone(),
        linked_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
        prev_hash,
        event_hash: String::new(),
    };
    event.event_hash = event.hash();
    tx.execute(
        "INSERT INTO link_events (id, account, account_key, person_id, reason, reviewer, os_user,
             host, linked_at, prev_hash, event_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        rusqlite::params![
            event.id,
            event.account,
            event.account_key,
            event.person_id,
            event.reason,
            event.reviewer,
            event.os_user,
            event.host,
            event.linked_at,
            event.prev_hash,
            event.event_hash
        ],
    )?;
    tx.commit()?;
    Ok(event.id)
}

/// The latest link event per account key, among events up to `watermark`
/// (a campaign freezes the links of its creation); `None` = all.
pub fn current_manual_links(
    conn: &Connection,
    watermark: Option<i64>,
) -> rusqlite::Result<HashMap<String, ManualLink>> {
    let mut statement = conn.prepare(&format!("{SELECT} WHERE id <= ?1 ORDER BY id"))?;
    let mut rows = statement.query([watermark.unwrap_or(i64::MAX)])?;
    let mut links = HashMap::new();
    while let Some(row) = rows.next()? {
        let event = from_row(row)?;
        links.insert(
            event.account_key.clone(),
            ManualLink {
                event_id: event.id,
                account: event.account,
                person_id: event.person_id,
                reason: event.reason,
                reviewer: event.reviewer,
                at: event.linked_at,
            },
        );
    }
    Ok(links)
}

/// The id of the latest link event (0 when there is none): what a new
/// campaign freezes.
pub fn watermark(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM link_events", [], |row| {
        row.get(0)
    })
}

/// Every link event up to `watermark` about one of `keys`, in order
/// (`None` keys: all of them).
pub fn events(conn: &Connection, watermark: i64) -> rusqlite::Result<Vec<LinkEvent>> {
    let mut statement = conn.prepare(&format!("{SELECT} WHERE id <= ?1 ORDER BY id"))?;
    let events = statement
        .query_map([watermark], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(events)
}

/// What is wrong with the link chain, one sentence per problem (empty when
/// intact): an event edited, removed or inserted behind recert's back.
pub fn check_chain(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut expected = GENESIS.to_owned();
    let mut previous_id = 0;
    for event in events(conn, i64::MAX)? {
        if event.prev_hash != expected {
            problems.push(format!(
                "link event {}: prev_hash does not continue the chain after event {previous_id}: an event was removed, inserted or rewritten",
                event.id
            ));
        }
        if event.hash() != event.event_hash {
            problems.push(format!(
                "link event {} ({} → {}): its fields do not match its hash: it was edited",
                event.id,
                event.account,
                event.person_id.as_deref().unwrap_or("unlinked")
            ));
        }
        expected.clone_from(&event.event_hash);
        previous_id = event.id;
    }
    Ok(problems)
}

/// The head of the link chain (the last event's hash), for `recert verify`.
pub fn chain_head(conn: &Connection) -> rusqlite::Result<(u64, String)> {
    let events = events(conn, i64::MAX)?;
    Ok((
        events.len() as u64,
        events
            .last()
            .map_or_else(|| GENESIS.to_owned(), |e| e.event_hash.clone()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::at;
    use crate::workspace::Workspace;

    #[test]
    fn the_latest_event_per_account_wins_and_the_chain_holds() {
        let mut ws = Workspace::open_in_memory().expect("workspace");
        let actor = Actor::fixed("iam");
        append(
            &mut ws.conn,
            "JDoe-GH",
            Some("E0412"),
            "same person, per HR",
            &actor,
            at(9),
        )
        .expect("link");
        append(
            &mut ws.conn,
            "jdoe-gh",
            None,
            "it was her brother",
            &actor,
            at(10),
        )
        .expect("unlink");
        append(&mut ws.conn, "svc-x", Some("E1"), "owner", &actor, at(11)).expect("link");
        let links = current_manual_links(&ws.conn, None).expect("links");
        assert_eq!(links["jdoe-gh"].person_id, None);
        assert_eq!(links["svc-x"].person_id.as_deref(), Some("E1"));
        let frozen = current_manual_links(&ws.conn, Some(1)).expect("links");
        assert_eq!(frozen["jdoe-gh"].person_id.as_deref(), Some("E0412"));
        assert!(check_chain(&ws.conn).expect("check").is_empty());
        assert_eq!(watermark(&ws.conn).expect("watermark"), 3);
    }

    #[test]
    fn an_edited_or_removed_event_is_found() {
        let mut ws = Workspace::open_in_memory().expect("workspace");
        let actor = Actor::fixed("iam");
        for (account, person) in [("a", "E1"), ("b", "E2"), ("c", "E3")] {
            append(&mut ws.conn, account, Some(person), "why", &actor, at(9)).expect("link");
        }
        ws.conn
            .execute_batch(
                "DROP TRIGGER link_events_append_only_update;
                 DROP TRIGGER link_events_append_only_delete;
                 UPDATE link_events SET person_id = 'E9' WHERE id = 2;",
            )
            .expect("tamper");
        let problems = check_chain(&ws.conn).expect("check");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("link event 2"), "{problems:?}");
        ws.conn
            .execute("DELETE FROM link_events WHERE id = 2", [])
            .expect("delete");
        let problems = check_chain(&ws.conn).expect("check");
        assert!(
            problems[0].contains("link event 3: prev_hash"),
            "{problems:?}"
        );
    }
}
