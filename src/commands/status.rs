//! `recert status`: a campaign's progress per control, or per reviewer.

mod by_reviewer;

use std::fmt::Write;

use color_eyre::eyre::Result;
use serde_json::{Map, Value, json};
use unicode_width::UnicodeWidthStr;

use super::Context;
use super::table::{self, Column, TERMINAL_WIDTH};
use crate::campaign::closeout::{awaiting_counts, close_out_counts};
use crate::campaign::{Campaign, ControlProgress, campaign_progress, find_campaign_or_only_open};
use crate::output;
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name (default: the only open campaign)
    pub campaign: Option<String>,
    /// Show a review packet's progress instead of a workspace campaign's
    #[arg(long, value_name = "FILE", conflicts_with = "campaign")]
    pub packet: Option<std::path::PathBuf>,
    /// Print JSON (PRODUCT.md §3)
    #[arg(long)]
    pub json: bool,
    /// Only the items assigned to this reviewer (identity_id or email)
    #[arg(long, value_name = "R")]
    pub reviewer: Option<String>,
    /// Show the signal counts and whole titles instead of fitting 80 columns
    #[arg(long, conflicts_with = "json")]
    pub wide: bool,
    /// Per reviewer: items assigned, decided, left and overdue
    #[arg(long, conflicts_with_all = ["reviewer", "wide"])]
    pub by_reviewer: bool,
}

/// Items decided by a close-out and items awaiting a second review, per
/// control: kept apart from the reviewers' decisions.
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    pub closed_out: Vec<(String, u64)>,
    pub awaiting: Vec<(String, u64)>,
}

impl Outcomes {
    fn of(list: &[(String, u64)], control: &str) -> u64 {
        list.iter()
            .find(|(c, _)| c == control)
            .map_or(0, |(_, n)| *n)
    }

    fn total(list: &[(String, u64)]) -> u64 {
        list.iter().map(|(_, n)| n).sum()
    }
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let (workspace, campaign) = if let Some(path) = &args.packet {
        let packet = super::packet::open(path)?;
        (packet.workspace, packet.campaign)
    } else {
        let workspace = context.open_workspace()?;
        let campaign = find_campaign_or_only_open(&workspace.conn, args.campaign.as_deref())?;
        (workspace, campaign)
    };
    if args.by_reviewer {
        return by_reviewer::run(&workspace.conn, &campaign, args.json);
    }
    let progress = campaign_progress(&workspace.conn, &campaign, args.reviewer.as_deref())?;
    let outcomes = if args.reviewer.is_some() {
        Outcomes::default()
    } else {
        Outcomes {
            closed_out: close_out_counts(&workspace.conn, campaign.id)?,
            awaiting: awaiting_counts(&workspace.conn, campaign.id)?,
        }
    };
    // A signed-off campaign's revocations, as the last import left them.
    let remediation =
        crate::remediation::counts(&workspace.conn, &campaign, chrono::Utc::now().date_naive())?;
    if args.json {
        let mut json = to_json(&campaign, &progress, &outcomes);
        json["remediation"] = json!(remediation);
        output::print_json(&json)?;
    } else {
        let mut text = render(&campaign, &progress, &outcomes, args.wide);
        if let Some(counts) = &remediation {
            let _ = writeln!(
                text,
                "Remediation: {} (recert remediation {} lists them).",
                super::remediation::summary(counts, None),
                campaign.id
            );
        }
        output::print(&text)?;
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

/// The JSON of PRODUCT.md §3, plus as_of, due, undecided, signal counts,
/// close-out decisions and items awaiting a second review.
pub fn to_json(campaign: &Campaign, progress: &[ControlProgress], outcomes: &Outcomes) -> Value {
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
                "closed_out": Outcomes::of(&outcomes.closed_out, &p.control_id),
                "awaiting_second_review": Outcomes::of(&outcomes.awaiting, &p.control_id),
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
        "closed_out": Outcomes::total(&outcomes.closed_out),
        "awaiting_second_review": Outcomes::total(&outcomes.awaiting),
        "controls": controls,
    })
}

/// A table with one row per control and a total row, fitting 80 columns;
/// `wide` adds each control's signal counts and never cuts a title.
pub fn render(
    campaign: &Campaign,
    progress: &[ControlProgress],
    outcomes: &Outcomes,
    wide: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", heading(campaign, wide));
    let t = totals(progress);
    let number = |header: &'static str, widest: u64| {
        Column::right(header, header.len().max(widest.to_string().len()))
    };
    let mut columns = vec![
        Column::left("CONTROL", 7),
        Column::left("TITLE", 5),
        number("ITEMS", t.total),
        number("DECIDED", t.decided),
        number("CERTIFIED", t.certified),
        number("REVOKED", t.revoked),
    ];
    let titles = progress.iter().map(|p| p.title.width()).max().unwrap_or(0);
    let room = TERMINAL_WIDTH.saturating_sub(table::width(&columns) - columns[1].width);
    columns[1].width = if wide { titles } else { titles.min(room) }.max(5);
    let signals: Vec<String> = progress
        .iter()
        .map(|p| {
            let counts: Vec<String> = p
                .signals
                .iter()
                .map(|(signal, count)| format!("{signal} {count}"))
                .collect();
            counts.join(", ")
        })
        .collect();
    if wide {
        let widest = signals.iter().map(|s| s.width()).max().unwrap_or(0);
        columns.push(Column::left("SIGNALS", widest.max(7)));
    }
    let _ = writeln!(out, "{}", table::header(&columns));
    for (p, signals) in progress.iter().zip(signals) {
        let cells = [
            p.control_id.clone(),
            p.title.clone(),
            p.total.to_string(),
            p.decided.to_string(),
            p.certified.to_string(),
            p.revoked.to_string(),
            signals,
        ];
        let _ = writeln!(out, "{}", table::row(&columns, &cells[..columns.len()]));
    }
    let cells = [
        "TOTAL".to_owned(),
        String::new(),
        t.total.to_string(),
        t.decided.to_string(),
        t.certified.to_string(),
        t.revoked.to_string(),
    ];
    let _ = writeln!(out, "{}", table::row(&columns[..6], &cells));
    let undecided = t.total - t.decided;
    if undecided == 0 && t.total > 0 {
        let _ = writeln!(out, "Every item is decided.");
    } else {
        let _ = writeln!(out, "{undecided} of {} undecided.", count(t.total, "item"));
    }
    let awaiting = Outcomes::total(&outcomes.awaiting);
    if awaiting > 0 {
        let _ = writeln!(
            out,
            "{} {} a second review by a different reviewer (counted undecided).",
            count(awaiting, "item"),
            if awaiting == 1 { "awaits" } else { "await" }
        );
    }
    let closed = Outcomes::total(&outcomes.closed_out);
    if closed > 0 {
        let per: Vec<String> = progress
            .iter()
            .filter_map(|p| {
                let n = Outcomes::of(&outcomes.closed_out, &p.control_id);
                (n > 0).then(|| format!("{} {n}", p.control_id))
            })
            .collect();
        let _ = writeln!(
            out,
            "{} decided by close-out (recert close), not by a reviewer: {}.",
            count(closed, "item"),
            per.join(", ")
        );
    }
    out
}

/// `Campaign 1 "name" (period), as of …, due …: state`, the name cut so
/// the line fits 80 columns unless `wide`.
fn heading(campaign: &Campaign, wide: bool) -> String {
    let period = campaign
        .period
        .as_deref()
        .map(|p| format!(" ({})", for_display(p)))
        .unwrap_or_default();
    let due = campaign
        .due
        .as_deref()
        .map(|d| format!(", due {d}"))
        .unwrap_or_default();
    let rest = format!(
        "{period}, as of {}{due}: {}",
        campaign.as_of,
        campaign.state.as_str().replace('_', " ")
    );
    let prefix = format!("Campaign {} \"", campaign.id);
    let name = for_display(&campaign.name);
    let room = TERMINAL_WIDTH.saturating_sub(prefix.width() + 1 + rest.width());
    let name = if wide {
        name.into_owned()
    } else {
        table::fit(&name, room.max(12)).0
    };
    format!("{prefix}{name}\"{rest}")
}
