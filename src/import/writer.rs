//! The database side of an import. The files are read and checked on
//! another thread (`Batch`), which sends every row here in order; this side
//! inserts them into the import's transaction on the calling thread, so on
//! two cores reading a million rows overlaps with inserting them.

use std::sync::mpsc::Receiver;

use rusqlite::{Statement, Transaction, named_params};

use super::batch::{OpenSnapshot, PriorReview, SnapshotSummary};
use super::chunk::{Chunk, Write, attributes_json};
use crate::model::When;

/// Applies writes inside the import's transaction.
pub struct Writer<'tx> {
    tx: &'tx Transaction<'tx>,
    import_id: i64,
    /// Database ids of the snapshots opened so far, by number.
    snapshots: Vec<i64>,
    /// The row inserts, prepared once and held: even a cached statement
    /// costs a hash of its SQL text per lookup, per row.
    insert_identity: Option<Statement<'tx>>,
    insert_grant: Option<Statement<'tx>>,
}

impl<'tx> Writer<'tx> {
    pub fn new(tx: &'tx Transaction<'tx>, import_id: i64) -> Writer<'tx> {
        Writer {
            tx,
            import_id,
            snapshots: Vec::new(),
            insert_identity: None,
            insert_grant: None,
        }
    }

    /// Applies everything the reader sends until it is done, and returns
    /// the snapshots' database ids. After a failure the rest is still
    /// received (so the reader never waits on a full queue) but not
    /// written; the import then fails with the first error.
    pub fn drain(mut self, chunks: Receiver<Chunk>) -> rusqlite::Result<Vec<i64>> {
        let mut failure = None;
        for chunk in chunks {
            for write in &chunk.writes {
                if failure.is_none() {
                    failure = self.apply(write, &chunk).err();
                }
            }
        }
        failure.map_or(Ok(self.snapshots), Err)
    }

    fn apply(&mut self, write: &Write, chunk: &Chunk) -> rusqlite::Result<()> {
        match write {
            Write::Snapshot {
                kind,
                scope,
                file_name,
                sha256,
            } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO snapshots (import_id, kind, scope, format, file_name, sha256, row_count)
                         VALUES (?1, ?2, ?3, '', ?4, ?5, 0)",
                    )?
                    .execute((self.import_id, kind.as_str(), scope, file_name, sha256))?;
                self.snapshots.push(self.tx.last_insert_rowid());
            }
            Write::Identity {
                snapshot,
                line,
                cells,
            } => {
                let snapshot = self.snapshot_id(*snapshot)?;
                let [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10] = cells.map(|c| chunk.get(c));
                prepared(
                    self.tx,
                    &mut self.insert_identity,
                    "INSERT INTO identities (snapshot_id, line, identity_id, display_name, email, department,
                         kind, status, manager_id, owner_id, termination_date, last_login_at, attributes)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )?
                .execute(rusqlite::params![
                    snapshot, line, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10
                ])?;
            }
            Write::Grant {
                snapshot,
                line,
                privileged,
                cells,
            } => {
                let snapshot = self.snapshot_id(*snapshot)?;
                let [c0, c1, c2, c3, c4, c5, c6, c7, c8] = cells.map(|c| chunk.get(c));
                prepared(
                    self.tx,
                    &mut self.insert_grant,
                    "INSERT INTO grants (snapshot_id, line, identity_ref, system, entitlement, type,
                         granted_at, last_used_at, last_rotated_at, expires_at, attributes, privileged)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(rusqlite::params![
                    snapshot, line, c0, c1, c2, c3, c4, c5, c6, c7, c8, privileged
                ])?;
            }
            Write::System {
                snapshot,
                line,
                cells,
            } => {
                let snapshot = self.snapshot_id(*snapshot)?;
                let [c0, c1, c2, c3] = cells.map(|c| chunk.get(c));
                self.tx
                    .prepare_cached(
                        "INSERT INTO systems (snapshot_id, line, system, owner_id, criticality, attributes)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(rusqlite::params![snapshot, line, c0, c1, c2, c3])?;
            }
            Write::PriorReview {
                format,
                file_name,
                sha256,
                line,
                review,
            } => self.prior_review(format, file_name, sha256, *line, review)?,
            Write::Format { snapshot, format } => {
                let snapshot = self.snapshot_id(*snapshot)?;
                self.tx.execute(
                    "UPDATE snapshots SET format = ?1 WHERE id = ?2",
                    (format, snapshot),
                )?;
            }
        }
        Ok(())
    }

    /// Keeps one decision of an earlier review (migration 0002); the same
    /// file imported again adds nothing.
    fn prior_review(
        &self,
        format: &str,
        file_name: &str,
        sha256: &str,
        line: u64,
        review: &PriorReview,
    ) -> rusqlite::Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO prior_reviews (import_id, format, file_name, sha256, line,
                 principal_ref, principal_key, resource, review_name, result, decision,
                 reviewed_at, reviewer, justification, attributes)
             VALUES (:import, :format, :file_name, :sha256, :line, :principal_ref, :principal_key,
                 :resource, :review_name, :result, :decision, :reviewed_at, :reviewer,
                 :justification, :attributes)",
            )?
            .execute(named_params! {
                ":import": self.import_id,
                ":format": format,
                ":file_name": file_name,
                ":sha256": sha256,
                ":line": line,
                ":principal_ref": review.principal_ref,
                ":principal_key": crate::identity::keys::fold(&review.principal_ref),
                ":resource": review.resource,
                ":review_name": review.review_name,
                ":result": review.result,
                ":decision": review.decision.map(crate::model::Decision::as_str),
                ":reviewed_at": review.reviewed_at.map(When::stored),
                ":reviewer": review.reviewer,
                ":justification": review.justification,
                ":attributes": attributes_json(&review.attributes),
            })?;
        Ok(())
    }

    fn snapshot_id(&self, number: usize) -> rusqlite::Result<i64> {
        self.snapshots
            .get(number)
            .copied()
            .ok_or(rusqlite::Error::InvalidQuery)
    }
}

/// Writes the snapshots' row counts and retires the snapshots of the same
/// kind and scope that this import replaces.
pub fn close_snapshots(
    tx: &Transaction<'_>,
    import_id: i64,
    snapshots: &[OpenSnapshot],
    ids: &[i64],
) -> rusqlite::Result<Vec<SnapshotSummary>> {
    let mut summaries = Vec::with_capacity(snapshots.len());
    for (snapshot, &id) in snapshots.iter().zip(ids) {
        tx.execute(
            "UPDATE snapshots SET row_count = ?1 WHERE id = ?2",
            (snapshot.rows, id),
        )?;
        tx.execute(
            "UPDATE snapshots SET current = 0
         WHERE kind = ?1 AND scope = ?2 AND import_id <> ?3 AND current = 1",
            (snapshot.kind.as_str(), &snapshot.scope, import_id),
        )?;
        summaries.push(SnapshotSummary {
            id,
            file: snapshot.file.clone(),
            kind: snapshot.kind,
            scope: snapshot.scope.clone(),
            rows: snapshot.rows,
            orphaned: 0,
            unmatched: 0,
        });
    }
    Ok(summaries)
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
#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;
    use crate::model::{Grant, RecordKind};
    use crate::workspace::Workspace;

    /// After a failed write nothing more is written, the reader is never
    /// left waiting, and the import gets the error.
    #[test]
    fn a_failed_write_stops_writing_but_not_receiving() {
        let mut ws = Workspace::open_in_memory().expect("workspace");
        let tx = ws.conn.transaction().expect("tx");
        tx.execute("INSERT INTO imports VALUES (1, 'now', 'u', 'h')", [])
            .expect("import");
        let (send, receive) = mpsc::sync_channel(1);
        let sender = std::thread::spawn(move || {
            for round in 0..5 {
                let mut chunk = Chunk::with_capacity(1);
                if round == 0 {
                    // A row of a snapshot that was never opened.
                    chunk.grant(3, 2, &Grant::new("E1", "app", "user"));
                } else {
                    chunk.push(Write::Snapshot {
                        kind: RecordKind::Entitlements,
                        scope: "canonical".into(),
                        file_name: "e.csv".into(),
                        sha256: "a".repeat(64),
                    });
                }
                send.send(chunk).expect("the writer keeps receiving");
            }
        });
        let written = Writer::new(&tx, 1).drain(receive);
        sender.join().expect("sender");
        assert!(written.is_err());
        let snapshots: i64 = tx
            .query_row("SELECT count(*) FROM snapshots", [], |row| row.get(0))
            .expect("count");
        assert_eq!(snapshots, 0, "nothing after the failure was written");
    }
}
