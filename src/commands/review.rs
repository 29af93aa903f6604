//! `recert review`: the review TUI.

use std::io::IsTerminal;

use color_eyre::eyre::{Result, bail};

use super::Context;
use crate::campaign::find_campaign;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name (default: the only open campaign, else a picker)
    pub campaign: Option<String>,
    /// Who reviews: an identity_id, e-mail or registered reviewer [default: the OS user]
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!(
            "`recert review` needs an interactive terminal; to decide from scripts use `recert decide`"
        );
    }
    let mut workspace = context.open_workspace()?;
    let campaign = match &args.campaign {
        Some(key) => find_campaign(&workspace.conn, key)?,
        None => match crate::tui::choose_campaign(&workspace.conn)? {
            Some(campaign) => campaign,
            None => return Ok(()),
        },
    };
    let actor =
        super::reviewer::known_actor(&workspace.conn, Some(&campaign), args.reviewer.as_deref())?;
    crate::tui::review(&mut workspace.conn, campaign, &actor)
}
