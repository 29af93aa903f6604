//! `recert review`: the review TUI.

use std::io::IsTerminal;

use color_eyre::eyre::{Result, bail};

use super::Context;
use crate::campaign::find_campaign;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name (default: the only open campaign, else a picker), or a review packet file
    pub campaign: Option<String>,
    /// Review a packet file instead of a workspace campaign
    #[arg(long, value_name = "FILE", conflicts_with = "campaign")]
    pub packet: Option<std::path::PathBuf>,
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
    let packet = args.packet.clone().or_else(|| {
        // `recert review FILE`: a file that holds a packet, not a campaign name.
        args.campaign
            .as_deref()
            .map(std::path::PathBuf::from)
            .filter(|path| path.is_file() && is_packet_file(path))
    });
    if let Some(path) = packet {
        let packet = super::packet::open(&path)?;
        let actor = super::packet::actor(&packet, args.reviewer.as_deref())?;
        let mut workspace = packet.workspace;
        return crate::tui::review(&mut workspace.conn, packet.campaign, &actor);
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

/// Whether `path` starts like an SQLite file: a campaign is never named
/// by a path to one.
fn is_packet_file(path: &std::path::Path) -> bool {
    use std::io::Read as _;
    let mut head = [0_u8; 16];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0")
}
