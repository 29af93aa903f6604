//! `recert items`: list a campaign's review items.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// Only items under this control, e.g. 5.17
    #[arg(long, value_name = "ID")]
    pub control: Option<String>,
    /// Only items without a decision
    #[arg(long)]
    pub undecided: bool,
    /// Print a JSON array
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV
    #[arg(long)]
    pub csv: bool,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert items` is not available yet")
}
