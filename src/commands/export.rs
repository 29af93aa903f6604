//! `recert export`: evidence, the revocation work list or the decision history.

use std::path::PathBuf;

use color_eyre::eyre::Result;

use super::Context;
use crate::campaign::{Campaign, find_campaign};
use crate::evidence::addendum::export_remediation;
use crate::evidence::keys::load_secret_key;
use crate::evidence::publish::publish;
use crate::evidence::sign::signature_path;
use crate::evidence::{history, revocations};
use crate::output;
use crate::text::{count, for_display};
use crate::workspace::Workspace;

#[derive(Debug, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // one per kind of export
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
    #[arg(long, conflicts_with_all = ["history", "remediation"])]
    pub revocations: bool,
    /// Write the remediation addendum of a signed-off campaign (chained after its evidence; signed with --key)
    #[arg(long, conflicts_with = "history")]
    pub remediation: bool,
    /// Write every decision event in order
    #[arg(long)]
    pub history: bool,
    /// Write the packets addendum: each merged review packet (reviewer, key id, SHA-256, items, decisions, merged at), chained after the evidence
    #[arg(long, conflicts_with_all = ["history", "remediation", "revocations", "key"])]
    pub packets: bool,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let mut ws = context.open_workspace()?;
    let campaign = find_campaign(&ws.conn, &args.campaign)?;
    let name = for_display(&campaign.name);
    let file = output::shown(&args.output);
    if args.remediation {
        return remediation(&mut ws, &campaign, args);
    }
    if args.packets {
        let key = args.key.as_deref().map(load_secret_key).transpose()?;
        let written = crate::evidence::addendum::export_packets(
            &ws.conn,
            &campaign,
            &args.output,
            key.as_ref(),
            chrono::Utc::now(),
        )?;
        output::print(&format!(
            "wrote {file}: {} of campaign {} ({name}); first prev_hash {} (the evidence's last row_hash), last row_hash {}\n",
            count(written.rows, "merged packet"),
            campaign.id,
            written.evidence_last_hash,
            written.last_hash
        ))?;
        match &written.signature {
            Some(signature) => output::print(&format!("signed: {}\n", output::shown(signature)))?,
            None => output::note("note: no --key was given: the addendum is not signed"),
        }
        return Ok(());
    }
    if args.revocations {
        let rows = revocations::export_file(&ws.conn, &campaign, &args.output)?;
        output::print(&format!(
            "wrote {file}: {} of campaign {} ({name})\n",
            count(rows, "revocation"),
            campaign.id
        ))?;
        return Ok(());
    }
    if args.history {
        let rows = history::export_file(&ws.conn, &campaign, &args.output)?;
        output::print(&format!(
            "wrote {file}: {} of campaign {} ({name})\n",
            count(rows, "decision event"),
            campaign.id
        ))?;
        return Ok(());
    }
    // Load (and unlock) the key first: a wrong password writes nothing.
    let key = args.key.as_deref().map(load_secret_key).transpose()?;
    let published = publish(
        &ws.conn,
        &campaign,
        &args.output,
        key.as_ref(),
        chrono::Utc::now(),
    )?;
    let summary = &published.summary;
    output::print(&format!(
        "wrote {file}: {} of campaign {} ({name}): {} certified, {} revoked, {} undecided; last row_hash {}\n",
        count(summary.rows, "row"),
        campaign.id,
        summary.certified,
        summary.revoked,
        summary.undecided,
        summary.last_hash
    ))?;
    match (&published.signoff, &published.signature) {
        (None, _) => output::note(&format!(
            "note: campaign {} is not signed off: this is draft evidence and it is not signed ({} undecided)",
            campaign.id, summary.undecided
        )),
        (Some(_), None) => output::note(
            "note: the campaign is signed off but no --key was given: the evidence is not signed",
        ),
        (Some(_), Some(signature)) => {
            output::print(&format!("signed: {}\n", output::shown(signature)))?;
            if published.sealed_now {
                output::print(&format!(
                    "signed the sign-off record of campaign {} with this key too (it was signed off without one); `recert verify --pubkey` checks it\n",
                    campaign.id
                ))?;
            }
        }
    }
    warn_stale(args, published.signature.is_some());
    if let Some(recorded) = &published.drifted_from {
        output::note(&format!(
            "warning: the sign-off recorded a final row_hash of {recorded}, but the evidence now ends with {}: the workspace was changed outside recert",
            summary.last_hash
        ));
    }
    Ok(())
}

/// A `.minisig` of an earlier signed export left next to an unsigned file.
fn warn_stale(args: &Args, signed: bool) {
    let stale = signature_path(&args.output);
    if !signed && stale.exists() {
        output::note(&format!(
            "note: {} from an earlier signed export is still next to this unsigned file; it only verifies if the bytes are unchanged",
            output::shown(&stale)
        ));
    }
}

/// `export --remediation`: the chained addendum of a signed-off campaign.
fn remediation(ws: &mut Workspace, campaign: &Campaign, args: &Args) -> Result<()> {
    let key = args.key.as_deref().map(load_secret_key).transpose()?;
    let now = chrono::Utc::now();
    // Exports imported since the last look are checked first.
    crate::remediation::refresh_now(&mut ws.conn, now.date_naive())?;
    let (written, counts) =
        export_remediation(&ws.conn, campaign, &args.output, key.as_ref(), now)?;
    output::print(&format!(
        "wrote {}: {} of campaign {} ({}): {}; first prev_hash {} (the evidence's last row_hash), last row_hash {}\n",
        output::shown(&args.output),
        count(written.rows, "revocation"),
        campaign.id,
        for_display(&campaign.name),
        super::remediation::summary(&counts, None),
        written.evidence_last_hash,
        written.last_hash
    ))?;
    match &written.signature {
        Some(signature) => output::print(&format!("signed: {}\n", output::shown(signature)))?,
        None => output::note("note: no --key was given: the addendum is not signed"),
    }
    warn_stale(args, written.signature.is_some());
    Ok(())
}
