//! Turning SQLite's terse errors ("file is not a database", "disk I/O
//! error") into a sentence that names the workspace and says what to do.

use std::error::Error;
use std::path::Path;

use color_eyre::eyre::Report;
use rusqlite::ErrorCode;

/// The first SQLite error code in `report`'s chain, if any.
fn sqlite_code(report: &Report) -> Option<ErrorCode> {
    report.chain().find_map(|err: &(dyn Error + 'static)| {
        err.downcast_ref::<rusqlite::Error>()
            .and_then(rusqlite::Error::sqlite_error_code)
    })
}

/// What to tell the user about SQLite error `code` in the workspace `shown`,
/// or `None` where the error's own message (or a busy one) says enough.
fn advice(code: ErrorCode, shown: &str) -> Option<String> {
    Some(match code {
        ErrorCode::NotADatabase => format!(
            "{shown} is not a recert workspace: SQLite cannot read it as a database (another kind of file, or damaged); check --workspace or RECERT_WORKSPACE, and if it was your workspace restore it from a copy or its backup (.vN.bak beside it)"
        ),
        ErrorCode::DatabaseCorrupt => format!(
            "workspace {shown} is damaged (SQLite finds it malformed); restore it from a copy or its backup (.vN.bak beside it); `sqlite3 {shown} .recover` can salvage what is left into a new file"
        ),
        ErrorCode::ReadOnly => format!(
            "workspace {shown} cannot be written (a read-only file, directory or file system); nothing was changed; check who owns it and its directory (recert makes them 0600 and 0700), or work on a writable copy"
        ),
        ErrorCode::CannotOpen | ErrorCode::PermissionDenied => format!(
            "cannot open workspace {shown}: check that its directory exists and that you may read and write it, and the -wal and -shm files beside it"
        ),
        ErrorCode::DiskFull => format!(
            "the disk holding workspace {shown} is full; the change in progress was not committed; free some space and run the command again"
        ),
        ErrorCode::SystemIoFailure => format!(
            "reading or writing workspace {shown} failed in the operating system (an I/O error); the change in progress was not committed; check the disk, then check the workspace with `recert verify --workspace {shown}`"
        ),
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::ConstraintViolation => {
            return None;
        }
        _ => format!(
            "workspace {shown} reported a database error; if it happens again, keep a copy of the workspace and check it with `recert verify --workspace {shown}`"
        ),
    })
}

/// Wraps a database error with the sentence for its code, keeping SQLite's
/// own message as the cause; any other error passes through untouched.
/// Every command's error goes through here once (`commands::run`).
pub fn explain(report: Report, path: Option<&Path>) -> Report {
    let Some(code) = sqlite_code(&report) else {
        return report;
    };
    let shown = path.map_or_else(|| "(in memory)".to_owned(), |p| p.display().to_string());
    match advice(code, &shown) {
        Some(sentence) => report.wrap_err(sentence),
        None => report,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use color_eyre::eyre::{WrapErr, eyre};
    use rusqlite::Connection;

    #[test]
    fn a_file_that_is_no_database_is_named_with_the_fix() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "these are my notes, not a workspace\n".repeat(100)).expect("write");
        let err = Connection::open(&path)
            .expect("lazy open")
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .wrap_err("reading the schema")
            .expect_err("not a database");
        let text = format!("{:#}", explain(err, Some(&path)));
        assert!(
            text.contains("notes.txt is not a recert workspace"),
            "{text}"
        );
        assert!(text.contains("--workspace"), "{text}");
        assert!(text.contains("file is not a database"), "{text}");
    }

    #[test]
    fn read_only_unopenable_full_and_failing_workspaces_say_what_to_do() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("ws.db");
        Connection::open(&path)
            .expect("create")
            .execute_batch("CREATE TABLE t (x)")
            .expect("table");
        let read_only =
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .expect("open")
                .execute_batch("INSERT INTO t VALUES (1)")
                .wrap_err("recording")
                .expect_err("read-only");
        let missing = dir.path().join("no-such-dir").join("ws.db");
        let cannot_open = Connection::open(&missing)
            .wrap_err("opening")
            .expect_err("no directory");
        let failure = |code| {
            Report::new(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(code),
                None,
            ))
        };
        for (err, at, expected) in [
            (read_only, &path, "cannot be written"),
            (cannot_open, &missing, "check that its directory exists"),
            (failure(rusqlite::ffi::SQLITE_FULL), &path, "is full"),
            (failure(rusqlite::ffi::SQLITE_IOERR), &path, "I/O error"),
        ] {
            let text = format!("{:#}", explain(err, Some(at)));
            assert!(text.contains(&at.display().to_string()), "{text}");
            assert!(text.contains(expected), "{text}");
        }
    }

    #[test]
    fn other_errors_pass_through() {
        let report = explain(eyre!("no such campaign"), None);
        assert_eq!(report.to_string(), "no such campaign");
    }
}
