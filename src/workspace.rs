//! Opens the SQLite workspace: location, file permissions, pragmas and migrations.

use std::fs::{self, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use rusqlite::Connection;

/// Forward-only migrations; entry N upgrades a workspace from version N to N+1.
/// Never edit a released entry: add a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("workspace/0001_initial.sql"),
    include_str!("workspace/0002_prior_reviews.sql"),
    include_str!("workspace/0003_control_stats.sql"),
    include_str!("workspace/0004_projection_without_triggers.sql"),
    include_str!("workspace/0005_control_ranges.sql"),
    // 0006 (sign-off signatures) is merged from another branch before this.
    include_str!("workspace/0007_evidence_format_2.sql"),
    include_str!("workspace/0008_identity_correlation.sql"),
];

/// The schema version this build writes.
#[allow(clippy::cast_possible_truncation)] // a handful of migrations
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The busy timeout in force: `BUSY_TIMEOUT`, or `RECERT_BUSY_TIMEOUT_MS`
/// (milliseconds) where set, so tests and scripts can wait less or more.
pub fn busy_timeout() -> Duration {
    std::env::var("RECERT_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.trim().parse().ok())
        .map_or(BUSY_TIMEOUT, Duration::from_millis)
}

/// An open workspace. Every command works through one of these.
pub struct Workspace {
    pub conn: Connection,
    pub path: Option<PathBuf>,
}

impl Workspace {
    /// Opens the workspace at `path`, creating it (mode 0600) if it is missing,
    /// and upgrades its schema in place after writing a backup copy.
    pub fn open(path: &Path) -> Result<Workspace> {
        if path.is_dir() {
            bail!(
                "workspace {} is a directory; give the path of a file, e.g. {}/workspace.db",
                path.display(),
                path.display()
            );
        }
        create_private_file(path)?;
        refuse_if_world_writable(path)?;
        let conn = Connection::open(path)
            .wrap_err_with(|| format!("opening workspace {}", path.display()))?;
        let mut workspace = Workspace::from_connection(conn, Some(path.to_path_buf()))?;
        workspace.migrate()?;
        Ok(workspace)
    }

    /// A throw-away workspace for tests.
    pub fn open_in_memory() -> Result<Workspace> {
        let conn = Connection::open_in_memory()?;
        let mut workspace = Workspace::from_connection(conn, None)?;
        workspace.migrate()?;
        Ok(workspace)
    }

    fn from_connection(conn: Connection, path: Option<PathBuf>) -> Result<Workspace> {
        conn.busy_timeout(busy_timeout())?;
        // WAL lets a reviewer keep reading while another process writes;
        // synchronous=FULL makes each committed decision survive power loss.
        conn.pragma_update(None, "journal_mode", "wal")?;
        conn.pragma_update(None, "synchronous", "full")?;
        conn.pragma_update(None, "foreign_keys", "on")?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Workspace { conn, path })
    }

    /// Gives this connection a page cache large enough to hold the indexes a
    /// bulk write touches (256 MiB at most, allocated only as pages are used).
    /// With SQLite's default 2 MiB, creating a campaign over a million grants
    /// spent most of its time re-reading and spilling index pages.
    ///
    /// Temporary storage moves to memory too: a decision event's insert can
    /// still fire a trigger (the sign-off lock), so SQLite keeps a statement
    /// journal per insert, and writing those to a temporary file took 40% of
    /// a 100,000-item bulk decision.
    pub fn use_bulk_cache(&self) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -262_144)?;
        self.conn.pragma_update(None, "temp_store", "memory")?;
        Ok(())
    }

    /// Lets SQLite read the workspace file through a memory map (up to
    /// 1 GiB) instead of a read call and a copy into its cache per page.
    /// Checking a 100,000-item bulk decision reads pages of four tables
    /// scattered over the file, and took 0.35 s of it unmapped against
    /// 0.2 s mapped on a million-item campaign. Writes still go through the WAL.
    pub fn map_for_reads(&self) -> Result<()> {
        self.conn.pragma_update(None, "mmap_size", 1_i64 << 30)?;
        Ok(())
    }

    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    fn migrate(&mut self) -> Result<()> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            bail!(
                "workspace {} was written by a newer recert (schema version {found}, this recert knows up to {SCHEMA_VERSION}); upgrade recert to open it",
                self.describe()
            );
        }
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        if found > 0 {
            self.backup_before_upgrade(found)?;
        }
        for (version, sql) in (1..=SCHEMA_VERSION).zip(MIGRATIONS).skip(found as usize) {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
            // Another process may have migrated while we waited for the lock.
            let now: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
            if now >= version {
                continue;
            }
            tx.execute_batch(sql)
                .wrap_err_with(|| format!("upgrading workspace schema to version {version}"))?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Copies the whole workspace next to itself before a schema upgrade, so a
    /// failed or unwanted upgrade can be undone by hand.
    fn backup_before_upgrade(&self, version: u32) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let backup = backup_path(path, version);
        if backup.exists() {
            return Ok(());
        }
        self.conn
            .execute("VACUUM INTO ?1", [backup.to_string_lossy()])
            .wrap_err_with(|| format!("writing backup {}", backup.display()))?;
        fs::set_permissions(&backup, fs::Permissions::from_mode(0o600))?;
        eprintln!(
            "recert: upgraded workspace schema from version {version}; backup at {}",
            backup.display()
        );
        Ok(())
    }

    fn describe(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string())
    }
}

/// Where the pre-upgrade copy of a workspace at schema `version` goes.
pub fn backup_path(path: &Path, version: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".v{version}.bak"));
    PathBuf::from(name)
}

/// The workspace path: the flag or `RECERT_WORKSPACE` (clap resolves both),
/// else `workspace.db` in the platform data directory.
pub fn resolve_path(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    let dirs = directories::ProjectDirs::from("", "", "recert").ok_or_else(|| {
        eyre!("cannot find a home directory for the workspace; pass --workspace PATH or set RECERT_WORKSPACE")
    })?;
    Ok(dirs.data_dir().join("workspace.db"))
}

/// Creates the file with mode 0600 (and its parent directory 0700) before
/// SQLite touches it, so access data is never readable by other users.
fn create_private_file(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            fs::create_dir_all(parent)
                .wrap_err_with(|| format!("creating directory {}", parent.display()))?;
            fs::set_permissions(parent, fs::Permissions::from_mode(0o700))?;
        }
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .wrap_err_with(|| format!("creating workspace {}", path.display()))?;
    Ok(())
}

fn refuse_if_world_writable(path: &Path) -> Result<()> {
    let mode = fs::metadata(path)
        .wrap_err_with(|| format!("reading workspace {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o002 != 0 {
        bail!(
            "workspace {} is writable by every user (mode {:o}), so its decisions cannot be trusted; fix it with: chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_workspace_is_private_and_current() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("ws.db");
        let ws = Workspace::open(&path).expect("open");
        assert_eq!(ws.schema_version().expect("version"), SCHEMA_VERSION);
        let mode = fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn newer_workspace_is_refused_with_the_versions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ws.db");
        drop(Workspace::open(&path).expect("open"));
        let conn = Connection::open(&path).expect("raw open");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("bump");
        drop(conn);
        let err = Workspace::open(&path).err().expect("refused").to_string();
        assert!(err.contains("newer recert"), "{err}");
    }

    #[test]
    fn world_writable_workspace_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ws.db");
        drop(Workspace::open(&path).expect("open"));
        fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).expect("chmod");
        let err = Workspace::open(&path).err().expect("refused").to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }

    #[test]
    fn schema_is_stable() {
        let ws = Workspace::open_in_memory().expect("open");
        let mut stmt = ws
            .conn
            .prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
            .expect("prepare");
        let names: Vec<String> = stmt
            .query_map([], |row| {
                Ok(format!(
                    "{} {}",
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?
                ))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        insta::assert_snapshot!(names.join("\n"));
    }
}
