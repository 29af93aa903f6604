//! The command line: global options and one subcommand per job (PRODUCT.md §3).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands;

/// What `recert --version` prints after the name: the release and the commit
/// it was built from (build.rs; "unknown" outside a git checkout), so a
/// binary found on a jump host can be traced back to its source.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("RECERT_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "recert",
    version = VERSION,
    about = "Access recertification in the terminal: import exports, review every grant per control, sign off evidence.",
    propagate_version = true
)]
pub struct Cli {
    /// The workspace file [default: the platform data directory, e.g. ~/.local/share/recert/workspace.db]
    #[arg(long, global = true, env = "RECERT_WORKSPACE", value_name = "PATH")]
    pub workspace: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import identities, entitlements or systems exports (one transaction)
    Import(commands::import::Args),
    /// List the file formats import recognises
    Formats(commands::formats::Args),
    /// Write a mapping file for an export no format recognises
    #[command(subcommand)]
    Mapping(commands::mapping::Command),
    /// List the control catalog with its crosswalks
    Controls(commands::controls::Args),
    /// Create and list campaigns
    #[command(subcommand)]
    Campaign(commands::campaign::Command),
    /// Show a campaign's progress per control
    Status(commands::status::Args),
    /// List a campaign's review items
    Items(commands::items::Args),
    /// Certify, revoke or undo items from the command line
    Decide(commands::decide::Args),
    /// Review a campaign in the terminal UI
    Review(commands::review::Args),
    /// Sign off a fully decided campaign and lock it
    Signoff(commands::signoff::Args),
    /// Export evidence, the revocation work list or the decision history
    Export(commands::export::Args),
    /// Check an evidence file's hash chain and signature
    Verify(commands::verify::Args),
    /// Create a minisign key pair for signing evidence
    Keygen(commands::keygen::Args),
    /// Write a self-contained HTML report of a campaign
    Report(commands::report::Args),
    /// Create a sample workspace and campaign, then open the review
    Demo(commands::demo::Args),
    /// Print a shell completion script (bash, zsh or fish)
    Completions(commands::completions::Args),
    /// Print the manual page (roff; view with `man -l`)
    Man(commands::man::Args),
    /// Link an account to a person by hand (beats every rule)
    Link(commands::links::LinkArgs),
    /// Separate an account from the person a rule linked it to
    Unlink(commands::links::UnlinkArgs),
    /// List accounts with their person and link basis, and suggestions for unlinked ones
    Links(commands::links::LinksArgs),
    /// Show or set the workspace's default rules (thresholds, signals, controls, correlation)
    #[command(subcommand)]
    Rules(commands::rules::Command),
    /// Register reviewers who are not in the imported identities, and list them
    #[command(subcommand)]
    Reviewer(commands::reviewer::Command),
    /// Hand items to another reviewer (appended to the decision history)
    Reassign(commands::reassign::Args),
    /// Write one plain-text reminder per reviewer with work left
    Remind(commands::remind::Args),
    /// Decide every item still open at the deadline (decision basis close-out)
    Close(commands::close::Args),
    /// Show whether a signed-off campaign's revocations were carried out
    Remediation(commands::remediation::Args),
    /// List time-boxed certifications, soonest end first
    Exceptions(commands::exceptions::Args),
    /// Draw a reproducible audit sample of a signed-off campaign
    Sample(commands::sample::Args),
    /// Write the evidence pack of a signed-off campaign for its auditor
    Pack(commands::pack::Args),
    /// Review packets for reviewers on other machines: create, seal, merge, list
    #[command(subcommand)]
    Packet(commands::packet::Command),
}
