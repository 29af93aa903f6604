//! An in-memory index of one control's items, so that search, sort and the
//! filters answer in milliseconds at a million items instead of scanning
//! `item_view` on every key (issue #19).
//!
//! The index holds only what never changes after campaign creation: the
//! texts the table searches and sorts, dictionary-encoded (a control of
//! 750,000 items has a few hundred thousand distinct names at most), and the
//! small columns the filters test. Decisions change while the reviewer
//! works, so they are not here: `data` checks them in SQL for the rows the
//! index selects. `load` builds an index from the workspace, `cache` builds
//! it on a worker thread while the reviewer reads the first page.

pub mod cache;
pub mod load;

use super::query::{Filter, KindFilter, Query, Sort};
use crate::model::{Delta, IdentityKind};

/// Distinct texts of one column, each stored once.
#[derive(Debug, Default)]
pub struct Dict {
    /// The texts, back to back.
    text: String,
    /// Where each text ends in `text`.
    ends: Vec<u32>,
    /// The same texts case-folded (`str::to_lowercase`), for search.
    folded: String,
    folded_ends: Vec<u32>,
    /// Each text's position in byte order (SQLite's BINARY collation).
    rank: Vec<u32>,
}

impl Dict {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, id: u32) -> &str {
        slice(&self.text, &self.ends, id)
    }

    fn folded(&self, id: u32) -> &str {
        slice(&self.folded, &self.folded_ends, id)
    }

    /// Which texts contain `needle` (already folded).
    fn containing(&self, needle: &str) -> Vec<bool> {
        ids(self.len())
            .map(|id| self.folded(id).contains(needle))
            .collect()
    }
}

/// Ids `0..len` of a dictionary or of rows (both are far below `u32::MAX`).
fn ids(len: usize) -> impl Iterator<Item = u32> {
    0..u32::try_from(len).unwrap_or(u32::MAX)
}

fn slice<'a>(text: &'a str, ends: &[u32], id: u32) -> &'a str {
    let id = id as usize;
    let start = if id == 0 { 0 } else { ends[id - 1] as usize };
    &text[start..ends[id] as usize]
}

/// Builds a [`Dict`] while rows are read: each distinct text gets an id.
///
/// The lookup table is open addressing over the ids themselves (4 bytes a
/// slot), comparing against the texts already stored, instead of a map
/// owning a second copy of every text: at a million rows that copy was the
/// larger part of the TUI's peak memory.
#[derive(Debug, Default)]
pub struct DictBuilder {
    /// `EMPTY` or an id; the length is a power of two, at most half full.
    slots: Vec<u32>,
    dict: Dict,
}

const EMPTY: u32 = u32::MAX;

impl DictBuilder {
    pub fn id(&mut self, text: &str) -> u32 {
        if self.slots.len() < 2 * (self.dict.ends.len() + 1) {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut slot = hash(text) & mask;
        loop {
            match self.slots[slot] {
                EMPTY => break,
                id if self.dict.get(id) == text => return id,
                _ => slot = (slot + 1) & mask,
            }
        }
        let id = u32::try_from(self.dict.ends.len()).unwrap_or(EMPTY - 1);
        self.dict.text.push_str(text);
        self.dict.ends.push(end(&self.dict.text));
        self.slots[slot] = id;
        id
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(64);
        self.slots = vec![EMPTY; size];
        let mask = size - 1;
        for id in ids(self.dict.ends.len()) {
            let mut slot = hash(self.dict.get(id)) & mask;
            while self.slots[slot] != EMPTY {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = id;
        }
    }

    pub fn finish(self) -> Dict {
        let mut dict = self.dict;
        dict.text.shrink_to_fit();
        dict.ends.shrink_to_fit();
        for id in ids(dict.ends.len()) {
            let folded = fold(slice(&dict.text, &dict.ends, id));
            dict.folded.push_str(&folded);
            dict.folded_ends.push(end(&dict.folded));
        }
        dict.folded.shrink_to_fit();
        let mut order: Vec<u32> = ids(dict.ends.len()).collect();
        order.sort_unstable_by(|a, b| dict.get(*a).cmp(dict.get(*b)));
        dict.rank = vec![0; order.len()];
        for (position, id) in ids(order.len()).zip(order) {
            dict.rank[id as usize] = position;
        }
        dict
    }
}

/// FNV-1a: fast on short keys. Keys come from imported exports; a file
/// crafted to collide could only slow down the index of its own control.
fn hash(text: &str) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    // The table's mask keeps the low bits; fold the high ones in.
    usize::try_from((hash ^ (hash >> 32)) & u64::from(u32::MAX)).unwrap_or(0)
}

fn end(text: &str) -> u32 {
    u32::try_from(text.len()).unwrap_or(u32::MAX)
}

/// How search compares text: Unicode lower case, so `ÅSA` finds `åsa`.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// One item as the index keeps it: 32 bytes, so a control of a million
/// items fits in well under the TUI's 64 MB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The item id less the control's first id.
    pub offset: u32,
    pub identity: u32,
    /// [`NO_NAME`]: the holder has no name.
    pub name: u32,
    pub account: u32,
    pub entitlement: u32,
    pub reviewer: u32,
    pub signals: u32,
    /// Systems are few (a control with more than 65,535 is refused).
    pub system: u16,
    /// `None`: an orphaned grant.
    pub kind: Option<IdentityKind>,
    pub delta: Option<Delta>,
}

/// A [`Row::name`] for a holder without a name.
pub const NO_NAME: u32 = u32::MAX;

/// One control's items in item-id order, with the dictionaries of their texts.
#[derive(Debug, Default)]
pub struct ControlIndex {
    /// The id of the control's first item; rows hold offsets from it.
    pub first_id: i64,
    pub rows: Vec<Row>,
    pub identities: Dict,
    pub names: Dict,
    pub accounts: Dict,
    pub systems: Dict,
    pub entitlements: Dict,
    pub reviewers: Dict,
}

/// The rows of a query, as positions in [`ControlIndex::rows`], in table
/// order, before the decision filter (which `data` applies).
pub type Selection = Vec<u32>;

impl ControlIndex {
    /// Which rows match the query's search and filters (all but the
    /// decision), in the query's order. `mine` are the `assigned_reviewer`
    /// values that name the reviewer.
    pub fn select(&self, query: &Query, mine: &[String]) -> Selection {
        let matcher = Matcher::new(self, query, mine);
        let selected: Selection = ids(self.rows.len())
            .filter(|position| matcher.matches(&self.rows[*position as usize]))
            .collect();
        let (dict, column): (&Dict, fn(&Row) -> u32) = match query.sort {
            Sort::Item => return selected,
            Sort::Identity => (&self.identities, |row| row.identity),
            Sort::System => (&self.systems, |row| u32::from(row.system)),
            Sort::Entitlement => (&self.entitlements, |row| row.entitlement),
        };
        let rank =
            |position: u32| dict.rank[column(&self.rows[position as usize]) as usize] as usize;
        counting_sort(&selected, dict.len(), rank)
    }

    /// The sort value of a row, as `query::Key` carries it.
    pub fn sort_value(&self, row: &Row, sort: Sort) -> Option<&str> {
        match sort {
            Sort::Item => None,
            Sort::Identity => Some(self.identities.get(row.identity)),
            Sort::System => Some(self.systems.get(u32::from(row.system))),
            Sort::Entitlement => Some(self.entitlements.get(row.entitlement)),
        }
    }

    /// The first position in `selection` at or after the key (value, id) in
    /// the query's order: keyset paging over a selection.
    pub fn position(&self, selection: &[u32], sort: Sort, value: Option<&str>, id: i64) -> usize {
        selection.partition_point(|position| {
            let row = &self.rows[*position as usize];
            match (self.sort_value(row, sort), value) {
                (Some(own), Some(value)) => (own, self.id(row)) < (value, id),
                _ => self.id(row) < id,
            }
        })
    }

    /// The item id of a row.
    pub fn id(&self, row: &Row) -> i64 {
        self.first_id + i64::from(row.offset)
    }

    /// The systems of the control, in name order (the filter menu's list).
    pub fn system_names(&self) -> Vec<String> {
        let mut used = vec![false; self.systems.len()];
        for row in &self.rows {
            used[usize::from(row.system)] = true;
        }
        let mut names: Vec<String> = ids(self.systems.len())
            .filter(|id| used[*id as usize])
            .map(|id| self.systems.get(id).to_owned())
            .collect();
        names.sort_unstable();
        names
    }

    /// Roughly how many bytes the index holds (for the benchmark's memory figure).
    pub fn heap_bytes(&self) -> usize {
        let dict = |d: &Dict| d.text.len() + d.folded.len() + 12 * d.len();
        self.rows.len() * std::mem::size_of::<Row>()
            + [
                &self.identities,
                &self.names,
                &self.accounts,
                &self.systems,
                &self.entitlements,
                &self.reviewers,
            ]
            .into_iter()
            .map(dict)
            .sum::<usize>()
    }
}

/// `positions` ordered by `rank` (each below `ranks`), stably: a counting
/// sort, linear in rows and distinct values, so sorting a million rows takes
/// a few milliseconds. Positions come in id order, so equal values keep
/// their ids ascending, as SQL's `ORDER BY value, item_id`.
fn counting_sort(positions: &[u32], ranks: usize, rank: impl Fn(u32) -> usize) -> Selection {
    let mut starts = vec![0_usize; ranks + 1];
    for position in positions {
        starts[rank(*position) + 1] += 1;
    }
    for value in 1..starts.len() {
        starts[value] += starts[value - 1];
    }
    let mut sorted = vec![0_u32; positions.len()];
    for position in positions {
        let slot = &mut starts[rank(*position)];
        sorted[*slot] = *position;
        *slot += 1;
    }
    sorted
}

/// A query's search and filters, resolved against the dictionaries once so
/// that testing a row is a few array reads.
struct Matcher<'a> {
    filter: &'a Filter,
    /// Per dictionary, which ids contain the search text; `None`: no search.
    search: Option<[Vec<bool>; 5]>,
    /// The wanted system's id; `u32::MAX` when the control has no such system.
    system: Option<u32>,
    mine: Vec<bool>,
}

impl<'a> Matcher<'a> {
    fn new(index: &ControlIndex, query: &'a Query, mine: &[String]) -> Matcher<'a> {
        let needle = fold(query.search.trim());
        let search = (!needle.is_empty()).then(|| {
            [
                index.identities.containing(&needle),
                index.names.containing(&needle),
                index.accounts.containing(&needle),
                index.systems.containing(&needle),
                index.entitlements.containing(&needle),
            ]
        });
        let system = query.filter.system.as_ref().map(|wanted| {
            ids(index.systems.len())
                .find(|id| index.systems.get(*id) == wanted)
                .unwrap_or(u32::MAX)
        });
        let mine = ids(index.reviewers.len())
            .map(|id| mine.iter().any(|key| key == index.reviewers.get(id)))
            .collect();
        Matcher {
            filter: &query.filter,
            search,
            system,
            mine,
        }
    }

    fn matches(&self, row: &Row) -> bool {
        let filter = self.filter;
        if let Some(signal) = filter.signal
            && row.signals & signal.bit() == 0
        {
            return false;
        }
        if let Some(system) = self.system
            && system != u32::from(row.system)
        {
            return false;
        }
        match filter.kind {
            Some(KindFilter::Kind(kind)) if row.kind != Some(kind) => return false,
            Some(KindFilter::Orphaned) if row.kind.is_some() => return false,
            _ => {}
        }
        if filter.delta.is_some() && row.delta != filter.delta {
            return false;
        }
        if filter.mine && !self.mine[row.reviewer as usize] {
            return false;
        }
        match &self.search {
            None => true,
            Some([identities, names, accounts, systems, entitlements]) => {
                identities[row.identity as usize]
                    || (row.name != NO_NAME && names[row.name as usize])
                    || accounts[row.account as usize]
                    || systems[usize::from(row.system)]
                    || entitlements[row.entitlement as usize]
            }
        }
    }
}

#[cfg(test)]
mod tests;
