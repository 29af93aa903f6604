//! Creating a campaign: freeze every current grant in scope into a review
//! item with its control, signals, recommendation and reviewer, in one
//! immediate transaction.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use color_eyre::eyre::{Result, WrapErr, bail};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::assign::{Candidates, assign};
use super::catalog::Catalog;
use super::directory::{Directory, IdentityRow};
use super::rules::{self, Rules, Subject};
use super::signals::{GrantFacts, Holder, Owner, evaluate, recommend};
use crate::actor::Actor;
use crate::holders::holder_key;
use crate::model::{GrantType, IdentityKind, When};

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
        }
    }
}

/// Creates the campaign and returns its id. Refuses a name in use, unknown
/// controls and an empty scope; on any error nothing is written.
pub fn create_campaign(
    conn: &mut Connection,
    spec: &CampaignSpec,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<i64> {
    let name = spec.name.trim();
    if name.is_empty() {
        bail!(
            "the campaign name is empty; give one with --name, e.g. --name \"2026-Q4 access review\""
        );
    }
    let (rules_text, rules) = load_rules(spec)?;
    let controls = check_controls(&spec.controls, &rules)?;
    let as_of = spec.as_of.unwrap_or_else(|| now.date_naive());
    let default_reviewer = spec
        .default_reviewer
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(&actor.reviewer)
        .to_owned();

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
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
    tx.execute(
        "INSERT INTO campaigns (name, period, as_of, due, default_reviewer, justify_mask, rules,
             created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
    let directory = Directory::load_current(&tx)?;
    let scope = Scope {
        controls,
        systems: spec.systems.iter().map(|s| holder_key(s)).collect(),
        kinds: &spec.kinds,
    };
    let context = ItemContext {
        directory: &directory,
        rules: &rules,
        as_of,
        default_reviewer: &default_reviewer,
        creator: &actor.reviewer,
    };
    let (seen, created) = freeze_items(&tx, campaign_id, &scope, &context)?;
    if created == 0 {
        bail!(
            "nothing in scope: none of the {seen} current grants matches {}; no campaign was created",
            describe_filters(spec)
        );
    }
    tx.commit()?;
    Ok(campaign_id)
}

fn load_rules(spec: &CampaignSpec) -> Result<(String, Rules)> {
    match &spec.rules {
        None => Ok((rules::BUILTIN_TEXT.to_owned(), Rules::builtin().clone())),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .wrap_err_with(|| format!("reading rules file {}", path.display()))?;
            let rules = Rules::parse(&text, &path.display().to_string())?;
            Ok((text, rules))
        }
    }
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

/// The filters of a spec, normalised for matching.
struct Scope<'a> {
    controls: HashSet<String>,
    systems: HashSet<String>,
    kinds: &'a [IdentityKind],
}

/// Everything an item is computed from besides its grant.
struct ItemContext<'a> {
    directory: &'a Directory,
    rules: &'a Rules,
    as_of: NaiveDate,
    default_reviewer: &'a str,
    creator: &'a str,
}

/// Streams the current grants and inserts one item per grant in scope.
/// Returns (grants seen, items created).
fn freeze_items(
    conn: &Connection,
    campaign_id: i64,
    scope: &Scope<'_>,
    context: &ItemContext<'_>,
) -> Result<(u64, u64)> {
    let mut select = conn.prepare(
        "SELECT id, identity_ref, system, type, privileged, granted_at, last_used_at,
                last_rotated_at, expires_at
         FROM grants
         WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1 AND kind = 'entitlements')
         ORDER BY id",
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO items (campaign_id, control_id, grant_row, identity_row, system_row,
             signal_mask, reasons, recommendation, recommendation_reason, assigned_reviewer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut reasons = Vec::with_capacity(8);
    let mut reasons_json = Vec::with_capacity(256);
    let (mut seen, mut created) = (0_u64, 0_u64);
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        seen += 1;
        let date = |index: usize| -> rusqlite::Result<Option<When>> {
            Ok(row
                .get_ref(index)?
                .as_str_or_null()?
                .and_then(When::parse_stored))
        };
        let system = row.get_ref(2)?.as_str()?;
        if !scope.systems.is_empty() && !scope.systems.contains(&holder_key(system)) {
            continue;
        }
        let identity_ref = row.get_ref(1)?.as_str()?;
        let identity = context.directory.find(identity_ref);
        if !scope.kinds.is_empty() && !identity.is_some_and(|i| scope.kinds.contains(&i.kind)) {
            continue;
        }
        let grant = GrantFacts {
            identity_ref,
            system,
            // The schema's CHECK constraint allows only the known types.
            grant_type: GrantType::parse(row.get_ref(3)?.as_str()?).unwrap_or(GrantType::Role),
            privileged: row.get::<_, bool>(4)?,
            granted_at: date(5)?,
            last_used_at: date(6)?,
            last_rotated_at: date(7)?,
            expires_at: date(8)?,
        };
        let holder = identity.map(|i| Holder {
            identity_id: &i.identity_id,
            kind: i.kind,
            status: i.status,
            termination_date: i.termination_date,
            owner: if i.kind.is_non_human() {
                context.directory.owner(i.owner_id.as_deref())
            } else {
                Owner::Missing
            },
        });
        let signals = evaluate(
            &grant,
            holder.as_ref(),
            context.as_of,
            &context.rules.thresholds,
            &mut reasons,
        );
        let control = context.rules.control_for(&Subject {
            signals,
            grant_type: grant.grant_type,
            privileged: grant.privileged,
            kind: identity.map(|i| i.kind),
        });
        if !scope.controls.is_empty() && !scope.controls.contains(control) {
            continue;
        }
        let (recommendation, why) = recommend(signals, &reasons, context.rules);
        let system_row = context.directory.system(system);
        let reviewer = reviewer_of(
            &grant,
            identity,
            holder.as_ref(),
            system_row.and_then(|s| s.owner_id.as_deref()),
            context,
        );
        reasons_json.clear();
        serde_json::to_writer(&mut reasons_json, &reasons)?;
        insert.execute(params![
            campaign_id,
            control,
            row.get::<_, i64>(0)?,
            identity.map(|i| i.row),
            system_row.map(|s| s.row),
            signals.bits(),
            std::str::from_utf8(&reasons_json)?,
            recommendation.as_str(),
            why,
            reviewer,
        ])?;
        created += 1;
    }
    Ok((seen, created))
}

fn reviewer_of<'a>(
    grant: &GrantFacts<'a>,
    identity: Option<&'a IdentityRow>,
    holder: Option<&Holder<'a>>,
    system_owner: Option<&'a str>,
    context: &ItemContext<'a>,
) -> &'a str {
    let directory = context.directory;
    let owner = match holder.map(|h| h.owner) {
        Some(Owner::Active(owner)) => Some(owner),
        _ => None,
    };
    let candidates = Candidates {
        holder: match identity {
            Some(i) => [Some(i.identity_id.as_str()), i.email.as_deref()],
            None => [Some(grant.identity_ref), None],
        },
        non_human: identity.map(|i| i.kind.is_non_human()),
        privileged: grant.privileged,
        manager: identity.and_then(|i| directory.reviewer(i.manager_id.as_deref())),
        owner,
        system_owner: directory.reviewer(system_owner),
        default_reviewer: context.default_reviewer,
        creator: context.creator,
    };
    assign(&candidates).0
}
