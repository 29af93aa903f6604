//! recert: interactive access recertification over a local SQLite workspace.
//!
//! Import exports of identities and grants, freeze them into a campaign of
//! review items per ISO/IEC 27002 control, decide each item in the TUI or
//! from the CLI, and export signed-off evidence an auditor can verify.

pub mod actor;
pub mod campaign;
pub mod cli;
pub mod commands;
pub mod evidence;
pub mod glob;
pub mod identity;
pub mod import;
pub mod integrity;
pub mod locking;
pub mod model;
pub mod private;
#[cfg(test)]
mod test_support;
pub mod text;
pub mod tui;
pub mod workspace;
