//! `recert campaign create|list`: freeze review items from the current snapshots.

use std::fmt::Write;

use chrono::NaiveDate;
use color_eyre::eyre::Result;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use super::Context;
use super::table::{self, Column, TERMINAL_WIDTH};
use crate::actor::Actor;
use crate::campaign::baseline::BaselineChoice;
use crate::campaign::{
    Campaign, CampaignSpec, Catalog, Frozen, campaign_progress, create_campaign_reporting,
    list_campaigns,
};
use crate::model::{Delta, IdentityKind};
use crate::output;
use crate::text::for_display;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Freeze the grants in scope into a new campaign; prints its id
    Create(Box<CreateArgs>),
    /// List campaigns
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// A unique name, e.g. "2026-Q4 access review"
    #[arg(long)]
    pub name: String,
    /// The review period, e.g. 2026-Q4
    #[arg(long)]
    pub period: Option<String>,
    /// Due date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub due: Option<NaiveDate>,
    /// The date signals are computed as of [default: today]
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub as_of: Option<NaiveDate>,
    /// Only these controls, comma-separated, e.g. 5.16,5.17,5.18,8.2
    #[arg(long, value_delimiter = ',', value_name = "IDS", value_parser = control)]
    pub controls: Vec<String>,
    /// Only grants on this system (repeatable)
    #[arg(long = "system", value_name = "S")]
    pub systems: Vec<String>,
    /// Only identities of this kind (repeatable)
    #[arg(long = "kind", value_name = "K", ignore_case = true)]
    pub kinds: Vec<IdentityKind>,
    /// Reviewer for items with no manager, owner or system owner [default: your OS user]
    #[arg(long, value_name = "R")]
    pub default_reviewer: Option<String>,
    /// A rules file to use instead of the built-in rules
    #[arg(long, value_name = "FILE")]
    pub rules: Option<std::path::PathBuf>,
    /// The signed-off campaign to compare with (id or exact name), or `none` [default: the latest signed-off campaign]
    #[arg(long, value_name = "CAMPAIGN|none")]
    pub baseline: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Show the as-of dates and whole names instead of fitting 80 columns
    #[arg(long, conflicts_with = "json")]
    pub wide: bool,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    match command {
        Command::Create(args) => create(context, &args),
        Command::List(args) => list(context, &args),
    }
}

fn create(context: &Context, args: &CreateArgs) -> Result<()> {
    let spec = CampaignSpec {
        name: args.name.clone(),
        period: args.period.clone(),
        due: args.due,
        as_of: args.as_of,
        controls: args.controls.clone(),
        systems: args.systems.clone(),
        kinds: args.kinds.clone(),
        default_reviewer: args.default_reviewer.clone(),
        rules: args.rules.clone(),
        baseline: args
            .baseline
            .as_deref()
            .map_or(BaselineChoice::Latest, BaselineChoice::parse),
    };
    let mut workspace = context.create_workspace()?;
    let actor = Actor::current(None);
    let (id, frozen) =
        create_campaign_reporting(&mut workspace.conn, &spec, &actor, chrono::Utc::now())?;
    // Only the id on stdout, so scripts can capture it; the rest on stderr.
    output::print(&format!("{id}\n"))?;
    if let Some(baseline) = baseline_note(&frozen) {
        output::note(&baseline);
    }
    if let Some(peers) = peers_note(&frozen, id) {
        output::note(&peers);
    }
    if let Some(share) = default_share(
        &frozen,
        spec.default_reviewer.as_deref().unwrap_or(&actor.reviewer),
    ) {
        output::note(&share);
    }
    Ok(())
}

/// How the items compare with the baseline, e.g. `compared with campaign 1
/// (2026-Q3): 1,300 unchanged (1,100 recommended to certify as then), 20
/// changed, 150 new, 5 regranted`.
fn baseline_note(frozen: &Frozen) -> Option<String> {
    let (id, name) = frozen.baseline.as_ref()?;
    let parts: Vec<String> = Delta::ALL
        .iter()
        .zip(frozen.deltas)
        .map(|(delta, n)| match delta {
            Delta::Unchanged => format!(
                "{n} unchanged ({} recommended to certify as decided then)",
                frozen.carried_over
            ),
            other => format!("{n} {other}"),
        })
        .collect();
    Some(format!(
        "compared with campaign {id} ({}): {}",
        for_display(name),
        parts.join(", ")
    ))
}

/// What the toxic-combination and outlier rules found, when they found
/// anything: `found 1 toxic combination (recert items 4 --signal
/// sod-conflict) and 12 outliers`.
fn peers_note(frozen: &Frozen, id: i64) -> Option<String> {
    let mut parts = Vec::new();
    if frozen.conflicts > 0 {
        parts.push(format!(
            "{} (recert items {id} --signal sod-conflict)",
            crate::text::count(frozen.conflicts, "toxic combination")
        ));
    }
    if frozen.outliers > 0 {
        parts.push(crate::text::count(frozen.outliers, "outlier"));
    }
    (!parts.is_empty()).then(|| format!("found {}", parts.join(" and ")))
}

/// What fell to the default reviewer and why, when anything did:
/// `312 of 1475 items (21%) went to the default reviewer iam-team: ...`,
/// naming some of their holders.
fn default_share(frozen: &Frozen, default_reviewer: &str) -> Option<String> {
    if frozen.to_default == 0 {
        return None;
    }
    let percent = frozen.to_default * 100 / frozen.created.max(1);
    let shown: Vec<String> = frozen
        .default_holders
        .iter()
        .take(5)
        .map(|h| for_display(h).into_owned())
        .collect();
    let more = frozen.default_holders.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(format!(
        "{} of {} ({percent}%) went to the default reviewer {}: no active manager, owner or system owner that recert knows reviews them. Holders: {}{more}. Import the HR export, add manager_id or owner_id, or link their accounts (recert links --unlinked).",
        frozen.to_default,
        crate::text::count(frozen.created, "item"),
        for_display(default_reviewer.trim()),
        shown.join(", ")
    ))
}

/// Parses a YYYY-MM-DD option value for clap, which refuses anything else
/// as a usage error (exit 2) naming the option.
pub fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "not a date; write it as YYYY-MM-DD, e.g. 2026-11-30".to_owned())
}

/// Checks a control id option value against the built-in catalog for clap.
pub fn control(text: &str) -> Result<String, String> {
    let catalog = Catalog::builtin();
    let id = text.trim();
    match catalog.get(id) {
        Some(_) => Ok(id.to_owned()),
        None => Err(format!(
            "not a control in the catalog; controls: {} (recert controls lists them)",
            catalog.ids()
        )),
    }
}

fn list(context: &Context, args: &ListArgs) -> Result<()> {
    let workspace = context.open_workspace()?;
    let campaigns = list_campaigns(&workspace.conn)?;
    let mut rows = Vec::with_capacity(campaigns.len());
    for campaign in &campaigns {
        let progress = campaign_progress(&workspace.conn, campaign, None)?;
        let total: u64 = progress.iter().map(|p| p.total).sum();
        let decided: u64 = progress.iter().map(|p| p.decided).sum();
        rows.push((campaign, total, decided));
    }
    if args.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(c, total, decided)| {
                json!({
                    "id": c.id,
                    "name": c.name,
                    "period": c.period,
                    "as_of": c.as_of,
                    "due": c.due,
                    "state": c.state.as_str(),
                    "default_reviewer": c.default_reviewer,
                    "created_at": c.created_at,
                    "created_by": c.created_by,
                    "total": total,
                    "decided": decided,
                })
            })
            .collect();
        output::print_json(&list)?;
    } else if rows.is_empty() {
        output::print("No campaigns yet; create one with `recert campaign create --name NAME`.\n")?;
    } else {
        output::print(&render_list(&rows, args.wide))?;
    }
    Ok(())
}

/// One row per campaign, fitting 80 columns (names cut with `…`); `wide`
/// adds the as-of date and never cuts a name.
fn render_list(rows: &[(&Campaign, u64, u64)], wide: bool) -> String {
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|(campaign, total, decided)| {
            [
                campaign.id.to_string(),
                campaign.name.clone(),
                campaign.period.clone().unwrap_or_else(|| "-".to_owned()),
                campaign.as_of.clone(),
                campaign.due.clone().unwrap_or_else(|| "-".to_owned()),
                campaign.state.as_str().to_owned(),
                format!("{decided}/{total}"),
            ]
        })
        .collect();
    let widest = |index: usize, header: &str| {
        cells
            .iter()
            .map(|row| for_display(&row[index]).width())
            .chain([header.len()])
            .max()
            .unwrap_or(0)
    };
    let mut columns = vec![
        Column::right("ID", widest(0, "ID")),
        Column::left("NAME", widest(1, "NAME")),
        Column::left("PERIOD", widest(2, "PERIOD")),
        Column::left("AS OF", 10),
        Column::left("DUE", 10),
        Column::left("STATE", 10),
        Column::right("DECIDED", widest(6, "DECIDED")),
    ];
    let mut shown: Vec<usize> = (0..columns.len()).collect();
    if !wide {
        columns.remove(3);
        shown.remove(3);
        let others = table::width(&columns) - columns[1].width;
        columns[1].width = columns[1]
            .width
            .min(TERMINAL_WIDTH.saturating_sub(others))
            .max(4);
    }
    let mut out = String::new();
    let _ = writeln!(out, "{}", table::header(&columns));
    for row in &cells {
        let row: Vec<&str> = shown.iter().map(|&i| row[i].as_str()).collect();
        let _ = writeln!(out, "{}", table::row(&columns, &row));
    }
    out
}
