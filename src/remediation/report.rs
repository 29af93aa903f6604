//! Each revocation of a signed-off campaign with its remediation state and
//! the snapshot that shows it (`recert remediation`, the addendum), and the
//! counts per state (`status`, the review's overview, the import summary).
//! Read-only: what the last refresh recorded.

use chrono::NaiveDate;
use foldhash::HashMap;
use rusqlite::Connection;
use serde::Serialize;

use super::state::{State, Status};
use crate::campaign::rules::Rules;
use crate::campaign::{Campaign, CampaignState};
use crate::evidence::export::rfc3339_utc;

/// Revocations by state; `over_sla` counts the pending ones past the SLA.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub removed: u64,
    pub pending: u64,
    pub over_sla: u64,
    pub not_rechecked: u64,
    pub reappeared: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.removed + self.pending + self.not_rechecked + self.reappeared
    }

    fn count(&mut self, state: State, over_sla: bool) {
        match state {
            State::Removed => self.removed += 1,
            State::Pending => self.pending += 1,
            State::NotRechecked => self.not_rechecked += 1,
            State::Reappeared => self.reappeared += 1,
        }
        self.over_sla += u64::from(over_sla);
    }
}

/// The snapshot a state rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub id: i64,
    pub file: String,
    pub sha256: String,
    /// When it was imported (RFC 3339 UTC).
    pub imported_at: String,
}

/// One revocation and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub item_id: i64,
    pub system: String,
    /// The holder's key as the export wrote it.
    pub account: String,
    pub entitlement: String,
    pub identity_id: String,
    pub identity_name: Option<String>,
    pub decision: &'static str,
    pub justification: Option<String>,
    /// `reviewer (os_user@host)`.
    pub decided_by: String,
    pub decided_at: String,
    /// The snapshot scope an export must cover to show the grant gone.
    pub scope: String,
    pub state: &'static str,
    #[serde(skip)]
    pub status: State,
    pub snapshot: Option<Snapshot>,
    /// Days from the sign-off to the snapshot that showed the grant gone
    /// (`removed`), else to today.
    pub days_since_signoff: i64,
    /// Pending for more than the SLA's days.
    pub over_sla: bool,
}

/// A signed-off campaign's remediation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub campaign_id: i64,
    pub campaign: String,
    pub signed_at: String,
    pub sla_days: i64,
    pub today: NaiveDate,
    pub counts: Counts,
    pub revocations: Vec<Row>,
}

/// The campaign's revocations in item order, `None` for a campaign that is
/// not signed off (nothing is final to follow yet).
pub fn report(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
) -> rusqlite::Result<Option<Report>> {
    if campaign.state != CampaignState::SignedOff {
        return Ok(None);
    }
    let facts = Facts::load(conn, campaign.id, today)?;
    let snapshots = snapshots(conn)?;
    let mut select = conn.prepare(
        "SELECT r.item_id, v.system, v.account, v.entitlement, v.identity_id, v.identity_name,
                v.justification, v.decided_by_reviewer, v.decided_by_os_user, v.decided_by_host,
                v.decided_at, r.scope
         FROM remediation r JOIN item_view v ON v.item_id = r.item_id
         WHERE r.campaign_id = ?1 ORDER BY r.item_id",
    )?;
    let mut counts = Counts::default();
    let mut revocations = Vec::new();
    let mut rows = select.query([campaign.id])?;
    while let Some(row) = rows.next()? {
        let item: i64 = row.get(0)?;
        let status = facts.statuses.get(&item).copied().unwrap_or_default();
        let snapshot = status.snapshot.and_then(|id| snapshots.get(&id).cloned());
        let (days, over_sla) = facts.days(status.state, snapshot.as_ref());
        counts.count(status.state, over_sla);
        let reviewer: String = row.get(7)?;
        let decided_at: String = row.get(10)?;
        revocations.push(Row {
            item_id: item,
            system: row.get(1)?,
            account: row.get(2)?,
            entitlement: row.get(3)?,
            identity_id: row.get(4)?,
            identity_name: row.get(5)?,
            decision: "revoke",
            justification: row.get(6)?,
            decided_by: format!(
                "{reviewer} ({}@{})",
                row.get::<_, Option<String>>(8)?
                    .unwrap_or_else(|| "unknown".to_owned()),
                row.get::<_, Option<String>>(9)?
                    .unwrap_or_else(|| "unknown".to_owned())
            ),
            decided_at: rfc3339_utc(&decided_at).into_owned(),
            scope: row.get(11)?,
            state: status.state.as_str(),
            status: status.state,
            snapshot,
            days_since_signoff: days,
            over_sla,
        });
    }
    if !facts.tracked {
        // Not followed yet (signed off before schema 9): every revocation
        // is reported, none re-checked, until the next refresh lists them.
        untracked(conn, campaign.id, &mut counts)?;
    }
    Ok(Some(Report {
        campaign_id: campaign.id,
        campaign: campaign.name.clone(),
        signed_at: facts.signed_at,
        sla_days: facts.sla_days,
        today,
        counts,
        revocations,
    }))
}

/// The campaign's counts per state; `None` when it is not signed off.
pub fn counts(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
) -> rusqlite::Result<Option<Counts>> {
    if campaign.state != CampaignState::SignedOff {
        return Ok(None);
    }
    counts_of(conn, campaign.id, today).map(Some)
}

/// [`counts`] of a campaign known to be signed off: one ordered pass over
/// its revocations' checks, folded as the listing folds them.
pub(super) fn counts_of(
    conn: &Connection,
    campaign_id: i64,
    today: NaiveDate,
) -> rusqlite::Result<Counts> {
    let facts = Facts::header(conn, campaign_id, today)?;
    let revocations: u64 = conn
        .prepare_cached("SELECT count(*) FROM remediation WHERE campaign_id = ?1")?
        .query_row([campaign_id], |row| row.get(0))?;
    let mut counts = Counts::default();
    let mut checked = 0;
    each_checked_status(conn, campaign_id, |_, status| {
        counts.count(status.state, false);
        checked += 1;
    })?;
    counts.not_rechecked += revocations.saturating_sub(checked);
    // Every pending revocation counts its days to today: all or none are over.
    let (_, over) = facts.days(State::Pending, None);
    counts.over_sla = if over { counts.pending } else { 0 };
    if !facts.tracked {
        untracked(conn, campaign_id, &mut counts)?;
    }
    Ok(counts)
}

/// Calls `found` with each revocation of the campaign that has checks and
/// the status they fold to, in item order. The checks come in snapshot
/// order straight from the two primary keys (no sort), folded one
/// revocation at a time: a hundred thousand revocations in a few tens of
/// milliseconds, where two subqueries per revocation took a fifth of a
/// second.
fn each_checked_status(
    conn: &Connection,
    campaign_id: i64,
    mut found: impl FnMut(i64, Status),
) -> rusqlite::Result<()> {
    let mut select = conn.prepare_cached(
        "SELECT c.item_id, c.snapshot_id, c.present
         FROM remediation r NOT INDEXED
         JOIN remediation_checks c ON c.item_id = r.item_id
         WHERE r.campaign_id = ?1
         ORDER BY r.item_id, c.snapshot_id",
    )?;
    let mut rows = select.query([campaign_id])?;
    let mut current: Option<(i64, Status)> = None;
    while let Some(row) = rows.next()? {
        let item: i64 = row.get(0)?;
        let status = match current {
            Some((known, status)) if known == item => status,
            Some((known, status)) => {
                found(known, status);
                Status::default()
            }
            None => Status::default(),
        };
        current = Some((item, status.after(row.get(1)?, row.get(2)?)));
    }
    if let Some((item, status)) = current {
        found(item, status);
    }
    Ok(())
}

/// Counts the revocations of a campaign not followed yet as not re-checked.
fn untracked(conn: &Connection, campaign_id: i64, counts: &mut Counts) -> rusqlite::Result<()> {
    let revoked: u64 = conn.query_row(
        "SELECT count(*) FROM current_decisions WHERE campaign_id = ?1 AND decision = 'revoke'
           AND item_id NOT IN (SELECT item_id FROM remediation WHERE campaign_id = ?1)",
        [campaign_id],
        |row| row.get(0),
    )?;
    counts.not_rechecked += revoked;
    Ok(())
}

/// What the states of one campaign are read against.
struct Facts {
    signed_at: String,
    signed_off: NaiveDate,
    sla_days: i64,
    today: NaiveDate,
    tracked: bool,
    statuses: HashMap<i64, Status>,
}

impl Facts {
    /// The sign-off, SLA and tracking of the campaign, and every
    /// revocation's status folded from its checks.
    fn load(conn: &Connection, campaign_id: i64, today: NaiveDate) -> rusqlite::Result<Facts> {
        let mut facts = Facts::header(conn, campaign_id, today)?;
        each_checked_status(conn, campaign_id, |item, status| {
            facts.statuses.insert(item, status);
        })?;
        Ok(facts)
    }

    /// [`Facts::load`] without the statuses.
    fn header(conn: &Connection, campaign_id: i64, today: NaiveDate) -> rusqlite::Result<Facts> {
        let (signed_at, rules, tracked): (String, String, Option<bool>) = conn.query_row(
            "SELECT so.signed_at, c.rules,
                    (SELECT tracked FROM remediation_campaigns WHERE campaign_id = c.id)
             FROM campaigns c JOIN signoffs so ON so.campaign_id = c.id WHERE c.id = ?1",
            [campaign_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        // The campaign's own rules: they were valid when it was created.
        let sla_days = Rules::parse(&rules, "campaign rules").map_or(
            crate::campaign::cycle_rules::CycleRules::default().sla_days,
            |r| r.cycle.sla_days,
        );
        Ok(Facts {
            signed_off: day(&signed_at),
            signed_at,
            sla_days,
            today,
            tracked: tracked.unwrap_or(false),
            statuses: HashMap::default(),
        })
    }

    /// Days since sign-off (to the removal, else to today), and whether a
    /// pending revocation is over the SLA.
    fn days(&self, state: State, snapshot: Option<&Snapshot>) -> (i64, bool) {
        let until = match (state, snapshot) {
            (State::Removed, Some(snapshot)) => day(&snapshot.imported_at),
            _ => self.today,
        };
        let days = (until - self.signed_off).num_days();
        (days, state == State::Pending && days > self.sla_days)
    }
}

/// Every snapshot's file, SHA-256 and import time (a workspace holds a few
/// hundred at most).
fn snapshots(conn: &Connection) -> rusqlite::Result<HashMap<i64, Snapshot>> {
    let mut select = conn.prepare_cached(
        "SELECT sn.id, sn.file_name, sn.sha256, im.imported_at
         FROM snapshots sn JOIN imports im ON im.id = sn.import_id",
    )?;
    let rows = select.query_map([], |row| {
        Ok(Snapshot {
            id: row.get(0)?,
            file: row.get(1)?,
            sha256: row.get(2)?,
            imported_at: row.get(3)?,
        })
    })?;
    rows.map(|snapshot| snapshot.map(|s| (s.id, s)))
        .collect::<rusqlite::Result<_>>()
}

/// The day of a stored RFC 3339 time.
fn day(stored: &str) -> NaiveDate {
    stored
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_default()
}
