//! What signed-off campaigns decided that a new campaign must not forget,
//! by grant key: each revocation with whether a later export showed it
//! gone (the remediation history), and each time-boxed certification with
//! its end date. A grant revoked or time-boxed earlier and still present
//! is flagged (`regranted`, `revoked-not-removed`, `exception-expired`).

use std::sync::Arc;

use chrono::NaiveDate;
use foldhash::{HashMap, HashSet};
use rusqlite::Connection;

use super::grant_key::{self, GrantKey};

/// A revocation of a signed-off campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub campaign_id: i64,
    pub campaign: Arc<str>,
    /// The reviewer who revoked it.
    pub decider: Arc<str>,
    /// The sign-off time as stored, and its day.
    pub signed_at: Arc<str>,
    pub signed_off: NaiveDate,
    /// The first later export that no longer held the grant, if any.
    pub removed: Option<Removal>,
}

/// The snapshot that showed a revoked grant gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub snapshot: i64,
    pub file: Arc<str>,
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
        // A hundred thousand revocations name a few campaigns, deciders
        // and snapshots: each text is kept once, the few read on their own.
        let mut texts = Texts::default();
        let mut campaigns = HashMap::default();
        let mut select = conn.prepare(
            "SELECT c.id, c.name, so.signed_at FROM campaigns c
             JOIN signoffs so ON so.campaign_id = c.id",
        )?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            let name = texts.get(row.get_ref(1)?.as_str()?);
            let signed_at = texts.get(row.get_ref(2)?.as_str()?);
            campaigns.insert(row.get::<_, i64>(0)?, (name, signed_at));
        }
        let mut snapshots = HashMap::default();
        let mut select = conn.prepare(
            "SELECT sn.id, sn.file_name, im.imported_at FROM snapshots sn
             LEFT JOIN imports im ON im.id = sn.import_id",
        )?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            let file = texts.get(row.get_ref(1)?.as_str()?);
            let day = day(row.get_ref(2)?.as_str_or_null()?.unwrap_or_default());
            snapshots.insert(row.get::<_, i64>(0)?, (file, day));
        }
        // The revoked items of signed-off campaigns, with the key and
        // decider kept at sign-off (migration 0016). A revocation's first
        // check that found it gone is the first of its checks (by item,
        // then snapshot: the primary key) with present = 0.
        let mut revocations = conn.prepare(
            "SELECT bd.grant_key, r.campaign_id, bd.decider,
                    (SELECT min(snapshot_id) FROM remediation_checks rc
                     WHERE rc.item_id = r.item_id AND rc.present = 0)
             FROM remediation r
             JOIN baseline_decisions bd ON bd.item_id = r.item_id",
        )?;
        let mut rows = revocations.query([])?;
        while let Some(row) = rows.next()? {
            let Some(key) = GrantKey::from_stored(Some(row.get_ref(0)?.as_blob()?)) else {
                continue;
            };
            let campaign_id: i64 = row.get(1)?;
            let Some((campaign, signed_at)) = campaigns.get(&campaign_id) else {
                continue;
            };
            let removed = row.get::<_, Option<i64>>(3)?.map(|snapshot| {
                let (file, day) = snapshots
                    .get(&snapshot)
                    .cloned()
                    .unwrap_or_else(|| (texts.get(""), NaiveDate::default()));
                Removal {
                    snapshot,
                    file,
                    day,
                }
            });
            let revocation = Revocation {
                campaign_id,
                campaign: Arc::clone(campaign),
                decider: texts.get(row.get_ref(2)?.as_str()?),
                signed_off: day(signed_at),
                signed_at: Arc::clone(signed_at),
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

/// Texts kept once however many rows give them.
#[derive(Default)]
struct Texts(HashSet<Arc<str>>);

impl Texts {
    fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(known) = self.0.get(text) {
            return Arc::clone(known);
        }
        let new: Arc<str> = Arc::from(text);
        self.0.insert(Arc::clone(&new));
        new
    }
}

/// Keeps the entry of the campaign signed off last.
fn keep_latest<T, S: AsRef<str>>(
    map: &mut HashMap<GrantKey, T>,
    key: GrantKey,
    value: T,
    signed_at: impl Fn(&T) -> &S,
) {
    match map.get(&key) {
        Some(known) if signed_at(known).as_ref() >= signed_at(&value).as_ref() => {}
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
