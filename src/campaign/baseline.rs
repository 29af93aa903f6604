//! A new campaign's baseline (PRODUCT.md §7): which campaign it is compared
//! with (by default the latest signed-off one), and what that campaign
//! decided about each grant, keyed by grant key for a hash join with the
//! items being computed.

use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use color_eyre::eyre::{Result, bail};
use foldhash::{HashMap, HashMapExt};
use rusqlite::{Connection, OptionalExtension};

use super::grant_key::{self, GrantKey};
use super::lookup::{Campaign, CampaignState, find_campaign};
use crate::model::{Decision, DecisionBasis, GrantType};
use crate::text::for_display;
use crate::workspace::readers;

/// Which campaign a new campaign is compared with (`--baseline`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BaselineChoice {
    /// The campaign signed off last, if any (the default).
    #[default]
    Latest,
    /// No baseline: every item is reviewed afresh.
    None,
    /// This campaign (id or exact name), which must be signed off.
    Campaign(String),
}

impl BaselineChoice {
    /// `--baseline` as typed: `none`, or a campaign.
    pub fn parse(text: &str) -> BaselineChoice {
        let text = text.trim();
        if text.eq_ignore_ascii_case("none") {
            BaselineChoice::None
        } else {
            BaselineChoice::Campaign(text.to_owned())
        }
    }
}

/// The baseline's decision on one grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prior {
    pub item: i64,
    pub decision: Decision,
    pub privileged: bool,
    pub grant_type: GrantType,
    /// The end of a time-boxed certification.
    pub valid_until: Option<NaiveDate>,
    /// How the decision came about (`None` for a format-1 campaign's, which
    /// were all a reviewer's).
    pub basis: Option<DecisionBasis>,
    /// Which part of the baseline holds its texts, and where (see
    /// [`Baseline::decider`], [`Baseline::justification`]).
    part: u16,
    decider: u32,
    justification: u32,
}

/// A baseline decider and justification, by where the baseline keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quote {
    part: u16,
    decider: u32,
    justification: u32,
}

/// The decisions of one range of the baseline's items, read by one thread,
/// with the texts they point into.
#[derive(Default)]
struct Part {
    /// (the grant's row, its key, the decision), in item order.
    entries: Vec<(i64, GrantKey, Prior)>,
    texts: Vec<String>,
    known: HashMap<String, u32>,
    /// The text each column gave last: items come by reviewer, so the next
    /// item's decider and justification are mostly the same again.
    recent: [Option<u32>; 2],
}

/// The columns [`Part::intern`] remembers the last text of.
const DECIDER: usize = 0;
const JUSTIFICATION: usize = 1;

/// Which of `shards` maps holds `key` (keys are SHA-256 prefixes: even).
fn shard_of(key: &GrantKey, shards: usize) -> usize {
    usize::from(key.0[0]) % shards.max(1)
}

impl Part {
    /// The index of `text`, given in `column`.
    fn intern(&mut self, column: usize, text: &str) -> u32 {
        if let Some(index) = self.recent[column] {
            if self.text(index) == text {
                return index;
            }
        }
        let index = if let Some(&index) = self.known.get(text) {
            index
        } else {
            let index = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
            self.known.insert(text.to_owned(), index);
            self.texts.push(text.to_owned());
            index
        };
        self.recent[column] = Some(index);
        index
    }

    fn text(&self, index: u32) -> &str {
        self.texts.get(index as usize).map_or("", String::as_str)
    }
}

/// A signed-off campaign's decisions, by grant key.
pub struct Baseline {
    pub campaign: Campaign,
    /// The day it was signed off.
    pub signed_off: NaiveDate,
    /// The sign-off time as stored (RFC 3339, comparable as text).
    pub signed_at: String,
    /// Consecutive ranges of its items, in item order (their texts).
    parts: Vec<Part>,
    decisions: Decisions,
}

/// The decisions in the order of the grants they were about, and where
/// each key's decision is among them. A new campaign over a re-import of
/// the same exports asks for its grants in that order too, so the next
/// decision is mostly the one after the last ([`Baseline::get_near`]): no
/// random access into a million-entry map per grant (in `perf`, a third of
/// a second of cache misses).
#[derive(Default)]
struct Decisions {
    ordered: Vec<Decided>,
    /// Positions in `ordered` by key, in shards ([`shard_of`]) built side
    /// by side.
    shards: Vec<HashMap<GrantKey, u32>>,
}

struct Decided {
    key: GrantKey,
    prior: Prior,
    /// False for a grant the campaign reviewed twice whose other decision
    /// counts (see [`Baseline::get`]).
    counts: bool,
}

impl Baseline {
    /// The decision on the grant with `key`. A grant the campaign reviewed
    /// twice (in two exports) gives its revocation over a certification,
    /// else its first item's decision.
    pub fn get(&self, key: &GrantKey) -> Option<&Prior> {
        self.position(key)
            .map(|position| &self.decisions.ordered[position].prior)
    }

    /// [`Baseline::get`], trying the decision at `cursor` first; leaves
    /// `cursor` after the decision found.
    pub fn get_near(&self, key: &GrantKey, cursor: &mut usize) -> Option<&Prior> {
        if let Some(next) = self.decisions.ordered.get(*cursor) {
            if next.key == *key && next.counts {
                *cursor += 1;
                return Some(&next.prior);
            }
        }
        let position = self.position(key)?;
        *cursor = position + 1;
        Some(&self.decisions.ordered[position].prior)
    }

    fn position(&self, key: &GrantKey) -> Option<usize> {
        let shards = &self.decisions.shards;
        let position = *shards.get(shard_of(key, shards.len()))?.get(key)?;
        Some(position as usize)
    }

    /// Who decided (kept for every decision).
    pub fn decider(&self, prior: &Prior) -> &str {
        self.parts
            .get(usize::from(prior.part))
            .map_or("", |p| p.text(prior.decider))
    }

    /// What a carried-over certification of `prior` quotes: the same
    /// decider and justification give the same sentence.
    pub fn quote_of(prior: &Prior) -> Quote {
        Quote {
            part: prior.part,
            decider: prior.decider,
            justification: prior.justification,
        }
    }

    /// Who decided and why, as [`Baseline::quote_of`] names them.
    pub fn quoted(&self, quote: Quote) -> (&str, &str) {
        self.parts
            .get(usize::from(quote.part))
            .map_or(("", ""), |p| {
                (p.text(quote.decider), p.text(quote.justification))
            })
    }

    pub fn len(&self) -> usize {
        self.decisions.shards.iter().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.decisions.shards.iter().all(HashMap::is_empty)
    }
}

/// The campaign `choice` names, if any: refused when it is not signed off
/// (its decisions could still change under the new campaign).
pub fn choose(conn: &Connection, choice: &BaselineChoice) -> Result<Option<Campaign>> {
    match choice {
        BaselineChoice::None => Ok(None),
        BaselineChoice::Latest => {
            let latest: Option<i64> = conn
                .query_row(
                    "SELECT campaign_id FROM signoffs ORDER BY signed_at DESC, campaign_id DESC LIMIT 1",
                    [],
                    |row| row.get(0),
                )
                .optional()?;
            latest
                .map(|id| find_campaign(conn, &id.to_string()))
                .transpose()
        }
        BaselineChoice::Campaign(key) => {
            let campaign = find_campaign(conn, key)?;
            if campaign.state != CampaignState::SignedOff {
                bail!(
                    "campaign {} ({}) is not signed off, so it cannot be the baseline: its decisions may still change. Sign it off first (recert signoff {}), name a signed-off campaign, or give --baseline none",
                    campaign.id,
                    for_display(&campaign.name),
                    campaign.id
                );
            }
            Ok(Some(campaign))
        }
    }
}

/// Reads every decision of `campaign` (signed off) by grant key, as its
/// sign-off recorded them ([`record_sign_off`]). A large baseline is read
/// on several threads, each over a consecutive range of its items through
/// its own read-only connection.
pub fn load(conn: &Connection, campaign: Campaign) -> Result<Baseline> {
    let signed_at: String = conn.query_row(
        "SELECT signed_at FROM signoffs WHERE campaign_id = ?1",
        [campaign.id],
        |row| row.get(0),
    )?;
    let signed_off = signed_at
        .get(..10)
        .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .unwrap_or_default();
    let (low, high): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT min(first_item), max(last_item) FROM control_stats WHERE campaign_id = ?1",
        [campaign.id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut parts = match (low, high) {
        (Some(low), Some(high)) => read_parts(conn, campaign.id, low, high)?,
        _ => Vec::new(),
    };
    // One map per part: as many as there were threads to read them.
    let shards = parts.len();
    let decisions = order(&mut parts, shards);
    Ok(Baseline {
        campaign,
        signed_off,
        signed_at,
        parts,
        decisions,
    })
}

/// Whether `new` counts over `known` for the same grant key: a grant the
/// campaign reviewed twice (in two exports) keeps its first revocation,
/// else its first decision, by item.
fn counts_over(new: &Prior, known: &Prior) -> bool {
    match (new.decision, known.decision) {
        (Decision::Revoke, Decision::Certify) => true,
        (Decision::Certify, Decision::Revoke) => false,
        _ => new.item < known.item,
    }
}

/// The decisions of `parts` in grant order, with one map per shard (each
/// built on its own thread) from key to position.
fn order(parts: &mut [Part], shards: usize) -> Decisions {
    let mut entries: Vec<(i64, GrantKey, Prior)> =
        Vec::with_capacity(parts.iter().map(|p| p.entries.len()).sum());
    for part in parts.iter_mut() {
        entries.append(&mut part.entries);
    }
    entries.sort_unstable_by_key(|(grant_row, _, prior)| (*grant_row, prior.item));
    let mut ordered: Vec<Decided> = entries
        .into_iter()
        .map(|(_, key, prior)| Decided {
            key,
            prior,
            counts: true,
        })
        .collect();
    let shards = shards.max(1);
    let build = |shard: usize| {
        let mut positions: HashMap<GrantKey, u32> =
            HashMap::with_capacity(ordered.len() / shards + 1);
        let mut outvoted = Vec::new();
        for (position, decided) in (0_u32..).zip(&ordered) {
            if shard_of(&decided.key, shards) != shard {
                continue;
            }
            match positions.entry(decided.key) {
                Entry::Vacant(slot) => {
                    slot.insert(position);
                }
                Entry::Occupied(mut slot) => {
                    let known = *slot.get();
                    if counts_over(&decided.prior, &ordered[known as usize].prior) {
                        slot.insert(position);
                        outvoted.push(known);
                    } else {
                        outvoted.push(position);
                    }
                }
            }
        }
        (positions, outvoted)
    };
    let maps_and_outvoted: Vec<(HashMap<GrantKey, u32>, Vec<u32>)> = if shards == 1 {
        vec![build(0)]
    } else {
        std::thread::scope(|threads| {
            let handles: Vec<_> = (0..shards)
                .map(|shard| threads.spawn(move || build(shard)))
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    };
    let mut maps = Vec::with_capacity(maps_and_outvoted.len());
    for (positions, outvoted) in maps_and_outvoted {
        for position in outvoted {
            ordered[position as usize].counts = false;
        }
        maps.push(positions);
    }
    Decisions {
        ordered,
        shards: maps,
    }
}

/// The parts of `low..=high`, read on as many threads as its size is worth.
fn read_parts(conn: &Connection, campaign: i64, low: i64, high: i64) -> Result<Vec<Part>> {
    let threads = readers::threads_for(high - low + 1);
    readers::over_ranges(conn, (low, high), threads, |conn, index, range| {
        read_part(
            conn,
            campaign,
            range,
            u16::try_from(index).unwrap_or(u16::MAX),
        )
    })
}

/// The decisions of the campaign's items with ids in `low..=high`, as
/// part `index`.
fn read_part(
    conn: &Connection,
    campaign: i64,
    (low, high): (i64, i64),
    index: u16,
) -> Result<Part> {
    let mut select = conn.prepare(
        "SELECT item_id, grant_key, decision, privileged, type, valid_until, basis, decider,
                justification, grant_row
         FROM baseline_decisions
         WHERE item_id BETWEEN ?2 AND ?3 AND campaign_id = ?1",
    )?;
    let mut part = Part::default();
    let mut rows = select.query((campaign, low, high))?;
    while let Some(row) = rows.next()? {
        let Some(key) = GrantKey::from_stored(Some(row.get_ref(1)?.as_blob()?)) else {
            continue;
        };
        let decision: Decision = row.get(2)?;
        let decider = part.intern(DECIDER, row.get_ref(7)?.as_str()?);
        let justification = match row.get_ref(8)?.as_str_or_null()? {
            Some(text) => part.intern(JUSTIFICATION, text),
            None => 0,
        };
        let valid_until = row
            .get_ref(5)?
            .as_str_or_null()?
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let prior = Prior {
            item: row.get(0)?,
            decision,
            privileged: row.get(3)?,
            grant_type: row.get(4)?,
            valid_until,
            basis: row.get(6)?,
            part: index,
            decider,
            justification,
        };
        part.entries.push((row.get(9)?, key, prior));
    }
    Ok(part)
}

/// Records what signed-off campaign `campaign` decided about each grant
/// (`baseline_decisions`, migration 0016): in the sign-off's transaction,
/// or later for a sign-off this build did not make (recording twice adds
/// nothing).
pub fn record_sign_off(conn: &Connection, campaign: i64) -> rusqlite::Result<()> {
    let from = format!(
        "FROM items it
         JOIN grants g ON g.id = it.grant_row
         JOIN current_decisions cd ON cd.item_id = it.id
         JOIN decision_events e ON e.id = cd.event_id
         WHERE {}",
        super::ranges::in_campaign(super::ranges::ITEMS_AS_IT, "?1")
    );
    // Justifications are kept for certifications only: a later campaign
    // quotes them when it carries one over.
    let insert_sql = |key: &str, only: &str| {
        format!(
            "INSERT OR IGNORE INTO baseline_decisions (item_id, campaign_id, grant_row, grant_key,
                 decision, privileged, type, valid_until, basis, decider, justification)
             SELECT it.id, it.campaign_id, it.grant_row, {key}, cd.decision, g.privileged,
                    g.type, e.valid_until, e.basis, e.reviewer,
                    CASE WHEN cd.decision = 'certify' THEN coalesce(e.justification, '') END
             {from} AND {only}"
        )
    };
    conn.execute(
        &insert_sql("it.grant_key", "it.grant_key IS NOT NULL"),
        [campaign],
    )?;
    // Items of campaigns created before grant keys existed: the key is
    // computed from the grant, as for new items.
    let mut select = conn.prepare(&format!(
        "SELECT it.id, g.system, g.entitlement, g.identity_ref {from} AND it.grant_key IS NULL"
    ))?;
    let keys = select
        .query_map([campaign], |row| {
            let text = grant_key::text(
                row.get_ref(1)?.as_str()?,
                row.get_ref(2)?.as_str()?,
                row.get_ref(3)?.as_str()?,
            );
            Ok((row.get::<_, i64>(0)?, GrantKey::of_text(&text)))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut insert = conn.prepare(&insert_sql("?3", "it.id = ?2"))?;
    for (item, key) in keys {
        insert.execute((campaign, item, key.as_bytes()))?;
    }
    Ok(())
}

/// Records the decisions of every campaign signed off before migration 0016.
pub fn record_earlier_sign_offs(conn: &Connection) -> rusqlite::Result<()> {
    let campaigns: Vec<i64> = conn
        .prepare("SELECT campaign_id FROM signoffs ORDER BY campaign_id")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for campaign in campaigns {
        record_sign_off(conn, campaign)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prior(item: i64, decision: Decision, part: u16) -> Prior {
        Prior {
            item,
            decision,
            privileged: false,
            grant_type: GrantType::Role,
            valid_until: None,
            basis: None,
            part,
            decider: 0,
            justification: 0,
        }
    }

    /// Parts as threads read them: `items` (key, item id, decision) cut
    /// into `parts` consecutive ranges; grant rows run opposite to items.
    fn read(items: &[(GrantKey, i64, Decision)], parts: usize) -> Vec<Part> {
        items
            .chunks(items.len().div_ceil(parts))
            .zip(0_u16..)
            .map(|(chunk, index)| Part {
                entries: chunk
                    .iter()
                    .map(|&(key, item, decision)| (100 - item, key, prior(item, decision, index)))
                    .collect(),
                ..Part::default()
            })
            .collect()
    }

    fn baseline(decisions: Decisions) -> Baseline {
        Baseline {
            campaign: Campaign {
                id: 1,
                name: "Q3".to_owned(),
                period: None,
                as_of: "2026-09-30".to_owned(),
                due: None,
                default_reviewer: None,
                justify: crate::model::SignalSet::EMPTY,
                created_at: String::new(),
                created_by: String::new(),
                state: CampaignState::SignedOff,
                evidence_format: 2,
            },
            signed_off: NaiveDate::default(),
            signed_at: String::new(),
            parts: Vec::new(),
            decisions,
        }
    }

    #[test]
    fn a_grant_reviewed_twice_keeps_its_first_revocation_else_its_first_decision() {
        let key = |n: u8| GrantKey([n; 16]);
        let (certify, revoke) = (Decision::Certify, Decision::Revoke);
        let items = [
            (key(1), 1, certify),
            (key(2), 2, revoke),
            (key(3), 3, certify),
            (key(4), 4, certify),
            (key(1), 5, revoke),
            (key(2), 6, certify),
            (key(3), 7, certify),
            (key(4), 8, revoke),
            (key(4), 9, revoke),
            (key(6), 10, certify),
        ];
        for (parts, shards) in [(1, 1), (2, 2), (3, 2), (2, 4), (4, 3)] {
            let mut read = read(&items, parts);
            let baseline = baseline(order(&mut read, shards));
            assert_eq!(baseline.decisions.shards.len(), shards);
            let what = format!("{parts} parts, {shards} shards");
            let expected = [
                (1, Some((5, revoke))),
                (2, Some((2, revoke))),
                (3, Some((3, certify))),
                (4, Some((8, revoke))),
                (5, None),
                (6, Some((10, certify))),
            ];
            for (n, decided) in expected {
                let found = baseline.get(&key(n)).map(|p| (p.item, p.decision));
                assert_eq!(found, decided, "key {n}, {what}");
            }
            assert_eq!(baseline.len(), 5, "{what}");
            // Asked in grant order (the items reversed), from anywhere,
            // the cursor gives what a lookup gives, never an outvoted one.
            for start in [0, 3, 99] {
                let mut cursor = start;
                for &(k, _, _) in items.iter().rev() {
                    let near = baseline.get_near(&k, &mut cursor).map(|p| p.item);
                    assert_eq!(near, baseline.get(&k).map(|p| p.item), "{what}");
                }
                assert_eq!(baseline.get_near(&key(5), &mut cursor), None, "{what}");
            }
        }
    }
}
