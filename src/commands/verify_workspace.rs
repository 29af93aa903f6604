//! `recert verify` without a FILE: re-check the workspace's decision log.

use std::fmt::Write;
use std::path::Path;

use color_eyre::eyre::{Result, bail};

use super::Context;
use crate::integrity::{LogReport, verify_decision_log};
use crate::text::for_display;

/// How many problems are listed before the rest are only counted.
const SHOWN: usize = 20;

/// Prints the report; fails (exit 1) naming the first problem when the log
/// was changed outside recert.
pub fn run(context: &Context) -> Result<()> {
    let path = context.workspace_path()?;
    if !path.exists() {
        bail!(
            "workspace {} does not exist; pass --workspace PATH or set RECERT_WORKSPACE",
            path.display()
        );
    }
    let mut workspace = context.open_workspace()?;
    // One read transaction: a consistent view while reviewers keep deciding.
    let tx = workspace.conn.transaction()?;
    let report = verify_decision_log(&tx)?;
    drop(tx);
    print!("{}", render(&report, &path));
    // Name an event where there is one: that is what an auditor looks up.
    let worst = report
        .problems
        .iter()
        .find(|p| p.event_id.is_some())
        .or(report.problems.first());
    if let Some(first) = worst {
        bail!(
            "the decision log of workspace {} was changed outside recert: {first}",
            path.display()
        );
    }
    Ok(())
}

/// The report as printed: one line per campaign chain, then the problems.
pub fn render(report: &LogReport, path: &Path) -> String {
    let mut out = String::new();
    let verdict = if report.is_intact() {
        "intact".to_owned()
    } else {
        let n = report.problems.len();
        format!("TAMPERED, {n} problem{}", if n == 1 { "" } else { "s" })
    };
    let _ = writeln!(
        out,
        "Decision log of workspace {}: {verdict} ({} events in {} campaigns)",
        path.display(),
        report.events(),
        report.chains.len()
    );
    for chain in &report.chains {
        let _ = writeln!(
            out,
            "  campaign {} {:?}: {} events, chain head {}",
            chain.campaign_id,
            for_display(&chain.campaign_name),
            chain.events,
            chain.head
        );
    }
    if report.links.0 > 0 {
        let _ = writeln!(
            out,
            "  manual links: {} events, chain head {}",
            report.links.0, report.links.1
        );
    }
    for problem in report.problems.iter().take(SHOWN) {
        let _ = writeln!(out, "  - {}", for_display(&problem.to_string()));
    }
    if let Some(more) = report.problems.len().checked_sub(SHOWN).filter(|&n| n > 0) {
        let _ = writeln!(out, "  ... and {more} more problems");
    }
    out
}
