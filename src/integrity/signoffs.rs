//! Checking that every signed-off campaign still gives the evidence it was
//! signed off with: items, identities and grants carry no hash chain of
//! their own, so this is where an edit to them after sign-off shows.

use color_eyre::eyre::Result;
use rusqlite::Connection;

use super::{LogProblem, LogReport, ProblemKind};
use crate::campaign::find_campaign;
use crate::evidence::export::write_evidence;

pub(super) fn check(conn: &Connection, report: &mut LogReport) -> Result<()> {
    let mut statement =
        conn.prepare("SELECT campaign_id, final_hash FROM signoffs ORDER BY campaign_id")?;
    let signed: Vec<(i64, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, recorded) in signed {
        let campaign = find_campaign(conn, &id.to_string())?;
        // The evidence is re-computed, not written: only its last hash matters.
        let now = write_evidence(conn, &campaign, std::io::sink())?.last_hash;
        if now != recorded {
            report.problems.push(LogProblem {
                kind: ProblemKind::SignedOff,
                campaign_id: Some(id),
                event_id: None,
                item_id: None,
                detail: format!(
                    "the campaign was signed off with evidence ending in row_hash {recorded}, but its items now give {now}: its items, identities, grants or decisions were changed after sign-off"
                ),
            });
        }
    }
    Ok(())
}
