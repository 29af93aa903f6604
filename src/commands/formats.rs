//! `recert formats`: list the file formats import recognises.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the formats as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert formats` is not available yet")
}
