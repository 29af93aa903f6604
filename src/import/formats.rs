//! The registry of file formats recert reads, detected from the header.

use super::batch::Batch;
use super::canonical;
use super::source::{CsvFile, Header};

/// A readable file layout: how to recognise it and how to read it.
pub struct Format {
    /// The name for `--format` and `recert formats`.
    pub name: &'static str,
    pub title: &'static str,
    pub detect: fn(&Header) -> bool,
    /// Reads every row into the batch and returns how many data rows the
    /// file had; `date_formats` are extra date layouts.
    pub read: fn(&CsvFile, &mut Batch<'_>, &[String]) -> u64,
}

/// Every known format, most specific first: the canonical layouts match
/// loosely, so vendor formats are tried before them.
pub const FORMATS: &[Format] = &[
    canonical::ENTITLEMENTS,
    canonical::SYSTEMS,
    canonical::IDENTITIES,
];

pub fn by_name(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

pub fn detect(header: &Header) -> Option<&'static Format> {
    FORMATS.iter().find(|f| (f.detect)(header))
}

/// The message for a header no format recognises.
pub fn unknown_header_help() -> String {
    let names: Vec<&str> = FORMATS.iter().map(|f| f.name).collect();
    format!(
        "the header matches no known format ({}); name one with --format NAME, or describe the columns in a mapping file and pass --mapping FILE (see `recert formats` and the README)",
        names.join(", ")
    )
}
