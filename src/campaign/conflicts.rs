//! Reading the toxic combinations of a campaign (`item_conflicts`,
//! PRODUCT.md §11): each item's other half, and whether the conflict is
//! resolved (either item's current decision is a revocation). Resolving is
//! shown, never decided for the reviewer.

use std::collections::HashMap;

use rusqlite::{Connection, params};
use serde::Serialize;

/// One conflict as seen from one of its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The other item of the pair.
    pub item_id: i64,
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether either item of the pair is currently revoked.
    pub resolved: bool,
    /// The other item's control, holder key, system and entitlement.
    #[serde(skip)]
    pub control_id: String,
    #[serde(skip)]
    pub account: String,
    #[serde(skip)]
    pub system: String,
    #[serde(skip)]
    pub entitlement: String,
    /// The other item's current decision.
    #[serde(skip)]
    pub other_decision: Option<String>,
}

const SELECT: &str = "SELECT c.item_a, c.item_b, c.rule, c.description,
        (SELECT decision FROM current_decisions WHERE item_id = c.item_a),
        (SELECT decision FROM current_decisions WHERE item_id = c.item_b),
        o.control_id, g.identity_ref, g.system, g.entitlement
     FROM item_conflicts c
     JOIN items o ON o.id = CASE WHEN c.item_a = ?2 OR ?2 IS NULL THEN c.item_b ELSE c.item_a END
     JOIN grants g ON g.id = o.grant_row";

/// `(this item, conflict)` from a row of [`SELECT`]; `this` is `item`, or
/// `item_a` when reading a whole campaign (each row read once per side).
fn read(row: &rusqlite::Row<'_>, flip: bool) -> rusqlite::Result<(i64, Conflict)> {
    let (a, b): (i64, i64) = (row.get(0)?, row.get(1)?);
    let decisions: (Option<String>, Option<String>) = (row.get(4)?, row.get(5)?);
    let resolved = [&decisions.0, &decisions.1]
        .iter()
        .any(|d| d.as_deref() == Some("revoke"));
    let (this, other, other_decision) = if flip {
        (b, a, decisions.0)
    } else {
        (a, b, decisions.1)
    };
    Ok((
        this,
        Conflict {
            item_id: other,
            rule: row.get(2)?,
            description: row.get(3)?,
            resolved,
            control_id: row.get(6)?,
            account: row.get(7)?,
            system: row.get(8)?,
            entitlement: row.get(9)?,
            other_decision,
        },
    ))
}

/// The conflicts of one item, by other item id.
pub fn for_item(conn: &Connection, item: i64) -> rusqlite::Result<Vec<Conflict>> {
    let mut statement = conn.prepare_cached(&format!(
        "{SELECT} WHERE c.item_a = ?1 OR c.item_b = ?1 ORDER BY c.item_a + c.item_b - ?1, c.rule"
    ))?;
    let rows = statement.query_map(params![item, item], |row| {
        let b: i64 = row.get(1)?;
        read(row, b == item)
    })?;
    rows.map(|row| row.map(|(_, conflict)| conflict)).collect()
}

/// Every conflict of a campaign, by item (both items of each pair).
pub fn for_campaign(
    conn: &Connection,
    campaign_id: i64,
) -> rusqlite::Result<HashMap<i64, Vec<Conflict>>> {
    let mut by_item: HashMap<i64, Vec<Conflict>> = HashMap::new();
    // The other item is item_b (?2 NULL), then read again for item_a's side.
    let mut statement = conn.prepare(&format!(
        "{SELECT} WHERE c.campaign_id = ?1 ORDER BY c.item_a, c.item_b, c.rule"
    ))?;
    let rows = statement.query_map(params![campaign_id, None::<i64>], |row| read(row, false))?;
    let mut pairs = Vec::new();
    for row in rows {
        let (this, conflict) = row?;
        pairs.push((this, conflict));
    }
    for (this, conflict) in pairs {
        let other = conflict.item_id;
        let mirrored = mirror(conn, this, &conflict)?;
        by_item.entry(this).or_default().push(conflict);
        by_item.entry(other).or_default().push(mirrored);
    }
    Ok(by_item)
}

/// The same conflict seen from its other item.
fn mirror(conn: &Connection, this: i64, conflict: &Conflict) -> rusqlite::Result<Conflict> {
    let mut statement = conn.prepare_cached(
        "SELECT o.control_id, g.identity_ref, g.system, g.entitlement,
                (SELECT decision FROM current_decisions WHERE item_id = o.id)
         FROM items o JOIN grants g ON g.id = o.grant_row WHERE o.id = ?1",
    )?;
    statement.query_row([this], |row| {
        Ok(Conflict {
            item_id: this,
            rule: conflict.rule.clone(),
            description: conflict.description.clone(),
            resolved: conflict.resolved,
            control_id: row.get(0)?,
            account: row.get(1)?,
            system: row.get(2)?,
            entitlement: row.get(3)?,
            other_decision: row.get(4)?,
        })
    })
}
