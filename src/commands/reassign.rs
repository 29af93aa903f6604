//! `recert reassign CAMPAIGN (ITEM_ID...|--from R) --to R2 --reason TEXT`:
//! hand items to another reviewer (PRODUCT.md §8).

use chrono::Utc;
use color_eyre::eyre::{Result, bail};
use rusqlite::Connection;

use super::Context;
use crate::campaign::{
    Campaign, Reassignment, find_campaign, policy, record_reassignment, reviewer_keys,
};
use crate::output;
use crate::reviewers::{self, ReviewerError};
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["items", "from"])))]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// Item ids to reassign
    #[arg(value_name = "ITEM_ID")]
    pub items: Vec<i64>,
    /// Every undecided item assigned to this reviewer (known or not)
    #[arg(long, value_name = "R", conflicts_with = "items")]
    pub from: Option<String>,
    /// The reviewer who takes them: an identity_id, e-mail or registered reviewer
    #[arg(long, value_name = "R2")]
    pub to: String,
    /// Why (recorded with every reassignment)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who reassigns [default: the OS user]
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let mut workspace = context.open_workspace()?;
    let campaign = find_campaign(&workspace.conn, &args.campaign)?;
    let actor =
        super::reviewer::known_actor(&workspace.conn, Some(&campaign), args.reviewer.as_deref())?;
    let to = reviewers::resolve(&workspace.conn, Some(&campaign), &args.to)
        .map_err(|err| color_eyre::eyre::eyre!("--to: {err}"))?;
    if let Some(note) = to.note() {
        output::note(&note);
    }
    let items = if let Some(from) = &args.from {
        open_items_of(&workspace.conn, &campaign, from, &to.name)?
    } else {
        let mut seen = std::collections::HashSet::new();
        args.items
            .iter()
            .copied()
            .filter(|i| seen.insert(*i))
            .collect()
    };
    let done = record_reassignment(
        &mut workspace.conn,
        &campaign,
        &Reassignment {
            items: &items,
            assignee: &to.name,
            reason: &args.reason,
        },
        &actor,
        Utc::now(),
    )?;
    let ids: Vec<String> = items.iter().take(20).map(i64::to_string).collect();
    let more = if items.len() > 20 { ", …" } else { "" };
    output::print(&format!(
        "Reassigned {} of campaign {} ({}) to {} by {}: items {}{more}.\n",
        count(done, "item"),
        campaign.id,
        for_display(&campaign.name),
        for_display(&to.label()),
        for_display(&actor.to_string()),
        ids.join(", ")
    ))?;
    Ok(())
}

/// The undecided items (those awaiting a second review included) assigned
/// to `from`, however it is spelled among the assigned reviewers; it need
/// not be a known reviewer: those are the items to move.
fn open_items_of(conn: &Connection, campaign: &Campaign, from: &str, to: &str) -> Result<Vec<i64>> {
    let name = reviewers::name::clean(from).text;
    let mut keys = reviewer_keys(conn, campaign, &name)?;
    match reviewers::resolve(conn, Some(campaign), &name) {
        Ok(known) => {
            if reviewers::name::fold(&known.name) == reviewers::name::fold(to) {
                bail!(
                    "--from and --to name the same reviewer ({}); nothing to reassign",
                    for_display(&known.label())
                );
            }
            for key in reviewer_keys(conn, campaign, &known.name)? {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        Err(ReviewerError::Lookup(message)) => bail!(message),
        Err(_) => {}
    }
    let sql = format!(
        "SELECT it.id, coalesce(i.identity_id, g.identity_ref), i.email, g.identity_ref
         FROM items it
         JOIN grants g ON g.id = it.grant_row
         LEFT JOIN identities i ON i.id = it.identity_row
         LEFT JOIN current_decisions cd ON cd.item_id = it.id
         WHERE {} AND cd.item_id IS NULL
         ORDER BY it.id",
        crate::campaign::ranges::assigned_to(crate::campaign::ranges::ITEMS_AS_IT, "?1", "?2")
    );
    let values = (campaign.id, serde_json::to_string(&keys)?);
    // The assignee's own access stays where it is: nobody reviews their own.
    let own = reviewers::own_keys(conn, campaign.id, to)?;
    let mut items = Vec::new();
    let mut kept = Vec::new();
    let mut statement = conn.prepare(&sql)?;
    let mut rows = statement.query(values)?;
    while let Some(row) = rows.next()? {
        let holder: [Option<String>; 3] = [row.get(1)?, row.get(2)?, row.get(3)?];
        let item: i64 = row.get(0)?;
        if policy::is_own_access(&own, holder.iter().flatten().map(String::as_str)) {
            kept.push(item.to_string());
        } else {
            items.push(item);
        }
    }
    if !kept.is_empty() {
        output::note(&format!(
            "{} {} {}'s own access and {} with {}: {}",
            count(kept.len(), "item"),
            if kept.len() == 1 { "is" } else { "are" },
            for_display(to),
            if kept.len() == 1 { "stays" } else { "stay" },
            for_display(&name),
            kept.join(", ")
        ));
    }
    if items.is_empty() && !kept.is_empty() {
        bail!(
            "every undecided item assigned to {:?} is {}'s own access; reassign them to someone else",
            for_display(&name),
            for_display(to)
        );
    }
    if items.is_empty() {
        bail!(
            "no undecided item of campaign {} is assigned to {:?}; `recert status {} --by-reviewer` lists who has work left",
            campaign.id,
            for_display(&name),
            campaign.id
        );
    }
    Ok(items)
}
