//! `recert report`: a self-contained HTML report of a campaign.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// Where to write the HTML page
    #[arg(short, long, value_name = "FILE")]
    pub output: std::path::PathBuf,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert report` is not available yet")
}
