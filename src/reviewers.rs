//! Known reviewers (PRODUCT.md §8). Every reviewer name recert records (the
//! CLI's `--reviewer`, `RECERT_REVIEWER`, the OS user, the review TUI)
//! resolves to a person of the workspace, an account, or a reviewer
//! registered with `recert reviewer add`; anything else is refused.
//!
//! - `name`: reading a name (invisible characters out, case folded) and
//!   the closest known names;
//! - `registry`: the `reviewers` table;
//! - `resolve`: a name to a known reviewer;
//! - `own`: the keys a reviewer holds access under, for the own-access rule.

pub mod name;
pub mod own;
pub mod registry;
pub mod resolve;

use rusqlite::Connection;

pub use own::own_keys;
pub use resolve::{KnownReviewer, ReviewerError, ReviewerKind, resolve};

use crate::actor::Actor;
use crate::campaign::Campaign;

/// The actor of this process with its reviewer name resolved (`--reviewer`,
/// `RECERT_REVIEWER`, else the OS user): the actor records the canonical
/// name, and the resolution says how the name was read.
pub fn known_actor(
    conn: &Connection,
    campaign: Option<&Campaign>,
    reviewer: Option<&str>,
) -> Result<(Actor, KnownReviewer), ReviewerError> {
    let mut actor = Actor::current(reviewer);
    let known = resolve(conn, campaign, &actor.reviewer)?;
    actor.reviewer.clone_from(&known.name);
    Ok((actor, known))
}

#[cfg(test)]
#[path = "reviewers/resolve_tests.rs"]
mod tests;
