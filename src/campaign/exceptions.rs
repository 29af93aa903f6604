//! Listing time-boxed certifications (`recert exceptions`): every item whose
//! current decision keeps access through an end date, in every campaign,
//! soonest end first. "Until D" keeps access through day D: it has ended
//! once D is before today.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use crate::evidence::export::rfc3339_utc;

/// One time-boxed certification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeBoxed {
    pub campaign_id: i64,
    pub campaign: String,
    /// `open` or `signed_off`.
    pub campaign_state: &'static str,
    pub item_id: i64,
    pub identity_id: String,
    pub identity_name: Option<String>,
    pub system: String,
    pub account: String,
    pub entitlement: String,
    pub valid_until: NaiveDate,
    /// Days from today to the end date; negative once it has ended.
    pub days_left: i64,
    pub expired: bool,
    pub justification: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
}

/// Every current time-boxed certification, soonest end first; with
/// `expiring`, only those ending within that many days of `today` (those
/// already ended included).
pub fn list(
    conn: &Connection,
    today: NaiveDate,
    expiring: Option<u32>,
) -> rusqlite::Result<Vec<TimeBoxed>> {
    let mut select = conn.prepare(
        "SELECT e.campaign_id, c.name, EXISTS (SELECT 1 FROM signoffs so WHERE so.campaign_id = c.id),
                e.item_id, v.identity_id, v.identity_name, v.system, v.account, v.entitlement,
                e.valid_until, e.justification, e.reviewer, e.os_user, e.host, e.decided_at
         FROM decision_events e INDEXED BY decision_events_time_boxed
         CROSS JOIN current_decisions cd ON cd.item_id = e.item_id AND cd.event_id = e.id
         JOIN campaigns c ON c.id = e.campaign_id
         JOIN item_view v ON v.item_id = e.item_id
         WHERE e.valid_until IS NOT NULL AND cd.decision = 'certify'
         ORDER BY e.valid_until, e.campaign_id, e.item_id",
    )?;
    let last = expiring.map(|days| today + chrono::Days::new(u64::from(days)));
    let mut found = Vec::new();
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        let Ok(valid_until) = NaiveDate::parse_from_str(row.get_ref(9)?.as_str()?, "%Y-%m-%d")
        else {
            continue;
        };
        if last.is_some_and(|last| valid_until > last) {
            continue;
        }
        let days_left = (valid_until - today).num_days();
        let reviewer: String = row.get(11)?;
        let os_user: String = row.get(12)?;
        let host: String = row.get(13)?;
        let decided_at: String = row.get(14)?;
        found.push(TimeBoxed {
            campaign_id: row.get(0)?,
            campaign: row.get(1)?,
            campaign_state: if row.get(2)? { "signed_off" } else { "open" },
            item_id: row.get(3)?,
            identity_id: row.get(4)?,
            identity_name: row.get(5)?,
            system: row.get(6)?,
            account: row.get(7)?,
            entitlement: row.get(8)?,
            valid_until,
            days_left,
            expired: days_left < 0,
            justification: row.get(10)?,
            decided_by: format!("{reviewer} ({os_user}@{host})"),
            decided_at: rfc3339_utc(&decided_at).into_owned(),
        });
    }
    Ok(found)
}
