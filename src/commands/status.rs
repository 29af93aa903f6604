//! `recert status`: a campaign's progress per control.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name (default: the only open campaign)
    pub campaign: Option<String>,
    /// Print JSON (PRODUCT.md §3)
    #[arg(long)]
    pub json: bool,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert status` is not available yet")
}
