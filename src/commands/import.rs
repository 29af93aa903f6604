//! `recert import FILE...`: read exports into the workspace as one transaction.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use color_eyre::eyre::{Result, bail};

use super::Context;
use crate::actor::Actor;
use crate::import::{ImportOptions, ImportSummary, Mapping, Progress, import_files};
use crate::text::{count, for_display, noun_for};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// CSV files to import; their format is detected from the header
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read every file as this format (see `recert formats`)
    #[arg(long, value_name = "NAME", conflicts_with = "mapping")]
    pub format: Option<String>,
    /// A TOML mapping of another layout's columns (README: Mapping files): MAPPING reads every
    /// file, DATA=MAPPING only DATA; repeat it for each file (`recert mapping init` writes one)
    #[arg(long, value_name = "[DATA=]MAPPING")]
    pub mapping: Vec<OsString>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    // Every mapping is checked before the workspace is touched.
    let (mapping, file_mappings) = load_mappings(&args.mapping, &args.files)?;
    let mut workspace = context.create_workspace()?;
    workspace.use_bulk_cache()?;
    let options = ImportOptions {
        format: args.format.clone(),
        mapping,
        file_mappings,
    };
    let summary = import_files(
        &mut workspace.conn,
        &args.files,
        &options,
        &Actor::current(None),
        chrono::Utc::now(),
        Progress::for_stderr(),
    )?;
    crate::output::print(&render_summary(&summary))?;
    // What the new snapshots say about revocations of signed-off campaigns
    // (PRODUCT.md §7); the import itself is already committed.
    let resolved = match crate::remediation::refresh_now(
        &mut workspace.conn,
        chrono::Utc::now().date_naive(),
    ) {
        Ok(resolved) => resolved,
        Err(err) => {
            crate::output::note(&format!(
                "note: the import is saved, but revocations of signed-off campaigns were not re-checked against it ({}); `recert remediation CAMPAIGN` checks them again",
                crate::locking::describe(&err)
            ));
            return Ok(());
        }
    };
    if !resolved.is_empty() {
        let mut out = String::from("Remediation:\n");
        for campaign in &resolved {
            out.push_str("  ");
            out.push_str(&campaign.describe());
            out.push('\n');
        }
        crate::output::print(&out)?;
    }
    Ok(())
}

/// The mapping for every file, if any, and those for one file each.
type Mappings = (Option<Mapping>, Vec<(PathBuf, Mapping)>);

/// Which `--mapping` values are for one file (`DATA=MAPPING`) and which
/// (at most one) for all, each loaded and checked.
fn load_mappings(values: &[OsString], files: &[PathBuf]) -> Result<Mappings> {
    let mut every_file: Option<(&OsStr, Mapping)> = None;
    let mut per_file: Vec<(PathBuf, Mapping)> = Vec::new();
    for value in values {
        match mapping_target(value, files) {
            MappingTarget::Every(path) => {
                if let Some((earlier, _)) = &every_file {
                    bail!(
                        "--mapping {} and --mapping {} would both read every file; give one, or name the file each is for: --mapping DATA=MAPPING",
                        shown(earlier),
                        shown(value)
                    );
                }
                every_file = Some((value, Mapping::load(Path::new(path))?));
            }
            MappingTarget::One(data, path) => {
                if per_file.iter().any(|(earlier, _)| *earlier == data) {
                    bail!(
                        "--mapping names {} twice; give one mapping per file",
                        for_display(&data.display().to_string())
                    );
                }
                per_file.push((data, Mapping::load(Path::new(path))?));
            }
            MappingTarget::Unknown(data) => bail!(
                "--mapping {}: {} is not among the files to import ({}); write --mapping DATA=MAPPING with DATA exactly as in the file list",
                shown(value),
                shown(data),
                for_display(
                    &files
                        .iter()
                        .map(|f| f.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            ),
        }
    }
    Ok((every_file.map(|(_, mapping)| mapping), per_file))
}

enum MappingTarget<'a> {
    /// A mapping for every file (without one of its own).
    Every(&'a OsStr),
    /// A mapping for the file as it appears in the list.
    One(PathBuf, &'a OsStr),
    /// `DATA=MAPPING` whose DATA is not one of the files.
    Unknown(&'a OsStr),
}

/// Reads one `--mapping` value. `DATA=MAPPING` when the text before an
/// `=` is one of the files (the first such `=`, since file names may hold
/// one); a mapping for every file when the whole value is an existing file
/// or holds no `=`; otherwise a DATA that is not among the files.
fn mapping_target<'a>(value: &'a OsStr, files: &[PathBuf]) -> MappingTarget<'a> {
    let bytes = value.as_bytes();
    let splits = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'=')
        .map(|(at, _)| {
            (
                OsStr::from_bytes(&bytes[..at]),
                OsStr::from_bytes(&bytes[at + 1..]),
            )
        });
    let mut first = None;
    for (data, mapping) in splits {
        first.get_or_insert(data);
        if let Some(file) = files.iter().find(|f| same_file(f, data)) {
            return MappingTarget::One(file.clone(), mapping);
        }
    }
    match first {
        Some(data) if !Path::new(value).exists() => MappingTarget::Unknown(data),
        _ => MappingTarget::Every(value),
    }
}

/// An argument in a message, on one line and without control characters.
fn shown(text: &OsStr) -> String {
    for_display(&text.to_string_lossy()).into_owned()
}

/// Whether `data` names `file`: as written, or as the same file on disk.
fn same_file(file: &Path, data: &OsStr) -> bool {
    if file == Path::new(data) {
        return true;
    }
    match (std::fs::canonicalize(file), std::fs::canonicalize(data)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The summary printed after a successful import.
pub fn render_summary(summary: &ImportSummary) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let files = summary.snapshots.len();
    let _ = writeln!(
        out,
        "Imported {} (import #{}):",
        count(files, "snapshot"),
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
            let _ = write!(
                unlinked,
                ", {} not linked to an identity",
                snapshot.orphaned
            );
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
            "  {:<width$}  {:<12}  {:>9} {}{unlinked}{scope}",
            for_display(&snapshot.file),
            snapshot.kind.as_str(),
            snapshot.rows,
            noun_for(snapshot.rows, "row"),
        );
    }
    let _ = writeln!(
        out,
        "Workspace now holds {}, {}, {}.",
        count(summary.identities, "identity"),
        count(summary.grants, "grant"),
        count(summary.systems, "system")
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
            let _ = writeln!(out, "  - {}", for_display(warning));
        }
    }
    out
}
