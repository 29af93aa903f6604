//! `recert campaign create|list`: freeze review items from the current snapshots.

use std::fmt::Write;

use chrono::NaiveDate;
use color_eyre::eyre::{Result, bail};
use serde_json::json;

use super::Context;
use crate::actor::Actor;
use crate::campaign::{
    Campaign, CampaignSpec, Frozen, campaign_progress, create_campaign_reporting, list_campaigns,
};
use crate::model::IdentityKind;
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
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// The date signals are computed as of [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only these controls, comma-separated, e.g. 5.16,5.17,5.18,8.2
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub controls: Vec<String>,
    /// Only grants on this system (repeatable)
    #[arg(long = "system", value_name = "S")]
    pub systems: Vec<String>,
    /// Only identities of this kind (repeatable)
    #[arg(long = "kind", value_name = "K")]
    pub kinds: Vec<String>,
    /// Reviewer for items with no manager, owner or system owner [default: your OS user]
    #[arg(long, value_name = "R")]
    pub default_reviewer: Option<String>,
    /// A rules file to use instead of the built-in rules
    #[arg(long, value_name = "FILE")]
    pub rules: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
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
        due: args.due.as_deref().map(|d| date("--due", d)).transpose()?,
        as_of: args
            .as_of
            .as_deref()
            .map(|d| date("--as-of", d))
            .transpose()?,
        controls: args.controls.clone(),
        systems: args.systems.clone(),
        kinds: args
            .kinds
            .iter()
            .map(|k| kind(k))
            .collect::<Result<Vec<_>>>()?,
        default_reviewer: args.default_reviewer.clone(),
        rules: args.rules.clone(),
    };
    let mut workspace = context.open_workspace()?;
    let actor = Actor::current(None);
    let (id, frozen) =
        create_campaign_reporting(&mut workspace.conn, &spec, &actor, chrono::Utc::now())?;
    // Only the id on stdout, so scripts can capture it; the rest on stderr.
    println!("{id}");
    if let Some(share) = default_share(&frozen, spec.default_reviewer.as_deref().unwrap_or(&actor.reviewer)) {
        eprintln!("{share}");
    }
    Ok(())
}

/// What fell to the default reviewer and why, when anything did:
/// `312 of 1475 items (21%) went to the default reviewer iam-team: their
/// holders have no manager or owner that recert knows (E0101 Ann A, ...)`.
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
        "{} of {} items ({percent}%) went to the default reviewer {}: no active manager, owner or system owner that recert knows reviews them. Holders: {}{more}. Import the HR export, add manager_id or owner_id, or link their accounts (recert links --unlinked).",
        frozen.to_default,
        frozen.created,
        for_display(default_reviewer.trim()),
        shown.join(", ")
    ))
}

/// Parses a YYYY-MM-DD option value.
pub fn date(option: &str, text: &str) -> Result<NaiveDate> {
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(date) => Ok(date),
        Err(_) => bail!("{option} {text:?} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-30"),
    }
}

fn kind(text: &str) -> Result<IdentityKind> {
    match IdentityKind::parse(text) {
        Some(kind) => Ok(kind),
        None => bail!(
            "--kind {text:?} is not an identity kind; expected one of {}",
            IdentityKind::expected()
        ),
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
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else if rows.is_empty() {
        println!("No campaigns yet; create one with `recert campaign create --name NAME`.");
    } else {
        print!("{}", render_list(&rows));
    }
    Ok(())
}

fn render_list(rows: &[(&Campaign, u64, u64)]) -> String {
    let width = rows
        .iter()
        .map(|(c, ..)| for_display(&c.name).chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>4}  {:<width$}  {:<8}  {:<10}  {:<10}  {:<10}  {:>9}",
        "ID", "NAME", "PERIOD", "AS OF", "DUE", "STATE", "DECIDED"
    );
    for (campaign, total, decided) in rows {
        let _ = writeln!(
            out,
            "{:>4}  {:<width$}  {:<8}  {:<10}  {:<10}  {:<10}  {:>9}",
            campaign.id,
            for_display(&campaign.name),
            for_display(campaign.period.as_deref().unwrap_or("-")),
            campaign.as_of,
            campaign.due.as_deref().unwrap_or("-"),
            campaign.state.as_str(),
            format!("{decided}/{total}"),
        );
    }
    out
}
