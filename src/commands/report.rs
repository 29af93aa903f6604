//! `recert report`: a self-contained HTML report of a campaign.

use std::path::PathBuf;

use chrono::Utc;
use color_eyre::eyre::Result;

use super::Context;
use crate::campaign::find_campaign;
use crate::evidence::report::{gather, write_report};
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// Where to write the HTML page
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// The evidence file handed over, to print its SHA-256 (checked to be
    /// this campaign's evidence) [default: hash the evidence recert exports]
    #[arg(long, value_name = "FILE")]
    pub evidence: Option<PathBuf>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let ws = context.open_workspace()?;
    let campaign = find_campaign(&ws.conn, &args.campaign)?;
    let report = gather(&ws.conn, &campaign, args.evidence.as_deref(), Utc::now())?;
    write_report(&report, &args.output)?;
    crate::output::print(&format!(
        "wrote {}: campaign {} ({}), {}, evidence SHA-256 {}\n",
        crate::output::shown(&args.output),
        campaign.id,
        for_display(&campaign.name),
        count(report.total(), "item"),
        report.evidence_sha256
    ))?;
    Ok(())
}
