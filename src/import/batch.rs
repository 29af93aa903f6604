//! Reading side of an import: every row the readers accept is checked for
//! duplicates, counted per snapshot and sent, in order, to the `Writer`
//! that inserts it inside the import's single transaction. Nothing is sent
//! once a problem is found, since the import will then be rolled back, but
//! rows are still checked so every problem is reported at once.

use std::sync::mpsc::SyncSender;

use foldhash::{HashMap, HashMapExt};

use super::chunk::{Chunk, Write};
use super::problems::{Problem, Problems};
use super::progress::Progress;
use super::source::{CsvFile, Row, RowContext};
use crate::model::{Attributes, Grant, Identity, RecordKind, System, When};

/// Rows sent to the writer at a time: few enough to keep the queue small,
/// enough that handing them over costs nothing per row.
const CHUNK: usize = 512;

/// Everything one `recert import` call has read so far.
pub struct Batch<'a> {
    writes: &'a SyncSender<Chunk>,
    pending: Chunk,
    pub problems: Problems,
    /// Snapshots opened so far, numbered by position.
    snapshots: Vec<OpenSnapshot>,
    /// Where each identity_id was first seen, per scope, to report duplicates.
    identity_lines: HashMap<(String, String), (String, u64)>,
    system_lines: HashMap<(String, String), (String, u64)>,
    progress: Progress,
    /// What readers want the reviewer to know about a file (skipped rows,
    /// accounts without MFA, ...), printed with the import summary.
    pub notes: Vec<String>,
    /// Earlier review decisions read, per file name.
    prior_reviews: Vec<(String, u64)>,
}

/// One decision of an earlier access review run in another tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorReview {
    pub principal_ref: String,
    pub resource: String,
    pub review_name: Option<String>,
    pub result: String,
    pub decision: Option<crate::model::Decision>,
    pub reviewed_at: Option<When>,
    pub reviewer: Option<String>,
    pub justification: Option<String>,
    pub attributes: Attributes,
}

impl RowContext for Batch<'_> {
    fn problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn progress(&mut self, file: &CsvFile, bytes_read: usize) {
        self.progress.show(&file.name, bytes_read, file.body_len());
    }
}

/// A snapshot this import opened: one file's rows of one kind and scope.
pub struct OpenSnapshot {
    pub file: String,
    pub kind: RecordKind,
    pub scope: String,
    pub rows: u64,
}

/// What one file added, for the import summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotSummary {
    pub id: i64,
    pub file: String,
    pub kind: RecordKind,
    pub scope: String,
    pub rows: u64,
    /// For entitlements: grants of this snapshot whose holder matches no
    /// current identity after the import.
    pub orphaned: u64,
    /// For entitlements: grants of this snapshot held by a human account no
    /// HR or canonical person matches (only counted when persons exist).
    pub unmatched: u64,
}

/// What the reading side found, once every file is read.
pub struct Read {
    pub snapshots: Vec<OpenSnapshot>,
    pub problems: Problems,
    pub notes: Vec<String>,
}

impl<'a> Batch<'a> {
    pub fn new(writes: &'a SyncSender<Chunk>, progress: Progress) -> Batch<'a> {
        Batch {
            writes,
            pending: Chunk::with_capacity(CHUNK),
            problems: Problems::default(),
            snapshots: Vec::new(),
            identity_lines: HashMap::new(),
            system_lines: HashMap::new(),
            progress,
            notes: Vec::new(),
            prior_reviews: Vec::new(),
        }
    }

    /// Adds a line to the import summary about `file`.
    pub fn note(&mut self, file: &CsvFile, text: impl std::fmt::Display) {
        self.notes.push(format!("{}: {text}", file_name_only(file)));
    }

    /// How many earlier review decisions `file` contributed so far.
    pub fn prior_reviews_of(&self, file: &CsvFile) -> u64 {
        self.prior_reviews
            .iter()
            .find(|(name, _)| *name == file.name)
            .map_or(0, |(_, n)| *n)
    }

    /// Keeps one decision of an earlier review.
    pub fn prior_review(&mut self, row: &Row<'_>, format: &'static str, review: &PriorReview) {
        match self
            .prior_reviews
            .iter_mut()
            .find(|(name, _)| *name == row.file.name)
        {
            Some((_, n)) => *n += 1,
            None => self.prior_reviews.push((row.file.name.clone(), 1)),
        }
        if self.writing() {
            self.send(Write::PriorReview {
                format,
                file_name: file_name_only(row.file),
                sha256: row.file.sha256.clone(),
                line: row.line,
                review: Box::new(review.clone()),
            });
        }
    }

    /// Once anything is wrong the import will be rolled back, so rows are
    /// still checked (to report every problem) but no longer written.
    fn writing(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn identity(&mut self, row: &Row<'_>, scope: &str, identity: &Identity) {
        let key = (scope.to_owned(), identity.identity_id.clone());
        if let Some((file, line)) = self.identity_lines.get(&key) {
            let column = row.file.header.position("identity_id").unwrap_or(0);
            let message = format!(
                "duplicate identity_id {:?}, first seen at {file}:{line}; each identity must appear once",
                identity.identity_id
            );
            self.problems.push(row.problem(column, message));
            return;
        }
        self.identity_lines
            .insert(key, (row.file.name.clone(), row.line));
        if self.writing() {
            let snapshot = self.snapshot(row.file, RecordKind::Identities, scope);
            self.pending.identity(snapshot, row.line, identity);
            self.sent();
        }
    }

    pub fn grant(&mut self, row: &Row<'_>, scope: &str, grant: &Grant) {
        if self.writing() {
            let snapshot = self.snapshot(row.file, RecordKind::Entitlements, scope);
            self.pending.grant(snapshot, row.line, grant);
            self.sent();
        }
    }

    pub fn system(&mut self, row: &Row<'_>, scope: &str, system: &System) {
        let key = (scope.to_owned(), system.system.clone());
        if let Some((file, line)) = self.system_lines.get(&key) {
            let column = row.file.header.position("system").unwrap_or(0);
            let message = format!(
                "duplicate system {:?}, first seen at {file}:{line}; each system must appear once",
                system.system
            );
            self.problems.push(row.problem(column, message));
            return;
        }
        self.system_lines
            .insert(key, (row.file.name.clone(), row.line));
        if self.writing() {
            let snapshot = self.snapshot(row.file, RecordKind::Systems, scope);
            self.pending.system(snapshot, row.line, system);
            self.sent();
        }
    }

    /// Opens `file`'s snapshot of `kind` and `scope` even if no row lands in
    /// it, so an export whose rows were all skipped (every assignment ended,
    /// every account suspended) replaces the older view of its scope with an
    /// empty one instead of leaving stale access current.
    pub fn declare(&mut self, file: &CsvFile, kind: RecordKind, scope: &str) {
        let open = self
            .snapshots
            .iter()
            .any(|s| s.file == file.name && s.kind == kind && s.scope == scope);
        if open || !self.writing() {
            return;
        }
        self.snapshot(file, kind, scope);
        if let Some(last) = self.snapshots.last_mut() {
            last.rows = 0;
        }
    }

    /// The number of the snapshot this file's rows of `kind` go to, opened
    /// on first use; counts the row.
    fn snapshot(&mut self, file: &CsvFile, kind: RecordKind, scope: &str) -> usize {
        if let Some((number, open)) = self
            .snapshots
            .iter_mut()
            .enumerate()
            .rev()
            .find(|(_, s)| s.file == file.name && s.kind == kind && s.scope == scope)
        {
            open.rows += 1;
            return number;
        }
        self.send(Write::Snapshot {
            kind,
            scope: scope.to_owned(),
            file_name: file_name_only(file),
            sha256: file.sha256.clone(),
        });
        self.snapshots.push(OpenSnapshot {
            file: file.name.clone(),
            kind,
            scope: scope.to_owned(),
            rows: 1,
        });
        self.snapshots.len() - 1
    }

    /// Records which format read `file`, on every snapshot the file produced.
    pub fn set_format(&mut self, file: &CsvFile, format: &str) {
        let numbers: Vec<usize> = (0..self.snapshots.len())
            .filter(|&n| self.snapshots[n].file == file.name)
            .collect();
        for snapshot in numbers {
            self.send(Write::Format {
                snapshot,
                format: format.to_owned(),
            });
        }
    }

    fn send(&mut self, write: Write) {
        self.pending.push(write);
        self.sent();
    }

    /// Hands a full chunk to the writer.
    fn sent(&mut self) {
        if self.pending.len() >= CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let chunk = std::mem::replace(&mut self.pending, Chunk::with_capacity(CHUNK));
        // The writer only stops receiving when its thread has ended, and
        // then the import fails anyway.
        let _ = self.writes.send(chunk);
    }

    /// Sends what is left and hands over what was read.
    pub fn finish(mut self) -> Read {
        self.flush();
        self.progress.done();
        Read {
            snapshots: self.snapshots,
            problems: self.problems,
            notes: self.notes,
        }
    }
}

fn file_name_only(file: &CsvFile) -> String {
    file.path
        .file_name()
        .map_or_else(|| file.name.clone(), |n| n.to_string_lossy().into_owned())
}
