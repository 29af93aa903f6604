//! Which `assigned_reviewer` values denote one reviewer, to filter "my items".

use color_eyre::eyre::Result;
use rusqlite::Connection;

use super::lookup::Campaign;
use crate::identity::keys::fold;

/// The assigned_reviewer values that denote `reviewer`: the name itself, the
/// identity_id and email of the campaign's identity it names (matched
/// case-insensitively on identity_id or email), and the campaign's default
/// reviewer when it is spelled the same but for case.
pub fn reviewer_keys(
    conn: &Connection,
    campaign: &Campaign,
    reviewer: &str,
) -> Result<Vec<String>> {
    let name = reviewer.trim();
    let mut keys = vec![name.to_owned()];
    let mut add = |key: Option<String>| {
        if let Some(key) = key.filter(|k| !k.trim().is_empty()) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    };
    let wanted = fold(name);
    let mut statement = conn.prepare_cached(&format!(
        "SELECT identity_id, email FROM identities
         WHERE +snapshot_id IN (
             SELECT cs.snapshot_id FROM campaign_snapshots cs
             JOIN snapshots s ON s.id = cs.snapshot_id
             WHERE cs.campaign_id = ?1 AND s.kind = 'identities')
           AND id IN ({})
         ORDER BY id",
        crate::identity::keys::ROWS_BY_FOLDED_KEY
    ))?;
    let mut rows = statement.query((campaign.id, &wanted))?;
    while let Some(row) = rows.next()? {
        add(Some(row.get(0)?));
        add(row.get(1)?);
    }
    add(campaign
        .default_reviewer
        .clone()
        .filter(|d| fold(d) == wanted));
    Ok(keys)
}
