//! Freezing the current grants into review items: compute every item in
//! memory, then insert them ordered by control and reviewer so that both
//! item indexes grow at their ends (a million random index inserts cost more
//! than computing the items).

use std::collections::HashSet;

use chrono::NaiveDate;
use color_eyre::eyre::Result;
use foldhash::HashMap;
use rusqlite::{Connection, params};

use super::assign::{Candidates, assign};
use super::catalog::compare_ids;
use super::directory::{Directory, IdentityRow};
use super::rules::{Rules, Subject};
use super::signals::{GrantFacts, Holder, Owner, evaluate, recommend};
use crate::holders::holder_key_into;
use crate::model::{Decision, GrantType, IdentityKind, When};

/// The filters of a spec, normalised for matching.
pub(super) struct Scope<'a> {
    /// Control ids; empty = all.
    pub controls: HashSet<String>,
    /// `holder_key`s of system names; empty = all.
    pub systems: HashSet<String>,
    /// Empty = all.
    pub kinds: &'a [IdentityKind],
}

/// Everything an item is computed from besides its grant.
pub(super) struct ItemContext<'a> {
    pub directory: &'a Directory,
    pub rules: &'a Rules,
    pub as_of: NaiveDate,
    pub default_reviewer: &'a str,
    pub creator: &'a str,
}

/// Distinct strings by number, so a million items hold small ids instead
/// of a million copies of a few thousand reviewers.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    values: Vec<String>,
}

impl Interner {
    fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.ids.insert(text.to_owned(), id);
        self.values.push(text.to_owned());
        id
    }

    fn get(&self, id: u32) -> &str {
        self.values.get(id as usize).map_or("", String::as_str)
    }
}

/// Texts appended one after another, addressed by (start, end): unlike
/// interning, appending a million mostly distinct reason lists touches no
/// earlier text, so it costs no cache misses.
#[derive(Default)]
struct Arena {
    text: String,
}

impl Arena {
    fn push(&mut self, text: &str) -> (u32, u32) {
        let start = self.text.len();
        self.text.push_str(text);
        (
            u32::try_from(start).unwrap_or(u32::MAX),
            u32::try_from(self.text.len()).unwrap_or(u32::MAX),
        )
    }

    fn get(&self, (start, end): (u32, u32)) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }
}

/// One computed item waiting to be inserted (56 bytes).
struct Pending {
    grant_row: i64,
    identity_row: Option<i64>,
    system_row: Option<i64>,
    control: u16,
    revoke: bool,
    signals: u32,
    reviewer: u32,
    reasons: (u32, u32),
    why: (u32, u32),
}

/// Reads the current grants, computes one item per grant in scope and
/// inserts them with their per-control counts (`control_stats`). Returns
/// (grants seen, items created).
pub(super) fn freeze_items(
    conn: &Connection,
    campaign_id: i64,
    scope: &Scope<'_>,
    context: &ItemContext<'_>,
) -> Result<(u64, u64)> {
    // Control ids in numeric order; items are numbered in this order.
    let mut controls: Vec<&str> = context.rules.control_ids().collect();
    controls.sort_by(|a, b| compare_ids(a, b));
    controls.dedup();
    let mut reviewers = Interner::default();
    let mut texts = Arena::default();
    let grants: i64 = conn.query_row(
        "SELECT coalesce(sum(row_count), 0) FROM snapshots WHERE current = 1 AND kind = 'entitlements'",
        [],
        |row| row.get(0),
    )?;
    let mut pending = Vec::with_capacity(usize::try_from(grants).unwrap_or(0));
    let seen = compute(
        conn,
        scope,
        context,
        &controls,
        |item, reviewer, reasons, why| {
            pending.push(Pending {
                reviewer: reviewers.id(reviewer),
                reasons: texts.push(reasons),
                why: texts.push(why),
                ..item
            });
        },
    )?;
    // Reviewers in name order, then the source order of the grants.
    let mut order: Vec<u32> = (0..u32::try_from(reviewers.values.len())?).collect();
    order.sort_by(|a, b| reviewers.get(*a).cmp(reviewers.get(*b)));
    let mut rank = vec![0_u32; order.len()];
    for (position, id) in order.iter().enumerate() {
        rank[*id as usize] = u32::try_from(position)?;
    }
    // Sort small keys, not the items: (control, reviewer rank, position in
    // the source order), so equal keys keep the order the grants came in.
    let mut sequence: Vec<(u64, u32)> = pending
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let key = (u64::from(p.control) << 32) | u64::from(rank[p.reviewer as usize]);
            (key, u32::try_from(index).unwrap_or(u32::MAX))
        })
        .collect();
    sequence.sort_unstable();

    let mut tallies = vec![Tally::default(); controls.len()];
    let mut insert = conn.prepare_cached(
        "INSERT INTO items (campaign_id, control_id, grant_row, identity_row, system_row,
             signal_mask, reasons, recommendation, recommendation_reason, assigned_reviewer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for item in sequence.iter().map(|(_, index)| &pending[*index as usize]) {
        let recommendation = if item.revoke {
            Decision::Revoke
        } else {
            Decision::Certify
        };
        insert.execute(params![
            campaign_id,
            controls[usize::from(item.control)],
            item.grant_row,
            item.identity_row,
            item.system_row,
            item.signals,
            texts.get(item.reasons),
            recommendation.as_str(),
            texts.get(item.why),
            reviewers.get(item.reviewer),
        ])?;
        tallies[usize::from(item.control)].count(item.signals);
    }
    record_tallies(conn, campaign_id, &controls, &tallies)?;
    Ok((seen, pending.len() as u64))
}

/// Items and items per signal bit of one control, counted while inserting:
/// a `GROUP BY` over the million items just written took most of a second.
#[derive(Clone, Copy, Default)]
struct Tally {
    total: u64,
    signals: [u64; 8],
}

impl Tally {
    fn count(&mut self, signal_mask: u32) {
        self.total += 1;
        for (bit, count) in self.signals.iter_mut().enumerate() {
            *count += u64::from(signal_mask >> bit & 1);
        }
    }
}

/// Stores a new campaign's per-control totals and signal counts
/// (migration 0003); its decision counts start at zero.
fn record_tallies(
    conn: &Connection,
    campaign_id: i64,
    controls: &[&str],
    tallies: &[Tally],
) -> rusqlite::Result<()> {
    let mut insert = conn.prepare(
        "INSERT INTO control_stats (campaign_id, control_id, total, signal_0, signal_1, signal_2,
             signal_3, signal_4, signal_5, signal_6, signal_7)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (control, tally) in controls.iter().zip(tallies).filter(|(_, t)| t.total > 0) {
        let [s0, s1, s2, s3, s4, s5, s6, s7] = tally.signals;
        insert.execute(params![
            campaign_id,
            control,
            tally.total,
            s0,
            s1,
            s2,
            s3,
            s4,
            s5,
            s6,
            s7
        ])?;
    }
    Ok(())
}

/// Streams the grants and hands each computed item in scope to `keep` with
/// its reviewer, reasons (JSON) and recommendation reason. Returns the
/// number of grants seen.
fn compute(
    conn: &Connection,
    scope: &Scope<'_>,
    context: &ItemContext<'_>,
    controls: &[&str],
    mut keep: impl FnMut(Pending, &str, &str, &str),
) -> Result<u64> {
    // No ORDER BY: the snapshot index already yields each snapshot's rows in
    // id order, and sorting a million rows here would be wasted.
    let mut select = conn.prepare(
        "SELECT id, identity_ref, system, type, privileged, granted_at, last_used_at,
                last_rotated_at, expires_at
         FROM grants
         WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1 AND kind = 'entitlements')",
    )?;
    let mut reasons = Vec::with_capacity(8);
    let mut reasons_json = Vec::with_capacity(256);
    let mut key = String::new();
    let mut last_ref = String::new();
    let mut last_identity = None;
    let mut seen = 0_u64;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        seen += 1;
        let date = |index: usize| -> rusqlite::Result<Option<When>> {
            Ok(row
                .get_ref(index)?
                .as_str_or_null()?
                .and_then(When::parse_stored))
        };
        let system = row.get_ref(2)?.as_str()?;
        if !scope.systems.is_empty() {
            holder_key_into(system, &mut key);
            if !scope.systems.contains(key.as_str()) {
                continue;
            }
        }
        let identity_ref = row.get_ref(1)?.as_str()?;
        // Exports are often sorted by holder: reuse the last lookup.
        let identity = if identity_ref == last_ref {
            last_identity
        } else {
            let found = context.directory.find_with(identity_ref, &mut key);
            last_ref.clear();
            last_ref.push_str(identity_ref);
            last_identity = found;
            found
        };
        if !scope.kinds.is_empty() && !identity.is_some_and(|i| scope.kinds.contains(&i.kind)) {
            continue;
        }
        let grant = GrantFacts {
            identity_ref,
            system,
            // The schema's CHECK constraint allows only the known types.
            grant_type: GrantType::parse(row.get_ref(3)?.as_str()?).unwrap_or(GrantType::Role),
            privileged: row.get::<_, bool>(4)?,
            granted_at: date(5)?,
            last_used_at: date(6)?,
            last_rotated_at: date(7)?,
            expires_at: date(8)?,
        };
        let holder = identity.map(|i| Holder {
            identity_id: &i.identity_id,
            kind: i.kind,
            status: i.status,
            termination_date: i.termination_date,
            owner: if i.kind.is_non_human() {
                context.directory.owner_link(i.owner, i.owner_id.as_deref())
            } else {
                Owner::Missing
            },
        });
        let signals = evaluate(
            &grant,
            holder.as_ref(),
            context.as_of,
            &context.rules.thresholds,
            &mut reasons,
        );
        let control = context.rules.control_for(&Subject {
            signals,
            grant_type: grant.grant_type,
            privileged: grant.privileged,
            kind: identity.map(|i| i.kind),
        });
        if !scope.controls.is_empty() && !scope.controls.contains(control) {
            continue;
        }
        let (recommendation, why) = recommend(signals, &reasons, context.rules);
        let system_row = context.directory.system_with(system, &mut key);
        let system_owner = system_row.and_then(|s| {
            context
                .directory
                .reviewer_link(s.owner, s.owner_id.as_deref())
        });
        let reviewer = reviewer_of(&grant, identity, holder.as_ref(), system_owner, context);
        reasons_json.clear();
        serde_json::to_writer(&mut reasons_json, &reasons)?;
        let item = Pending {
            grant_row: row.get(0)?,
            identity_row: identity.map(|i| i.row),
            system_row: system_row.map(|s| s.row),
            control: u16::try_from(controls.iter().position(|c| *c == control).unwrap_or(0))?,
            revoke: recommendation == Decision::Revoke,
            signals: signals.bits(),
            reviewer: 0,
            reasons: (0, 0),
            why: (0, 0),
        };
        keep(item, reviewer, std::str::from_utf8(&reasons_json)?, &why);
    }
    Ok(seen)
}

fn reviewer_of<'a>(
    grant: &GrantFacts<'a>,
    identity: Option<&'a IdentityRow>,
    holder: Option<&Holder<'a>>,
    system_owner: Option<&'a str>,
    context: &ItemContext<'a>,
) -> &'a str {
    let directory = context.directory;
    let owner = match holder.map(|h| h.owner) {
        Some(Owner::Active(owner)) => Some(owner),
        _ => None,
    };
    let candidates = Candidates {
        holder: match identity {
            Some(i) => [Some(i.identity_id.as_str()), i.email.as_deref()],
            None => [Some(grant.identity_ref), None],
        },
        non_human: identity.map(|i| i.kind.is_non_human()),
        privileged: grant.privileged,
        manager: identity.and_then(|i| directory.reviewer_link(i.manager, i.manager_id.as_deref())),
        owner,
        system_owner,
        default_reviewer: context.default_reviewer,
        creator: context.creator,
    };
    assign(&candidates).0
}
