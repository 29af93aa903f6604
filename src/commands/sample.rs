//! `recert sample CAMPAIGN --size N [--per control|signal] [--seed TEXT]
//! [-o FILE [--key KEY]]`: a reproducible audit sample of a signed-off
//! campaign (PRODUCT.md §10), listed, or written as a chained addendum.

use std::fmt::Write as _;
use std::path::PathBuf;

use color_eyre::eyre::Result;

use super::Context;
use super::table::{self, Column};
use crate::campaign::find_campaign;
use crate::evidence::format::{EvidenceFormat, Field};
use crate::evidence::keys::load_secret_key;
use crate::evidence::sample::write::{Request, export_sample, sample_campaign};
use crate::evidence::sample::{Per, Sample};
use crate::output;
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name (signed off)
    pub campaign: String,
    /// How many items in all, split across the strata (README "Handing evidence to the auditor")
    #[arg(long, value_name = "N")]
    pub size: u64,
    /// Sample each control, or each item's first signal, as a stratum of its own
    #[arg(long, value_enum)]
    pub per: Option<Per>,
    /// Rank items with this text instead of the evidence's last row_hash
    #[arg(long, value_name = "TEXT")]
    pub seed: Option<String>,
    /// Write the sample addendum (chained after the evidence) to FILE
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Secret key to sign the addendum with (writes FILE.minisig)
    #[arg(long, value_name = "FILE", requires = "output")]
    pub key: Option<PathBuf>,
}

const COLUMNS: [Column; 6] = [
    Column::left("STRATUM", 18),
    Column::right("ITEM", 7),
    Column::left("RANK", 8),
    Column::left("DECISION", 8),
    Column::left("IDENTITY", 12),
    Column::left("SYSTEM:ENTITLEMENT", 17),
];

pub fn run(context: &Context, args: &Args) -> Result<()> {
    // Load (and unlock) the key first: a wrong password writes nothing.
    let key = args.key.as_deref().map(load_secret_key).transpose()?;
    let ws = context.open_workspace()?;
    let campaign = find_campaign(&ws.conn, &args.campaign)?;
    let request = Request {
        size: args.size,
        per: args.per,
        seed: args.seed.clone(),
    };
    let sample = sample_campaign(&ws.conn, &campaign, &request)?;
    let head = format!(
        "{} of campaign {} ({}) in {}, seed {}{}",
        count(sample.picked.len() as u64, "item"),
        campaign.id,
        for_display(&campaign.name),
        strata(sample.strata.len()),
        for_display(&sample.seed),
        if args.seed.is_none() {
            " (the evidence's last row_hash)"
        } else {
            ""
        }
    );
    let Some(path) = &args.output else {
        return output::print(&listing(&head, &sample)).map_err(Into::into);
    };
    let written = export_sample(
        &ws.conn,
        &campaign,
        &sample,
        path,
        key.as_ref(),
        chrono::Utc::now(),
    )?;
    output::print(&format!(
        "wrote {}: {head}; first prev_hash {} (the evidence's last row_hash), last row_hash {}\n",
        output::shown(path),
        written.evidence_last_hash,
        written.last_hash
    ))?;
    match &written.signature {
        Some(signature) => output::print(&format!("signed: {}\n", output::shown(signature)))?,
        None => output::note("note: no --key was given: the addendum is not signed"),
    }
    Ok(())
}

/// The sample as a table, stratum by stratum.
fn listing(head: &str, sample: &Sample) -> String {
    let mut out = format!("{head}\n");
    for (name, size) in &sample.strata {
        let taken = sample.picked.iter().filter(|p| &p.stratum == name).count();
        let _ = writeln!(out, "  {}: {taken} of {size}", for_display(name));
    }
    let _ = writeln!(out, "{}", table::header(&COLUMNS));
    let cell = |picked: &crate::evidence::sample::Picked, field: Field| {
        EvidenceFormat::Two
            .position(field)
            .and_then(|at| picked.cells.get(at))
            .cloned()
            .unwrap_or_default()
    };
    for picked in &sample.picked {
        let _ = writeln!(
            out,
            "{}",
            table::row(
                &COLUMNS,
                &[
                    picked.stratum.clone(),
                    picked.item_id.clone(),
                    picked.rank_hash[..8].to_owned(),
                    cell(picked, Field::Decision),
                    cell(picked, Field::IdentityId),
                    format!(
                        "{}:{}",
                        cell(picked, Field::System),
                        cell(picked, Field::Entitlement)
                    ),
                ],
            )
        );
    }
    out
}

fn strata(n: usize) -> String {
    if n == 1 {
        "1 stratum".to_owned()
    } else {
        format!("{n} strata")
    }
}
