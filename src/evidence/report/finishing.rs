//! The report's sections about finishing a campaign (PRODUCT.md §8, §10):
//! the decisions made by close-out rather than by a reviewer, and the
//! independence warnings. Gathered and rendered here, apart from the rest.

use std::fmt::Write as _;

use rusqlite::Connection;

use super::html::escape;
use crate::campaign::independence;
use crate::campaign::{Campaign, ranges};

/// How many close-out decisions the page lists; the evidence has all.
pub const CLOSED_SHOWN: usize = 500;

/// One item decided by `recert close`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedItem {
    pub item_id: i64,
    pub control_id: String,
    pub identity_id: String,
    pub system: String,
    pub entitlement: String,
    pub decision: String,
    pub justification: String,
    pub decided_by: String,
    pub decided_at: String,
}

/// The close-out decisions still current (first [`CLOSED_SHOWN`]), and how many.
pub fn closed_items(conn: &Connection, campaign: i64) -> rusqlite::Result<(Vec<ClosedItem>, u64)> {
    let in_campaign = ranges::in_campaign(ranges::VIEW, "?1");
    let total: u64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM item_view WHERE {in_campaign} AND decision_basis = 'close-out'"
        ),
        [campaign],
        |row| row.get(0),
    )?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT item_id, control_id, identity_id, system, entitlement, decision,
             coalesce(justification, ''),
             decided_by_reviewer || ' (' || coalesce(decided_by_os_user, 'unknown') || '@'
                 || coalesce(decided_by_host, 'unknown') || ')',
             decided_at
         FROM item_view WHERE {in_campaign} AND decision_basis = 'close-out'
         ORDER BY item_id LIMIT ?2"
    ))?;
    let items = statement
        .query_map(
            (campaign, i64::try_from(CLOSED_SHOWN).unwrap_or(i64::MAX)),
            |row| {
                Ok(ClosedItem {
                    item_id: row.get(0)?,
                    control_id: row.get(1)?,
                    identity_id: row.get(2)?,
                    system: row.get(3)?,
                    entitlement: row.get(4)?,
                    decision: row.get(5)?,
                    justification: row.get(6)?,
                    decided_by: row.get(7)?,
                    decided_at: row.get(8)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok((items, total))
}

/// The independence warnings as sentences, the signer's share included
/// once the campaign is signed off.
pub fn warnings(
    conn: &Connection,
    campaign: &Campaign,
    signer: Option<&str>,
) -> color_eyre::Result<Vec<String>> {
    Ok(independence::warnings(conn, campaign, signer)?
        .iter()
        .map(ToString::to_string)
        .collect())
}

/// "Close-out decisions": kept apart from the reviewers' decisions.
pub fn closed_section(page: &mut String, items: &[ClosedItem], total: u64, campaign: i64) {
    let _ = writeln!(page, "<h2>Close-out decisions ({total})</h2>");
    if items.is_empty() {
        page.push_str("<p>No item was decided by close-out: every decision is a reviewer's.</p>\n");
        return;
    }
    page.push_str("<p>Decided by <code>recert close</code> at the deadline, not by a reviewer (evidence <code>decision_basis</code> <code>close-out</code>).</p>\n");
    page.push_str("<table class=\"items\">\n<tr><th class=\"n\">Item</th><th>Control</th><th>Identity</th><th>System</th><th>Entitlement</th><th>Decision</th><th>Reason</th><th>Closed by</th><th>At</th></tr>\n");
    for item in items {
        let _ = writeln!(
            page,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            item.item_id,
            escape(&item.control_id),
            escape(&item.identity_id),
            escape(&item.system),
            escape(&item.entitlement),
            escape(&item.decision),
            escape(&item.justification),
            escape(&item.decided_by),
            escape(&item.decided_at)
        );
    }
    page.push_str("</table>\n");
    if total > items.len() as u64 {
        let _ = writeln!(
            page,
            "<p>The first {CLOSED_SHOWN} of {total} are shown; the evidence (<code>recert export {campaign} -o FILE</code>) has all, with <code>decision_basis</code> <code>close-out</code>.</p>"
        );
    }
}

/// "Independence": the warnings, or that there are none.
pub fn warnings_section(page: &mut String, warnings: &[String]) {
    page.push_str("<h2>Independence</h2>\n");
    if warnings.is_empty() {
        page.push_str("<p>No independence warning: the signer did not make most decisions, every decision was made by the assigned reviewer, no decider holds privileged access on a system whose privileged access they decided, and no reviewer decided faster than the rules' pace.</p>\n");
        return;
    }
    page.push_str("<ul class=\"warnings\">\n");
    for warning in warnings {
        let _ = writeln!(page, "<li>{}</li>", escape(warning));
    }
    page.push_str("</ul>\n");
}
