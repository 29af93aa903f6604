//! Turning SQLite's raw "database is locked" into one message that says what
//! is going on: another recert process holds the workspace's write lock.

use std::error::Error;
use std::path::Path;

use color_eyre::eyre::Report;
use rusqlite::ErrorCode;

use crate::workspace;

/// Whether `err` or any error it was caused by is SQLite giving up on a lock
/// (`SQLITE_BUSY` or `SQLITE_LOCKED`) after the busy timeout.
pub fn is_busy(err: &(dyn Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(sqlite) = err.downcast_ref::<rusqlite::Error>() {
            if matches!(
                sqlite.sqlite_error_code(),
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
            ) {
                return true;
            }
        }
        next = err.source();
    }
    false
}

/// The sentence shown instead of SQLite's text when the workspace at `path`
/// stayed locked for the whole busy timeout.
pub fn busy_message(path: Option<&Path>) -> String {
    let timeout = workspace::busy_timeout()
        .unwrap_or(workspace::DEFAULT_BUSY_TIMEOUT)
        .as_secs_f64();
    let what = path.map_or_else(
        || "the workspace".to_owned(),
        |p| format!("workspace {}", p.display()),
    );
    format!(
        "{what} is busy: another recert process (an import, a decision, a sign-off) held its write lock for over {timeout} s, so nothing was changed; wait for that command to finish and run this one again"
    )
}

/// The text to show for `err` where there is no error chain to print (the
/// TUI's status bar): the busy sentence for a lock timeout, else
/// [`messages`] joined by `: `.
pub fn describe(err: &(dyn Error + 'static)) -> String {
    if is_busy(err) {
        return busy_message(None);
    }
    messages(err).join(": ")
}

/// The message of `err`, then of each cause that says something new:
/// a cause whose text the one before already holds (rusqlite and thiserror
/// errors often repeat their source in their own message) is left out.
pub fn messages(err: &(dyn Error + 'static)) -> Vec<String> {
    let mut messages = vec![err.to_string()];
    let mut next = err.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if messages.last().is_none_or(|last| !last.contains(&text)) {
            messages.push(text);
        }
        next = cause.source();
    }
    messages
}

/// Replaces a busy error with `busy_message`, keeping the original as its
/// cause; any other error passes through untouched. Every command's error
/// goes through here once (`commands::run`).
pub fn explain(report: Report, path: Option<&Path>) -> Report {
    let busy = report.chain().any(is_busy);
    if busy {
        let message = busy_message(path);
        report.wrap_err(message)
    } else {
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use color_eyre::eyre::{WrapErr, eyre};
    use rusqlite::{Connection, TransactionBehavior};

    #[test]
    fn a_held_write_lock_becomes_one_clear_sentence() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ws.db");
        let mut holder = Connection::open(&path).expect("open");
        holder
            .execute_batch("PRAGMA journal_mode = wal; CREATE TABLE t (x)")
            .expect("schema");
        let _lock = holder
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("lock");
        let mut waiter = Connection::open(&path).expect("open");
        waiter
            .busy_timeout(std::time::Duration::from_millis(50))
            .expect("timeout");
        let Err(err) = waiter.transaction_with_behavior(TransactionBehavior::Immediate) else {
            panic!("the second writer got the lock");
        };
        assert!(describe(&err).starts_with("the workspace is busy: another recert process"));
        let report = explain(
            Report::new(err).wrap_err("recording the decision"),
            Some(&path),
        );
        let text = report.to_string();
        assert!(text.starts_with("workspace "), "{text}");
        assert!(text.contains("another recert process"), "{text}");
        assert!(!text.contains("database is locked"), "{text}");
    }

    #[test]
    fn other_errors_pass_through() {
        let report = explain(eyre!("no such campaign"), None);
        assert_eq!(report.to_string(), "no such campaign");
        let constraint = Connection::open_in_memory()
            .expect("open")
            .execute_batch("SELECT RAISE(ABORT, 'nope')")
            .wrap_err("x");
        assert!(!is_busy(constraint.expect_err("error").root_cause()));
    }

    #[test]
    fn a_description_names_each_cause_once() {
        let raised = Connection::open_in_memory()
            .expect("open")
            .execute_batch(
                "CREATE TABLE t (x);
                 CREATE TRIGGER boom BEFORE INSERT ON t BEGIN SELECT RAISE(ABORT, 'disk full'); END;
                 INSERT INTO t VALUES (1);",
            )
            .expect_err("raised");
        let err = crate::campaign::DecideError::from(raised);
        let text = describe(&err);
        assert!(
            text.starts_with("recording the decision: disk full"),
            "{text}"
        );
        assert_eq!(text.matches("disk full").count(), 1, "{text}");
    }
}
