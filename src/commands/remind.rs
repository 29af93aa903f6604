//! `recert remind CAMPAIGN -o DIR`: one plain-text reminder per reviewer
//! with work left, written for the user to hand over (no network).

use std::fmt::Write as _;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;

use chrono::Local;
use color_eyre::eyre::{Result, WrapErr};

use super::Context;
use crate::campaign::find_campaign;
use crate::campaign::reminders::reminders;
use crate::evidence::atomic::FilesInDirectory;
use crate::output;
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// The directory to write the reminders to (created if missing)
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let workspace = context.open_workspace()?;
    let campaign = find_campaign(&workspace.conn, &args.campaign)?;
    let explicit = context
        .explicit_workspace()
        .map(|path| path.display().to_string());
    let notes = reminders(
        &workspace.conn,
        &campaign,
        Local::now().date_naive(),
        explicit.as_deref(),
    )?;
    if notes.is_empty() {
        output::print(&format!(
            "Every reviewer of campaign {} ({}) is done: no reminder written.\n",
            campaign.id,
            for_display(&campaign.name)
        ))?;
        return Ok(());
    }
    // The reminders name people and their access: a private directory.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&args.output)
        .wrap_err_with(|| format!("creating {}", args.output.display()))?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Wrote {} to {} (hand them over; recert sends nothing):",
        count(notes.len(), "reminder"),
        output::shown(&args.output)
    );
    let mut files =
        FilesInDirectory::start(&args.output, notes.iter().map(|n| n.file_name.as_str()));
    for note in &notes {
        files
            .write(&note.file_name, note.text.as_bytes())
            .wrap_err_with(|| format!("writing {}", args.output.join(&note.file_name).display()))?;
        let unknown = if note.known {
            ""
        } else {
            " (not a known reviewer: register or reassign)"
        };
        let _ = writeln!(
            out,
            "  {}  {}: {} left{unknown}",
            for_display(&note.file_name),
            for_display(&note.label),
            count(note.left, "item")
        );
    }
    files
        .finish()
        .wrap_err_with(|| format!("writing the reminders to {}", args.output.display()))?;
    output::print(&out)?;
    Ok(())
}
