//! `recert close CAMPAIGN --undecided keep|revoke|recommendation --reason
//! TEXT`: decide every item still open at the deadline, visibly apart from
//! the reviewers' decisions (PRODUCT.md §8), so the campaign can be signed off.

use chrono::Utc;
use color_eyre::eyre::{Result, bail};

use super::Context;
use crate::campaign::closeout::{CloseError, Undecided, close_out};
use crate::campaign::{DecideError, Refusal, find_campaign};
use crate::output;
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// What every open item becomes
    #[arg(long, value_enum, value_name = "OUTCOME")]
    pub undecided: Undecided,
    /// Why (recorded as the justification of every close-out decision)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// With --undecided keep: also certify items recommended for revocation
    #[arg(long)]
    pub force: bool,
    /// Who closes the campaign out [default: the OS user]
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let mut workspace = context.open_workspace()?;
    let campaign = find_campaign(&workspace.conn, &args.campaign)?;
    let actor =
        super::reviewer::known_actor(&workspace.conn, Some(&campaign), args.reviewer.as_deref())?;
    let name = for_display(&campaign.name).into_owned();
    let closed = match close_out(
        &mut workspace.conn,
        &campaign,
        args.undecided,
        &args.reason,
        args.force,
        &actor,
        Utc::now(),
    ) {
        Ok(closed) => closed,
        Err(CloseError::Decide(DecideError::Refused(Refusal::OwnAccess { item, reviewer }))) => {
            bail!(
                "cannot close out campaign {} ({name}): item {item} is still open and is {}'s own access, which they never decide, not even at close-out; have another reviewer decide it first, or close out as another reviewer (--reviewer); nothing was recorded",
                campaign.id,
                for_display(&reviewer)
            )
        }
        Err(err) => bail!("cannot close out campaign {} ({name}): {err}", campaign.id),
    };
    if closed.total() == 0 {
        output::print(&format!(
            "Nothing to close out: every item of campaign {} ({name}) is decided.\n",
            campaign.id
        ))?;
        return Ok(());
    }
    let forced = if closed.kept_against_revoke > 0 {
        format!(
            " ({} against a revoke recommendation, --force)",
            closed.kept_against_revoke
        )
    } else {
        String::new()
    };
    output::print(&format!(
        "Closed out campaign {} ({name}) by {}: {} decided with decision_basis close-out, {} kept{forced} and {} revoked.\nSign-off is possible now: recert signoff {}\n",
        campaign.id,
        for_display(&actor.to_string()),
        count(closed.total(), "open item"),
        closed.kept,
        closed.revoked,
        campaign.id
    ))?;
    Ok(())
}
