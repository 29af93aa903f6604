//! The keys a reviewer could hold access under in a campaign, for the
//! own-access rule (`policy::is_own_access`): the name itself, the person's
//! identity_id and e-mail, and every account the campaign linked to them.

use rusqlite::Connection;

use super::name::{clean, fold};
use super::registry;
use super::resolve::snapshot_set;

/// The folded keys of `reviewer` in campaign `campaign`, the name's first.
/// A registered reviewer who is no person is known by the name alone; an unknown name (a
/// library caller's) is taken as it is, so the rule never depends on it
/// resolving. An empty name owns nothing.
pub fn own_keys(conn: &Connection, campaign: i64, reviewer: &str) -> rusqlite::Result<Vec<String>> {
    let name = clean(reviewer).text;
    let key = fold(&name);
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let mut keys = vec![key.clone()];
    let add = |keys: &mut Vec<String>, text: Option<String>| {
        if let Some(folded) = text.map(|t| fold(&t)).filter(|t| !t.is_empty()) {
            if !keys.contains(&folded) {
                keys.push(folded);
            }
        }
    };
    let snapshots = snapshot_set(conn, Some(campaign))?;
    let mut rows = person_rows(conn, &snapshots, &name, false)?;
    if rows.is_empty() {
        rows = person_rows(conn, &snapshots, &key, true)?;
    }
    // A registered reviewer who is no person of the workspace is known by
    // the name alone. A person registered for their public key (review
    // packets) keeps every key of theirs.
    if rows.is_empty() && registry::find(conn, &name)?.is_some() {
        return Ok(keys);
    }
    if rows.is_empty() {
        // An account key of the campaign's: its person's keys count too.
        let mut statement = conn.prepare_cached(
            "SELECT p.id, p.identity_id, p.email FROM campaign_links l
             JOIN identities p ON p.id = l.person_row
             WHERE l.campaign_id = ?1 AND l.account_key = ?2",
        )?;
        rows = statement
            .query_map((campaign, &key), |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    let mut ids: Vec<i64> = Vec::new();
    for (row, identity_id, email) in rows {
        ids.push(row);
        add(&mut keys, Some(identity_id));
        add(&mut keys, email);
    }
    // The campaign links accounts to the rows of its own snapshots, which
    // are among those found.
    let mut statement = conn.prepare_cached(
        "SELECT account_key FROM campaign_links
         WHERE campaign_id = ?1 AND person_row IN (SELECT value FROM json_each(?2))",
    )?;
    let ids = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned());
    let accounts: Vec<String> = statement
        .query_map((campaign, ids), |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for account in accounts {
        add(&mut keys, Some(account));
    }
    Ok(keys)
}

type PersonRow = (i64, String, Option<String>);

/// Identity rows of `snapshots` whose identity_id is `value` exactly, or
/// with `folded`, whose identity_id or e-mail is.
fn person_rows(
    conn: &Connection,
    snapshots: &str,
    value: &str,
    folded: bool,
) -> rusqlite::Result<Vec<PersonRow>> {
    // An exact identity_id uses the (snapshot_id, identity_id) index; a
    // folded look-up goes through migration 0011's, which `+` keeps SQLite
    // from passing over for a read of every identity of the snapshots.
    let (snapshot, condition) = if folded {
        (
            "+i.snapshot_id",
            format!("i.id IN ({})", crate::identity::keys::ROWS_BY_FOLDED_KEY),
        )
    } else {
        ("i.snapshot_id", "i.identity_id = ?2".to_owned())
    };
    let mut statement = conn.prepare_cached(&format!(
        "SELECT i.id, i.identity_id, i.email FROM identities i
         WHERE {snapshot} IN (SELECT value FROM json_each(?1)) AND {condition}"
    ))?;
    statement
        .query_map((snapshots, value), |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect()
}
