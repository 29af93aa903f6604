//! Accepting recommendations from the command line (`decide --accept`):
//! each item gets the decision its recommendation names, all in one
//! transaction; an item whose recommendation carries over the baseline's
//! certification of the unchanged grant records basis `carry-over`.

use rusqlite::Connection;

use super::lookup::Campaign;
use crate::model::{Decision, DecisionAction, DecisionBasis};

/// Items that get the same decision on the same basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptGroup {
    pub action: DecisionAction,
    pub basis: DecisionBasis,
    pub items: Vec<i64>,
}

/// The decisions that accepting each item's recommendation makes, in
/// request order within each group. An id that is no item of the campaign
/// goes with the reviewer's certifications, where recording refuses it by
/// name.
pub fn groups(
    conn: &Connection,
    campaign: &Campaign,
    items: &[i64],
) -> rusqlite::Result<Vec<AcceptGroup>> {
    let ids = serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned());
    let mut select = conn.prepare_cached(
        "SELECT j.value, it.recommendation, it.carry_over FROM json_each(?1) j
         LEFT JOIN items it ON it.id = j.value AND it.campaign_id = ?2
         ORDER BY j.key",
    )?;
    let mut groups: Vec<AcceptGroup> = Vec::new();
    let mut rows = select.query((ids, campaign.id))?;
    while let Some(row) = rows.next()? {
        let item: i64 = row.get(0)?;
        let recommendation: Option<Decision> = row.get(1)?;
        let carry_over = row.get::<_, Option<bool>>(2)?.unwrap_or(false);
        let action = recommendation.map_or(DecisionAction::Certify, DecisionAction::from);
        let basis = if carry_over && action == DecisionAction::Certify {
            DecisionBasis::CarryOver
        } else {
            DecisionBasis::Reviewer
        };
        match groups
            .iter_mut()
            .find(|g| g.action == action && g.basis == basis)
        {
            Some(group) => group.items.push(item),
            None => groups.push(AcceptGroup {
                action,
                basis,
                items: vec![item],
            }),
        }
    }
    Ok(groups)
}
