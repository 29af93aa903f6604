//! Freezing the current grants into review items: compute every item in
//! memory (`compute`), then insert them ordered by control, then reviewer,
//! then source order. Control order gives each control consecutive item
//! ids, which `control_stats` records as its range (`ranges`); reviewer
//! order keeps the reviewer index growing near its ends (a million random
//! index inserts cost more than computing the items).

use std::collections::HashSet;

use chrono::NaiveDate;
use color_eyre::eyre::Result;
use foldhash::HashMap;
use rusqlite::{Connection, params};

use super::assign::Basis;
use super::catalog::compare_ids;
use super::compute::{Arena, Computed, Interner, Pending, compute_items};
use super::cycle::Cycle;
use super::earlier::EarlierReviews;
use super::item_rows::{ItemRow, ItemWriter, value_rows};
use super::peer_pass;
use super::resolve::LinkRecord;
use super::rules::Rules;
use super::systems::Systems;
use crate::identity::{LinkBasis, Resolver};
use crate::model::{Decision, Delta, IdentityKind, Signal};

/// The filters of a spec, normalised for matching.
pub(super) struct Scope<'a> {
    /// Control ids; empty = all.
    pub controls: HashSet<String>,
    /// Folded system names; empty = all.
    pub systems: HashSet<String>,
    /// Empty = all.
    pub kinds: &'a [IdentityKind],
}

impl Scope<'_> {
    /// Whether `system` passes the system filter (`key`: a buffer).
    pub fn in_systems(&self, system: &str, key: &mut String) -> bool {
        if self.systems.is_empty() {
            return true;
        }
        crate::identity::keys::fold_into(system, key);
        self.systems.contains(key.as_str())
    }

    /// Whether a holder of `kind` (`None`: orphaned) passes the kind filter.
    pub fn in_kinds(&self, kind: Option<IdentityKind>) -> bool {
        self.kinds.is_empty() || kind.is_some_and(|k| self.kinds.contains(&k))
    }
}

/// Everything an item is computed from besides its grant.
pub(super) struct ItemContext<'a> {
    pub resolver: &'a Resolver,
    pub systems: &'a Systems,
    pub earlier: &'a EarlierReviews,
    /// The baseline and earlier decisions (PRODUCT.md §7).
    pub cycle: &'a Cycle,
    pub rules: &'a Rules,
    pub as_of: NaiveDate,
    pub default_reviewer: &'a str,
    pub creator: &'a str,
}

/// What freezing the items did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frozen {
    /// Current grants read, in scope or not.
    pub seen: u64,
    /// Items created.
    pub created: u64,
    /// Items that went to the default reviewer (or the creator).
    pub to_default: u64,
    /// Some holders of those items, `Jane Doe (E0412)` (up to 1000).
    pub default_holders: Vec<String>,
    /// Items per delta against the baseline, in `Delta::ALL` order.
    pub deltas: [u64; 4],
    /// Items recommended for certification as the baseline decided them.
    pub carried_over: u64,
    /// The baseline campaign (id, name), if any.
    pub baseline: Option<(i64, String)>,
    /// Pairs of items that form a toxic combination (`[[sod]]`).
    pub conflicts: u64,
    /// Items flagged `outlier`.
    pub outliers: u64,
}

/// Reads the current grants, computes one item per grant in scope and
/// inserts them with their accounts (`campaign_links`) and per-control
/// counts (`control_stats`).
pub(super) fn freeze_items(
    conn: &Connection,
    campaign_id: i64,
    scope: &Scope<'_>,
    context: &ItemContext<'_>,
) -> Result<Frozen> {
    // Control ids in numeric order; items are numbered in this order.
    let mut controls: Vec<&str> = context.rules.control_ids().collect();
    controls.sort_by(|a, b| compare_ids(a, b));
    controls.dedup();
    let mut computed = compute_items(conn, scope, context, &controls)?;
    let findings = if context.rules.peers.active() {
        peer_pass::apply(conn, &mut computed, context, &controls)?
    } else {
        peer_pass::Findings::default()
    };
    let Computed {
        seen,
        pending,
        reviewers,
        texts,
        links,
        unreviewed_holders,
        appended,
        ..
    } = computed;
    // With toxic-combination or outlier rules every grant was computed;
    // the filters apply now, to the final controls.
    let kept = kept_items(&pending, scope, &controls);
    let (links, link_ids) = used_links(links, &pending, &kept);
    let first_link = insert_links(conn, campaign_id, &links)?;
    let sequence = insertion_order(&pending, &kept, &reviewers)?;

    let mut tallies = vec![Tally::default(); controls.len()];
    let mut writer = ItemWriter::new(conn, campaign_id)?;
    let shared = SharedTexts::store(
        conn,
        campaign_id,
        (&pending, &sequence),
        (&texts, &appended),
    )?;
    let mut runs = ReviewerRuns::default();
    let mut to_default = 0;
    let mut deltas = [0_u64; 4];
    let mut carried_over = 0;
    let mut outliers = 0;
    // Item ids by position in `pending`, for the conflicts (0: not kept).
    let slots = pending.len() * usize::from(!findings.conflicts.is_empty());
    let mut item_ids = vec![0_i64; slots];
    for &(_, index) in &sequence {
        let item = &pending[index as usize];
        // A sentence the peer pass found is shared too.
        let appended_text = item
            .appended
            .checked_sub(1)
            .map(|sentence| shared.sentences[sentence as usize]);
        let (recommendation, reason, text) = if item.revoke {
            (Decision::Revoke, texts.get(item.why), None)
        } else {
            // A certification's reason is one of a few the items share.
            (
                Decision::Certify,
                "",
                shared.reasons.get(&item.why).copied(),
            )
        };
        let id = writer.push(ItemRow {
            control: controls[usize::from(item.control)],
            grant_row: item.grant_row,
            identity_row: item.identity_row,
            system_row: item.system_row,
            signals: item.signals,
            reasons: texts.get(item.reasons),
            appended_text,
            recommendation: recommendation.as_str(),
            reason,
            reviewer: reviewers.get(item.reviewer),
            link_row: first_link + i64::from(link_ids[item.link as usize]),
            grant_key: item.key.0,
            prior_item: item.prior_item,
            delta: item.delta.map(Delta::as_str),
            carry_over: item.carry_over,
            text,
        })?;
        if let Some(delta) = item.delta {
            deltas[delta as usize] += 1;
        }
        carried_over += u64::from(item.carry_over);
        to_default += u64::from(matches!(item.basis, Basis::Default | Basis::Creator));
        if let Some(slot) = item_ids.get_mut(index as usize) {
            *slot = id;
        }
        outliers += u64::from(item.signals & Signal::Outlier.bit() != 0);
        tallies[usize::from(item.control)].count(id, item.signals);
        runs.add(item.reviewer, id);
    }
    writer.finish()?;
    record_tallies(conn, campaign_id, &controls, &tallies)?;
    runs.record(conn, campaign_id, &reviewers)?;
    let conflicts = insert_conflicts(conn, campaign_id, &findings, &item_ids, context)?;
    Ok(Frozen {
        seen,
        created: sequence.len() as u64,
        to_default,
        default_holders: unreviewed_holders,
        deltas,
        carried_over,
        baseline: context.cycle.baseline_named(),
        conflicts,
        outliers,
    })
}

/// Whether each computed item is in the campaign: in scope, under a
/// requested control.
fn kept_items(pending: &[Pending], scope: &Scope<'_>, controls: &[&str]) -> Vec<bool> {
    pending
        .iter()
        .map(|p| {
            p.in_scope
                && (scope.controls.is_empty()
                    || scope.controls.contains(controls[usize::from(p.control)]))
        })
        .collect()
}

/// The kept items' positions in insertion order: reviewers in name order,
/// then the source order of the grants.
fn insertion_order(
    pending: &[Pending],
    kept: &[bool],
    reviewers: &Interner,
) -> Result<Vec<(u64, u32)>> {
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
        .filter(|(index, _)| kept[*index])
        .map(|(index, p)| {
            let key = (u64::from(p.control) << 32) | u64::from(rank[p.reviewer as usize]);
            (key, u32::try_from(index).unwrap_or(u32::MAX))
        })
        .collect();
    sequence.sort_unstable();
    Ok(sequence)
}

/// The accounts of the kept items, and each account's new index by its
/// old one (accounts of grants outside the scope get no row).
fn used_links(
    links: Vec<LinkRecord>,
    pending: &[Pending],
    kept: &[bool],
) -> (Vec<LinkRecord>, Vec<u32>) {
    let mut used = vec![false; links.len()];
    for (item, _) in pending.iter().zip(kept).filter(|(_, kept)| **kept) {
        used[item.link as usize] = true;
    }
    let mut ids = vec![0_u32; links.len()];
    let mut kept_links = Vec::with_capacity(links.len());
    for ((link, used), id) in links.into_iter().zip(used).zip(&mut ids) {
        if used {
            *id = u32::try_from(kept_links.len()).unwrap_or(u32::MAX);
            kept_links.push(link);
        }
    }
    (kept_links, ids)
}

/// Records each toxic combination whose two items are both in the
/// campaign (`item_conflicts`, migration 0012); returns how many.
fn insert_conflicts(
    conn: &Connection,
    campaign_id: i64,
    findings: &peer_pass::Findings,
    item_ids: &[i64],
    context: &ItemContext<'_>,
) -> Result<u64> {
    let mut insert = conn.prepare(
        "INSERT INTO item_conflicts (campaign_id, item_a, item_b, rule, description)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut count = 0;
    for conflict in &findings.conflicts {
        let (a, b) = (item_ids[conflict.a as usize], item_ids[conflict.b as usize]);
        if a == 0 || b == 0 {
            continue;
        }
        let rule = &context.rules.peers.sod[usize::from(conflict.rule)];
        insert.execute(params![
            campaign_id,
            a.min(b),
            a.max(b),
            rule.name,
            rule.description
        ])?;
        count += 1;
    }
    Ok(count)
}

/// Inserts the campaign's distinct accounts with consecutive ids and
/// returns the first id (an item's `link_row` is that plus its index),
/// many rows to a statement (a hundred thousand one-row statements took
/// a tenth of a second).
fn insert_links(conn: &Connection, campaign_id: i64, links: &[LinkRecord]) -> Result<i64> {
    const ROWS: usize = 64;
    let first: i64 = conn.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM campaign_links",
        [],
        |row| row.get(0),
    )?;
    let mut id = first;
    for chunk in links.chunks(ROWS) {
        let mut insert = conn.prepare_cached(&format!(
            "INSERT INTO campaign_links (id, campaign_id, account_key, account_row, person_row,
                 basis, secondary, kind, kind_reason, note)
             VALUES {}",
            value_rows(10, chunk.len())
        ))?;
        for (offset, link) in chunk.iter().enumerate() {
            let at = offset * 10;
            insert.raw_bind_parameter(at + 1, id)?;
            insert.raw_bind_parameter(at + 2, campaign_id)?;
            insert.raw_bind_parameter(at + 3, &link.account_key)?;
            insert.raw_bind_parameter(at + 4, link.account_row)?;
            insert.raw_bind_parameter(at + 5, link.person_row)?;
            insert.raw_bind_parameter(at + 6, link.basis.map(LinkBasis::as_str))?;
            insert.raw_bind_parameter(at + 7, link.secondary)?;
            insert.raw_bind_parameter(at + 8, link.kind.map(IdentityKind::as_str))?;
            insert.raw_bind_parameter(at + 9, &link.kind_reason)?;
            insert.raw_bind_parameter(at + 10, &link.note)?;
            id += 1;
        }
        insert.raw_execute()?;
    }
    Ok(first)
}

/// The texts the kept items share, each stored once in `campaign_texts`
/// before the items, with ids in order of first use, many rows to a
/// statement: a certification's reason, which depends on the signals alone
/// or quotes one baseline decision (migration 0015), and a sentence the
/// peer pass found (an outlier's, one per peer group and holder count), a
/// JSON string item_view appends to the item's reasons (migration 0016).
struct SharedTexts {
    /// Row ids by where the reason is in the computed texts.
    reasons: HashMap<(u32, u32), i64>,
    /// Row ids by sentence ([`Computed::appended`]; 0: unused).
    sentences: Vec<i64>,
}

impl SharedTexts {
    fn store(
        conn: &Connection,
        campaign_id: i64,
        (pending, sequence): (&[Pending], &[(u64, u32)]),
        (texts, sentences): (&Arena, &[String]),
    ) -> Result<SharedTexts> {
        const ROWS: usize = 100;
        let mut shared = SharedTexts {
            reasons: HashMap::default(),
            sentences: vec![0; sentences.len()],
        };
        let mut next: i64 = conn.query_row(
            "SELECT coalesce(max(id), 0) + 1 FROM campaign_texts",
            [],
            |row| row.get(0),
        )?;
        let mut new: Vec<(i64, &str)> = Vec::new();
        for &(_, index) in sequence {
            let item = &pending[index as usize];
            if !item.revoke {
                shared.reasons.entry(item.why).or_insert_with(|| {
                    new.push((next, texts.get(item.why)));
                    next += 1;
                    next - 1
                });
            }
            if let Some(sentence) = item.appended.checked_sub(1) {
                let row = &mut shared.sentences[sentence as usize];
                if *row == 0 {
                    *row = next;
                    new.push((next, sentences[sentence as usize].as_str()));
                    next += 1;
                }
            }
        }
        for chunk in new.chunks(ROWS) {
            let mut insert = conn.prepare_cached(&format!(
                "INSERT INTO campaign_texts (id, campaign_id, text) VALUES {}",
                value_rows(3, chunk.len())
            ))?;
            for (offset, &(id, text)) in chunk.iter().enumerate() {
                let first = offset * 3 + 1;
                insert.raw_bind_parameter(first, id)?;
                insert.raw_bind_parameter(first + 1, campaign_id)?;
                insert.raw_bind_parameter(first + 2, text)?;
            }
            insert.raw_execute()?;
        }
        Ok(shared)
    }
}

/// Each reviewer's runs of consecutive item ids, noted while inserting
/// (items go in by control, then reviewer: one run per reviewer and
/// control) and recorded in `reviewer_ranges` (migration 0014).
#[derive(Default)]
struct ReviewerRuns {
    /// (reviewer, first item, last item), in item order.
    runs: Vec<(u32, i64, i64)>,
}

impl ReviewerRuns {
    fn add(&mut self, reviewer: u32, item: i64) {
        match self.runs.last_mut() {
            Some((last, _, end)) if *last == reviewer && *end + 1 == item => *end = item,
            _ => self.runs.push((reviewer, item, item)),
        }
    }

    fn record(&self, conn: &Connection, campaign_id: i64, reviewers: &Interner) -> Result<()> {
        let mut insert = conn.prepare(
            "INSERT INTO reviewer_ranges (campaign_id, reviewer, first_item, last_item)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for &(reviewer, first, last) in &self.runs {
            insert.execute(params![campaign_id, reviewers.get(reviewer), first, last])?;
        }
        Ok(())
    }
}

/// Items and items per signal bit of one control, counted while inserting
/// (a `GROUP BY` over the million items just written took most of a
/// second), and the control's id range (migration 0005).
#[derive(Clone, Copy, Default)]
struct Tally {
    total: u64,
    signals: [u64; Signal::COUNT],
    first_item: Option<i64>,
    last_item: Option<i64>,
}

impl Tally {
    fn count(&mut self, item: i64, signal_mask: u32) {
        self.total += 1;
        self.first_item.get_or_insert(item);
        self.last_item = Some(item);
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
    let placeholders = vec!["?"; Signal::COUNT].join(", ");
    let mut insert = conn.prepare(&format!(
        "INSERT INTO control_stats (campaign_id, control_id, total, first_item, last_item, {})
         VALUES (?, ?, ?, ?, ?, {placeholders})",
        super::progress::signal_columns()
    ))?;
    for (control, tally) in controls.iter().zip(tallies).filter(|(_, t)| t.total > 0) {
        let mut values: Vec<rusqlite::types::Value> = vec![
            campaign_id.into(),
            (*control).to_owned().into(),
            i64::try_from(tally.total).unwrap_or(i64::MAX).into(),
            tally.first_item.into(),
            tally.last_item.into(),
        ];
        values.extend(
            tally
                .signals
                .iter()
                .map(|&n| i64::try_from(n).unwrap_or(i64::MAX).into()),
        );
        insert.execute(rusqlite::params_from_iter(values))?;
    }
    Ok(())
}
