//! `recert reviewer add NAME [--pubkey FILE]` and `recert reviewer list`:
//! reviewers who are not persons of the imported identities, and public
//! keys of reviewers; and resolving the reviewer every command acts as.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::Utc;
use color_eyre::eyre::{Result, bail};
use rusqlite::Connection;

use super::Context;
use super::table::{self, Column};
use crate::actor::Actor;
use crate::campaign::Campaign;
use crate::evidence::keys::load_public_key;
use crate::evidence::signoff_log::key_id;
use crate::output;
use crate::reviewers::name::clean;
use crate::reviewers::registry::{self, PublicKeyText};
use crate::reviewers::{self, ReviewerError, ReviewerKind};
use crate::text::for_display;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Register a reviewer who is not in the imported identities (or a person's public key)
    Add {
        /// The reviewer's name as they will give it (--reviewer NAME)
        name: String,
        /// Their minisign public key (recert.pub), for signed review packets
        #[arg(long, value_name = "FILE")]
        pubkey: Option<PathBuf>,
    },
    /// List the registered reviewers
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

pub fn run(context: &Context, command: &Command) -> Result<()> {
    match command {
        Command::Add { name, pubkey } => add(context, name, pubkey.as_ref()),
        Command::List { json } => list(context, *json),
    }
}

fn add(context: &Context, name: &str, pubkey: Option<&PathBuf>) -> Result<()> {
    let cleaned = clean(name);
    if cleaned.text.is_empty() {
        bail!("give the reviewer's name: recert reviewer add NAME");
    }
    if cleaned.removed > 0 {
        output::note(&format!(
            "the name held {} that {} removed: registering {:?}",
            crate::text::count(cleaned.removed, "control or invisible character"),
            if cleaned.removed == 1 { "was" } else { "were" },
            for_display(&cleaned.text)
        ));
    }
    let key = pubkey
        .map(|path| -> Result<PublicKeyText> {
            let public = load_public_key(path)?;
            Ok(PublicKeyText {
                base64: public.to_base64(),
                key_id: key_id(&public),
            })
        })
        .transpose()?;
    let workspace = context.open_workspace()?;
    // A person is known already; only their public key is worth keeping,
    // under their identity_id, so a name never stands for two reviewers.
    let name = match reviewers::resolve(&workspace.conn, None, &cleaned.text) {
        Ok(known) if known.kind != ReviewerKind::Registered => {
            if key.is_none() {
                output::print(&format!(
                    "{} is already a known reviewer: {} {}; nothing to register (give --pubkey to keep their public key)\n",
                    for_display(&cleaned.text),
                    known.kind,
                    for_display(&known.label())
                ))?;
                return Ok(());
            }
            known.name
        }
        Ok(_) | Err(ReviewerError::Unknown { .. }) => cleaned.text,
        Err(err) => return Err(err.into()),
    };
    let actor = Actor::current(None);
    let entry = registry::add(&workspace.conn, &name, key.as_ref(), &actor, Utc::now())?;
    let key = entry
        .key_id
        .as_deref()
        .map(|id| format!(" with public key {id}"))
        .unwrap_or_default();
    output::print(&format!(
        "registered reviewer {}{key}; decide with --reviewer {}\n",
        for_display(&entry.name),
        crate::text::shell_word(&for_display(&entry.name))
    ))?;
    Ok(())
}

fn list(context: &Context, json: bool) -> Result<()> {
    let workspace = context.open_workspace()?;
    let entries = registry::list(&workspace.conn)?;
    if json {
        output::print_json(&entries)?;
        return Ok(());
    }
    if entries.is_empty() {
        output::print(
            "No reviewers are registered; persons of the imported identities review under their identity_id or e-mail. Register others with: recert reviewer add NAME\n",
        )?;
        return Ok(());
    }
    let columns = [
        Column::left("NAME", 24),
        Column::left("KEY ID", 16),
        Column::left("ADDED BY", 16),
        Column::left("ADDED AT", 16),
    ];
    let mut out = String::new();
    let _ = writeln!(out, "{}", table::header(&columns));
    for entry in &entries {
        let cells = [
            entry.name.clone(),
            entry.key_id.clone().unwrap_or_else(|| "—".to_owned()),
            format!("{}@{}", entry.os_user, entry.host),
            entry
                .added_at
                .get(..16)
                .unwrap_or(&entry.added_at)
                .replace('T', " "),
        ];
        let _ = writeln!(out, "{}", table::row(&columns, &cells));
    }
    output::print(&out)?;
    Ok(())
}

/// The actor of a command that records a reviewer's name (`--reviewer`,
/// `RECERT_REVIEWER`, else the OS user), resolved to a known reviewer:
/// refused when the name is not known, and said on stderr when it was read
/// other than as typed.
pub fn known_actor(
    conn: &Connection,
    campaign: Option<&Campaign>,
    reviewer: Option<&str>,
) -> Result<Actor> {
    match reviewers::known_actor(conn, campaign, reviewer) {
        Ok((actor, known)) => {
            if let Some(note) = known.note() {
                output::note(&note);
            }
            Ok(actor)
        }
        Err(err @ ReviewerError::Unknown { .. }) if reviewer.is_none() => {
            bail!(
                "{err} (no --reviewer or RECERT_REVIEWER was given, so the OS user's name was tried)"
            )
        }
        Err(err) => Err(err.into()),
    }
}
