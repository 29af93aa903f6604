//! `recert verify` without a FILE: re-check the workspace's decision log and
//! sign-offs, and with `--pubkey` every sign-off's signature.

use std::fmt::Write;
use std::path::Path;

use color_eyre::eyre::{Result, bail};
use minisign::PublicKey;

use super::Context;
use crate::evidence::signoff_log::key_id;
use crate::integrity::{LogReport, SignatureState, verify_workspace};
use crate::output;
use crate::text::{count, for_display, noun_for};
use crate::workspace::Workspace;

/// How many problems are listed before the rest are only counted.
const SHOWN: usize = 20;

/// Prints the report; fails (exit 1) naming the first problem when the log
/// was changed outside recert.
pub fn run(context: &Context, public: Option<&PublicKey>) -> Result<()> {
    let path = context.workspace_path()?;
    // Read-only: checking never migrates, creates or otherwise writes.
    let mut workspace = Workspace::open_read_only(&path)?;
    // One read transaction: a consistent view while reviewers keep deciding.
    let tx = workspace.conn.transaction()?;
    let report = verify_workspace(&tx, public)?;
    drop(tx);
    output::print(&render(&report, &path, public))?;
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

/// The report as printed: one line per campaign chain and per sign-off,
/// then the problems, then what the check could not prove.
pub fn render(report: &LogReport, path: &Path, public: Option<&PublicKey>) -> String {
    let mut out = String::new();
    let verdict = if report.is_intact() {
        "intact".to_owned()
    } else {
        let n = report.problems.len();
        format!("TAMPERED, {}", count(n, "problem"))
    };
    let _ = writeln!(
        out,
        "Decision log of workspace {}: {verdict} ({} in {})",
        output::shown(path),
        count(report.events(), "event"),
        count(report.chains.len(), "campaign")
    );
    for chain in &report.chains {
        let _ = writeln!(
            out,
            "  campaign {} {:?}: {}, chain head {}",
            chain.campaign_id,
            for_display(&chain.campaign_name),
            count(chain.events, "event"),
            chain.head
        );
    }
    for signoff in &report.signoffs {
        let signature = match &signoff.signature {
            SignatureState::Unsigned => "not signed".to_owned(),
            SignatureState::NotChecked { key_id } => {
                format!("signed with key ID {key_id}, NOT checked (pass --pubkey recert.pub)")
            }
            SignatureState::Good { key_id } => format!("signature good (key ID {key_id})"),
            SignatureState::Bad { key_id } => {
                format!("signature BAD (key ID {key_id} recorded)")
            }
        };
        let _ = writeln!(
            out,
            "  campaign {} signed off by {} at {}: {signature}",
            signoff.campaign_id,
            for_display(&signoff.signer),
            for_display(&signoff.signed_at)
        );
    }
    if report.links.0 > 0 {
        let _ = writeln!(
            out,
            "  manual links: {}, chain head {}",
            count(report.links.0, "event"),
            report.links.1
        );
    }
    for problem in report.problems.iter().take(SHOWN) {
        let _ = writeln!(out, "  - {}", for_display(&problem.to_string()));
    }
    if let Some(more) = report.problems.len().checked_sub(SHOWN).filter(|&n| n > 0) {
        let _ = writeln!(out, "  ... and {more} more {}", noun_for(more, "problem"));
    }
    if !report.signoffs.is_empty() {
        let _ = match public {
            Some(public) => writeln!(
                out,
                "Sign-off signatures were checked with key ID {}. The anchor is still the signed evidence file the auditor holds: check it with `recert verify FILE --pubkey KEY`.",
                key_id(public)
            ),
            None => writeln!(
                out,
                "Sign-off signatures were not checked: whoever can write the workspace can rewrite a sign-off and its log together; pass --pubkey recert.pub to check them."
            ),
        };
    }
    out
}
