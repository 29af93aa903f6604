//! `recert signoff`: sign off a fully decided campaign and lock it.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// Who signs off [default: the OS user]
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
    /// The sign-off statement
    #[arg(long, value_name = "TEXT")]
    pub statement: Option<String>,
    /// Secret key to sign the evidence with
    #[arg(long, value_name = "FILE")]
    pub key: Option<std::path::PathBuf>,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert signoff` is not available yet")
}
