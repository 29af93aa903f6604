//! `recert demo`: a fresh workspace from the embedded sample company, a
//! sample campaign, then the review TUI: the first command a new user runs.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use color_eyre::eyre::{Result, WrapErr, bail};
use rusqlite::{Connection, OpenFlags};

use super::Context;
use crate::actor::Actor;
use crate::campaign::{Campaign, CampaignSpec, create_campaign, find_campaign};
use crate::import::{ImportOptions, Progress, Source, import_sources};
use crate::output;
use crate::workspace::{self, Workspace};

/// The sample company, embedded so the demo needs no files.
const SAMPLE: [(&str, &str); 3] = [
    (
        "identities.csv",
        include_str!("../../sample-data/identities.csv"),
    ),
    (
        "entitlements.csv",
        include_str!("../../sample-data/entitlements.csv"),
    ),
    ("systems.csv", include_str!("../../sample-data/systems.csv")),
];

/// The demo campaign's settings (sample-data/README.md's reference dates).
pub const CAMPAIGN: &str = "Demo 2026-Q4";
const PERIOD: &str = "2026-Q4";
const AS_OF: (i32, u32, u32) = (2026, 11, 30);
const DUE: (i32, u32, u32) = (2026, 12, 31);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Who reviews in the demo [default: the OS user]; e.g. E0429, a manager in the sample company
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let path = match context.explicit_workspace() {
        Some(path) => {
            refuse_unless_empty(path)?;
            path.to_path_buf()
        }
        None => fresh_default()?,
    };
    let mut ws = Workspace::open(&path)?;
    let mut actor = Actor::current(args.reviewer.as_deref());
    let (items, id) = build(&mut ws.conn, &actor)?;
    let campaign = find_campaign(&ws.conn, &id.to_string())?;
    actor.reviewer = demo_reviewer(&ws.conn, &campaign, &actor)?;
    let shown = output::shown(&path);
    output::print(&format!(
        "Demo workspace: {shown}\n\
         Campaign {id} {CAMPAIGN:?}: {items} review items from the sample company Northwind Analytics (as of 2026-11-30, due 2026-12-31).\n\
         Reopen it later with: recert --workspace {shown} review\n"
    ))?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        output::print("Not a terminal, so the review is not opened.\n")?;
        return Ok(());
    }
    crate::tui::review(&mut ws.conn, campaign, &actor)
}

/// The demo reviews as the person `--reviewer` names (E0429, say), or
/// else as the OS user, registered as a reviewer of the throw-away demo
/// workspace: every reviewer recert records must be known.
fn demo_reviewer(conn: &Connection, campaign: &Campaign, actor: &Actor) -> Result<String> {
    match crate::reviewers::resolve(conn, Some(campaign), &actor.reviewer) {
        Ok(known) => Ok(known.name),
        Err(crate::reviewers::ReviewerError::Unknown { name, .. }) => {
            crate::reviewers::registry::add(conn, &name, None, actor, Utc::now())?;
            output::note(&format!(
                "{name:?} is not a person of the sample company, so the demo registered it as a reviewer"
            ));
            Ok(name)
        }
        Err(err) => Err(err.into()),
    }
}

/// Imports the embedded sample data and creates the demo campaign; returns
/// the number of items and the campaign id.
pub fn build(conn: &mut Connection, actor: &Actor) -> Result<(u64, i64)> {
    let sources: Vec<Source<'_>> = SAMPLE
        .iter()
        .map(|(name, text)| Source::Bytes(name, text.as_bytes()))
        .collect();
    let now = Utc::now();
    import_sources(
        conn,
        &sources,
        &ImportOptions::default(),
        actor,
        now,
        Progress::hidden(),
    )
    .wrap_err("importing the embedded sample data")?;
    let mut spec = CampaignSpec::new(CAMPAIGN);
    spec.period = Some(PERIOD.to_owned());
    spec.as_of = NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2);
    spec.due = NaiveDate::from_ymd_opt(DUE.0, DUE.1, DUE.2);
    let id = create_campaign(conn, &spec, actor, now)?;
    let items = conn.query_row(
        "SELECT count(*) FROM items WHERE campaign_id = ?1",
        [id],
        |row| row.get(0),
    )?;
    Ok((items, id))
}

/// The default demo workspace, `demo.db` beside the default workspace,
/// deleted first so every run starts from scratch.
fn fresh_default() -> Result<PathBuf> {
    let path = workspace::resolve_path(None)?.with_file_name("demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if file.exists() {
            fs::remove_file(&file)
                .wrap_err_with(|| format!("removing the old demo workspace {}", file.display()))?;
        }
    }
    Ok(path)
}

/// An explicitly named workspace is only used when it holds nothing: the
/// demo never mixes sample data into real work.
fn refuse_unless_empty(path: &Path) -> Result<()> {
    let Ok(meta) = fs::metadata(path) else {
        return Ok(());
    };
    if meta.len() == 0 {
        return Ok(());
    }
    let refuse = || {
        bail!(
            "{} already holds data; the demo only uses a new or empty workspace. Run `recert demo` without --workspace (it uses a separate demo.db), or name a new file",
            path.display()
        )
    };
    let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return refuse();
    };
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap_or(0);
    let used: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM imports) + (SELECT count(*) FROM campaigns)",
            [],
            |row| row.get(0),
        )
        .unwrap_or(1);
    if version == 0 || used > 0 {
        return refuse();
    }
    Ok(())
}
