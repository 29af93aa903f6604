//! `recert import FILE...`: read exports into the workspace as one transaction.

use std::path::PathBuf;

use color_eyre::eyre::Result;

use super::Context;
use crate::actor::Actor;
use crate::import::{ImportOptions, ImportSummary, Mapping, Progress, import_files};
use crate::text::for_display;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// CSV files to import; their format is detected from the header
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read every file as this format (see `recert formats`)
    #[arg(long, value_name = "NAME", conflicts_with = "mapping")]
    pub format: Option<String>,
    /// A TOML file mapping another layout's columns to a canonical one (README: Mapping files)
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    // The mapping is checked before the workspace is touched.
    let mapping = args.mapping.as_deref().map(Mapping::load).transpose()?;
    let mut workspace = context.open_workspace()?;
    workspace.use_bulk_cache()?;
    let options = ImportOptions {
        format: args.format.clone(),
        mapping,
    };
    let summary = import_files(
        &mut workspace.conn,
        &args.files,
        &options,
        &Actor::current(None),
        chrono::Utc::now(),
        Progress::for_stderr(),
    )?;
    print!("{}", render_summary(&summary));
    Ok(())
}

/// The summary printed after a successful import.
pub fn render_summary(summary: &ImportSummary) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let files = summary.snapshots.len();
    let _ = writeln!(
        out,
        "Imported {files} snapshot{} (import #{}):",
        if files == 1 { "" } else { "s" },
        summary.import_id
    );
    // File names come from the user's disk and may hold escape sequences.
    let width = summary
        .snapshots
        .iter()
        .map(|s| for_display(&s.file).chars().count())
        .max()
        .unwrap_or(0);
    for snapshot in &summary.snapshots {
        let scope = if snapshot.scope == "canonical" {
            String::new()
        } else {
            format!("  [{}]", for_display(&snapshot.scope))
        };
        let mut unlinked = String::new();
        if snapshot.orphaned > 0 {
            let _ = write!(unlinked, ", {} not linked to an identity", snapshot.orphaned);
        }
        if snapshot.unmatched > 0 {
            let _ = write!(
                unlinked,
                ", {} held by accounts no person matches",
                snapshot.unmatched
            );
        }
        let _ = writeln!(
            out,
            "  {:<width$}  {:<12}  {:>9} rows{unlinked}{scope}",
            for_display(&snapshot.file),
            snapshot.kind.as_str(),
            snapshot.rows,
        );
    }
    let _ = writeln!(
        out,
        "Workspace now holds {} identities, {} grants, {} systems.",
        summary.identities, summary.grants, summary.systems
    );
    let _ = writeln!(
        out,
        "Orphaned grants (holder not among the identities): {}",
        summary.orphaned_grants
    );
    for note in &summary.notes {
        let _ = writeln!(out, "Note: {}", for_display(note));
    }
    if summary.warnings.is_empty() {
        let _ = writeln!(out, "Warnings: none");
    } else {
        let _ = writeln!(out, "Warnings:");
        for warning in &summary.warnings {
            let _ = writeln!(out, "  - {warning}");
        }
    }
    out
}
