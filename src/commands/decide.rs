//! `recert decide`: certify, revoke or undo items from the command line.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// Item ids to decide
    #[arg(required = true, value_name = "ITEM_ID")]
    pub items: Vec<i64>,
    /// Keep the access
    #[arg(long, group = "action")]
    pub certify: bool,
    /// Remove the access
    #[arg(long, group = "action")]
    pub revoke: bool,
    /// Withdraw the current decision
    #[arg(long, group = "action")]
    pub undo: bool,
    /// Why; required for revokes and for certifying risk-flagged items
    #[arg(long, value_name = "TEXT")]
    pub justification: Option<String>,
    /// Who decides [default: the OS user]
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert decide` is not available yet")
}
