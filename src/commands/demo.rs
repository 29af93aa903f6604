//! `recert demo`: a fresh workspace from the embedded sample company, a
//! sample campaign, then the review TUI: the first command a new user runs.
//! The previous quarter is replayed first (`previous`), so the campaign
//! shows what changed since, and what its revocations left behind.

mod previous;

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use color_eyre::eyre::{Result, WrapErr, bail};
use rusqlite::{Connection, OpenFlags};

use super::Context;
use crate::actor::Actor;
use crate::campaign::{Campaign, CampaignSpec, create_campaign, find_campaign, rules};
use crate::import::{ImportOptions, Mapping, Progress, Source, import_sources};
use crate::output;
use crate::workspace::{self, Workspace};

/// The sample company, embedded so the demo needs no files: the group's
/// HR file, in-house grants and systems as canonical CSVs, then the
/// exports of the same people as the consoles write them
/// (sample-data/README.md), all imported at once.
const SAMPLE: [(&str, &str); 13] = [
    (
        "identities.csv",
        include_str!("../../sample-data/identities.csv"),
    ),
    (
        "entitlements.csv",
        include_str!("../../sample-data/entitlements.csv"),
    ),
    ("systems.csv", include_str!("../../sample-data/systems.csv")),
    (
        "hr-lisboa.csv",
        include_str!("../../sample-data/exports/hr-lisboa.csv"),
    ),
    (
        "systems-cloud.csv",
        include_str!("../../sample-data/exports/systems-cloud.csv"),
    ),
    (
        "entra-users.csv",
        include_str!("../../sample-data/exports/entra-users.csv"),
    ),
    (
        "entra-access-review-history.csv",
        include_str!("../../sample-data/exports/entra-access-review-history.csv"),
    ),
    (
        "okta-password-health.csv",
        include_str!("../../sample-data/exports/okta-password-health.csv"),
    ),
    (
        "okta-current-assignments.csv",
        include_str!("../../sample-data/exports/okta-current-assignments.csv"),
    ),
    (
        "github-enterprise-members.csv",
        include_str!("../../sample-data/exports/github-enterprise-members.csv"),
    ),
    (
        "azure-role-assignments.csv",
        include_str!("../../sample-data/exports/azure-role-assignments.csv"),
    ),
    (
        "google-workspace-users.csv",
        include_str!("../../sample-data/exports/google-workspace-users.csv"),
    ),
    (
        "aws-credential-report.csv",
        include_str!("../../sample-data/exports/aws-credential-report.csv"),
    ),
];

/// The Lisbon subsidiary's HR roster is read through its mapping file.
const MAPPED: (&str, &str, &str) = (
    "hr-lisboa.csv",
    "hr-lisboa.toml",
    include_str!("../../sample-data/exports/hr-lisboa.toml"),
);

/// The workspace rules the demo sets (`recert rules set`): the built-in
/// rules plus the company's second e-mail domain.
const RULES: (&str, &str) = ("rules.toml", include_str!("../../sample-data/rules.toml"));

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
    let earlier = find_campaign(&ws.conn, previous::CAMPAIGN)?;
    let remediation = crate::remediation::counts(&ws.conn, &earlier, Utc::now().date_naive())?
        .map(|counts| super::remediation::summary(&counts, None))
        .unwrap_or_default();
    output::print(&format!(
        "Demo workspace: {shown}\n\
         Campaign {} {:?}: the previous quarter, signed off; its revocations: {remediation}.\n\
         Campaign {id} {CAMPAIGN:?}: {items} review items from the sample company Northwind Analytics (as of 2026-11-30, due 2026-12-31), compared with it.\n\
         Reopen it later with: recert --workspace {shown} review\n",
        earlier.id,
        previous::CAMPAIGN,
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

/// Sets the demo's workspace rules, replays the previous quarter, imports
/// the embedded sample company and creates the demo campaign (its baseline
/// the previous quarter's); returns the number of items and the campaign id.
pub fn build(conn: &mut Connection, actor: &Actor) -> Result<(u64, i64)> {
    rules::set_workspace_rules(conn, RULES.1, RULES.0)?;
    previous::replay(conn, SAMPLE[0], SAMPLE[2])?;
    let now = Utc::now();
    let sources: Vec<Source<'_>> = SAMPLE
        .iter()
        .map(|(name, text)| Source::Bytes(name, text.as_bytes()))
        .collect();
    let options = ImportOptions {
        file_mappings: vec![(PathBuf::from(MAPPED.0), Mapping::parse(MAPPED.1, MAPPED.2)?)],
        ..ImportOptions::default()
    };
    import_sources(conn, &sources, &options, actor, now, Progress::hidden())
        .wrap_err("importing the embedded sample data")?;
    crate::remediation::refresh_now(conn, now.date_naive())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's rules follow the built-in ones: a change to
    /// assets/rules.toml needs `python3 scripts/make-sample-data.py`.
    #[test]
    fn the_demo_rules_are_the_builtin_rules_with_the_second_domain() {
        // The line itself, not the example in the comment above it.
        let alias =
            "\ndomain_aliases = [[\"northwind.example\", \"northwind-analytics.example\"]]\n";
        assert!(RULES.1.contains(alias));
        // The example toxic combination in force and outliers on (§11).
        let sod = "[[sod]]\nname = \"payroll admin and approver\"\ndescription = \"changes payroll and approves the run\"\na = [\"payroll:payroll-admin\"]\nb = [\"payroll:payroll-approver\"]\n";
        let commented: String = sod.lines().flat_map(|line| ["# ", line, "\n"]).collect();
        let outlier = "[outlier]\nenabled = true\nthreshold = 0.01\nmin_peers = 10\n";
        assert!(RULES.1.contains(sod) && RULES.1.contains(outlier));
        assert_eq!(
            RULES
                .1
                .replace(alias, "\ndomain_aliases = []\n")
                .replace(sod, &commented)
                .replace(
                    outlier,
                    "[outlier]\nenabled = false\nthreshold = 0.2\nmin_peers = 5\n"
                ),
            rules::BUILTIN_TEXT,
            "sample-data/rules.toml is out of date: run python3 scripts/make-sample-data.py"
        );
        let parsed = rules::Rules::parse(RULES.1, RULES.0).expect("valid rules");
        assert_eq!(
            parsed
                .correlation
                .aliases
                .canonical_email("jo@northwind-analytics.example"),
            Some("jo@northwind.example".to_owned())
        );
    }
}
