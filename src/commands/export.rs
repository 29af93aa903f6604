//! `recert export`: evidence, the revocation work list or the decision history.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// Where to write the CSV
    #[arg(short, long, value_name = "FILE")]
    pub output: std::path::PathBuf,
    /// Secret key to sign a signed-off campaign's evidence with
    #[arg(long, value_name = "FILE")]
    pub key: Option<std::path::PathBuf>,
    /// Write the revocation work list for the provisioning team
    #[arg(long, conflicts_with = "history")]
    pub revocations: bool,
    /// Write every decision event in order
    #[arg(long)]
    pub history: bool,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert export` is not available yet")
}
