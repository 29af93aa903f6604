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
        for name in UNSET {
            command.env_remove(name);
        }
        command
            .env("RECERT_WORKSPACE", self.workspace())
            .env_remove("RECERT_REVIEWER")
            .env("USER", "tester")
            .env("NO_COLOR", "1");
        command
    }

    /// `recert campaign create --name NAME --as-of 2026-11-30` plus `extra`.
    pub fn create_campaign(&self, name: &str, extra: &[&str]) -> Command {
        let mut command = self.recert();
        command
            .args([
                "campaign",
                "create",
                "--name",
                name,
                "--as-of",
                "2026-11-30",
            ])
            .args(extra);
        command
    }

    /// [`Scratch::create_campaign`], which must succeed; returns its stdout
    /// (the new campaign's id and a newline).
    pub fn campaign(&self, name: &str, extra: &[&str]) -> String {
        let output = self
            .create_campaign(name, extra)
            .output()
            .expect("run campaign create");
        assert!(
            output.status.success(),
            "campaign create {name:?} {extra:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    /// `recert import` of `files`, which must succeed.
    pub fn import(&self, files: &[PathBuf]) {
        self.recert().arg("import").args(files).assert().success();
    }

    /// Registers `names` as reviewers (`recert reviewer add`), for tests
    /// that decide or sign off as someone who is not an imported person.
    pub fn known_reviewers(&self, names: &[&str]) {
        for name in names {
            self.recert()
                .args(["reviewer", "add", name])
                .assert()
                .success();
        }
    }

    /// The ids of the campaign's undecided items, as `items --json` lists them.
    pub fn undecided_ids(&self, campaign: &str) -> Vec<String> {
        let output = self
            .recert()
            .args(["items", campaign, "--undecided", "--json"])
            .output()
            .expect("items");
        let items: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        items
            .as_array()
            .expect("array")
            .iter()
            .map(|item| item["item_id"].to_string())
            .collect()
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
            "campaign_snapshots",
            "items",
            "control_stats",
            "decision_events",
            "current_decisions",
            "signoffs",
            "prior_reviews",
        ] {
            let mut statement = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
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

/// Environment variables no spawned `recert` may inherit: with
/// `RUST_BACKTRACE` set, color-eyre captures a backtrace for every error,
/// which tripled the suite's run time where a developer had it set.
pub const UNSET: [&str; 2] = ["RUST_BACKTRACE", "RUST_LIB_BACKTRACE"];

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
