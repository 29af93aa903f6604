//! `recert demo`: a sample workspace and campaign, then the review TUI.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert demo` is not available yet")
}
