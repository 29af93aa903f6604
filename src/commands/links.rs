//! `recert link`, `recert unlink` and `recert links`: see and fix which
//! person each account belongs to (PRODUCT.md §6).

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::Utc;
use color_eyre::eyre::{Result, bail};
use serde::Serialize;

use super::Context;
use crate::actor::Actor;
use crate::campaign::rules;
use crate::identity::accounts::{AccountEntry, list_accounts};
use crate::identity::keys::fold;
use crate::identity::{LinkBasis, Resolver, links};
use crate::output;
use crate::text::{fit, for_display};

#[derive(Debug, clap::Args)]
pub struct LinkArgs {
    /// The account as an export names it (login, UPN, e-mail, IAM user, object id)
    pub account: String,
    /// The person: an identity_id or e-mail of the HR or canonical identities
    pub person: String,
    /// Why they are the same person (kept in the link's history)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who links [default: the OS user]
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct UnlinkArgs {
    /// The account as an export names it
    pub account: String,
    /// Why the account is not that person (kept in the link's history)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who unlinks [default: the OS user]
    #[arg(long, env = "RECERT_REVIEWER", value_name = "R")]
    pub reviewer: Option<String>,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(false)))]
pub struct LinksArgs {
    /// Only accounts linked to no person, with suggestions
    #[arg(long, group = "which")]
    pub unlinked: bool,
    /// Only accounts that match more than one person
    #[arg(long, group = "which")]
    pub ambiguous: bool,
    /// One JSON array instead of a table
    #[arg(long)]
    pub json: bool,
    /// A rules file whose [correlation] section to use [default: the workspace rules]
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

/// The resolver over the current view, with the rules in force.
fn resolver(conn: &rusqlite::Connection, path: Option<&std::path::Path>) -> Result<Resolver> {
    let (_, rules) = rules::load(conn, path)?;
    Ok(Resolver::load(
        conn,
        rules.correlation,
        Utc::now().date_naive(),
        None,
    )?)
}

pub fn run_link(context: &Context, args: &LinkArgs) -> Result<()> {
    let reason = required_reason(&args.reason)?;
    let mut workspace = context.open_workspace()?;
    let resolver = resolver(&workspace.conn, None)?;
    let account = known_account(&workspace.conn, &resolver, &args.account)?;
    let person_key = fold(&args.person);
    let person = resolver
        .persons()
        .iter()
        .find(|p| {
            fold(&p.identity_id) == person_key || p.email.as_deref().map(fold) == Some(person_key.clone())
        })
        .ok_or_else(|| {
            color_eyre::eyre::eyre!(
                "no person {:?} among the current HR or canonical identities; give an identity_id or e-mail of one (`recert links --unlinked` suggests some)",
                for_display(args.person.trim())
            )
        })?;
    let actor = Actor::current(args.reviewer.as_deref());
    let id = links::append(
        &mut workspace.conn,
        &account.shown,
        Some(&person.identity_id),
        reason,
        &actor,
        Utc::now(),
    )?;
    output::print(&format!(
        "Linked {} to {} (link event {id}); campaigns created from now on use it.\n",
        for_display(&account.shown),
        for_display(&person.label())
    ))?;
    Ok(())
}

pub fn run_unlink(context: &Context, args: &UnlinkArgs) -> Result<()> {
    let reason = required_reason(&args.reason)?;
    let mut workspace = context.open_workspace()?;
    let resolver = resolver(&workspace.conn, None)?;
    let account = known_account(&workspace.conn, &resolver, &args.account)?;
    let actor = Actor::current(args.reviewer.as_deref());
    let id = links::append(
        &mut workspace.conn,
        &account.shown,
        None,
        reason,
        &actor,
        Utc::now(),
    )?;
    output::print(&format!(
        "Unlinked {} (link event {id}): no rule links it to a person any more; campaigns created from now on use it.\n",
        for_display(&account.shown)
    ))?;
    Ok(())
}

fn required_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        bail!("say why with --reason TEXT; it is kept with the link for the auditor");
    }
    if reason.contains('\u{1f}') {
        bail!(
            "the reason holds the control character U+001F, which recert's hash chains use to separate fields; remove it"
        );
    }
    Ok(reason)
}

/// The account named on the command line, among the current view's.
fn known_account(
    conn: &rusqlite::Connection,
    resolver: &Resolver,
    name: &str,
) -> Result<AccountEntry> {
    let key = fold(name);
    let accounts = list_accounts(conn, resolver, false)?;
    if let Some(found) = accounts.iter().find(|a| a.key == key) {
        return Ok(found.clone());
    }
    let close: Vec<&str> = accounts
        .iter()
        .filter(|a| a.key.contains(&key) || key.contains(a.key.as_str()))
        .take(5)
        .map(|a| a.shown.as_str())
        .collect();
    let hint = if close.is_empty() {
        "`recert links` lists them".to_owned()
    } else {
        format!("did you mean {}?", close.join(", "))
    };
    bail!(
        "no account {:?} in the current exports; {hint}",
        for_display(name.trim())
    )
}

pub fn run_links(context: &Context, args: &LinksArgs) -> Result<()> {
    let workspace = context.open_workspace()?;
    let resolver = resolver(&workspace.conn, args.rules.as_deref())?;
    let accounts: Vec<AccountEntry> = list_accounts(&workspace.conn, &resolver, true)?
        .into_iter()
        .filter(|a| !args.unlinked || a.is_unlinked())
        .filter(|a| !args.ambiguous || a.is_ambiguous())
        .collect();
    if args.json {
        let json: Vec<AccountJson<'_>> = accounts
            .iter()
            .map(|a| AccountJson::of(a, &resolver))
            .collect();
        output::print_json(&json)?;
        return Ok(());
    }
    output::print(&render_table(&accounts, &resolver))?;
    Ok(())
}

/// One account in `recert links --json`.
#[derive(Serialize)]
struct AccountJson<'a> {
    account: &'a str,
    sources: &'a [String],
    grants: u64,
    person_id: Option<&'a str>,
    person_name: Option<&'a str>,
    link_basis: Option<&'static str>,
    secondary: bool,
    ambiguous: Vec<&'a str>,
    note: Option<&'a str>,
    candidates: &'a [crate::identity::candidates::Candidate],
}

impl<'a> AccountJson<'a> {
    fn of(account: &'a AccountEntry, resolver: &'a Resolver) -> AccountJson<'a> {
        let person = account.link.person.map(|p| resolver.row(p));
        AccountJson {
            account: &account.shown,
            sources: &account.sources,
            grants: account.grants,
            person_id: person.map(|p| p.identity_id.trim()),
            person_name: person.and_then(|p| p.display_name.as_deref()),
            link_basis: account.link.basis.map(LinkBasis::as_str),
            secondary: account.link.secondary,
            ambiguous: account
                .link
                .ambiguous
                .iter()
                .map(|&p| resolver.row(p).identity_id.trim())
                .collect(),
            note: account.link.note.as_deref(),
            candidates: &account.candidates,
        }
    }
}

/// The table: one line per account (fits 80 columns), suggestions below
/// an unlinked one.
fn render_table(accounts: &[AccountEntry], resolver: &Resolver) -> String {
    let mut out = String::new();
    if accounts.is_empty() {
        out.push_str("No accounts.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<33} {:<26} {:<12} {:>6}",
        "ACCOUNT", "PERSON", "BASIS", "GRANTS"
    );
    for account in accounts {
        let person = match (account.link.person, account.link.ambiguous.as_slice()) {
            (Some(p), _) => resolver.row(p).label(),
            (None, []) => "(none)".to_owned(),
            (None, _) => "(ambiguous)".to_owned(),
        };
        let basis = match (account.link.basis, account.link.secondary) {
            (Some(basis), true) => format!("{}+2nd", basis.as_str()),
            (Some(basis), false) => basis.as_str().to_owned(),
            (None, _) => "-".to_owned(),
        };
        let _ = writeln!(
            out,
            "{:<33} {:<26} {:<12} {:>6}",
            fit(&for_display(&account.shown), 33),
            fit(&for_display(&person), 26),
            fit(&basis, 12),
            account.grants
        );
        if account.is_ambiguous() {
            let persons: Vec<String> = account
                .link
                .ambiguous
                .iter()
                .map(|&p| resolver.row(p).label())
                .collect();
            let line = format!("    matches {}", for_display(&persons.join(" and ")));
            let _ = writeln!(out, "{}", fit(&line, 80));
        }
        if account.is_unlinked() {
            for candidate in &account.candidates {
                let line = format!(
                    "    suggest {} {} ({:.1}): {}",
                    for_display(&candidate.person_id),
                    for_display(candidate.person_name.as_deref().unwrap_or("")),
                    candidate.score,
                    for_display(&candidate.reason)
                );
                let _ = writeln!(out, "{}", fit(&line, 80));
            }
        }
    }
    let unlinked = accounts.iter().filter(|a| a.is_unlinked()).count();
    let _ = writeln!(
        out,
        "{} account{}, {unlinked} linked to no person.",
        accounts.len(),
        if accounts.len() == 1 { "" } else { "s" }
    );
    if unlinked > 0 {
        let _ = writeln!(
            out,
            "Link one by hand: recert link ACCOUNT PERSON --reason TEXT"
        );
    }
    out
}
