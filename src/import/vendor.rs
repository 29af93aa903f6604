//! Readers for the exports reviewers actually hold, one file per vendor.
//!
//! Each reader cites the vendor source of its header beside the code, with
//! FORMATS.md's confidence where the header is not confirmed word for word.
//! Columns are found by name (case, spaces and punctuation ignored) so a
//! variant that renames or reorders columns still reads.

pub mod aws;
pub mod azure;
pub mod entra;
pub mod entra_history;
pub mod fields;
pub mod github;
pub mod google;
pub mod okta;

#[cfg(test)]
mod reader_tests;
#[cfg(test)]
pub mod testing;
