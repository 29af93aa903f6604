//! Reading a campaign's items in review order (control numerically, then
//! item id), filtered, one at a time so a million items need little memory.

use std::fmt::Write;

use color_eyre::eyre::{Result, WrapErr};
use rusqlite::{Connection, params_from_iter, types::Value};

use super::catalog::compare_ids;
use super::item::ItemRecord;
use super::lookup::Campaign;
use crate::model::SignalSet;

/// Which items to read; the default reads all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFilter {
    /// Only items under this control.
    pub control: Option<String>,
    /// Only items without a current decision.
    pub undecided: bool,
    /// Only items assigned to one of these reviewer values (see `reviewer_keys`).
    pub reviewers: Option<Vec<String>>,
    /// Only items carrying at least one of these signals.
    pub signals: SignalSet,
}

/// The campaign's control ids in numeric order.
pub fn campaign_controls(conn: &Connection, campaign: &Campaign) -> Result<Vec<String>> {
    let mut controls = super::ranges::control_ids(conn, campaign.id)?;
    controls.sort_by(|a, b| compare_ids(a, b));
    Ok(controls)
}

/// Calls `visit` for every item matching `filter`, in review order.
pub fn for_each_item(
    conn: &Connection,
    campaign: &Campaign,
    filter: &ItemFilter,
    mut visit: impl FnMut(&ItemRecord) -> Result<()>,
) -> Result<()> {
    let controls = match &filter.control {
        Some(control) => vec![control.trim().to_owned()],
        None => campaign_controls(conn, campaign)?,
    };
    // Parameters: ?1 campaign, ?2 control, ?3 the reviewers (a JSON list).
    let in_control = if filter.reviewers.is_some() {
        super::ranges::in_control_assigned_to(super::ranges::VIEW, "?1", "?2", "?3")
    } else {
        super::ranges::in_control(super::ranges::VIEW, "?1", "?2")
    };
    let mut sql = format!(
        "SELECT {} FROM item_view WHERE {in_control}",
        ItemRecord::COLUMNS
    );
    if filter.undecided {
        sql.push_str(" AND decision IS NULL");
    }
    if !filter.signals.is_empty() {
        let _ = write!(sql, " AND (signal_mask & {}) <> 0", filter.signals.bits());
    }
    sql.push_str(" ORDER BY item_id");
    let mut statement = conn.prepare_cached(&sql)?;
    let reviewers = filter
        .reviewers
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    for control in controls {
        let mut values = vec![Value::Integer(campaign.id), Value::Text(control)];
        if let Some(reviewers) = &reviewers {
            values.push(Value::Text(reviewers.clone()));
        }
        let mut rows = statement.query(params_from_iter(values))?;
        while let Some(row) = rows.next()? {
            let item = ItemRecord::from_row(row).wrap_err_with(|| {
                let id: rusqlite::Result<i64> = row.get(0);
                format!(
                    "reading item {} of campaign {}",
                    id.map_or_else(|_| "?".to_owned(), |id| id.to_string()),
                    campaign.id
                )
            })?;
            visit(&item)?;
        }
    }
    Ok(())
}
