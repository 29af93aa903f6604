//! `recert review`: the review TUI.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name (default: the only open campaign, else a picker)
    pub campaign: Option<String>,
    /// Who reviews [default: the OS user]
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert review` is not available yet")
}
