//! Reading one control's items into a [`ControlIndex`]: one pass over the
//! control's id range, in id order.

use rusqlite::Connection;

use super::{ControlIndex, DictBuilder, NO_NAME, Row};
use crate::campaign::ranges;
use crate::model::{Delta, IdentityKind};

/// The index of control `control` of campaign `campaign`.
pub fn load(conn: &Connection, campaign: i64, control: &str) -> rusqlite::Result<ControlIndex> {
    let mut statement = conn.prepare(&format!(
        "SELECT item_id, identity_id, identity_name, account, system, entitlement,
                assigned_reviewer, identity_kind, delta, signal_mask
         FROM item_view WHERE {} ORDER BY item_id",
        ranges::in_control(ranges::VIEW, "?1", "?2")
    ))?;
    let mut identities = DictBuilder::default();
    let mut names = DictBuilder::default();
    let mut accounts = DictBuilder::default();
    let mut systems = DictBuilder::default();
    let mut entitlements = DictBuilder::default();
    let mut reviewers = DictBuilder::default();
    let mut rows = Vec::new();
    let mut first_id = None;
    let mut cursor = statement.query((campaign, control))?;
    while let Some(row) = cursor.next()? {
        let text = |index: usize| -> rusqlite::Result<String> {
            Ok(row.get::<_, Option<String>>(index)?.unwrap_or_default())
        };
        let name: Option<String> = row.get(2)?;
        let kind: Option<String> = row.get(7)?;
        let delta: Option<String> = row.get(8)?;
        let id: i64 = row.get(0)?;
        let first = *first_id.get_or_insert(id);
        rows.push(Row {
            offset: u32::try_from(id - first)
                .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, id - first))?,
            identity: identities.id(&text(1)?),
            name: name.map_or(NO_NAME, |name| names.id(&name)),
            account: accounts.id(&text(3)?),
            system: u16::try_from(systems.id(&text(4)?))
                .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(4, i64::from(u16::MAX)))?,
            entitlement: entitlements.id(&text(5)?),
            reviewer: reviewers.id(&text(6)?),
            kind: kind.as_deref().and_then(IdentityKind::parse),
            delta: delta.as_deref().and_then(Delta::parse),
            signals: row.get(9)?,
        });
    }
    rows.shrink_to_fit();
    Ok(ControlIndex {
        first_id: first_id.unwrap_or(0),
        rows,
        identities: identities.finish(),
        names: names.finish(),
        accounts: accounts.finish(),
        systems: systems.finish(),
        entitlements: entitlements.finish(),
        reviewers: reviewers.finish(),
    })
}
