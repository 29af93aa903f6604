//! Checking an evidence file or an addendum without the workspace: the
//! header, every row's place in the hash chain, and the minisign signature
//! with its trusted comment. Reports the first row that does not match. An
//! addendum's chain starts from the evidence's last row_hash, which
//! [`Verification::first_prev_hash`] gives for checking against it.

use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use color_eyre::eyre::{Result, WrapErr};
use minisign::PublicKey;

use super::format::{Addendum, EvidenceFormat, Field};
use super::sign::signature_path;
use crate::chain::{self, GENESIS};
use crate::text::neutralise_formula;

/// Something wrong with the file; `line` is the CSV line where the bad row starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<u64>,
    pub item_id: Option<String>,
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.item_id) {
            (Some(line), Some(item)) => write!(f, "line {line} (item_id {item}): {}", self.what),
            (Some(line), None) => write!(f, "line {line}: {}", self.what),
            _ => f.write_str(&self.what),
        }
    }
}

/// What happened to the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// No `FILE.minisig` next to the file.
    Absent,
    /// A `.minisig` exists but no public key was given to check it; its
    /// trusted comment, when recert's, was compared with the file's end.
    NotChecked,
    /// Checked and good; the trusted comment it carries.
    Good(String),
    /// Checked and bad (the reason is among the problems).
    Bad,
}

/// The outcome of checking one evidence file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The layout the header names; `None` when the header is neither.
    pub format: Option<EvidenceFormat>,
    /// The addendum the header names instead (then `format` is `None`).
    pub addendum: Option<Addendum>,
    /// An addendum's first `prev_hash`: the last row_hash of the evidence
    /// it continues (`None` without rows, or for evidence).
    pub first_prev_hash: Option<String>,
    pub rows: u64,
    pub campaign_id: Option<String>,
    pub campaign_name: Option<String>,
    pub last_hash: String,
    pub last_line: Option<u64>,
    pub last_item: Option<String>,
    pub signature: Signature,
    pub problems: Vec<Problem>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks `file` and, when `pubkey` is given, `FILE.minisig` with it.
pub fn verify_file(file: &Path, pubkey: Option<&PublicKey>) -> Result<Verification> {
    let reader = File::open(file).wrap_err_with(|| format!("opening {}", file.display()))?;
    let mut result = check_chain(BufReader::with_capacity(256 * 1024, reader));
    let sig_path = signature_path(file);
    let signature = if sig_path.exists() {
        Some(
            std::fs::read_to_string(&sig_path)
                .wrap_err_with(|| format!("reading {}", sig_path.display()))?,
        )
    } else {
        None
    };
    result.signature = match (signature, pubkey) {
        (None, None) => Signature::Absent,
        (None, Some(_)) => {
            result.problems.push(problem(format!(
                "no signature {} next to the file, but a public key was given: the signature was removed, or the file was never signed",
                sig_path.display()
            )));
            Signature::Bad
        }
        (Some(text), None) => signature::without_key(&sig_path, &text, &mut result),
        (Some(text), Some(public)) => {
            signature::with_key(public, file, &sig_path, &text, &mut result)
        }
    };
    Ok(result)
}

fn problem(what: String) -> Problem {
    Problem {
        line: None,
        item_id: None,
        what,
    }
}

/// Re-computes the chain row by row and records the first bad row.
pub fn check_chain<R: std::io::Read>(reader: R) -> Verification {
    let mut result = Verification {
        format: None,
        addendum: None,
        first_prev_hash: None,
        rows: 0,
        campaign_id: None,
        campaign_name: None,
        last_hash: GENESIS.to_owned(),
        last_line: None,
        last_item: None,
        signature: Signature::Absent,
        problems: Vec::new(),
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    let mut header_seen = false;
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                let line = err.position().map(csv::Position::line);
                result.problems.push(Problem {
                    line,
                    item_id: None,
                    what: format!("not readable as CSV: {err}"),
                });
                return result;
            }
        }
        let line = record.position().map_or(0, csv::Position::line);
        if !header_seen {
            header_seen = true;
            match header_format(&record) {
                Ok(Layout::Evidence(format)) => result.format = Some(format),
                Ok(Layout::Addendum(addendum)) => result.addendum = Some(addendum),
                Err(what) => {
                    result.problems.push(Problem {
                        line: Some(line),
                        item_id: None,
                        what,
                    });
                    return result;
                }
            }
            continue;
        }
        let layout = match (result.format, result.addendum) {
            (Some(format), _) => Layout::Evidence(format),
            (None, Some(addendum)) => Layout::Addendum(addendum),
            (None, None) => break,
        };
        let item_id = layout
            .item_id()
            .and_then(|at| record.get(at))
            .map(str::to_owned);
        if let Some(what) = row_problem(layout, &record, &mut result) {
            result.problems.push(Problem {
                line: Some(line),
                item_id,
                what,
            });
            return result;
        }
        result.rows += 1;
        result.last_line = Some(line);
        result.last_item = item_id;
    }
    if !header_seen {
        result.problems.push(problem(
            "the file is empty: an evidence file starts with its header row".to_owned(),
        ));
    }
    result
}

/// What a file's rows are: evidence of one format, or an addendum.
#[derive(Debug, Clone, Copy)]
enum Layout {
    Evidence(EvidenceFormat),
    Addendum(Addendum),
}

impl Layout {
    fn columns(self) -> Vec<&'static str> {
        match self {
            Layout::Evidence(format) => format.columns(),
            Layout::Addendum(addendum) => addendum.columns(),
        }
    }

    /// The cells a row's hash covers, before `prev_hash`.
    fn hashed_cells(self) -> usize {
        match self {
            Layout::Evidence(format) => format.hashed_cells(),
            Layout::Addendum(addendum) => addendum.fields().len(),
        }
    }

    fn item_id(self) -> Option<usize> {
        match self {
            Layout::Evidence(format) => format.position(Field::ItemId),
            Layout::Addendum(addendum) => addendum.position("item_id"),
        }
    }

    /// Where the campaign's id is: every layout has it.
    fn campaign_id(self) -> usize {
        match self {
            Layout::Evidence(format) => format.position(Field::CampaignId),
            Layout::Addendum(addendum) => addendum.position(Field::CampaignId.name()),
        }
        .unwrap_or(0)
    }

    /// Where the campaign's name is, if the layout has it (the remediation
    /// addendum names only its id).
    fn campaign_name(self) -> Option<usize> {
        match self {
            Layout::Evidence(format) => format.position(Field::CampaignName),
            Layout::Addendum(addendum) => addendum.position(Field::CampaignName.name()),
        }
    }
}

/// The evidence format or addendum the header names, or what differs from
/// the closest evidence format.
fn header_format(record: &csv::StringRecord) -> Result<Layout, String> {
    let names: Vec<&str> = record.iter().collect();
    if let Some(format) = EvidenceFormat::from_header(&names) {
        return Ok(Layout::Evidence(format));
    }
    if let Some(addendum) = Addendum::from_header(&names) {
        return Ok(Layout::Addendum(addendum));
    }
    let closest = EvidenceFormat::closest(&names);
    let columns = closest.columns();
    let label = format!(
        "the header is not an evidence header (closest: format {})",
        closest.number()
    );
    for (index, expected) in columns.iter().enumerate() {
        match record.get(index) {
            Some(found) if found == *expected => {}
            Some(found) => {
                return Err(format!(
                    "{label}: column {} is {found:?}, expected {expected:?}",
                    index + 1
                ));
            }
            None => {
                return Err(format!(
                    "{label}: it has {} columns, expected {} ending with {expected:?}",
                    record.len(),
                    columns.len()
                ));
            }
        }
    }
    Err(format!(
        "{label}: it has {} columns, expected {}",
        record.len(),
        columns.len()
    ))
}

/// Checks one data row against the chain so far; on success advances it.
fn row_problem(
    layout: Layout,
    record: &csv::StringRecord,
    result: &mut Verification,
) -> Option<String> {
    let columns = layout.columns();
    if record.len() != columns.len() {
        return Some(format!(
            "the row has {} cells, expected {}",
            record.len(),
            columns.len()
        ));
    }
    // recert refuses U+001F in everything it hashes; a cell holding it is
    // where cells could have been re-split without changing the row_hash.
    if let Some(index) = record.iter().position(|cell| cell.contains('\u{1f}')) {
        return Some(format!(
            "column {} ({}) holds the control character U+001F, which recert never writes: the cells around it may have been re-split",
            index + 1,
            columns[index]
        ));
    }
    let campaign = &record[layout.campaign_id()];
    match &result.campaign_id {
        None => {
            result.campaign_id = Some(campaign.to_owned());
            result.campaign_name = layout
                .campaign_name()
                .and_then(|at| record.get(at))
                .map(str::to_owned);
        }
        Some(first) if first != campaign => {
            return Some(format!(
                "campaign_id is {campaign:?} but the file's first row is campaign {first:?}: rows from another export were mixed in"
            ));
        }
        Some(_) => {}
    }
    let hashed = layout.hashed_cells();
    let prev = &record[hashed];
    if result.rows == 0 && matches!(layout, Layout::Addendum(_)) {
        // An addendum continues the evidence's chain: its start is checked
        // against the evidence (`--evidence`) and its signature's comment.
        prev.clone_into(&mut result.last_hash);
        result.first_prev_hash = Some(prev.to_owned());
    }
    let own = chain::link(prev, record.iter().take(hashed));
    let stated = &record[hashed + 1];
    let continues = prev == result.last_hash;
    let consistent = own == stated;
    let what = match (continues, consistent) {
        (true, true) => {
            result.last_hash = own;
            return None;
        }
        (true, false) if stripped_apostrophes(hashed, record, prev, stated) => {
            "row_hash matches only once the formula-like cells get back their leading ': a spreadsheet probably re-saved the file and stripped them (no value changed otherwise); use the file as exported".to_owned()
        }
        (true, false) => {
            "row_hash does not match the row's cells: a cell of this row was changed".to_owned()
        }
        (false, true) => format!(
            "prev_hash does not continue the chain (expected {}): a row was deleted, inserted or moved at this point",
            result.last_hash
        ),
        (false, false) => format!(
            "neither prev_hash (expected {}) nor row_hash match: this row was inserted or changed",
            result.last_hash
        ),
    };
    Some(what)
}

/// Whether the row is intact except that a spreadsheet removed the `'`
/// recert puts before formula-like cells.
fn stripped_apostrophes(
    hashed: usize,
    record: &csv::StringRecord,
    prev: &str,
    stated: &str,
) -> bool {
    let cells: Vec<_> = record.iter().take(hashed).collect();
    if !cells
        .iter()
        .any(|cell| neutralise_formula(cell).len() != cell.len())
    {
        return false;
    }
    chain::link(
        prev,
        cells
            .into_iter()
            .map(|cell| neutralise_formula(cell).into_owned()),
    ) == stated
}

#[path = "verify_signature.rs"]
mod signature;

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
