//! recert: interactive access recertification over a local SQLite workspace.
//!
//! Import exports of identities and grants, freeze them into a campaign of
//! review items per ISO/IEC 27002 control, decide each item in the TUI or
//! from the CLI, and export signed-off evidence an auditor can verify.
//!
//! # Module map
//!
//! A command flows from the outside in: `main.rs` parses [`cli`] and hands
//! it to [`commands`], one file per subcommand, which open the [`workspace`]
//! and call the modules below. Nothing below `commands` prints.
//!
//! | module | its one job |
//! |---|---|
//! | [`model`] | domain types (kinds, statuses, grant types, decisions, signals, dates), no I/O |
//! | [`workspace`] | the SQLite file: location, permissions, pragmas, forward-only migrations |
//! | [`import`] | reading exports (canonical, vendor formats, mapping files) into snapshots, all or nothing |
//! | [`holders`] | which identity holds a grant (id, e-mail, login) |
//! | [`campaign`] | controls and rules, building items with signals and reviewers, lookup, listing, progress, decisions |
//! | [`chain`] | the hash chain of decision events and evidence rows |
//! | [`evidence`] | the evidence CSV, sign-off, signatures, verification, revocations, history, report |
//! | [`remediation`] | following each revocation until a later export shows the grant gone |
//! | [`packet`] | review packets: one reviewer's items in a file of their own, sealed and merged back |
//! | [`integrity`] | re-checking the workspace's decision log and counts (`recert verify` without FILE) |
//! | [`tui`] | the review TUI: state and pure `update`, view, effects, the terminal shell |
//! | [`actor`] | who acts: reviewer, OS user and host recorded with every change |
//! | [`reviewers`] | known reviewers: names resolved to persons or registered reviewers, own-access keys |
//! | [`locking`] | the busy-workspace message, and an error's causes each named once |
//! | [`private`] | refusing files others may read or write (secret keys, the workspace) |
//! | [`text`] | untrusted text made safe for terminals and spreadsheets |

pub mod actor;
pub mod campaign;
pub mod chain;
pub mod cli;
pub mod commands;
pub mod evidence;
pub mod glob;
pub mod identity;
pub mod import;
pub mod integrity;
pub mod locking;
pub mod model;
pub mod output;
pub mod packet;
pub mod private;
pub mod remediation;
pub mod reviewers;
#[cfg(test)]
mod test_support;
pub mod text;
pub mod tui;
pub mod workspace;
