//! `recert remediation CAMPAIGN [--json]`: each revocation of a signed-off
//! campaign and whether a later export shows it carried out (PRODUCT.md §7).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use color_eyre::eyre::{Result, bail};

use super::Context;
use super::table::{self, Column};
use crate::campaign::find_campaign;
use crate::output;
use crate::remediation::{Counts, Report, State, report};
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name (signed off)
    pub campaign: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let mut workspace = context.open_workspace()?;
    let campaign = find_campaign(&workspace.conn, &args.campaign)?;
    let today = chrono::Utc::now().date_naive();
    // Exports imported by an older recert, or a campaign signed off by one,
    // are checked now, so the answer is never behind the workspace.
    crate::remediation::refresh_now(&mut workspace.conn, today)?;
    let Some(report) = report(&workspace.conn, &campaign, today)? else {
        bail!(
            "campaign {} ({}) is not signed off: revocations are followed from sign-off on (recert signoff {})",
            campaign.id,
            for_display(&campaign.name),
            campaign.id
        );
    };
    if args.json {
        output::print_json(&report)?;
    } else {
        output::print(&render(&report))?;
    }
    Ok(())
}

/// `115 removed, 115 pending (3 over the 30-day SLA), 0 not re-checked, 0 reappeared`.
pub fn summary(counts: &Counts, sla_days: Option<i64>) -> String {
    let over = match (counts.over_sla, sla_days) {
        (0, _) => String::new(),
        (n, Some(days)) => format!(" ({n} over the {days}-day SLA)"),
        (n, None) => format!(" ({n} over the SLA)"),
    };
    format!(
        "{} removed, {} pending{over}, {} not re-checked, {} reappeared",
        counts.removed, counts.pending, counts.not_rechecked, counts.reappeared
    )
}

const COLUMNS: [Column; 7] = [
    Column::right("ITEM", 7),
    Column::left("STATE", 13),
    Column::right("DAYS", 4),
    Column::right("SNAP", 5),
    Column::left("SYSTEM", 11),
    Column::left("ACCOUNT", 16),
    Column::left("ENTITLEMENT", 12),
];

fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Campaign {} \"{}\", signed off {}: {} — {}",
        report.campaign_id,
        for_display(&report.campaign),
        report.signed_at,
        count(report.counts.total(), "revocation"),
        summary(&report.counts, Some(report.sla_days))
    );
    if report.revocations.is_empty() {
        let _ = writeln!(out, "Nothing was revoked.");
        return out;
    }
    let _ = writeln!(out, "{}", table::header(&COLUMNS));
    let mut shown = BTreeSet::new();
    for row in &report.revocations {
        let state = if row.over_sla {
            "pending > SLA"
        } else {
            row.state
        };
        let snapshot = row.snapshot.as_ref().map(|s| {
            shown.insert(s.id);
            s.id.to_string()
        });
        let cells = [
            row.item_id.to_string(),
            state.to_owned(),
            row.days_since_signoff.to_string(),
            snapshot.unwrap_or_else(|| "-".to_owned()),
            row.system.clone(),
            row.account.clone(),
            row.entitlement.clone(),
        ];
        let _ = writeln!(out, "{}", table::row(&COLUMNS, &cells));
    }
    // The snapshots the states rest on, once each: what an auditor checks.
    let snapshots = report
        .revocations
        .iter()
        .filter_map(|r| r.snapshot.as_ref())
        .filter(|s| shown.remove(&s.id));
    for (index, snapshot) in snapshots.enumerate() {
        if index == 0 {
            let _ = writeln!(out, "Snapshots:");
        }
        let _ = writeln!(
            out,
            "  {}  {}  imported {}\n      sha256 {}",
            snapshot.id,
            for_display(&snapshot.file),
            snapshot.imported_at,
            snapshot.sha256
        );
    }
    let _ = writeln!(
        out,
        "DAYS: since sign-off, to the snapshot that showed the grant gone ({}), else to today ({}).",
        State::Removed.as_str(),
        report.today
    );
    out
}
