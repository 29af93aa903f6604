//! Creating a campaign: freeze every current grant in scope into a review
//! item with its control, signals, recommendation and reviewer, in one
//! immediate transaction.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use color_eyre::eyre::{Result, bail};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::baseline::{self, BaselineChoice};
use super::catalog::Catalog;
use super::cycle::Cycle;
use super::earlier::EarlierReviews;
use super::freeze::{Frozen, ItemContext, Scope, freeze_items};
use super::lookup::Campaign;
use super::past::Past;
use super::rules::{self, Rules};
use super::systems::Systems;
use crate::actor::Actor;
use crate::identity::keys::fold;
use crate::identity::{Resolver, links};
use crate::model::IdentityKind;
use crate::workspace::readers;

/// What to put in a new campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignSpec {
    /// Unique among the workspace's campaigns.
    pub name: String,
    /// e.g. `2026-Q4`.
    pub period: Option<String>,
    pub due: Option<NaiveDate>,
    /// The date signals are computed as of; `None` = the UTC date of `now`.
    pub as_of: Option<NaiveDate>,
    /// Only items under these controls; empty = all.
    pub controls: Vec<String>,
    /// Only grants on these systems (ignoring ASCII case); empty = all.
    pub systems: Vec<String>,
    /// Only grants held by identities of these kinds; empty = all, orphans included.
    pub kinds: Vec<IdentityKind>,
    /// Reviewer of items nobody else can review; `None` = the creating actor.
    pub default_reviewer: Option<String>,
    /// A rules file instead of the built-in rules.
    pub rules: Option<PathBuf>,
    /// The campaign to compare with (`--baseline`); the latest signed-off
    /// one unless said otherwise.
    pub baseline: BaselineChoice,
}

impl CampaignSpec {
    /// A campaign over everything, as of today, with the built-in rules.
    pub fn new(name: impl Into<String>) -> CampaignSpec {
        CampaignSpec {
            name: name.into(),
            period: None,
            due: None,
            as_of: None,
            controls: Vec::new(),
            systems: Vec::new(),
            kinds: Vec::new(),
            default_reviewer: None,
            rules: None,
            baseline: BaselineChoice::Latest,
        }
    }
}

/// Page cache for building a campaign (KiB; `PRAGMA cache_size` takes a
/// negative size): a million items overflow the default 2 MB mid-transaction
/// and spill pages to the log only to read them back.
const BUILD_CACHE_KIB: i64 = 32 * 1024;

/// Creates the campaign and returns its id. Refuses a name in use, unknown
/// controls and an empty scope; on any error no campaign is written (the
/// remediation of earlier campaigns is brought up to date first, as an
/// import does).
pub fn create_campaign(
    conn: &mut Connection,
    spec: &CampaignSpec,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<i64> {
    create_campaign_reporting(conn, spec, actor, now).map(|(id, _)| id)
}

/// [`create_campaign`], also saying what the items are and who got them.
pub fn create_campaign_reporting(
    conn: &mut Connection,
    spec: &CampaignSpec,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(i64, Frozen)> {
    // Every row an item references is read inside the same immediate
    // transaction that inserts it, so the per-row foreign-key lookups (four
    // per item) prove nothing; they would double the time on a million grants.
    let foreign_keys: bool = conn.pragma_query_value(None, "foreign_keys", |row| row.get(0))?;
    let cache_size: i64 = conn.pragma_query_value(None, "cache_size", |row| row.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    conn.pragma_update(None, "cache_size", -BUILD_CACHE_KIB)?;
    let created = build(conn, spec, actor, now);
    conn.pragma_update(None, "foreign_keys", foreign_keys)?;
    conn.pragma_update(None, "cache_size", cache_size)?;
    created
}

fn build(
    conn: &mut Connection,
    spec: &CampaignSpec,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(i64, Frozen)> {
    let name = spec.name.trim();
    if name.is_empty() {
        bail!(
            "the campaign name is empty; give one with --name, e.g. --name \"2026-Q4 access review\""
        );
    }
    check_separators(spec, name, actor)?;
    let (rules_text, rules) = load_rules(conn, spec)?;
    let controls = check_controls(&spec.controls, &rules)?;
    let as_of = spec.as_of.unwrap_or_else(|| now.date_naive());
    let default_reviewer = spec
        .default_reviewer
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(&actor.reviewer)
        .to_owned();

    // Revocations of campaigns signed off by an older recert, and exports
    // imported since the last look, are followed first, and committed: the
    // threads that read the baseline meanwhile see only committed rows.
    crate::remediation::refresh_now(conn, now.date_naive())?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    check_workspace(&tx, name)?;
    let baseline = baseline::choose(&tx, &spec.baseline)?;
    tx.execute(
        "INSERT INTO campaigns (name, period, as_of, due, default_reviewer, justify_mask, rules,
             created_at, created_by, evidence_format)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 2)",
        params![
            name,
            spec.period
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty()),
            as_of.format("%Y-%m-%d").to_string(),
            spec.due.map(|d| d.format("%Y-%m-%d").to_string()),
            default_reviewer,
            rules.justify.bits(),
            rules_text,
            now.to_rfc3339_opts(SecondsFormat::Secs, true),
            actor.to_string(),
        ],
    )?;
    let campaign_id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO campaign_snapshots (campaign_id, snapshot_id)
         SELECT ?1, id FROM snapshots WHERE current = 1",
        [campaign_id],
    )?;
    // The manual links made so far are part of what the campaign freezes,
    // and so is the baseline it is compared with.
    let watermark = links::watermark(&tx)?;
    tx.execute(
        "UPDATE campaigns SET link_watermark = ?2, baseline_id = ?3 WHERE id = ?1",
        (campaign_id, watermark, baseline.as_ref().map(|b| b.id)),
    )?;
    let Loaded {
        resolver,
        systems,
        earlier,
        cycle,
    } = load(&tx, &rules, as_of, (watermark, baseline))?;
    let scope = Scope {
        controls,
        systems: spec.systems.iter().map(|s| fold(s)).collect(),
        kinds: &spec.kinds,
    };
    let context = ItemContext {
        resolver: &resolver,
        systems: &systems,
        earlier: &earlier,
        cycle: &cycle,
        rules: &rules,
        as_of,
        default_reviewer: &default_reviewer,
        creator: &actor.reviewer,
    };
    let frozen = freeze_items(&tx, campaign_id, &scope, &context)?;
    if frozen.created == 0 {
        bail!(
            "nothing in scope: none of the {} current grants matches {}; no campaign was created",
            frozen.seen,
            describe_filters(spec)
        );
    }
    earlier.freeze(&tx, campaign_id, &resolver)?;
    tx.commit()?;
    // Freeing what the items were computed from (the identities' hundreds
    // of thousands of small strings, a baseline's million decisions) takes
    // a tenth of a second; the campaign is committed, so another thread
    // does it while the caller goes on (the command ends).
    std::thread::spawn(move || drop((resolver, systems, earlier, cycle)));
    Ok((campaign_id, frozen))
}

/// Refuses a campaign name in use and a workspace with no entitlements.
fn check_workspace(tx: &Connection, name: &str) -> Result<()> {
    let existing: Option<i64> = tx
        .query_row("SELECT id FROM campaigns WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()?;
    if let Some(id) = existing {
        bail!(
            "a campaign named {name:?} already exists (id {id}); choose another --name, e.g. {:?}",
            format!("{name} (2)")
        );
    }
    let entitlements: i64 = tx.query_row(
        "SELECT count(*) FROM snapshots WHERE current = 1 AND kind = 'entitlements'",
        [],
        |row| row.get(0),
    )?;
    if entitlements == 0 {
        bail!(
            "nothing to review: the workspace holds no entitlements; import an entitlements export first (recert import entitlements.csv)"
        );
    }
    Ok(())
}

/// What the items of a campaign are computed from.
struct Loaded {
    resolver: Resolver,
    systems: Systems,
    earlier: EarlierReviews,
    cycle: Cycle,
}

/// Loads the identities, systems, earlier reviews and decisions as of the
/// link `watermark`, with the `baseline`'s decisions read on other threads
/// meanwhile (a million of them take as long as the rest together).
fn load(
    tx: &Connection,
    rules: &Rules,
    as_of: NaiveDate,
    (watermark, baseline): (i64, Option<Campaign>),
) -> Result<Loaded> {
    let rest = || -> Result<_> {
        let resolver = Resolver::load(tx, rules.correlation.clone(), as_of, Some(watermark))?;
        let systems = Systems::load_current(tx, &resolver)?;
        let earlier = EarlierReviews::load(tx, &resolver)?;
        Ok((resolver, systems, earlier, Past::load(tx)?))
    };
    let (baseline, loaded) = match baseline {
        Some(baseline) => readers::alongside(
            tx,
            |reader| baseline::load(reader, baseline).map(Some),
            rest,
        ),
        None => (Ok(None), rest()),
    };
    let (resolver, systems, earlier, past) = loaded?;
    Ok(Loaded {
        resolver,
        systems,
        earlier,
        cycle: Cycle {
            baseline: baseline?,
            past,
        },
    })
}

/// The name, period and reviewers end up in evidence cells, which recert
/// hashes with U+001F between them; refused here, where they enter, so
/// recert never signs evidence its own `verify` rejects.
fn check_separators(spec: &CampaignSpec, name: &str, actor: &Actor) -> Result<()> {
    let values = [
        ("--name", Some(name)),
        ("--period", spec.period.as_deref()),
        ("--default-reviewer", spec.default_reviewer.as_deref()),
        (
            "the reviewer name (--default-reviewer's default)",
            Some(actor.reviewer.as_str()),
        ),
    ];
    for (what, value) in values {
        if value.is_some_and(|v| v.contains('\u{1f}')) {
            bail!(
                "{what} holds the control character U+001F (unit separator), which recert's evidence hashes put between cells; remove it"
            );
        }
    }
    Ok(())
}

fn load_rules(conn: &Connection, spec: &CampaignSpec) -> Result<(String, Rules)> {
    rules::load(conn, spec.rules.as_deref())
}

/// Checks `--controls` against the catalog and the rules; empty = every control.
fn check_controls(requested: &[String], rules: &Rules) -> Result<HashSet<String>> {
    let catalog = Catalog::builtin();
    let mut controls = HashSet::new();
    for id in requested.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if catalog.get(id).is_none() {
            bail!(
                "unknown control {id:?} in --controls; controls in the catalog: {}",
                catalog.ids()
            );
        }
        if !rules.control_ids().any(|c| c == id) {
            let used: Vec<&str> = rules.control_ids().collect();
            bail!(
                "no rule files items under control {id} ({}); the rules use {}",
                catalog.title(id),
                used.join(", ")
            );
        }
        controls.insert(id.to_owned());
    }
    Ok(controls)
}

fn describe_filters(spec: &CampaignSpec) -> String {
    let mut filters = Vec::new();
    if !spec.systems.is_empty() {
        filters.push(format!("--system {}", spec.systems.join(", ")));
    }
    if !spec.kinds.is_empty() {
        let kinds: Vec<&str> = spec.kinds.iter().map(|k| k.as_str()).collect();
        filters.push(format!("--kind {}", kinds.join(", ")));
    }
    if !spec.controls.is_empty() {
        filters.push(format!("--controls {}", spec.controls.join(",")));
    }
    if filters.is_empty() {
        "the campaign".to_owned()
    } else {
        filters.join(" and ")
    }
}
