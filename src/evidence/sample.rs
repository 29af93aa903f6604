//! A reproducible audit sample (PRODUCT.md §10), derived from the evidence
//! file's bytes alone so that `scripts/sample.py` re-derives it: every
//! item's stratum and rank come from cells of its evidence row, and the
//! default seed is the evidence's last row_hash, fixed at sign-off, so a
//! sample cannot be chosen after the fact. This module is the pure part
//! (strata, ranks, how the size is split); `sample/write.rs` adds each
//! sampled item's context from the workspace and writes the addendum.

pub mod write;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io::Read;

use sha2::{Digest, Sha256};

use super::format::{EvidenceFormat, Field};

/// How the items are split into strata before sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Per {
    /// One stratum per control (`control:5.16`).
    Control,
    /// One stratum per item's first signal in the canonical order
    /// (`signal:dormant`), and `signal:none` for items without one.
    Signal,
}

/// The stratum of an evidence row: `all` without `per`.
pub fn stratum(per: Option<Per>, control_id: &str, signals: &str) -> String {
    match per {
        None => "all".to_owned(),
        Some(Per::Control) => format!("control:{control_id}"),
        Some(Per::Signal) => {
            let first = signals.split(';').find(|s| !s.is_empty()).unwrap_or("none");
            format!("signal:{first}")
        }
    }
}

/// An item's rank in its stratum: the lowercase hex SHA-256 of the seed's
/// UTF-8 bytes followed directly by the item_id's (its decimal digits as
/// the evidence holds them), with nothing between.
pub fn rank(seed: &str, item_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(seed.as_bytes());
    hasher.update(item_id.as_bytes());
    hex::encode(hasher.finalize())
}

/// A seed an auditor can type and a spreadsheet cannot take for a
/// formula: printable, not empty, not starting with `=`, `+`, `-` or `@`.
pub fn check_seed(seed: &str) -> Result<(), String> {
    if seed.is_empty() {
        return Err("the seed is empty".to_owned());
    }
    if seed.chars().any(char::is_control) {
        return Err("the seed holds a control character".to_owned());
    }
    if seed.starts_with(['=', '+', '-', '@']) {
        return Err(
            "the seed starts with = + - or @, which a spreadsheet reads as a formula".to_owned(),
        );
    }
    Ok(())
}

/// How many items each stratum gives, for `size` in all. Strata are in the
/// order they first appear in the evidence. When `size` reaches the total,
/// everything is taken. Otherwise, when `size` is at least the number of
/// strata, each stratum first gets one item; the rest (or all of `size`,
/// when it is smaller) is split in proportion to the items each stratum
/// has left: each gets the whole part of its share, and the seats left go
/// one each to the largest remainders, the earlier stratum first on a tie.
pub fn allocate(sizes: &[u64], size: u64) -> Vec<u64> {
    let total: u64 = sizes.iter().sum();
    if size >= total {
        return sizes.to_vec();
    }
    let base: Vec<u64> = if size >= sizes.len() as u64 {
        sizes.iter().map(|&n| n.min(1)).collect()
    } else {
        vec![0; sizes.len()]
    };
    let left: Vec<u64> = sizes.iter().zip(&base).map(|(n, b)| n - b).collect();
    let left_total: u64 = left.iter().sum();
    let seats = size - base.iter().sum::<u64>();
    let mut out = base;
    if seats == 0 || left_total == 0 {
        return out;
    }
    // u128: size × items cannot overflow.
    let share = |n: u64| u128::from(seats) * u128::from(n);
    let mut given = 0;
    for (slot, &n) in out.iter_mut().zip(&left) {
        let whole = u64::try_from(share(n) / u128::from(left_total)).unwrap_or(u64::MAX);
        *slot += whole;
        given += whole;
    }
    let mut order: Vec<usize> = (0..left.len()).collect();
    order.sort_by_key(|&i| (Reverse(share(left[i]) % u128::from(left_total)), i));
    for &i in order
        .iter()
        .take(usize::try_from(seats - given).unwrap_or(usize::MAX))
    {
        out[i] += 1;
    }
    out
}

/// One sampled evidence row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub stratum: String,
    pub rank_hash: String,
    pub item_id: String,
    /// The row's format-2 cells, as the evidence holds them (a format-1
    /// row's missing cells empty).
    pub cells: Vec<String>,
    pub row_hash: String,
}

/// A sample: the strata with their sizes, and the rows picked, stratum by
/// stratum in order of first appearance, each by rank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub seed: String,
    pub strata: Vec<(String, u64)>,
    pub picked: Vec<Picked>,
    /// The evidence's last row_hash, to check against the seed's source.
    pub last_row_hash: String,
}

/// Reads evidence CSV (either format) and picks `size` items by `per`
/// under `seed`. Keeps at most `size` rows per stratum in memory.
pub fn derive<R: Read>(
    evidence: R,
    seed: &str,
    size: u64,
    per: Option<Per>,
) -> Result<Sample, String> {
    let mut reader = csv::ReaderBuilder::new().from_reader(evidence);
    let header = reader
        .headers()
        .map_err(|err| format!("reading the evidence header: {err}"))?
        .clone();
    let format = EvidenceFormat::from_header(&header.iter().collect::<Vec<_>>())
        .ok_or("the evidence header is neither format 1 nor format 2")?;
    let at = |field: Field| format.position(field).unwrap_or(0);
    let (control_at, item_at, signals_at) =
        (at(Field::ControlId), at(Field::ItemId), at(Field::Signals));
    let keep = usize::try_from(size).unwrap_or(usize::MAX);
    let mut strata: Vec<(String, u64)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // Per stratum, the `size` best-ranked rows so far (a max-heap by rank).
    let mut best: Vec<BinaryHeap<(String, Vec<String>)>> = Vec::new();
    let mut last_row_hash = crate::chain::GENESIS.to_owned();
    for record in reader.records() {
        let record = record.map_err(|err| format!("reading the evidence: {err}"))?;
        let cell = |at: usize| record.get(at).unwrap_or("");
        let name = stratum(per, cell(control_at), cell(signals_at));
        let slot = *index.entry(name.clone()).or_insert_with(|| {
            strata.push((name, 0));
            best.push(BinaryHeap::new());
            strata.len() - 1
        });
        strata[slot].1 += 1;
        let rank_hash = rank(seed, cell(item_at));
        let heap = &mut best[slot];
        if heap.len() < keep || heap.peek().is_some_and(|(worst, _)| rank_hash < *worst) {
            heap.push((rank_hash, record.iter().map(str::to_owned).collect()));
            if heap.len() > keep {
                heap.pop();
            }
        }
        cell(format.row_hash()).clone_into(&mut last_row_hash);
    }
    let sizes: Vec<u64> = strata.iter().map(|(_, n)| *n).collect();
    let shares = allocate(&sizes, size);
    let mut picked = Vec::new();
    for (((name, _), heap), share) in strata.iter().zip(best).zip(shares) {
        let rows = heap.into_sorted_vec();
        for (rank_hash, row) in rows.into_iter().take(usize::try_from(share).unwrap_or(0)) {
            let cells = EvidenceFormat::Two
                .fields()
                .iter()
                .map(|field| {
                    format
                        .position(*field)
                        .map_or_else(String::new, |at| row[at].clone())
                })
                .collect();
            picked.push(Picked {
                stratum: name.clone(),
                rank_hash,
                item_id: row[item_at].clone(),
                cells,
                row_hash: row[format.row_hash()].clone(),
            });
        }
    }
    Ok(Sample {
        seed: seed.to_owned(),
        strata,
        picked,
        last_row_hash,
    })
}

#[cfg(test)]
#[path = "sample_tests.rs"]
mod tests;
