//! `recert decide`: certify, revoke or undo items from the command line.

use color_eyre::eyre::{Result, bail};

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::Context;
use crate::campaign::{
    DecisionRequest, EventExtras, accept, find_campaign, record_decision_groups,
};
use crate::model::{DecisionAction, DecisionBasis};
use crate::text::for_display;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("action").required(true)))]
#[allow(clippy::struct_excessive_bools)] // one per flag of the CLI contract
pub struct Args {
    /// Campaign id or exact name (omitted with --packet: a packet holds one campaign)
    pub campaign: String,
    /// Item ids to decide
    #[arg(required_unless_present = "packet", value_name = "ITEM_ID")]
    pub items: Vec<i64>,
    /// Decide in a review packet instead of a workspace campaign
    #[arg(long, value_name = "FILE")]
    pub packet: Option<std::path::PathBuf>,
    /// Keep the access
    #[arg(long, group = "action")]
    pub certify: bool,
    /// Remove the access
    #[arg(long, group = "action")]
    pub revoke: bool,
    /// Withdraw the current decision
    #[arg(long, group = "action")]
    pub undo: bool,
    /// Decide as each item's recommendation says (an unchanged grant certified in the baseline records basis carry-over)
    #[arg(long, group = "action")]
    pub accept: bool,
    /// With --certify: keep the access only through this day (YYYY-MM-DD), a time-boxed certification
    #[arg(long, value_name = "DATE", value_parser = super::campaign::date, requires = "certify")]
    pub until: Option<NaiveDate>,
    /// Why; required for revokes and for certifying risk-flagged items
    #[arg(long, value_name = "TEXT")]
    pub justification: Option<String>,
    /// Who decides: an identity_id, e-mail or registered reviewer [default: the OS user]
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let action = match (args.certify, args.revoke, args.undo, args.accept) {
        (true, false, false, false) => Some(DecisionAction::Certify),
        (false, true, false, false) => Some(DecisionAction::Revoke),
        (false, false, true, false) => Some(DecisionAction::Undo),
        (false, false, false, true) => None,
        _ => bail!("say what to do: one of --certify, --revoke, --undo or --accept"),
    };
    let (items, mut workspace, campaign, actor) = open_target(context, args)?;
    workspace.use_bulk_cache()?;
    workspace.map_for_reads()?;
    let justification = args
        .justification
        .as_deref()
        .map(str::trim)
        .filter(|j| !j.is_empty());
    // --accept decides each item as recommended: one group per decision
    // and basis, recorded together.
    let groups: Vec<(DecisionAction, Option<DecisionBasis>, Vec<i64>)> = match action {
        Some(action) => vec![(action, None, items.clone())],
        None => accept::groups(&workspace.conn, &campaign, &items)?
            .into_iter()
            .map(|g| {
                let basis = (g.basis != DecisionBasis::Reviewer).then_some(g.basis);
                (g.action, basis, g.items)
            })
            .collect(),
    };
    let until = args.until.map(|d| d.format("%Y-%m-%d").to_string());
    let requests: Vec<DecisionRequest<'_>> = groups
        .iter()
        .map(|(action, basis, ids)| DecisionRequest {
            items: ids,
            action: *action,
            justification,
            extras: EventExtras {
                basis: *basis,
                valid_until: until.clone(),
                ..EventExtras::default()
            },
        })
        .collect();
    record_decision_groups(
        &mut workspace.conn,
        &campaign,
        &requests,
        &actor,
        chrono::Utc::now(),
    )?;
    let mut out = String::new();
    for (action, basis, ids) in &groups {
        let until = match (&args.until, action) {
            (Some(day), DecisionAction::Certify) => format!(" until {day}"),
            _ => String::new(),
        };
        let basis = match basis {
            Some(basis) => format!(" ({basis})"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "Recorded {}{until}{basis} on {} {} in campaign {} ({}) by {}.",
            action.as_str(),
            if ids.len() == 1 { "item" } else { "items" },
            item_list(ids),
            campaign.id,
            for_display(&campaign.name),
            for_display(&actor.to_string()),
        );
    }
    crate::output::print(&out)?;
    let staged =
        !crate::campaign::review_rules::ReviewRules::of_campaign(&workspace.conn, &campaign)?
            .second_review
            .is_empty();
    if staged
        && groups
            .iter()
            .any(|(action, _, _)| action.decision().is_some())
    {
        second_reviews(&workspace.conn, &items)?;
    }
    Ok(())
}

/// The items to decide, and where: the packet of `--packet` (whose first
/// positional word is an item id, since a packet holds one campaign) or
/// the workspace campaign named.
fn open_target(
    context: &Context,
    args: &Args,
) -> Result<(
    Vec<i64>,
    crate::workspace::Workspace,
    crate::campaign::Campaign,
    crate::actor::Actor,
)> {
    // With --packet there is no CAMPAIGN: the first word is an item id.
    let given: Vec<i64> = if args.packet.is_some() {
        let first = args.campaign.trim().parse::<i64>().map_err(|_| {
            color_eyre::eyre::eyre!(
                "with --packet, give item ids only (a packet holds one campaign); {:?} is not an item id",
                for_display(&args.campaign)
            )
        })?;
        std::iter::once(first)
            .chain(args.items.iter().copied())
            .collect()
    } else {
        args.items.clone()
    };
    // Keep the order given but drop repeats; a set keeps this linear for
    // bulk decisions over a hundred thousand ids.
    let mut seen = std::collections::HashSet::with_capacity(given.len());
    let items: Vec<i64> = given
        .iter()
        .copied()
        .filter(|item| seen.insert(*item))
        .collect();
    let (workspace, campaign, actor) = if let Some(path) = &args.packet {
        let packet = super::packet::open(path)?;
        if let Some(at) = &packet.info.sealed_at {
            bail!(
                "packet {} was sealed at {at} and takes no more decisions; return it to the campaign owner as it is",
                output_path(path)
            );
        }
        let actor = super::packet::actor(&packet, args.reviewer.as_deref())?;
        (packet.workspace, packet.campaign, actor)
    } else {
        let workspace = context.open_workspace()?;
        let campaign = find_campaign(&workspace.conn, &args.campaign)?;
        let actor = super::reviewer::known_actor(
            &workspace.conn,
            Some(&campaign),
            args.reviewer.as_deref(),
        )?;
        (workspace, campaign, actor)
    };
    Ok((items, workspace, campaign, actor))
}

fn output_path(path: &std::path::Path) -> String {
    crate::output::shown(path)
}

/// Says which of the items a decision left undecided: first reviews that
/// wait for a second, different reviewer, and second reviews that
/// disagreed (the item is undecided again). Silent when there are none.
fn second_reviews(conn: &rusqlite::Connection, items: &[i64]) -> Result<()> {
    let ids = serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned());
    let (waiting, reopened): (u64, u64) = conn.query_row(
        "SELECT coalesce(sum(p.item_id IS NOT NULL), 0),
                coalesce(sum(p.item_id IS NULL AND cd.item_id IS NULL), 0)
         FROM json_each(?1) j
         LEFT JOIN pending_reviews p ON p.item_id = j.value
         LEFT JOIN current_decisions cd ON cd.item_id = j.value",
        [ids],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if waiting > 0 {
        crate::output::print(&format!(
            "{} {} a second review by a different reviewer before {} decided.\n",
            crate::text::count(waiting, "item"),
            if waiting == 1 { "awaits" } else { "await" },
            if waiting == 1 { "it is" } else { "they are" }
        ))?;
    }
    if reopened > 0 {
        crate::output::print(&format!(
            "{} undecided again: the second review disagreed with the first (both are in the history).\n",
            if reopened == 1 {
                "1 item is".to_owned()
            } else {
                format!("{reopened} items are")
            }
        ))?;
    }
    Ok(())
}

/// The decided ids for the confirmation line: all of them for a handful, a
/// count with the first and last for a bulk decision over thousands.
fn item_list(items: &[i64]) -> String {
    const LISTED: usize = 20;
    let ids = |slice: &[i64]| {
        slice
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match items {
        [first @ .., last] if items.len() > LISTED => {
            format!("{} ({}, … {last})", items.len(), ids(&first[..LISTED - 1]))
        }
        _ => ids(items),
    }
}

#[cfg(test)]
mod tests {
    use super::item_list;

    #[test]
    fn a_few_ids_are_listed_and_many_are_counted() {
        assert_eq!(item_list(&[3, 5]), "3, 5");
        let many: Vec<i64> = (1..=1000).collect();
        let text = item_list(&many);
        assert!(text.starts_with("1000 (1, 2, "), "{text}");
        assert!(text.ends_with(", 19, … 1000)"), "{text}");
    }
}
