//! `recert campaign create|list`: freeze review items from the current snapshots.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Freeze the grants in scope into a new campaign; prints its id
    Create(Box<CreateArgs>),
    /// List campaigns
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// A unique name, e.g. "2026-Q4 access review"
    #[arg(long)]
    pub name: String,
    /// The review period, e.g. 2026-Q4
    #[arg(long)]
    pub period: Option<String>,
    /// Due date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// The date signals are computed as of [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only these controls, comma-separated, e.g. 5.16,5.17,5.18,8.2
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub controls: Vec<String>,
    /// Only grants on this system (repeatable)
    #[arg(long = "system", value_name = "S")]
    pub systems: Vec<String>,
    /// Only identities of this kind (repeatable)
    #[arg(long = "kind", value_name = "K")]
    pub kinds: Vec<String>,
    /// Reviewer for items with no manager, owner or system owner
    #[arg(long, value_name = "R")]
    pub default_reviewer: Option<String>,
    /// A rules file to use instead of the built-in rules
    #[arg(long, value_name = "FILE")]
    pub rules: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(_context: &Context, _command: Command) -> Result<()> {
    bail!("`recert campaign` is not available yet")
}
