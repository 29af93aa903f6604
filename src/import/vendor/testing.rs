//! Test helpers: import a fixture into an in-memory workspace and list what it wrote.

use std::path::{Path, PathBuf};

use chrono::TimeZone;

use crate::actor::Actor;
use crate::import::{ImportOptions, ImportSummary, Progress, import_files};
use crate::workspace::Workspace;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

/// Imports the fixtures; panics with the problems if the import is refused.
pub fn import(names: &[&str]) -> (Workspace, ImportSummary) {
    let paths: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    import_paths(&paths, &ImportOptions::default()).unwrap_or_else(|err| panic!("{err}"))
}

pub fn import_paths(
    paths: &[PathBuf],
    options: &ImportOptions,
) -> Result<(Workspace, ImportSummary), String> {
    let mut workspace = Workspace::open_in_memory().expect("workspace");
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
        .single()
        .expect("time");
    let summary = import_files(
        &mut workspace.conn,
        paths,
        options,
        &Actor::fixed("R"),
        now,
        Progress::hidden(),
    )
    .map_err(|err| err.to_string())?;
    Ok((workspace, summary))
}

/// Imports `text` written to a temporary file called `name`.
pub fn import_text(name: &str, text: &str) -> Result<(Workspace, ImportSummary), String> {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    import_paths(&[path], &ImportOptions::default())
}

fn rows(workspace: &Workspace, sql: &str) -> Vec<String> {
    let mut statement = workspace.conn.prepare(sql).expect("sql");
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|i| {
                    row.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                        rusqlite::types::Value::Null => String::new(),
                        rusqlite::types::Value::Integer(n) => n.to_string(),
                        rusqlite::types::Value::Text(t) => t,
                        other => format!("{other:?}"),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|cells| cells.join("|"))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// `identity_id|display_name|email|kind|status|manager_id|last_login_at`, in file order.
pub fn identities(workspace: &Workspace) -> Vec<String> {
    rows(
        workspace,
        "SELECT identity_id, display_name, email, kind, status, manager_id, last_login_at FROM identities ORDER BY id",
    )
}

/// `holder|system|entitlement|type|privileged|granted_at|last_used_at|last_rotated_at`.
pub fn grants(workspace: &Workspace) -> Vec<String> {
    rows(
        workspace,
        "SELECT identity_ref, system, entitlement, type, privileged, granted_at, last_used_at, last_rotated_at FROM grants ORDER BY id",
    )
}

/// The attributes JSON of the identity or grant whose key column equals `key`.
pub fn attributes(workspace: &Workspace, table: &str, key: &str) -> String {
    let column = if table == "identities" {
        "identity_id"
    } else {
        "identity_ref"
    };
    rows(
        workspace,
        &format!("SELECT attributes FROM {table} WHERE {column} = '{key}' ORDER BY id LIMIT 1"),
    )
    .pop()
    .unwrap_or_default()
}

/// `scope|kind|format|row_count` of every snapshot.
pub fn snapshots(workspace: &Workspace) -> Vec<String> {
    rows(
        workspace,
        "SELECT scope, kind, format, row_count FROM snapshots ORDER BY id",
    )
}
