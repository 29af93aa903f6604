//! `recert status`: a campaign's progress per control.

use std::fmt::Write;

use color_eyre::eyre::Result;
use serde_json::{Map, Value, json};

use super::Context;
use crate::campaign::{Campaign, ControlProgress, campaign_progress, find_campaign_or_only_open};
use crate::output;
use crate::text::for_display;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name (default: the only open campaign)
    pub campaign: Option<String>,
    /// Print JSON (PRODUCT.md §3)
    #[arg(long)]
    pub json: bool,
    /// Only the items assigned to this reviewer (identity_id or email)
    #[arg(long, value_name = "R")]
    pub reviewer: Option<String>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let workspace = context.open_workspace()?;
    let campaign = find_campaign_or_only_open(&workspace.conn, args.campaign.as_deref())?;
    let progress = campaign_progress(&workspace.conn, &campaign, args.reviewer.as_deref())?;
    if args.json {
        output::print_json(&to_json(&campaign, &progress))?;
    } else {
        output::print(&render(&campaign, &progress))?;
    }
    Ok(())
}

struct Totals {
    total: u64,
    decided: u64,
    certified: u64,
    revoked: u64,
}

fn totals(progress: &[ControlProgress]) -> Totals {
    Totals {
        total: progress.iter().map(|p| p.total).sum(),
        decided: progress.iter().map(|p| p.decided).sum(),
        certified: progress.iter().map(|p| p.certified).sum(),
        revoked: progress.iter().map(|p| p.revoked).sum(),
    }
}

/// The JSON of PRODUCT.md §3, plus as_of, due, undecided and signal counts.
pub fn to_json(campaign: &Campaign, progress: &[ControlProgress]) -> Value {
    let totals = totals(progress);
    let controls: Vec<Value> = progress
        .iter()
        .map(|p| {
            let signals: Map<String, Value> = p
                .signals
                .iter()
                .map(|(signal, count)| (signal.as_str().to_owned(), json!(count)))
                .collect();
            json!({
                "id": p.control_id,
                "title": p.title,
                "total": p.total,
                "decided": p.decided,
                "certified": p.certified,
                "revoked": p.revoked,
                "undecided": p.undecided(),
                "signals": signals,
            })
        })
        .collect();
    json!({
        "campaign": {
            "id": campaign.id,
            "name": campaign.name,
            "period": campaign.period,
            "state": campaign.state.as_str(),
            "as_of": campaign.as_of,
            "due": campaign.due,
        },
        "total": totals.total,
        "decided": totals.decided,
        "certified": totals.certified,
        "revoked": totals.revoked,
        "undecided": totals.total - totals.decided,
        "controls": controls,
    })
}

/// A table with one row per control and a total row.
pub fn render(campaign: &Campaign, progress: &[ControlProgress]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Campaign {} \"{}\"{}, as of {}{}: {}",
        campaign.id,
        for_display(&campaign.name),
        campaign
            .period
            .as_deref()
            .map(|p| format!(" ({})", for_display(p)))
            .unwrap_or_default(),
        campaign.as_of,
        campaign
            .due
            .as_deref()
            .map(|d| format!(", due {d}"))
            .unwrap_or_default(),
        campaign.state.as_str().replace('_', " "),
    );
    let width = progress
        .iter()
        .map(|p| p.title.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let _ = writeln!(
        out,
        "{:<7}  {:<width$}  {:>7}  {:>7}  {:>9}  {:>7}  SIGNALS",
        "CONTROL", "TITLE", "ITEMS", "DECIDED", "CERTIFIED", "REVOKED"
    );
    for p in progress {
        let signals: Vec<String> = p
            .signals
            .iter()
            .map(|(signal, count)| format!("{signal} {count}"))
            .collect();
        let _ = writeln!(
            out,
            "{:<7}  {:<width$}  {:>7}  {:>7}  {:>9}  {:>7}  {}",
            p.control_id,
            p.title,
            p.total,
            p.decided,
            p.certified,
            p.revoked,
            signals.join(", ")
        );
    }
    let t = totals(progress);
    let _ = writeln!(
        out,
        "{:<7}  {:<width$}  {:>7}  {:>7}  {:>9}  {:>7}",
        "TOTAL", "", t.total, t.decided, t.certified, t.revoked
    );
    let undecided = t.total - t.decided;
    if undecided == 0 && t.total > 0 {
        let _ = writeln!(out, "Every item is decided.");
    } else {
        let _ = writeln!(out, "{undecided} of {} items undecided.", t.total);
    }
    out
}
