//! Helpers shared by the CLI tests: a temporary workspace and the binary.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// A scratch directory with a workspace path inside it.
pub struct Scratch {
    pub dir: TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn workspace(&self) -> PathBuf {
        self.dir.path().join("workspace.db")
    }

    /// `recert` with this scratch workspace and a fixed reviewer environment.
    pub fn recert(&self) -> Command {
        let mut command = Command::cargo_bin("recert").expect("binary");
        command
            .env("RECERT_WORKSPACE", self.workspace())
            .env_remove("RECERT_REVIEWER")
            .env("USER", "tester")
            .env("NO_COLOR", "1");
        command
    }

    /// `recert import` of `files`, which must succeed.
    pub fn import(&self, files: &[PathBuf]) {
        self.recert().arg("import").args(files).assert().success();
    }

    /// Writes `contents` to a file in the scratch directory.
    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write fixture");
        path
    }

    /// Every row of the data tables and snapshots, to prove a failed command changed nothing.
    pub fn dump(&self) -> String {
        if !self.workspace().exists() {
            return String::new();
        }
        let conn = rusqlite::Connection::open(self.workspace()).expect("open");
        let mut out = String::new();
        for table in [
            "imports",
            "snapshots",
            "identities",
            "grants",
            "systems",
            "campaigns",
            "items",
            "decision_events",
            "signoffs",
            "prior_reviews",
        ] {
            let mut statement = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
                .expect("select");
            let columns = statement.column_count();
            let rows = statement
                .query_map([], |row| {
                    (0..columns)
                        .map(|i| {
                            row.get::<_, rusqlite::types::Value>(i)
                                .map(|v| format!("{v:?}"))
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .expect("rows");
            for row in rows {
                let _ = writeln!(out, "{table}: {}", row.expect("row").join("|"));
            }
        }
        out
    }
}

/// A file of tests/fixtures/formats (real export layouts).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

/// The repository's sample data.
#[allow(dead_code)] // used by the campaign and review tests
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(name)
}
