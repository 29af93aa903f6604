//! What signed-off campaigns decided that a new campaign must not forget,
//! by grant key: each revocation with whether a later export showed it
//! gone (the remediation history), and each time-boxed certification with
//! its end date. A grant revoked or time-boxed earlier and still present
//! is flagged (`regranted`, `revoked-not-removed`, `exception-expired`).

use chrono::NaiveDate;
use foldhash::HashMap;
use rusqlite::Connection;

use super::grant_key::{self, GrantKey};

/// A revocation of a signed-off campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub campaign_id: i64,
    pub campaign: String,
    /// The reviewer who revoked it.
    pub decider: String,
    /// The sign-off time as stored, and its day.
    pub signed_at: String,
    pub signed_off: NaiveDate,
    /// The first later export that no longer held the grant, if any.
    pub removed: Option<Removal>,
}

/// The snapshot that showed a revoked grant gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub snapshot: i64,
    pub file: String,
    pub day: NaiveDate,
}

/// A time-boxed certification of a signed-off campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub campaign_id: i64,
    pub campaign: String,
    pub decider: String,
    pub signed_at: String,
    /// Access was kept through this day.
    pub valid_until: NaiveDate,
}

/// The latest revocation and time-boxed certification of every grant that
/// has one.
#[derive(Debug, Default)]
pub struct Past {
    revocations: HashMap<GrantKey, Revocation>,
    exceptions: HashMap<GrantKey, Exception>,
}

impl Past {
    pub fn revocation(&self, key: &GrantKey) -> Option<&Revocation> {
        self.revocations.get(key)
    }

    pub fn exception(&self, key: &GrantKey) -> Option<&Exception> {
        self.exceptions.get(key)
    }

    /// Reads both from the workspace: revocations from `remediation`
    /// (revoked items of signed-off campaigns), time-boxed certifications
    /// through their partial index.
    pub fn load(conn: &Connection) -> rusqlite::Result<Past> {
        let mut past = Past::default();
        let mut revocations = conn.prepare(
            "WITH gone AS (
                 SELECT item_id, min(snapshot_id) AS snapshot_id FROM remediation_checks
                 WHERE present = 0 GROUP BY item_id)
             SELECT r.grant_key, c.id, c.name, e.reviewer, so.signed_at, gone.snapshot_id,
                    sn.file_name, im.imported_at
             FROM remediation r
             JOIN campaigns c ON c.id = r.campaign_id
             JOIN signoffs so ON so.campaign_id = r.campaign_id
             JOIN current_decisions cd ON cd.item_id = r.item_id
             JOIN decision_events e ON e.id = cd.event_id
             LEFT JOIN gone ON gone.item_id = r.item_id
             LEFT JOIN snapshots sn ON sn.id = gone.snapshot_id
             LEFT JOIN imports im ON im.id = sn.import_id",
        )?;
        let mut rows = revocations.query([])?;
        while let Some(row) = rows.next()? {
            let key = GrantKey::of_text(row.get_ref(0)?.as_str()?);
            let signed_at: String = row.get(4)?;
            let removed = match row.get::<_, Option<i64>>(5)? {
                Some(snapshot) => Some(Removal {
                    snapshot,
                    file: row.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    day: day(&row.get::<_, Option<String>>(7)?.unwrap_or_default()),
                }),
                None => None,
            };
            let revocation = Revocation {
                campaign_id: row.get(1)?,
                campaign: row.get(2)?,
                decider: row.get(3)?,
                signed_off: day(&signed_at),
                signed_at,
                removed,
            };
            keep_latest(&mut past.revocations, key, revocation, |r| &r.signed_at);
        }
        let mut exceptions = conn.prepare(
            "SELECT it.grant_key, g.system, g.entitlement, g.identity_ref, c.id, c.name,
                    e.reviewer, e.valid_until, so.signed_at
             FROM decision_events e INDEXED BY decision_events_time_boxed
             CROSS JOIN current_decisions cd ON cd.item_id = e.item_id AND cd.event_id = e.id
             JOIN items it ON it.id = e.item_id
             JOIN grants g ON g.id = it.grant_row
             JOIN campaigns c ON c.id = e.campaign_id
             JOIN signoffs so ON so.campaign_id = e.campaign_id
             WHERE e.valid_until IS NOT NULL AND cd.decision = 'certify'",
        )?;
        let mut rows = exceptions.query([])?;
        let mut text = String::new();
        while let Some(row) = rows.next()? {
            let key = if let Some(key) = GrantKey::from_stored(row.get_ref(0)?.as_blob_or_null()?) {
                key
            } else {
                grant_key::text_into(
                    row.get_ref(1)?.as_str()?,
                    row.get_ref(2)?.as_str()?,
                    row.get_ref(3)?.as_str()?,
                    &mut text,
                );
                GrantKey::of_text(&text)
            };
            let Ok(valid_until) = NaiveDate::parse_from_str(row.get_ref(7)?.as_str()?, "%Y-%m-%d")
            else {
                continue;
            };
            let exception = Exception {
                campaign_id: row.get(4)?,
                campaign: row.get(5)?,
                decider: row.get(6)?,
                signed_at: row.get(8)?,
                valid_until,
            };
            keep_latest(&mut past.exceptions, key, exception, |e| &e.signed_at);
        }
        Ok(past)
    }
}

/// Keeps the entry of the campaign signed off last.
fn keep_latest<T>(
    map: &mut HashMap<GrantKey, T>,
    key: GrantKey,
    value: T,
    signed_at: impl Fn(&T) -> &String,
) {
    match map.get(&key) {
        Some(known) if signed_at(known) >= signed_at(&value) => {}
        _ => {
            map.insert(key, value);
        }
    }
}

/// The day of a stored RFC 3339 time (`2026-12-01T…`).
fn day(stored: &str) -> NaiveDate {
    stored
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_default()
}
