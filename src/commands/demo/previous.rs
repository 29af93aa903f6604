//! The demo's previous quarter (sample-data/previous/, written by
//! scripts/make-previous-quarter.py): the 2026-Q3 review of the sample
//! company decided as recommended and signed off, then the October
//! re-export, so the current campaign shows deltas, carry-overs,
//! remediation and the revocations that never went away.

use chrono::{DateTime, NaiveDate, Utc};
use color_eyre::eyre::{Result, WrapErr};
use rusqlite::Connection;

use crate::actor::Actor;
use crate::campaign::baseline::BaselineChoice;
use crate::campaign::{
    CampaignSpec, DecisionRequest, EventExtras, accept, create_campaign, find_campaign,
    record_decision_groups,
};
use crate::evidence::signoff::sign_off;
use crate::import::{ImportOptions, Progress, Source, import_sources};
use crate::model::DecisionBasis;

/// The exports the Q3 review saw, and the October re-export.
const Q3_ENTITLEMENTS: (&str, &str) = (
    "entitlements-2026-08-31.csv",
    include_str!("../../../sample-data/previous/entitlements-2026-08-31.csv"),
);
const OCTOBER_ENTITLEMENTS: (&str, &str) = (
    "entitlements-2026-10-15.csv",
    include_str!("../../../sample-data/previous/entitlements-2026-10-15.csv"),
);

pub const CAMPAIGN: &str = "Demo 2026-Q3";

/// Who decided and signed off the previous quarter: nobody in the sample
/// company, so no item is their own access.
const REVIEWERS: &str = "iam-team";

/// Imports the Q3 export with the current identities and systems, decides
/// every item of "Demo 2026-Q3" as recommended, signs it off, then imports
/// the October re-export. Returns the campaign's id.
pub fn replay(
    conn: &mut Connection,
    identities: (&str, &str),
    systems: (&str, &str),
) -> Result<i64> {
    // The quarter as it happened: exported at the end of August, decided in
    // September, signed off on its due date, re-exported mid-October.
    import(
        conn,
        &[identities, Q3_ENTITLEMENTS, systems],
        at("2026-08-31T18:00:00Z"),
    )?;
    let mut spec = CampaignSpec::new(CAMPAIGN);
    spec.period = Some("2026-Q3".to_owned());
    spec.as_of = NaiveDate::from_ymd_opt(2026, 8, 31);
    spec.due = NaiveDate::from_ymd_opt(2026, 9, 30);
    spec.baseline = BaselineChoice::None;
    let actor = Actor::current(Some(REVIEWERS));
    // Every reviewer recert records is a known one (PRODUCT.md §8).
    crate::reviewers::registry::add(conn, REVIEWERS, None, &actor, at("2026-09-01T07:00:00Z"))?;
    let id = create_campaign(conn, &spec, &actor, at("2026-09-01T08:00:00Z"))?;
    let campaign = find_campaign(conn, &id.to_string())?;
    let items: Vec<i64> = conn
        .prepare("SELECT id FROM items WHERE campaign_id = ?1 ORDER BY id")?
        .query_map([id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let groups = accept::groups(conn, &campaign, &items)?;
    let requests: Vec<DecisionRequest<'_>> = groups
        .iter()
        .map(|group| DecisionRequest {
            items: &group.items,
            action: group.action,
            justification: Some("Reviewed in the 2026-Q3 access review (demo)"),
            extras: EventExtras {
                basis: (group.basis != DecisionBasis::Reviewer).then_some(group.basis),
                ..EventExtras::default()
            },
        })
        .collect();
    record_decision_groups(
        conn,
        &campaign,
        &requests,
        &actor,
        at("2026-09-21T10:00:00Z"),
    )?;
    let campaign = find_campaign(conn, &id.to_string())?;
    sign_off(
        conn,
        &campaign,
        &actor,
        "Every item of the 2026-Q3 demo review is decided.",
        at("2026-09-30T16:00:00Z"),
    )
    .wrap_err("signing off the demo's previous quarter")?;
    import(conn, &[OCTOBER_ENTITLEMENTS], at("2026-10-15T09:00:00Z"))?;
    Ok(id)
}

/// A fixed time of the replayed quarter.
fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).map_or_else(|_| Utc::now(), |t| t.to_utc())
}

fn import(conn: &mut Connection, files: &[(&str, &str)], now: DateTime<Utc>) -> Result<()> {
    let sources: Vec<Source<'_>> = files
        .iter()
        .map(|(name, text)| Source::Bytes(name, text.as_bytes()))
        .collect();
    import_sources(
        conn,
        &sources,
        &ImportOptions::default(),
        &Actor::current(None),
        now,
        Progress::hidden(),
    )
    .wrap_err("importing the embedded sample data")?;
    crate::remediation::refresh_now(conn, now.date_naive())?;
    Ok(())
}
