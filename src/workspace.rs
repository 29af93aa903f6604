//! Opens the SQLite workspace: location, file permissions, pragmas and migrations.

mod errors;
mod files;
pub mod readers;

use std::path::{Path, PathBuf};
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use rusqlite::{Connection, OpenFlags};

pub use errors::explain as explain_database_error;
pub use files::backup_path;

/// Forward-only migrations; entry N upgrades a workspace from version N to N+1.
/// Never edit a released entry: add a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("workspace/0001_initial.sql"),
    include_str!("workspace/0002_prior_reviews.sql"),
    include_str!("workspace/0003_control_stats.sql"),
    include_str!("workspace/0004_projection_without_triggers.sql"),
    include_str!("workspace/0005_control_ranges.sql"),
    include_str!("workspace/0006_signoff_signatures.sql"),
    include_str!("workspace/0007_evidence_format_2.sql"),
    include_str!("workspace/0008_identity_correlation.sql"),
    include_str!("workspace/0009_finishing_campaigns.sql"),
    include_str!("workspace/0010_quarterly_cycle.sql"),
    include_str!("workspace/0011_identity_lookup.sql"),
    include_str!("workspace/0012_item_conflicts.sql"),
    include_str!("workspace/0013_review_packets.sql"),
    include_str!("workspace/0014_reviewer_ranges.sql"),
    include_str!("workspace/0015_campaign_texts.sql"),
    include_str!("workspace/0016_baseline_decisions.sql"),
    include_str!("workspace/0017_packet_priors.sql"),
];

/// The schema version this build writes.
#[allow(clippy::cast_possible_truncation)] // a handful of migrations
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Page size of a new workspace (SQLite keeps an existing file's). Items
/// are ~110-byte rows written a million at a time: with SQLite's default
/// 4 KiB pages, creating a campaign spent a third more time in B-tree page
/// splits and page writes than with 16 KiB pages.
const PAGE_SIZE: i64 = 16 * 1024;

/// How long a writer waits for another process's transaction before giving up.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The environment variable that sets another busy timeout, in milliseconds.
pub const BUSY_TIMEOUT_ENV: &str = "RECERT_BUSY_TIMEOUT_MS";

/// The busy timeout in force: `DEFAULT_BUSY_TIMEOUT`, or
/// `RECERT_BUSY_TIMEOUT_MS` where set, so tests and scripts can wait less or
/// more. A value that is not a whole number of milliseconds SQLite can take
/// (0 to 2147483647) is refused rather than ignored or left to panic.
pub fn busy_timeout() -> Result<Duration> {
    let Some(value) = std::env::var_os(BUSY_TIMEOUT_ENV) else {
        return Ok(DEFAULT_BUSY_TIMEOUT);
    };
    let text = value.to_string_lossy();
    if text.trim().is_empty() {
        return Ok(DEFAULT_BUSY_TIMEOUT);
    }
    match text.trim().parse::<i32>() {
        Ok(ms) if ms >= 0 => Ok(Duration::from_millis(ms.unsigned_abs().into())),
        _ => bail!(
            "{BUSY_TIMEOUT_ENV} is {:?}: give how many milliseconds to wait for another recert process's write lock, a whole number from 0 to {} (unset, it is {})",
            crate::text::for_display(&text),
            i32::MAX,
            DEFAULT_BUSY_TIMEOUT.as_millis()
        ),
    }
}

/// How a file keeps its journal: a workspace in WAL, a packet in a rollback
/// journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Journal {
    Wal,
    Delete,
}

/// An open workspace. Every command works through one of these.
pub struct Workspace {
    pub conn: Connection,
    pub path: Option<PathBuf>,
}

impl Workspace {
    /// Opens the workspace at `path`, creating it (mode 0600) if it is missing,
    /// and upgrades its schema in place after writing a backup copy. Only
    /// commands that bring data in (import, campaign create, demo) create one.
    pub fn open(path: &Path) -> Result<Workspace> {
        if path.is_dir() {
            bail!(
                "workspace {} is a directory; give the path of a file, e.g. {}/workspace.db",
                path.display(),
                path.display()
            );
        }
        files::refuse_open_directory(path)?;
        files::create_private_file(path)?;
        Workspace::open_file(path, Journal::Wal)
    }

    /// Opens the workspace at `path` like [`Workspace::open`], but refuses a
    /// missing or empty file instead of creating a workspace there: a
    /// mistyped `--workspace` gets "there is no workspace", not an empty one.
    pub fn open_existing(path: &Path) -> Result<Workspace> {
        files::refuse_missing_or_empty(path)?;
        Workspace::open_file(path, Journal::Wal)
    }

    /// Opens a review packet (PRODUCT.md §9): a file with the workspace's
    /// schema holding one reviewer's items. It keeps a rollback journal
    /// instead of WAL, so it stays one file to copy to another machine, and
    /// reading it never changes its bytes (its SHA-256 is part of the
    /// evidence once merged).
    pub fn open_packet(path: &Path) -> Result<Workspace> {
        files::refuse_missing_or_empty(path)?;
        let workspace = Workspace::open_file(path, Journal::Delete)?;
        if !workspace.is_packet()? {
            bail!(
                "{} is not a review packet (it holds no packet record); a campaign owner writes one with `recert packet create CAMPAIGN --reviewer R -o FILE`",
                path.display()
            );
        }
        Ok(workspace)
    }

    /// Creates a new, empty packet file at `path` (mode 0600, which must
    /// not exist yet) with the current schema; the caller fills it.
    pub fn create_packet_file(path: &Path) -> Result<Workspace> {
        files::create_private_file(path)?;
        Workspace::open_file(path, Journal::Delete)
    }

    /// Whether this file is a review packet rather than a workspace.
    pub fn is_packet(&self) -> Result<bool> {
        holds_packet(&self.conn)
    }

    fn open_file(path: &Path, journal: Journal) -> Result<Workspace> {
        files::refuse_if_others_can_write(path)?;
        let conn = Connection::open(path)
            .wrap_err_with(|| format!("opening workspace {}", path.display()))?;
        refuse_foreign_database(&conn, path)?;
        // Checked before any pragma: switching a packet to WAL would change
        // its bytes, and its SHA-256 is evidence once merged.
        if journal == Journal::Wal && holds_packet(&conn)? {
            refuse_packet(path)?;
        }
        let mut workspace = Workspace::from_connection(conn, Some(path.to_path_buf()), journal)?;
        workspace.migrate()?;
        Ok(workspace)
    }

    /// Opens an existing workspace for reading only, as `recert verify`
    /// does: nothing is written, no pragma set, no schema migrated. A
    /// workspace of an older schema is refused with how to upgrade it.
    pub fn open_read_only(path: &Path) -> Result<Workspace> {
        files::refuse_missing_or_empty(path)?;
        files::refuse_if_others_can_write(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .wrap_err_with(|| format!("opening workspace {} for reading", path.display()))?;
        conn.busy_timeout(busy_timeout()?)?;
        refuse_foreign_database(&conn, path)?;
        let workspace = Workspace {
            conn,
            path: Some(path.to_path_buf()),
        };
        let found = workspace.schema_version()?;
        workspace.refuse_newer(found)?;
        if found == 0 {
            bail!(
                "{} holds no recert workspace (an SQLite file without recert's schema); check --workspace or RECERT_WORKSPACE",
                path.display()
            );
        }
        if found < SCHEMA_VERSION {
            bail!(
                "workspace {} has schema version {found} and this recert checks version {SCHEMA_VERSION}; checking never changes a workspace, so upgrade it first: any other recert command does, after writing a backup beside it (e.g. `recert --workspace {} campaign list`), or check a copy",
                path.display(),
                path.display()
            );
        }
        if holds_packet(&workspace.conn)? {
            refuse_packet(path)?;
        }
        Ok(workspace)
    }

    /// A throw-away workspace for tests.
    pub fn open_in_memory() -> Result<Workspace> {
        let conn = Connection::open_in_memory()?;
        let mut workspace = Workspace::from_connection(conn, None, Journal::Wal)?;
        workspace.migrate()?;
        Ok(workspace)
    }

    fn from_connection(
        conn: Connection,
        path: Option<PathBuf>,
        journal: Journal,
    ) -> Result<Workspace> {
        conn.busy_timeout(busy_timeout()?)?;
        // WAL lets a reviewer keep reading while another process writes;
        // synchronous=FULL makes each committed decision survive power loss.
        // A packet keeps a rollback journal: one file to carry around.
        let mode = match journal {
            Journal::Wal => "wal",
            Journal::Delete => "delete",
        };
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        conn.pragma_update(None, "journal_mode", mode)?;
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

    fn refuse_newer(&self, found: u32) -> Result<()> {
        if found > SCHEMA_VERSION {
            bail!(
                "workspace {} was written by a newer recert (schema version {found}, this recert knows up to {SCHEMA_VERSION}); upgrade recert to open it",
                self.describe()
            );
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let found = self.schema_version()?;
        self.refuse_newer(found)?;
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
            after_migration(&tx, version)
                .wrap_err_with(|| format!("upgrading workspace schema to version {version}"))?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Copies the whole workspace next to itself before a schema upgrade, so a
    /// failed or unwanted upgrade can be undone by hand: always a new file,
    /// private from its first byte.
    fn backup_before_upgrade(&self, version: u32) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let backup = files::create_backup_file(path, version)?;
        if let Err(err) = self
            .conn
            .execute("VACUUM INTO ?1", [backup.to_string_lossy()])
        {
            let _ = std::fs::remove_file(&backup);
            return Err(err).wrap_err_with(|| format!("writing backup {}", backup.display()));
        }
        crate::output::note(&format!(
            "upgraded workspace schema from version {version}; backup at {}",
            backup.display()
        ));
        Ok(())
    }

    fn describe(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string())
    }
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

/// What a migration needs that SQL cannot do, in its transaction.
fn after_migration(tx: &Connection, version: u32) -> Result<()> {
    if version == 6 {
        // Sign-offs made before schema 6 enter the sign-off log (SHA-256).
        crate::evidence::signoff_log::log_earlier_sign_offs(tx)?;
    }
    if version == 16 {
        // Campaigns signed off before schema 16 can still be a baseline.
        crate::campaign::baseline::record_earlier_sign_offs(tx)?;
    }
    Ok(())
}

/// Whether the file is a review packet (schema 11 on): read without
/// writing anything.
fn holds_packet(conn: &Connection) -> Result<bool> {
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'packet')",
        [],
        |row| row.get(0),
    )?;
    if !has_table {
        return Ok(false);
    }
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM packet)", [], |row| row.get(0))?)
}

/// A review packet given where a workspace belongs.
fn refuse_packet(path: &Path) -> Result<()> {
    bail!(
        "{} is a review packet, not a workspace; give it with --packet FILE (or `recert review FILE`), or merge it into its workspace with `recert packet merge`",
        path.display()
    )
}

/// Refuses an SQLite file recert did not make (no schema version, but
/// tables): migrating it would write recert's tables into someone else's
/// database.
fn refuse_foreign_database(conn: &Connection, path: &Path) -> Result<()> {
    let version: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > 0 {
        return Ok(());
    }
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))?;
    if tables > 0 {
        bail!(
            "{} is an SQLite database but not a recert workspace (it has tables and no recert schema version); check --workspace or RECERT_WORKSPACE",
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

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
    fn new_workspace_uses_large_pages_and_an_old_one_keeps_its_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        let page_size = |ws: &Workspace| -> i64 {
            ws.conn
                .pragma_query_value(None, "page_size", |row| row.get(0))
                .expect("page_size")
        };
        let fresh = dir.path().join("fresh.db");
        assert_eq!(
            page_size(&Workspace::open(&fresh).expect("open")),
            PAGE_SIZE
        );
        // A workspace written with SQLite's default pages (every one made
        // before this change) opens, and upgrades, with its own.
        let old = dir.path().join("old.db");
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspaces/schema-v13.db");
        fs::copy(fixture, &old).expect("copy fixture");
        fs::set_permissions(&old, fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(page_size(&Workspace::open(&old).expect("open")), 4096);
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

    /// Every table, index, trigger and view with its SQL, in name order.
    fn schema(conn: &Connection) -> String {
        let mut statement = conn
            .prepare(
                "SELECT type, name, tbl_name, sql FROM sqlite_master
                 WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
            )
            .expect("prepare");
        let entries: Vec<String> = statement
            .query_map([], |row| {
                Ok(format!(
                    "-- {} {} (on {})\n{};\n",
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?.unwrap_or_default(),
                ))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        entries.join("\n")
    }

    /// The whole schema a new workspace gets, in one reviewed file: a
    /// migration that changes it changes this snapshot.
    #[test]
    fn schema_is_stable() {
        let ws = Workspace::open_in_memory().expect("open");
        insta::assert_snapshot!(schema(&ws.conn));
    }

    /// What commit 1e6900b changed in the released migration 0001 (OR chains
    /// instead of IN lists, no per-row JSON check on grants and items): a
    /// workspace created before it, as schema 1 or 2, keeps the old table
    /// definitions, since no migration rewrites them. Each pair is
    /// (as those workspaces hold it, as a new workspace holds it).
    const EDITED_0001: [(&str, &str); 11] = [
        (
            "CHECK (kind IN ('identities', 'entitlements', 'systems'))",
            "CHECK (kind = 'identities' OR kind = 'entitlements' OR kind = 'systems')",
        ),
        (
            "CHECK (current IN (0, 1))",
            "CHECK (current = 0 OR current = 1)",
        ),
        (
            "CHECK (kind IN ('human', 'service', 'workload', 'bot', 'shared', 'external'))",
            "CHECK (kind = 'human' OR kind = 'service' OR kind = 'workload' OR kind = 'bot' OR kind = 'shared' OR kind = 'external')",
        ),
        (
            "CHECK (status IN ('active', 'disabled', 'terminated'))",
            "CHECK (status = 'active' OR status = 'disabled' OR status = 'terminated')",
        ),
        (
            "CHECK (type IN ('role', 'group', 'permission', 'account', 'api_key', 'secret', 'certificate', 'ssh_key', 'password'))",
            "CHECK (type = 'role' OR type = 'group' OR type = 'permission' OR type = 'account' OR type = 'api_key' OR type = 'secret' OR type = 'certificate' OR type = 'ssh_key' OR type = 'password')",
        ),
        (
            "CHECK (privileged IN (0, 1))",
            "CHECK (privileged = 0 OR privileged = 1)",
        ),
        (
            "    attributes      TEXT CHECK (attributes IS NULL OR json_valid(attributes))\n)",
            "    -- JSON written by recert itself; not re-validated per row (a million-row table).\n    attributes      TEXT\n)",
        ),
        (
            "CHECK (criticality IN ('low', 'medium', 'high', 'critical'))",
            "CHECK (criticality = 'low' OR criticality = 'medium' OR criticality = 'high' OR criticality = 'critical')",
        ),
        (
            "    reasons               TEXT NOT NULL CHECK (json_valid(reasons)),",
            "    -- JSON written by recert itself; not re-validated per row (a million-row table).\n    reasons               TEXT NOT NULL,",
        ),
        (
            "CHECK (recommendation IN ('certify', 'revoke'))",
            "CHECK (recommendation = 'certify' OR recommendation = 'revoke')",
        ),
        // decision_events' `action` CHECK was edited too, but migration 0007
        // made that table again, so every workspace now has the new one.
        (
            "decision    TEXT NOT NULL CHECK (decision IN ('certify', 'revoke'))",
            "decision    TEXT NOT NULL CHECK (decision = 'certify' OR decision = 'revoke')",
        ),
    ];

    /// Upgrading a workspace of any released schema ends in exactly the schema
    /// of a new one, but for the known edit of migration 0001 in workspaces
    /// created before it; any other difference fails.
    #[test]
    fn every_upgraded_workspace_has_the_schema_of_a_new_one() {
        let fresh = schema(&Workspace::open_in_memory().expect("open").conn);
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspaces");
        let mut versions = Vec::new();
        for version in 1..=SCHEMA_VERSION {
            let fixture = fixtures.join(format!("schema-v{version}.db"));
            if !fixture.exists() {
                continue;
            }
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("ws.db");
            fs::copy(&fixture, &path).expect("copy");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
            let ws = Workspace::open(&path).expect("upgrade");
            let mut upgraded = schema(&ws.conn);
            let mut edited = 0;
            for (old, new) in EDITED_0001 {
                if upgraded.contains(old) {
                    upgraded = upgraded.replace(old, new);
                    edited += 1;
                }
            }
            let expected = if version <= 2 { EDITED_0001.len() } else { 0 };
            assert_eq!(
                edited, expected,
                "schema-v{version}.db holds {edited} of the definitions migration 0001 had before 1e6900b"
            );
            assert_eq!(
                upgraded, fresh,
                "schema-v{version}.db upgraded differs from a new workspace"
            );
            // Every item lies in a run of the reviewer it was created for
            // (migration 0014), so reviewer queries find it.
            let outside: i64 = ws
                .conn
                .query_row(
                    "SELECT count(*) FROM items it WHERE NOT EXISTS (
                         SELECT 1 FROM reviewer_ranges rr
                         WHERE rr.campaign_id = it.campaign_id
                           AND rr.reviewer = coalesce(it.initial_reviewer, it.assigned_reviewer)
                           AND it.id BETWEEN rr.first_item AND rr.last_item)",
                    [],
                    |row| row.get(0),
                )
                .expect("ranges");
            assert_eq!(outside, 0, "schema-v{version}.db: items outside any run");
            versions.push(version);
        }
        assert_eq!(
            versions.first(),
            Some(&1),
            "the first released schema has a fixture"
        );
    }
}
