//! Independence warnings (PRODUCT.md §8), shown at sign-off and in the
//! report: the signer made most decisions; a decider was not the assigned
//! reviewer; a decider holds privileged access on the system they decided
//! privileged access to; decisions came faster than the rules' pace.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use chrono::DateTime;
use rusqlite::Connection;

use super::lookup::Campaign;
use super::review_rules::ReviewRules;
use crate::reviewers::{self, name::fold};
use crate::text::for_display;

/// How many item ids a warning names before it counts the rest.
const LISTED: usize = 10;

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The signer made more than half of the decisions.
    SignerMadeMost {
        signer: String,
        made: u64,
        decided: u64,
    },
    /// Items decided by someone other than their assigned reviewer.
    NotAssigned {
        decider: String,
        assigned: String,
        items: Vec<i64>,
    },
    /// Privileged items on `system` decided by someone holding privileged
    /// access on that system in the same campaign.
    HoldsSamePrivilege {
        decider: String,
        system: String,
        items: Vec<i64>,
    },
    /// A decider's decisions came faster than the pace.
    TooFast {
        decider: String,
        fast: u64,
        decisions: u64,
        pace_seconds: u32,
    },
}

fn ids(items: &[i64]) -> String {
    let shown: Vec<String> = items.iter().take(LISTED).map(i64::to_string).collect();
    match items.len().checked_sub(LISTED) {
        Some(more) if more > 0 => format!("{} and {more} more", shown.join(", ")),
        _ => shown.join(", "),
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::SignerMadeMost {
                signer,
                made,
                decided,
            } => write!(
                f,
                "the signer {} made {made} of the {decided} decisions: the sign-off is largely their own review",
                for_display(signer)
            ),
            Warning::NotAssigned {
                decider,
                assigned,
                items,
            } => write!(
                f,
                "{} decided {} assigned to {} (items {})",
                for_display(decider),
                crate::text::count(items.len(), "item"),
                for_display(assigned),
                ids(items)
            ),
            Warning::HoldsSamePrivilege {
                decider,
                system,
                items,
            } => write!(
                f,
                "{} decided privileged access on {} while holding privileged access there themselves (items {})",
                for_display(decider),
                for_display(system),
                ids(items)
            ),
            Warning::TooFast {
                decider,
                fast,
                decisions,
                pace_seconds,
            } => write!(
                f,
                "{} made {fast} of their {decisions} decisions less than {pace_seconds} s after the one before (the rules' pace_seconds): faster than an item can be looked at",
                for_display(decider)
            ),
        }
    }
}

/// One current decision as the warnings look at it.
struct Decided {
    item: i64,
    assigned: String,
    /// The final decider, and the first reviewer of a second review.
    deciders: Vec<String>,
    close_out: bool,
    privileged: bool,
    system: String,
}

/// The warnings for `campaign`, as signed off by `signer` (the signer's
/// share is checked only when there is one).
pub fn warnings(
    conn: &Connection,
    campaign: &Campaign,
    signer: Option<&str>,
) -> color_eyre::Result<Vec<Warning>> {
    let decided = current_decisions(conn, campaign.id)?;
    let mut found = Vec::new();
    if let Some(signer) = signer {
        signer_share(&decided, signer, &mut found);
    }
    not_assigned(conn, campaign, &decided, &mut found);
    same_privilege(
        &decided,
        &privileged_holders(conn, campaign.id)?,
        &mut found,
    );
    let pace = ReviewRules::of_campaign(conn, campaign)?.pace_seconds;
    too_fast(conn, campaign.id, pace, &mut found)?;
    Ok(found)
}

fn current_decisions(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<Decided>> {
    let mut statement = conn.prepare_cached(
        "SELECT it.id, it.assigned_reviewer, e.reviewer, f.reviewer,
                coalesce(e.basis, '') = 'close-out', g.privileged, g.system
         FROM current_decisions cd
         JOIN items it ON it.id = cd.item_id
         JOIN grants g ON g.id = it.grant_row
         JOIN decision_events e ON e.id = cd.event_id
         LEFT JOIN decision_events f ON f.id = cd.first_event_id
         WHERE cd.campaign_id = ?1
         ORDER BY it.id",
    )?;
    statement
        .query_map([campaign], |row| {
            let mut deciders: Vec<String> = vec![row.get(2)?];
            if let Some(first) = row.get::<_, Option<String>>(3)? {
                deciders.push(first);
            }
            Ok(Decided {
                item: row.get(0)?,
                assigned: row.get(1)?,
                deciders,
                close_out: row.get(4)?,
                privileged: row.get(5)?,
                system: row.get(6)?,
            })
        })?
        .collect()
}

fn signer_share(decided: &[Decided], signer: &str, found: &mut Vec<Warning>) {
    let signer_key = fold(signer);
    let made = decided
        .iter()
        .filter(|d| d.deciders.iter().any(|r| fold(r) == signer_key))
        .count() as u64;
    let total = decided.len() as u64;
    if total > 0 && made * 2 > total {
        found.push(Warning::SignerMadeMost {
            signer: signer.to_owned(),
            made,
            decided: total,
        });
    }
}

fn not_assigned(
    conn: &Connection,
    campaign: &Campaign,
    decided: &[Decided],
    found: &mut Vec<Warning>,
) {
    // Each assigned value once: the keys it names (the name, and the
    // person's id when it resolves, so `mia@x` assigned equals M1 deciding).
    let mut names: HashMap<String, Vec<String>> = HashMap::new();
    let mut groups: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for item in decided.iter().filter(|d| !d.close_out) {
        if !names.contains_key(&item.assigned) {
            let mut keys = vec![fold(&item.assigned)];
            if let Ok(known) = reviewers::resolve(conn, Some(campaign), &item.assigned) {
                keys.push(fold(&known.name));
            }
            names.insert(item.assigned.clone(), keys);
        }
        let keys = &names[&item.assigned];
        if item.deciders.iter().any(|r| keys.contains(&fold(r))) {
            continue;
        }
        // A second review is another reviewer's by design: the first names the decider.
        let who = item.deciders.last().cloned().unwrap_or_default();
        groups
            .entry((who, item.assigned.clone()))
            .or_default()
            .push(item.item);
    }
    found.extend(
        groups
            .into_iter()
            .map(|((decider, assigned), items)| Warning::NotAssigned {
                decider,
                assigned,
                items,
            }),
    );
}

/// Privileged items decided by someone who holds privileged access on the
/// same system (`holders`, from every privileged item of the campaign,
/// decided or not, by the holder's person id and account key).
fn same_privilege(
    decided: &[Decided],
    holders: &HashSet<(String, String)>,
    found: &mut Vec<Warning>,
) {
    let mut groups: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for item in decided.iter().filter(|d| d.privileged && !d.close_out) {
        let system = fold(&item.system);
        for decider in &item.deciders {
            if holders.contains(&(system.clone(), fold(decider))) {
                groups
                    .entry((decider.clone(), item.system.clone()))
                    .or_default()
                    .push(item.item);
            }
        }
    }
    found.extend(groups.into_iter().map(|((decider, system), items)| {
        Warning::HoldsSamePrivilege {
            decider,
            system,
            items,
        }
    }));
}

fn too_fast(
    conn: &Connection,
    campaign: i64,
    pace: u32,
    found: &mut Vec<Warning>,
) -> rusqlite::Result<()> {
    if pace == 0 {
        return Ok(());
    }
    let mut statement = conn.prepare_cached(
        "SELECT reviewer, decided_at FROM decision_events
         WHERE campaign_id = ?1 AND action IN ('certify', 'revoke')
           AND coalesce(basis, 'reviewer') <> 'close-out'
         ORDER BY reviewer, id",
    )?;
    let mut rows = statement.query([campaign])?;
    // (decider, decisions, fast, time of the previous decision)
    let mut current: Option<(String, u64, u64, Option<i64>)> = None;
    let flush = |state: Option<(String, u64, u64, Option<i64>)>, found: &mut Vec<Warning>| {
        if let Some((decider, decisions, fast, _)) = state {
            if decisions >= 2 && fast * 2 > decisions {
                found.push(Warning::TooFast {
                    decider,
                    fast,
                    decisions,
                    pace_seconds: pace,
                });
            }
        }
    };
    while let Some(row) = rows.next()? {
        let reviewer: String = row.get(0)?;
        let at: String = row.get(1)?;
        let millis = DateTime::parse_from_rfc3339(&at)
            .ok()
            .map(|t| t.timestamp_millis());
        if current.as_ref().is_none_or(|(r, ..)| *r != reviewer) {
            flush(current.take(), found);
            current = Some((reviewer, 0, 0, None));
        }
        if let Some((_, decisions, fast, previous)) = current.as_mut() {
            *decisions += 1;
            if let (Some(before), Some(now)) = (*previous, millis) {
                if now - before < i64::from(pace) * 1000 {
                    *fast += 1;
                }
            }
            *previous = millis.or(*previous);
        }
    }
    flush(current.take(), found);
    Ok(())
}

/// Holders of privileged access per system, folded: (system, key).
fn privileged_holders(
    conn: &Connection,
    campaign: i64,
) -> rusqlite::Result<HashSet<(String, String)>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT g.system, coalesce(i.identity_id, g.identity_ref), g.identity_ref
         FROM items it JOIN grants g ON g.id = it.grant_row
         LEFT JOIN identities i ON i.id = it.identity_row
         WHERE {} AND g.privileged = 1",
        super::ranges::in_campaign(super::ranges::ITEMS_AS_IT, "?1")
    ))?;
    let mut holders = HashSet::new();
    let mut rows = statement.query([campaign])?;
    while let Some(row) = rows.next()? {
        let system = fold(&row.get::<_, String>(0)?);
        for column in [1, 2] {
            let key = fold(&row.get::<_, String>(column)?);
            holders.insert((system.clone(), key));
        }
    }
    Ok(holders)
}
