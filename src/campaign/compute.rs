//! Computing review items from the current grants: each grant's signals,
//! control, recommendation and reviewer. Large workspaces are split into
//! ranges of grants computed on several threads, each reading through its
//! own connection, because on a million grants this is seconds of pure CPU.

use std::thread;

use color_eyre::eyre::{Result, eyre};
use foldhash::HashMap;
use rusqlite::{Connection, OpenFlags};

use super::assign::{Candidates, assign};
use super::directory::IdentityRow;
use super::freeze::{ItemContext, Scope};
use super::rules::Subject;
use super::signals::{GrantFacts, Holder, Owner, evaluate, recommend};
use crate::holders::holder_key_into;
use crate::model::{Decision, When};

/// Below this many grants a second thread costs more than it saves.
const PARALLEL_FROM: i64 = 50_000;

/// At most this many threads: reading and computing scale, the single
/// writer that inserts the items afterwards does not.
const MAX_THREADS: usize = 4;

/// Distinct strings by number, so a million items hold small ids instead
/// of a million copies of a few thousand reviewers.
#[derive(Default)]
pub(super) struct Interner {
    ids: HashMap<String, u32>,
    pub values: Vec<String>,
}

impl Interner {
    fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.ids.insert(text.to_owned(), id);
        self.values.push(text.to_owned());
        id
    }

    pub(super) fn get(&self, id: u32) -> &str {
        self.values.get(id as usize).map_or("", String::as_str)
    }
}

/// Texts appended one after another, addressed by (start, end): unlike
/// interning, appending a million mostly distinct reason lists touches no
/// earlier text, so it costs no cache misses.
#[derive(Default)]
pub(super) struct Arena {
    text: String,
}

impl Arena {
    fn push(&mut self, text: &str) -> (u32, u32) {
        let start = self.text.len();
        self.text.push_str(text);
        (
            u32::try_from(start).unwrap_or(u32::MAX),
            u32::try_from(self.text.len()).unwrap_or(u32::MAX),
        )
    }

    pub(super) fn get(&self, (start, end): (u32, u32)) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }
}

/// One computed item waiting to be inserted (56 bytes).
#[derive(Clone, Copy)]
pub(super) struct Pending {
    pub grant_row: i64,
    pub identity_row: Option<i64>,
    pub system_row: Option<i64>,
    pub control: u16,
    pub revoke: bool,
    pub signals: u32,
    pub reviewer: u32,
    pub reasons: (u32, u32),
    pub why: (u32, u32),
}

/// The items computed from a range of grants, in grant order, with the
/// reviewers and texts they point into.
#[derive(Default)]
pub(super) struct Computed {
    /// Grants read, in scope or not.
    pub seen: u64,
    pub pending: Vec<Pending>,
    pub reviewers: Interner,
    pub texts: Arena,
}

impl Computed {
    fn keep(&mut self, item: Pending, reviewer: &str, reasons: &str, why: &str) {
        let reviewer = self.reviewers.id(reviewer);
        let reasons = self.texts.push(reasons);
        let why = self.texts.push(why);
        self.pending.push(Pending {
            reviewer,
            reasons,
            why,
            ..item
        });
    }

    /// Puts `later`'s items after these, pointing them at this one's
    /// reviewers and texts.
    fn append(&mut self, later: Computed) -> Result<()> {
        let reviewers: Vec<u32> = later
            .reviewers
            .values
            .iter()
            .map(|name| self.reviewers.id(name))
            .collect();
        let shift = u32::try_from(self.texts.text.len())?;
        self.texts.text.push_str(&later.texts.text);
        let moved = |(start, end): (u32, u32)| (start + shift, end + shift);
        self.pending
            .extend(later.pending.into_iter().map(|item| Pending {
                reviewer: reviewers[item.reviewer as usize],
                reasons: moved(item.reasons),
                why: moved(item.why),
                ..item
            }));
        self.seen += later.seen;
        Ok(())
    }
}

/// Computes the items of every current grant in scope, in grant id order:
/// on one thread for a small or in-memory workspace, else on up to
/// [`MAX_THREADS`] threads over consecutive id ranges, concatenated in
/// order so the result is the same however many threads ran.
///
/// The other threads read through their own read-only connections. They
/// see what `conn` sees: the caller holds the write lock (an immediate
/// transaction) and has not changed any grant, identity or system.
pub(super) fn compute_items(
    conn: &Connection,
    scope: &Scope<'_>,
    context: &ItemContext<'_>,
    controls: &[&str],
) -> Result<Computed> {
    let cores = thread::available_parallelism().map_or(1, usize::from);
    let threads = |grants: i64| {
        if grants >= PARALLEL_FROM {
            cores.min(MAX_THREADS)
        } else {
            1
        }
    };
    compute_on_threads(conn, scope, context, controls, threads)
}

/// [`compute_items`] on `threads(number of grants)` threads.
fn compute_on_threads(
    conn: &Connection,
    scope: &Scope<'_>,
    context: &ItemContext<'_>,
    controls: &[&str],
    threads: impl Fn(i64) -> usize,
) -> Result<Computed> {
    let (low, high, grants): (Option<i64>, Option<i64>, i64) = conn.query_row(
        "SELECT min(id), max(id), count(*) FROM grants
         WHERE snapshot_id IN (SELECT id FROM snapshots WHERE current = 1 AND kind = 'entitlements')",
        [],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let (Some(low), Some(high)) = (low, high) else {
        return Ok(Computed::default());
    };
    // An in-memory workspace cannot be opened a second time.
    let path = conn.path().filter(|path| !path.is_empty());
    let threads = if path.is_some() { threads(grants) } else { 1 };
    let ranges = split(low, high, threads);
    // Open the readers up front: if the file cannot be opened again (a
    // permission or descriptor limit), one thread still does the job.
    let readers: Option<Vec<Connection>> = path.filter(|_| ranges.len() > 1).and_then(|path| {
        ranges[1..]
            .iter()
            .map(|_| {
                Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .ok()
            })
            .collect()
    });
    let Some(readers) = readers else {
        return compute(conn, (low, high), scope, context, controls);
    };
    thread::scope(|spawner| {
        let others: Vec<_> = ranges[1..]
            .iter()
            .zip(readers)
            .map(|(&range, reader)| {
                spawner.spawn(move || compute(&reader, range, scope, context, controls))
            })
            .collect();
        let mut computed = compute(conn, ranges[0], scope, context, controls)?;
        for other in others {
            let later = other
                .join()
                .map_err(|_| eyre!("a thread computing review items stopped unexpectedly"))??;
            computed.append(later)?;
        }
        Ok(computed)
    })
}

/// `low..=high` cut into up to `parts` consecutive, non-empty ranges.
fn split(low: i64, high: i64, parts: usize) -> Vec<(i64, i64)> {
    let parts = i64::try_from(parts.max(1)).unwrap_or(1);
    let size = ((high - low) / parts).max(1);
    let mut ranges = Vec::new();
    let mut start = low;
    while start <= high {
        let end = if i64::try_from(ranges.len()).unwrap_or(i64::MAX) + 1 >= parts {
            high
        } else {
            (start + size - 1).min(high)
        };
        ranges.push((start, end));
        start = end + 1;
    }
    ranges
}

/// Computes the items of the current grants with ids in `low..=high`.
fn compute(
    conn: &Connection,
    (low, high): (i64, i64),
    scope: &Scope<'_>,
    context: &ItemContext<'_>,
    controls: &[&str],
) -> Result<Computed> {
    // Read by id through the table itself: the snapshot index would yield
    // rows per snapshot and need a sort of the range to restore id order.
    let mut select = conn.prepare(
        "SELECT id, identity_ref, system, type, privileged, granted_at, last_used_at,
                last_rotated_at, expires_at
         FROM grants NOT INDEXED
         WHERE id BETWEEN ?1 AND ?2
           AND snapshot_id IN (SELECT id FROM snapshots WHERE current = 1 AND kind = 'entitlements')
         ORDER BY id",
    )?;
    let mut computed = Computed::default();
    let mut reasons = Vec::with_capacity(8);
    let mut reasons_json = Vec::with_capacity(256);
    let mut key = String::new();
    let mut last_ref = String::new();
    let mut last_identity = None;
    let mut rows = select.query([low, high])?;
    while let Some(row) = rows.next()? {
        computed.seen += 1;
        let system = row.get_ref(2)?.as_str()?;
        if !scope.systems.is_empty() {
            holder_key_into(system, &mut key);
            if !scope.systems.contains(key.as_str()) {
                continue;
            }
        }
        let identity_ref = row.get_ref(1)?.as_str()?;
        // Exports are often sorted by holder: reuse the last lookup.
        let identity = if identity_ref == last_ref {
            last_identity
        } else {
            let found = context.directory.find_with(identity_ref, &mut key);
            last_ref.clear();
            last_ref.push_str(identity_ref);
            last_identity = found;
            found
        };
        if !scope.kinds.is_empty() && !identity.is_some_and(|i| scope.kinds.contains(&i.kind)) {
            continue;
        }
        let grant = grant_facts(row, identity_ref, system)?;
        let holder = identity.map(|i| holder_of(i, context));
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
        let system_row = context.directory.system_with(system, &mut key);
        let system_owner = system_row.and_then(|s| {
            context
                .directory
                .reviewer_link(s.owner, s.owner_id.as_deref())
        });
        let reviewer = reviewer_of(&grant, identity, holder.as_ref(), system_owner, context);
        reasons_json.clear();
        serde_json::to_writer(&mut reasons_json, &reasons)?;
        let item = Pending {
            grant_row: row.get(0)?,
            identity_row: identity.map(|i| i.row),
            system_row: system_row.map(|s| s.row),
            control: u16::try_from(controls.iter().position(|c| *c == control).unwrap_or(0))?,
            revoke: recommendation == Decision::Revoke,
            signals: signals.bits(),
            reviewer: 0,
            reasons: (0, 0),
            why: (0, 0),
        };
        computed.keep(item, reviewer, std::str::from_utf8(&reasons_json)?, &why);
    }
    Ok(computed)
}

/// The selected grant columns as the signal rules read them.
fn grant_facts<'r>(
    row: &'r rusqlite::Row<'_>,
    identity_ref: &'r str,
    system: &'r str,
) -> rusqlite::Result<GrantFacts<'r>> {
    let date = |index: usize| -> rusqlite::Result<Option<When>> {
        Ok(row
            .get_ref(index)?
            .as_str_or_null()?
            .and_then(When::parse_stored))
    };
    Ok(GrantFacts {
        identity_ref,
        system,
        grant_type: row.get(3)?,
        privileged: row.get::<_, bool>(4)?,
        granted_at: date(5)?,
        last_used_at: date(6)?,
        last_rotated_at: date(7)?,
        expires_at: date(8)?,
    })
}

fn holder_of<'a>(identity: &'a IdentityRow, context: &ItemContext<'a>) -> Holder<'a> {
    Holder {
        identity_id: &identity.identity_id,
        kind: identity.kind,
        status: identity.status,
        termination_date: identity.termination_date,
        owner: if identity.kind.is_non_human() {
            context
                .directory
                .owner_link(identity.owner, identity.owner_id.as_deref())
        } else {
            Owner::Missing
        },
    }
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
        manager: identity.and_then(|i| directory.reviewer_link(i.manager, i.manager_id.as_deref())),
        owner,
        system_owner,
        default_reviewer: context.default_reviewer,
        creator: context.creator,
    };
    assign(&candidates).0
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::PathBuf;

    use super::*;
    use crate::actor::Actor;
    use crate::campaign::directory::Directory;
    use crate::campaign::rules::Rules;
    use crate::import::{ImportOptions, Progress, import_files};
    use crate::workspace::Workspace;

    /// Each item as the database will get it, with its texts resolved.
    fn resolved(computed: &Computed) -> Vec<String> {
        computed
            .pending
            .iter()
            .map(|p| {
                format!(
                    "{} {:?} {:?} {} {} {} {} {} {}",
                    p.grant_row,
                    p.identity_row,
                    p.system_row,
                    p.control,
                    p.revoke,
                    p.signals,
                    computed.reviewers.get(p.reviewer),
                    computed.texts.get(p.reasons),
                    computed.texts.get(p.why)
                )
            })
            .collect()
    }

    #[test]
    fn threads_compute_exactly_what_one_thread_computes() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ws = Workspace::open(&dir.path().join("ws.db")).expect("workspace");
        let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        let files: Vec<PathBuf> = ["identities.csv", "entitlements.csv", "systems.csv"]
            .iter()
            .map(|name| sample.join(name))
            .collect();
        let now = chrono::Utc::now();
        import_files(
            &mut ws.conn,
            &files,
            &ImportOptions::default(),
            &Actor::fixed("r"),
            now,
            Progress::hidden(),
        )
        .expect("import");
        let directory = Directory::load_current(&ws.conn).expect("directory");
        let rules = Rules::builtin();
        let mut controls: Vec<&str> = rules.control_ids().collect();
        controls.sort_unstable();
        controls.dedup();
        let scope = Scope {
            controls: HashSet::new(),
            systems: HashSet::new(),
            kinds: &[],
        };
        let context = ItemContext {
            directory: &directory,
            rules,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
            default_reviewer: "iam-team",
            creator: "r",
        };
        let compute_with = |threads: usize| {
            compute_on_threads(&ws.conn, &scope, &context, &controls, |_| threads).expect("compute")
        };
        let one = compute_with(1);
        assert_eq!(one.seen, 1475, "the sample's grants");
        assert_eq!(one.pending.len(), 1475);
        for threads in [2, 3, 4] {
            let many = compute_with(threads);
            assert_eq!(many.seen, one.seen);
            assert_eq!(resolved(&many), resolved(&one), "{threads} threads");
        }
    }

    #[test]
    fn ranges_cover_every_id_once_in_order() {
        for (low, high, parts) in [
            (1, 1, 2),
            (1, 2, 2),
            (1, 1_000_000, 2),
            (5, 17, 4),
            (10, 12, 4),
        ] {
            let ranges = split(low, high, parts);
            assert!(ranges.len() <= parts, "{ranges:?}");
            assert_eq!(ranges[0].0, low);
            assert_eq!(ranges.last().map(|r| r.1), Some(high));
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].1 + 1, pair[1].0, "{ranges:?}");
            }
            assert!(ranges.iter().all(|(start, end)| start <= end), "{ranges:?}");
        }
    }
}
