//! `recert export`: evidence, the revocation work list or the decision history.

use std::path::PathBuf;

use color_eyre::eyre::Result;

use super::Context;
use crate::campaign::find_campaign;
use crate::evidence::keys::load_secret_key;
use crate::evidence::publish::publish;
use crate::evidence::sign::signature_path;
use crate::evidence::{history, revocations};
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// Where to write the CSV
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Secret key to sign a signed-off campaign's evidence with (writes FILE.minisig)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["revocations", "history"])]
    pub key: Option<PathBuf>,
    /// Write the revocation work list for the provisioning team
    #[arg(long, conflicts_with = "history")]
    pub revocations: bool,
    /// Write every decision event in order
    #[arg(long)]
    pub history: bool,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let ws = context.open_workspace()?;
    let campaign = find_campaign(&ws.conn, &args.campaign)?;
    let name = for_display(&campaign.name);
    if args.revocations {
        let rows = revocations::export_file(&ws.conn, &campaign, &args.output)?;
        println!(
            "wrote {}: {} of campaign {} ({name})",
            args.output.display(),
            count(rows, "revocation"),
            campaign.id
        );
        return Ok(());
    }
    if args.history {
        let rows = history::export_file(&ws.conn, &campaign, &args.output)?;
        println!(
            "wrote {}: {} of campaign {} ({name})",
            args.output.display(),
            count(rows, "decision event"),
            campaign.id
        );
        return Ok(());
    }
    // Load (and unlock) the key first: a wrong password writes nothing.
    let key = args.key.as_deref().map(load_secret_key).transpose()?;
    let published = publish(&ws.conn, &campaign, &args.output, key.as_ref())?;
    let summary = &published.summary;
    println!(
        "wrote {}: {} of campaign {} ({name}): {} certified, {} revoked, {} undecided; last row_hash {}",
        args.output.display(),
        count(summary.rows, "row"),
        campaign.id,
        summary.certified,
        summary.revoked,
        summary.undecided,
        summary.last_hash
    );
    match (&published.signoff, &published.signature) {
        (None, _) => eprintln!(
            "recert: note: campaign {} is not signed off: this is draft evidence and it is not signed ({} undecided)",
            campaign.id, summary.undecided
        ),
        (Some(_), None) => eprintln!(
            "recert: note: the campaign is signed off but no --key was given: the evidence is not signed"
        ),
        (Some(_), Some(signature)) => println!("signed: {}", signature.display()),
    }
    let stale = signature_path(&args.output);
    if published.signature.is_none() && stale.exists() {
        eprintln!(
            "recert: note: {} from an earlier signed export is still next to this unsigned file; it only verifies if the bytes are unchanged",
            stale.display()
        );
    }
    if let Some(recorded) = &published.drifted_from {
        eprintln!(
            "recert: warning: the sign-off recorded a final row_hash of {recorded}, but the evidence now ends with {}: the workspace was changed outside recert",
            summary.last_hash
        );
    }
    Ok(())
}
