//! `recert signoff`: sign off a fully decided campaign and lock it.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::Utc;
use color_eyre::eyre::{Report, Result, WrapErr, bail};

use super::Context;
use crate::campaign::find_campaign;
use crate::evidence::atomic::check_target;
use crate::evidence::keys::load_secret_key;
use crate::evidence::publish::publish;
use crate::evidence::sign::signature_path;
use crate::evidence::signoff::{SignOffError, sign_off_with_key, undecided_items};
use crate::output;
use crate::text::{self, for_display};

/// The statement recorded when `--statement` is not given.
pub const DEFAULT_STATEMENT: &str = "I have reviewed every item of this campaign; the decisions recorded are complete and correct to the best of my knowledge.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// Who signs off: an identity_id, e-mail or registered reviewer [default: the OS user]
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
    /// The sign-off statement [default: a statement that every item was reviewed]
    #[arg(long, value_name = "TEXT")]
    pub statement: Option<String>,
    /// Secret key to sign the evidence with right away (writes the evidence and FILE.minisig)
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Where --key writes the signed evidence [default: evidence-<campaign id>.csv]
    #[arg(short, long, value_name = "FILE", requires = "key")]
    pub output: Option<PathBuf>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let mut ws = context.open_workspace()?;
    let campaign = find_campaign(&ws.conn, &args.campaign)?;
    let name = for_display(&campaign.name).into_owned();
    // An unknown signer is refused before anything else is asked for.
    let actor = super::reviewer::known_actor(&ws.conn, Some(&campaign), args.reviewer.as_deref())?;
    // Unlock the key before locking the campaign, so a wrong password
    // leaves everything as it was.
    let key = args.key.as_deref().map(load_secret_key).transpose()?;
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("evidence-{}.csv", campaign.id)));
    if key.is_some() {
        // A target recert would refuse is refused before the campaign is locked.
        check_target(&path)?;
        check_target(&signature_path(&path))?;
    }
    let statement = args.statement.as_deref().unwrap_or(DEFAULT_STATEMENT);
    let done = match sign_off_with_key(
        &mut ws.conn,
        &campaign,
        &actor,
        statement,
        key.as_ref(),
        Utc::now(),
    ) {
        Ok(done) => done,
        Err(SignOffError::Undecided { count, .. }) => {
            let first = undecided_items(&ws.conn, campaign.id, 10)?;
            let ids: Vec<String> = first.iter().map(i64::to_string).collect();
            let more = if count > first.len() as u64 {
                ", ..."
            } else {
                ""
            };
            bail!(
                "cannot sign off campaign {} ({name}): {} still undecided (items {}{more}); decide them with `recert review` or `recert decide`",
                campaign.id,
                text::count(count, "item"),
                ids.join(", ")
            );
        }
        // A failure keeps its cause chain, so each cause is printed once.
        Err(err) if std::error::Error::source(&err).is_some() => {
            return Err(Report::new(err)
                .wrap_err(format!("cannot sign off campaign {} ({name})", campaign.id)));
        }
        Err(err) => bail!("cannot sign off campaign {} ({name}): {err}", campaign.id),
    };
    output::print(&format!(
        "signed off campaign {} ({name}) as {}: {}, {} certified, {} revoked; final row_hash {}\n",
        campaign.id,
        for_display(&done.signer()),
        text::count(done.items, "item"),
        done.certified,
        done.revoked,
        done.final_hash
    ))?;
    independence_warnings(&ws.conn, &campaign, &actor.reviewer)?;
    let Some(key) = &key else {
        output::print(&format!(
            "now write the evidence for the auditor, signed: recert export {} -o evidence.csv --key KEY (recert keygen makes a key)\n",
            campaign.id
        ))?;
        return Ok(());
    };
    // The sign-off is committed: whatever fails now, the campaign stays
    // signed off, and the evidence can be written again at any time.
    let written = find_campaign(&ws.conn, &campaign.id.to_string())
        .and_then(|campaign| publish(&ws.conn, &campaign, &path, Some(key), Utc::now()));
    let published = written.wrap_err_with(|| {
        format!(
            "campaign {} is signed off (its sign-off and signature are recorded), but its signed evidence was not written; write it with: recert export {} -o {} --key {}",
            campaign.id,
            campaign.id,
            path.display(),
            args.key.as_deref().map_or_else(|| "KEY".to_owned(), |k| k.display().to_string())
        )
    })?;
    if let Some(signature) = published.signature {
        output::print(&format!(
            "wrote {} and {}\n",
            output::shown(&path),
            output::shown(&signature)
        ))?;
    }
    Ok(())
}

/// The independence warnings (PRODUCT.md §8) of the campaign just signed
/// off, on stdout: they never block a sign-off, but the signer should read
/// them, and the report repeats them for the auditor.
fn independence_warnings(
    conn: &rusqlite::Connection,
    campaign: &crate::campaign::Campaign,
    signer: &str,
) -> Result<()> {
    let found = match crate::campaign::independence::warnings(conn, campaign, Some(signer)) {
        Ok(found) => found,
        Err(err) => {
            output::note(&format!(
                "the independence warnings could not be read: {err:#}"
            ));
            return Ok(());
        }
    };
    if found.is_empty() {
        return Ok(());
    }
    let mut out = format!(
        "{} (recert report lists them too):\n",
        text::count(found.len(), "independence warning")
    );
    for warning in &found {
        let _ = writeln!(out, "  - {warning}");
    }
    output::print(&out)?;
    Ok(())
}
