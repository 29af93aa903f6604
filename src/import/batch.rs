//! Writing one import's rows into the workspace inside a single transaction.

use foldhash::{HashMap, HashMapExt};

use rusqlite::{Statement, Transaction, named_params};

use super::problems::{Problem, Problems};
use super::progress::Progress;
use super::source::{CsvFile, Row, RowContext};
use crate::model::{Attributes, Criticality, Grant, Identity, RecordKind, System, When};

/// Everything one `recert import` call writes. Rows go straight to SQLite
/// through cached statements with positional parameters (binding by name
/// looks every name up again on each of a million rows); the caller commits only if no file had a
/// problem, so an import is all-or-nothing.
pub struct Batch<'tx> {
    tx: &'tx Transaction<'tx>,
    import_id: i64,
    pub problems: Problems,
    /// Snapshots opened so far, by (file name, kind, scope).
    snapshots: Vec<OpenSnapshot>,
    /// Where each identity_id was first seen, per scope, to report duplicates.
    identity_lines: HashMap<(String, String), (String, u64)>,
    system_lines: HashMap<(String, String), (String, u64)>,
    /// The first database error; the import fails with it.
    failure: Option<rusqlite::Error>,
    progress: Progress,
    /// What readers want the reviewer to know about a file (skipped rows,
    /// accounts without MFA, ...), printed with the import summary.
    pub notes: Vec<String>,
    /// Earlier review decisions written, per file name.
    prior_reviews: Vec<(String, u64)>,
    /// The row inserts, prepared on first use and held: even a cached
    /// statement costs a hash of its SQL text per lookup, per row.
    insert_identity: Option<Statement<'tx>>,
    insert_grant: Option<Statement<'tx>>,
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

struct OpenSnapshot {
    id: i64,
    file: String,
    kind: RecordKind,
    scope: String,
    rows: u64,
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
}

impl<'tx> Batch<'tx> {
    pub fn new(tx: &'tx Transaction<'tx>, import_id: i64, progress: Progress) -> Batch<'tx> {
        Batch {
            tx,
            import_id,
            problems: Problems::default(),
            snapshots: Vec::new(),
            identity_lines: HashMap::new(),
            system_lines: HashMap::new(),
            failure: None,
            progress,
            notes: Vec::new(),
            prior_reviews: Vec::new(),
            insert_identity: None,
            insert_grant: None,
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

    /// Keeps one decision of an earlier review (migration 0002); the same
    /// file imported again adds nothing.
    pub fn prior_review(&mut self, row: &Row<'_>, format: &str, review: &PriorReview) {
        match self
            .prior_reviews
            .iter_mut()
            .find(|(name, _)| *name == row.file.name)
        {
            Some((_, n)) => *n += 1,
            None => self.prior_reviews.push((row.file.name.clone(), 1)),
        }
        if !self.writing() {
            return;
        }
        let result = self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO prior_reviews (import_id, format, file_name, sha256, line,
                     principal_ref, principal_key, resource, review_name, result, decision,
                     reviewed_at, reviewer, justification, attributes)
                 VALUES (:import, :format, :file_name, :sha256, :line, :principal_ref, :principal_key,
                     :resource, :review_name, :result, :decision, :reviewed_at, :reviewer,
                     :justification, :attributes)",
            )
            .and_then(|mut statement| statement.execute(named_params! {
                ":import": self.import_id,
                ":format": format,
                ":file_name": file_name_only(row.file),
                ":sha256": row.file.sha256,
                ":line": row.line,
                ":principal_ref": review.principal_ref,
                ":principal_key": crate::holders::holder_key(&review.principal_ref),
                ":resource": review.resource,
                ":review_name": review.review_name,
                ":result": review.result,
                ":decision": review.decision.map(crate::model::Decision::as_str),
                ":reviewed_at": review.reviewed_at.map(When::stored),
                ":reviewer": review.reviewer,
                ":justification": review.justification,
                ":attributes": attributes_json(&review.attributes),
            }));
        self.record(result);
    }

    /// Once anything is wrong the import will be rolled back, so rows are
    /// still checked (to report every problem) but no longer written.
    fn writing(&self) -> bool {
        self.problems.is_empty() && self.failure.is_none()
    }

    fn record(&mut self, result: rusqlite::Result<usize>) {
        if let Err(err) = result {
            self.failure.get_or_insert(err);
        }
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
        if !self.writing() {
            return;
        }
        let snapshot = self.snapshot(row.file, RecordKind::Identities, scope);
        let result = prepared(
            self.tx,
            &mut self.insert_identity,
            "INSERT INTO identities (snapshot_id, line, identity_id, display_name, email, department,
                 kind, status, manager_id, owner_id, termination_date, last_login_at, attributes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
        .and_then(|statement| {
            statement.execute(rusqlite::params![
                snapshot,
                row.line,
                identity.identity_id,
                identity.display_name,
                identity.email,
                identity.department,
                identity.kind.as_str(),
                identity.status.as_str(),
                identity.manager_id,
                identity.owner_id,
                identity.termination_date.map(When::stored),
                identity.last_login_at.map(When::stored),
                attributes_json(&identity.attributes)
            ])
        });
        self.record(result);
    }

    pub fn grant(&mut self, row: &Row<'_>, scope: &str, grant: &Grant) {
        if !self.writing() {
            return;
        }
        let snapshot = self.snapshot(row.file, RecordKind::Entitlements, scope);
        let result = prepared(
            self.tx,
            &mut self.insert_grant,
            "INSERT INTO grants (snapshot_id, line, identity_ref, system, entitlement, type, privileged,
                 granted_at, last_used_at, last_rotated_at, expires_at, attributes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .and_then(|statement| {
            statement.execute(rusqlite::params![
                snapshot,
                row.line,
                grant.identity_ref,
                grant.system,
                grant.entitlement,
                grant.grant_type.as_str(),
                grant.privileged,
                grant.granted_at.map(When::stored),
                grant.last_used_at.map(When::stored),
                grant.last_rotated_at.map(When::stored),
                grant.expires_at.map(When::stored),
                attributes_json(&grant.attributes)
            ])
        });
        self.record(result);
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
        if !self.writing() {
            return;
        }
        let snapshot = self.snapshot(row.file, RecordKind::Systems, scope);
        let result = self
            .tx
            .prepare_cached(
                "INSERT INTO systems (snapshot_id, line, system, owner_id, criticality, attributes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut statement| {
                statement.execute(rusqlite::params![
                    snapshot,
                    row.line,
                    system.system,
                    system.owner_id,
                    system.criticality.map(Criticality::as_str),
                    attributes_json(&system.attributes)
                ])
            });
        self.record(result);
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

    /// The snapshot this file's rows of `kind` go to, created on first use.
    fn snapshot(&mut self, file: &CsvFile, kind: RecordKind, scope: &str) -> i64 {
        if let Some(open) = self
            .snapshots
            .iter_mut()
            .rev()
            .find(|s| s.file == file.name && s.kind == kind && s.scope == scope)
        {
            open.rows += 1;
            return open.id;
        }
        let result = self
            .tx
            .prepare_cached(
                "INSERT INTO snapshots (import_id, kind, scope, format, file_name, sha256, row_count)
                 VALUES (:import, :kind, :scope, :format, :file_name, :sha256, 0)",
            )
            .and_then(|mut statement| statement.execute(named_params! {
                ":import": self.import_id,
                ":kind": kind.as_str(),
                ":scope": scope,
                ":format": "",
                ":file_name": file_name_only(file),
                ":sha256": file.sha256,
            }));
        self.record(result);
        let id = self.tx.last_insert_rowid();
        self.snapshots.push(OpenSnapshot {
            id,
            file: file.name.clone(),
            kind,
            scope: scope.to_owned(),
            rows: 1,
        });
        id
    }

    /// Records which format read `file`, on every snapshot the file produced.
    pub fn set_format(&self, file: &CsvFile, format: &str) -> rusqlite::Result<()> {
        for snapshot in self.snapshots.iter().filter(|s| s.file == file.name) {
            self.tx.execute(
                "UPDATE snapshots SET format = ?1 WHERE id = ?2",
                (format, snapshot.id),
            )?;
        }
        Ok(())
    }

    /// Writes row counts and retires the snapshots this import replaces.
    pub fn finish(mut self) -> rusqlite::Result<(Vec<SnapshotSummary>, Problems)> {
        self.progress.done();
        if let Some(err) = self.failure {
            return Err(err);
        }
        for snapshot in &self.snapshots {
            self.tx.execute(
                "UPDATE snapshots SET row_count = ?1 WHERE id = ?2",
                (snapshot.rows, snapshot.id),
            )?;
            self.tx.execute(
                "UPDATE snapshots SET current = 0
                 WHERE kind = ?1 AND scope = ?2 AND import_id <> ?3 AND current = 1",
                (snapshot.kind.as_str(), &snapshot.scope, self.import_id),
            )?;
        }
        let summaries = self
            .snapshots
            .iter()
            .map(|s| SnapshotSummary {
                id: s.id,
                file: s.file.clone(),
                kind: s.kind,
                scope: s.scope.clone(),
                rows: s.rows,
                orphaned: 0,
            })
            .collect();
        Ok((summaries, self.problems))
    }
}

/// The statement in `slot`, prepared on first use.
fn prepared<'s, 'tx>(
    tx: &'tx Transaction<'tx>,
    slot: &'s mut Option<Statement<'tx>>,
    sql: &str,
) -> rusqlite::Result<&'s mut Statement<'tx>> {
    if slot.is_none() {
        *slot = Some(tx.prepare(sql)?);
    }
    slot.as_mut().ok_or(rusqlite::Error::InvalidQuery)
}

/// Extra columns as a JSON object in file order, or NULL when there are none.
/// A name that appears twice keeps its first place and its last value, as a
/// JSON map built from the pairs would. Written straight into the text: a
/// map per row cost more than the values in it.
fn attributes_json(attributes: &Attributes) -> Option<String> {
    if attributes.is_empty() {
        return None;
    }
    let mut json = Vec::with_capacity(64);
    json.push(b'{');
    for (index, (name, _)) in attributes.iter().enumerate() {
        if attributes[..index]
            .iter()
            .any(|(earlier, _)| earlier == name)
        {
            continue;
        }
        let value = attributes
            .iter()
            .rev()
            .find_map(|(other, value)| (other == name).then_some(value))
            .unwrap_or(&attributes[index].1);
        if json.len() > 1 {
            json.push(b',');
        }
        // Writing a string into a Vec cannot fail.
        serde_json::to_writer(&mut json, name).ok()?;
        json.push(b':');
        serde_json::to_writer(&mut json, value).ok()?;
    }
    json.push(b'}');
    String::from_utf8(json).ok()
}

fn file_name_only(file: &CsvFile) -> String {
    file.path
        .file_name()
        .map_or_else(|| file.name.clone(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::attributes_json;

    /// What the attributes were written as before: a JSON map built from the pairs.
    fn via_map(pairs: &[(String, String)]) -> String {
        let object: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(name, value)| (name.clone(), serde_json::Value::from(value.as_str())))
            .collect();
        serde_json::Value::Object(object).to_string()
    }

    #[test]
    fn attributes_are_written_as_the_json_map_would_be() {
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect()
        };
        for case in [
            pairs(&[("source_ticket", "ACC-1")]),
            pairs(&[("note", "say \"hi\"\n\ttab \\ é \u{1}"), ("b", "")]),
            pairs(&[("x", "first"), ("y", "1"), ("x", "last")]),
        ] {
            assert_eq!(
                attributes_json(&case).as_deref(),
                Some(via_map(&case).as_str())
            );
        }
        assert_eq!(attributes_json(&Vec::new()), None);
    }
}
