//! Importing export files into the workspace as snapshots, all or nothing.

mod batch;
mod canonical;
mod chunk;
mod columns;
mod encoding;
pub mod formats;
mod header;
pub mod mapping;
mod own_files;
pub mod prior;
mod problems;
mod progress;
mod source;
mod values;
mod vendor;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior};

pub use batch::{PriorReview, SnapshotSummary};
pub use mapping::{Mapping, MappingError};
pub use problems::{Problem, Problems, Rejected};
pub use progress::Progress;
pub use source::CsvFile;
pub use values::{parse_bool, parse_when};

use crate::actor::Actor;
use crate::identity::Resolver;
use crate::identity::report::report_current;
use batch::{Batch, Read};
use writer::Writer;

/// How to read the files of one import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Force this format for every file instead of detecting it.
    pub format: Option<String>,
    /// Read every file through this column mapping (`--mapping FILE`),
    /// except those given their own in `file_mappings`.
    pub mapping: Option<Mapping>,
    /// Read these files, named as in the import's list, through their own
    /// mapping (`--mapping DATA=MAPPING`).
    pub file_mappings: Vec<(PathBuf, Mapping)>,
}

impl ImportOptions {
    /// The mapping `source` is read through, if any.
    fn mapping_for(&self, source: &Source<'_>) -> Option<&Mapping> {
        let path = match source {
            Source::Path(path) => *path,
            Source::Bytes(name, _) => Path::new(name),
        };
        self.file_mappings
            .iter()
            .find(|(data, _)| data == path)
            .map(|(_, mapping)| mapping)
            .or(self.mapping.as_ref())
    }
}

/// What an import did, and what the workspace now holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub import_id: i64,
    pub snapshots: Vec<SnapshotSummary>,
    /// Current view, after the import.
    pub identities: u64,
    pub grants: u64,
    pub systems: u64,
    /// Current grants whose holder matches no current identity.
    pub orphaned_grants: u64,
    pub warnings: Vec<String>,
    /// What the readers noticed per file (skipped rows, accounts without
    /// MFA, prior reviews kept), each starting with the file name.
    pub notes: Vec<String>,
}

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Rejected(#[from] Rejected),
    #[error("writing the import to the workspace")]
    Database(#[from] rusqlite::Error),
}

/// Imports `paths` in one transaction: every file becomes a snapshot, and a
/// newer snapshot of the same kind and scope replaces the older one in the
/// current view. If any file has a problem nothing is written.
pub fn import_files(
    conn: &mut Connection,
    paths: &[PathBuf],
    options: &ImportOptions,
    actor: &Actor,
    now: DateTime<Utc>,
    progress: Progress,
) -> Result<ImportSummary, ImportError> {
    let sources: Vec<Source<'_>> = paths.iter().map(|p| Source::Path(p)).collect();
    import_sources(conn, &sources, options, actor, now, progress)
}

/// An import file: on disk, or already in memory as (file name, bytes).
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    Path(&'a Path),
    Bytes(&'a str, &'a [u8]),
}

/// Like [`import_files`], for files on disk or in memory (`recert demo`
/// imports its embedded sample data this way, without temporary files).
pub fn import_sources(
    conn: &mut Connection,
    sources: &[Source<'_>],
    options: &ImportOptions,
    actor: &Actor,
    now: DateTime<Utc>,
    progress: Progress,
) -> Result<ImportSummary, ImportError> {
    // IMMEDIATE takes the write lock up front, so a concurrent import waits
    // (busy timeout) instead of failing half-way.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO imports (imported_at, os_user, host) VALUES (?1, ?2, ?3)",
        (
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            &actor.os_user,
            &actor.host,
        ),
    )?;
    let import_id = tx.last_insert_rowid();
    // The files are read and checked on a second thread while this one
    // inserts what it sends; the queue holds a few chunks at most.
    let (writes, received) = mpsc::sync_channel(QUEUED_CHUNKS);
    let (read, written) = thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let batch = Batch::new(&writes, progress);
            read_sources(sources, options, batch)
        });
        // The receiver moves in here, so that were this side to panic, it is
        // dropped while unwinding: the reader's sends then fail at once
        // instead of waiting on a full queue for ever.
        let written = Writer::new(&tx, import_id).drain(received);
        (reader.join(), written)
    });
    let read = read.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let ids = written?;
    if !read.problems.is_empty() {
        return Err(Rejected(read.problems).into());
    }
    let snapshots = writer::close_snapshots(&tx, import_id, &read.snapshots, &ids)?;
    let summary = summarise(&tx, import_id, snapshots, read.notes, now.date_naive())?;
    tx.commit()?;
    Ok(summary)
}

/// Opens one CSV file as import does (encoding, header and column checks),
/// for commands that only look at it (`recert mapping init`).
pub fn open_csv(path: &Path, problems: &mut Problems) -> Option<CsvFile> {
    CsvFile::open(path, problems)
}

/// Chunks of rows the reader may be ahead of the writer.
const QUEUED_CHUNKS: usize = 8;

/// Reads and checks every source into `batch`, in order.
fn read_sources(sources: &[Source<'_>], options: &ImportOptions, mut batch: Batch<'_>) -> Read {
    let forced = options.format.as_deref().and_then(|name| {
        let format = formats::by_name(name);
        if format.is_none() {
            batch.problems.push(Problem {
                file: "--format".into(),
                line: 0,
                column: None,
                message: format!("unknown format {name:?}; run `recert formats` for the list"),
            });
        }
        format
    });
    for source in sources {
        let opened = match source {
            Source::Path(path) => CsvFile::open(path, &mut batch.problems),
            Source::Bytes(name, bytes) => {
                CsvFile::from_bytes(Path::new(name), bytes.to_vec(), &mut batch.problems)
            }
        };
        let Some(file) = opened else {
            continue;
        };
        // recert's own outputs are refused whatever --format or --mapping says.
        if let Some(message) = own_files::recognise(&file.header) {
            batch.problems.push(Problem {
                file: file.name.clone(),
                line: file.header_line,
                column: None,
                message,
            });
            continue;
        }
        if let Some(mapping) = options.mapping_for(source) {
            let problems_before = batch.problems.total();
            if let Some((file, rows)) = mapping::read(mapping, file, &mut batch) {
                refuse_empty(&file, &mut batch, problems_before, rows);
                batch.set_format(&file, "mapping");
            }
            continue;
        }
        let Some(format) = forced.or_else(|| formats::detect(&file.header)) else {
            batch.problems.push(Problem {
                file: file.name.clone(),
                line: file.header_line,
                column: None,
                message: formats::unknown_header_help(&file.name, &file.header),
            });
            continue;
        };
        if let Some(message) = formats::ambiguous_for(format, &file.header) {
            batch.problems.push(Problem {
                file: file.name.clone(),
                line: file.header_line,
                column: None,
                message,
            });
            continue;
        }
        let problems_before = batch.problems.total();
        let rows = (format.read)(&file, &mut batch, &[]);
        refuse_empty(&file, &mut batch, problems_before, rows);
        batch.set_format(&file, format.name);
    }
    batch.finish()
}

/// A file with a header but no rows would replace the current view with
/// nothing, so it is refused (unless its rows already had problems).
fn refuse_empty(file: &CsvFile, batch: &mut Batch<'_>, problems_before: usize, rows: u64) {
    if batch.problems.total() == problems_before && rows == 0 {
        batch.problems.push(Problem {
            file: file.name.clone(),
            line: 0,
            column: None,
            message: "has a header but no data rows; an empty export would wipe the current view, so it is refused".into(),
        });
    }
}

/// Counts the current view and checks its references. Row counts come from
/// the snapshots; the reference checks run in one pass over identities and
/// one over grant holders, in memory, because per-row SQL subqueries
/// dominated the time of a million-grant import.
fn summarise(
    conn: &Connection,
    import_id: i64,
    mut snapshots: Vec<SnapshotSummary>,
    notes: Vec<String>,
    today: chrono::NaiveDate,
) -> rusqlite::Result<ImportSummary> {
    let rows_of = |kind: &str| {
        conn.query_row(
            "SELECT coalesce(sum(row_count), 0) FROM snapshots WHERE current = 1 AND kind = ?1",
            [kind],
            |row| row.get::<_, u64>(0),
        )
    };
    let identities = rows_of("identities")?;
    let grants = rows_of("entitlements")?;
    let systems = conn.query_row(
        "SELECT count(DISTINCT system) FROM systems WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1)",
        [],
        |row| row.get::<_, u64>(0),
    )?;
    // The same resolver campaigns use: what the summary says about links
    // and reviewers is what the next campaign does.
    let correlation = crate::campaign::rules::workspace_rules(conn)
        .map(|(_, rules)| rules.correlation)
        .unwrap_or_default();
    let resolver = Resolver::load(conn, correlation, today, None)?;
    let report = report_current(conn, &resolver)?;
    for snapshot in &mut snapshots {
        snapshot.orphaned = report.orphaned.get(&snapshot.id).copied().unwrap_or(0);
        snapshot.unmatched = report.unmatched.get(&snapshot.id).copied().unwrap_or(0);
    }
    let orphaned_grants = report.orphaned_total();
    let mut warnings = report.warnings;
    // Orphans are counted above; when that is every grant, the likely cause
    // (no identities, or holders named by another key) is worth a warning.
    if grants > 0 && orphaned_grants == grants {
        warnings.insert(
            0,
            if identities == 0 {
                format!(
                    "none of the {grants} grants is linked to an identity: the workspace holds no identities; import the HR or directory export alongside, or every grant is reviewed as orphaned"
                )
            } else {
                format!(
                    "none of the {grants} grants is linked to any of the {identities} identities: check that the grants name their holder by the identity_id or e-mail the identities file uses, or every grant is reviewed as orphaned"
                )
            },
        );
    }
    Ok(ImportSummary {
        import_id,
        snapshots,
        identities,
        grants,
        systems,
        orphaned_grants,
        warnings,
        notes,
    })
}
