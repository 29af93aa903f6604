//! `recert packet create|seal|merge|list`: review packets for reviewers on
//! other machines (PRODUCT.md §9), and opening a packet for the commands
//! that take `--packet FILE`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::Utc;
use color_eyre::eyre::{Result, bail};

use super::Context;
use super::table::{self, Column};
use crate::actor::Actor;
use crate::campaign::{Campaign, find_campaign};
use crate::evidence::keys::load_secret_key;
use crate::output;
use crate::packet::merge::{Outcome, Prefer};
use crate::packet::{PacketInfo, info};
use crate::text::{count, for_display};
use crate::workspace::Workspace;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write one reviewer's items of a campaign to a packet file (0600) for another machine
    Create {
        /// Campaign id or exact name
        campaign: String,
        /// The reviewer the packet is for: an identity_id, e-mail or registered reviewer
        #[arg(long, value_name = "R")]
        reviewer: String,
        /// Where to write the packet (must not exist)
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Sign a packet's decisions with the reviewer's own key; it takes no more decisions after
    Seal {
        /// The packet file
        file: PathBuf,
        /// The reviewer's minisign secret key (recert keygen)
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
    },
    /// Check returned packets and append their decisions to the workspace
    Merge {
        /// The sealed packet files
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Settle conflicting items: keep the packet's decisions or the workspace's
        #[arg(long, value_enum, value_name = "SIDE")]
        prefer: Option<Prefer>,
    },
    /// Show which packets of a campaign are out and which came back
    List {
        /// Campaign id or exact name
        campaign: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

pub fn run(context: &Context, command: &Command) -> Result<()> {
    match command {
        Command::Create {
            campaign,
            reviewer,
            output,
        } => create(context, campaign, reviewer, output),
        Command::Seal { file, key } => seal(file, key),
        Command::Merge { files, prefer } => merge(context, files, *prefer),
        Command::List { campaign, json } => list(context, campaign, *json),
    }
}

fn create(context: &Context, campaign: &str, reviewer: &str, path: &Path) -> Result<()> {
    let mut workspace = context.open_workspace()?;
    // Copying a large share of a campaign reads it as a bulk decision does.
    workspace.use_bulk_cache()?;
    workspace.map_for_reads()?;
    let campaign = find_campaign(&workspace.conn, campaign)?;
    let known = crate::reviewers::resolve(&workspace.conn, Some(&campaign), reviewer)?;
    if let Some(note) = known.note() {
        output::note(&note);
    }
    let actor = Actor::current(None);
    let issued = crate::packet::create::create(
        &mut workspace,
        &campaign,
        &known.name,
        path,
        &actor,
        Utc::now(),
    )?;
    let file = output::shown(path);
    let mut text = format!(
        "wrote {file}: packet {} of campaign {} ({}) for {}: {} ({} decided already)\n",
        issued.id,
        campaign.id,
        for_display(&campaign.name),
        for_display(&known.label()),
        count(issued.items, "item"),
        issued.decided
    );
    let _ = writeln!(
        text,
        "the reviewer opens it with `recert review {file}`, seals it with `recert packet seal {file} --key recert.key` and returns it; merge it with `recert packet merge {file}`"
    );
    if crate::reviewers::registry::find(&workspace.conn, &issued.reviewer)?
        .and_then(|r| r.key_id)
        .is_none()
    {
        let _ = writeln!(
            text,
            "note: no public key is registered for {} yet; before merging, register it: recert reviewer add {} --pubkey THEIR.pub",
            for_display(&issued.reviewer),
            crate::text::shell_word(&issued.reviewer)
        );
    }
    output::print(&text)?;
    Ok(())
}

fn seal(file: &Path, key: &Path) -> Result<()> {
    // Load (and unlock) the key first: a wrong password changes nothing.
    let key = load_secret_key(key)?;
    let mut packet = Workspace::open_packet(file)?;
    let sealed = crate::packet::seal::seal(&mut packet, &key, Utc::now())?;
    output::print(&format!(
        "sealed {}: {} signed with key {}; it takes no more decisions. Return it to the campaign owner (scp, or removable media)\n",
        output::shown(file),
        count(sealed.events as u64, "decision event"),
        sealed.key_id
    ))?;
    Ok(())
}

fn merge(context: &Context, files: &[PathBuf], prefer: Option<Prefer>) -> Result<()> {
    let mut workspace = context.open_workspace()?;
    // A merge checks and appends as a bulk decision does.
    workspace.use_bulk_cache()?;
    workspace.map_for_reads()?;
    let actor = Actor::current(None);
    let mut failed = 0;
    for file in files {
        let shown = output::shown(file);
        match crate::packet::merge::merge(&mut workspace, file, prefer, &actor, Utc::now()) {
            Ok(Outcome::Merged(merged)) => {
                let mut text = format!(
                    "merged {shown}: packet {} of campaign {} by {}: {} on {} (key {}, SHA-256 {})\n",
                    merged.packet,
                    merged.campaign,
                    for_display(&merged.reviewer),
                    count(merged.decisions, "decision event"),
                    count(merged.items, "item"),
                    merged.key_id,
                    merged.sha256
                );
                if merged.conflicts > 0 {
                    let _ = writeln!(
                        text,
                        "{} settled in favour of the {}{}",
                        count(merged.conflicts, "conflicting item"),
                        prefer.map_or("packet", Prefer::as_str),
                        if merged.skipped > 0 {
                            format!(
                                " ({} of the packet left out)",
                                count(merged.skipped, "decision event")
                            )
                        } else {
                            String::new()
                        }
                    );
                }
                output::print(&text)?;
            }
            Ok(Outcome::AlreadyMerged { packet, merged_at }) => {
                output::print(&format!(
                    "{shown}: packet {packet} was already merged at {merged_at}; nothing changed\n"
                ))?;
            }
            Ok(Outcome::Conflicts { packet, conflicts }) => {
                failed += 1;
                let mut text = format!(
                    "{shown}: packet {packet} conflicts with the workspace on {}; nothing of it was merged:\n",
                    count(conflicts.len(), "item")
                );
                for conflict in conflicts.iter().take(50) {
                    let _ = writeln!(text, "  item {}: {}", conflict.item, conflict.why);
                }
                if conflicts.len() > 50 {
                    let _ = writeln!(text, "  … and {} more", conflicts.len() - 50);
                }
                let _ = writeln!(
                    text,
                    "merge it again with --prefer packet (its decisions go on top) or --prefer workspace (its decisions on these items are left out)"
                );
                output::note(text.trim_end());
            }
            Err(err) => {
                failed += 1;
                output::report_error(&err);
            }
        }
    }
    if failed > 0 {
        bail!(
            "{} of {} not merged (see above)",
            count(failed, "packet"),
            files.len()
        );
    }
    Ok(())
}

const LIST_COLUMNS: [Column; 6] = [
    Column::right("PACKET", 6),
    Column::left("REVIEWER", 16),
    Column::right("ITEMS", 7),
    Column::left("STATE", 8),
    Column::left("ISSUED", 10),
    Column::left("RETURNED", 24),
];

fn list(context: &Context, campaign: &str, json: bool) -> Result<()> {
    let workspace = context.open_workspace()?;
    let campaign = find_campaign(&workspace.conn, campaign)?;
    let packets = crate::packet::list::issued(&workspace.conn, campaign.id)?;
    if json {
        output::print_json(&packets)?;
        return Ok(());
    }
    if packets.is_empty() {
        output::print(&format!(
            "campaign {} ({}) has issued no packets; write one with `recert packet create {} --reviewer R -o FILE`\n",
            campaign.id,
            for_display(&campaign.name),
            campaign.id
        ))?;
        return Ok(());
    }
    let mut text = table::header(&LIST_COLUMNS);
    text.push('\n');
    for packet in &packets {
        let returned = packet.merged.as_ref().map_or_else(String::new, |m| {
            format!(
                "{} ({})",
                &m.merged_at[..m.merged_at.len().min(10)],
                count(m.decisions, "decision")
            )
        });
        let row = [
            packet.id.to_string(),
            packet.reviewer.clone(),
            packet.items.to_string(),
            packet.state.to_owned(),
            packet.issued_at[..packet.issued_at.len().min(10)].to_owned(),
            returned,
        ];
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        text.push_str(&table::row(&LIST_COLUMNS, &cells));
        text.push('\n');
    }
    let out = packets.iter().filter(|p| p.merged.is_none()).count();
    let _ = writeln!(
        text,
        "{} out, {} returned",
        count(out, "packet"),
        packets.len() - out
    );
    output::print(&text)?;
    Ok(())
}

/// A packet opened for `--packet FILE`: the file, its one campaign and its record.
pub struct OpenPacket {
    pub workspace: Workspace,
    pub campaign: Campaign,
    pub info: PacketInfo,
}

/// Opens the packet at `path` for reading or deciding.
pub fn open(path: &Path) -> Result<OpenPacket> {
    let workspace = Workspace::open_packet(path)?;
    let info = info::require(&workspace.conn)?;
    let campaign = find_campaign(&workspace.conn, &info.campaign_id.to_string())?;
    Ok(OpenPacket {
        workspace,
        campaign,
        info,
    })
}

/// The actor deciding in a packet: its reviewer, whatever the OS user is
/// called on this machine. A `--reviewer` (or `RECERT_REVIEWER`) naming
/// someone else is refused: a packet is one reviewer's.
pub fn actor(packet: &OpenPacket, reviewer: Option<&str>) -> Result<Actor> {
    if let Some(given) = reviewer {
        let known =
            crate::reviewers::resolve(&packet.workspace.conn, Some(&packet.campaign), given)
                .ok()
                .map(|k| k.name);
        if known.as_deref() != Some(packet.info.reviewer.as_str()) {
            bail!(
                "this packet is {}'s; only they decide in it, but the reviewer given is {:?} (--reviewer or RECERT_REVIEWER)",
                for_display(&packet.info.reviewer),
                for_display(given)
            );
        }
    }
    Ok(Actor::current(Some(&packet.info.reviewer)))
}
