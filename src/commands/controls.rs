//! `recert controls`: list the control catalog and its crosswalks.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the catalog as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert controls` is not available yet")
}
