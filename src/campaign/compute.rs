//! Computing review items from the current grants: each grant's signals,
//! control, recommendation and reviewer. Large workspaces are split into
//! ranges of grants computed on several threads, each reading through its
//! own connection, because on a million grants this is seconds of pure CPU.

use color_eyre::eyre::Result;
use foldhash::HashMap;
use rusqlite::Connection;

use super::assign::{Basis, Candidates, assign};
use super::baseline::Quote;
use super::cycle::{Assessment, Shape, add_cycle_signals};
use super::freeze::{ItemContext, Scope};
use super::grant_key::GrantKey;
use super::grant_names::Names;
use super::resolve::{HolderCache, Holding, LinkRecord};
use super::rules::Subject;
use super::signals::{
    AccountSignals, GrantFacts, Holder, Owner, add_account_signals, certify_reason, evaluate,
    recommend, says_revoke,
};
use crate::identity::IdentityRow;
use crate::identity::rows::parse_attributes;
use crate::model::{Decision, Delta, IdentityKind, IdentityStatus, SignalSet, When};
use crate::workspace::readers;

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
    pub(super) fn push(&mut self, text: &str) -> (u32, u32) {
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

/// One computed item waiting to be inserted (about 110 bytes).
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
    /// A sentence the peer pass found, appended to `reasons` as they are
    /// written: 1 + its index in [`Computed::appended`], or 0.
    pub appended: u32,
    pub why: (u32, u32),
    /// Index into [`Computed::links`].
    pub link: u32,
    /// Why the reviewer was chosen.
    pub basis: Basis,
    /// The grant's key, and how it compares with the baseline (§7).
    pub key: GrantKey,
    pub prior_item: Option<i64>,
    pub delta: Option<Delta>,
    pub carry_over: bool,
    /// The holder's row in the resolver (the person where linked), or
    /// [`NO_HOLDER`]; for toxic combinations and outliers.
    pub holder: u32,
    /// The grant's `system:entitlement` in [`Computed::names`] (0 when no
    /// toxic-combination or outlier rule is in force; [`UNNAMED`] for a
    /// credential no rule names).
    ///
    /// [`UNNAMED`]: super::grant_names::UNNAMED
    pub name: u32,
    /// What the control rules looked at, to file the item again once the
    /// signals across items are known.
    pub subject: Subject,
    /// Whether the grant passes the system and kind filters: with
    /// toxic-combination or outlier rules every grant is computed, since a
    /// person's other grants count whatever the scope.
    pub in_scope: bool,
}

/// [`Pending::holder`] of an orphaned grant.
pub(super) const NO_HOLDER: u32 = u32::MAX;

/// The items computed from a range of grants, in grant order, with the
/// reviewers and texts they point into.
#[derive(Default)]
pub(super) struct Computed {
    /// Grants read, in scope or not.
    pub seen: u64,
    pub pending: Vec<Pending>,
    pub reviewers: Interner,
    pub texts: Arena,
    /// The distinct accounts the items were held by.
    pub links: Vec<LinkRecord>,
    /// The distinct `system:entitlement` of the items (toxic combinations
    /// and outliers only).
    pub names: Names,
    /// Sentences (JSON strings) that many items add to their reasons, kept
    /// once ([`Pending::appended`]).
    pub appended: Vec<String>,
    /// Holders (labels) whose items fell to the default reviewer for want
    /// of a manager or owner, to name them at campaign creation.
    pub unreviewed_holders: Vec<String>,
}

impl Computed {
    fn keep(&mut self, item: Pending, reviewer: &str, reasons: &str, why: (u32, u32)) {
        let reviewer = self.reviewers.id(reviewer);
        let reasons = self.texts.push(reasons);
        self.pending.push(Pending {
            reviewer,
            reasons,
            why,
            ..item
        });
    }

    /// Names (up to 1000) the holder of an item that fell to the default
    /// reviewer.
    fn note_unreviewed(&mut self, holding: &Holding<'_>, identity_ref: &str) {
        let label = holding
            .holder
            .map_or_else(|| identity_ref.trim().to_owned(), |(_, row)| row.label());
        if self.unreviewed_holders.len() < 1000 && !self.unreviewed_holders.contains(&label) {
            self.unreviewed_holders.push(label);
        }
    }

    /// Puts `later`'s items after these, pointing them at this one's
    /// reviewers, texts and accounts (an account both ranges hold becomes
    /// one `campaign_links` row).
    fn append(&mut self, later: Computed) -> Result<()> {
        let mut known: HashMap<LinkRecord, u32> = self
            .links
            .iter()
            .enumerate()
            .map(|(i, r)| (r.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        let links: Vec<u32> = later
            .links
            .into_iter()
            .map(|record| {
                let next = u32::try_from(self.links.len()).unwrap_or(u32::MAX);
                *known.entry(record.clone()).or_insert_with(|| {
                    self.links.push(record);
                    next
                })
            })
            .collect();
        for holder in later.unreviewed_holders {
            if !self.unreviewed_holders.contains(&holder) {
                self.unreviewed_holders.push(holder);
            }
        }
        let reviewers: Vec<u32> = later
            .reviewers
            .values
            .iter()
            .map(|name| self.reviewers.id(name))
            .collect();
        let names = self.names.absorb(later.names);
        let shift = u32::try_from(self.texts.text.len())?;
        self.texts.text.push_str(&later.texts.text);
        let moved = |(start, end): (u32, u32)| (start + shift, end + shift);
        self.pending
            .extend(later.pending.into_iter().map(|item| Pending {
                reviewer: reviewers[item.reviewer as usize],
                reasons: moved(item.reasons),
                why: moved(item.why),
                link: links[item.link as usize],
                // An unnamed credential stays unnamed.
                name: names.get(item.name as usize).copied().unwrap_or(item.name),
                ..item
            }));
        self.seen += later.seen;
        Ok(())
    }
}

/// Computes the items of every current grant in scope, in grant id order:
/// on one thread for a small or in-memory workspace, else on up to
/// [`readers::MAX_THREADS`] threads over consecutive id ranges, concatenated in
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
    compute_on_threads(conn, scope, context, controls, readers::threads_for)
}

/// [`compute_items`] on `threads(number of grants)` threads.
pub(super) fn compute_on_threads(
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
    let parts = readers::over_ranges(conn, (low, high), threads(grants), |conn, _, range| {
        compute(conn, range, scope, context, controls)
    })?;
    let mut parts = parts.into_iter();
    let mut computed = parts.next().unwrap_or_default();
    for later in parts {
        computed.append(later)?;
    }
    Ok(computed)
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
                last_rotated_at, expires_at, entitlement, attributes
         FROM grants NOT INDEXED
         WHERE id BETWEEN ?1 AND ?2
           AND snapshot_id IN (SELECT id FROM snapshots WHERE current = 1 AND kind = 'entitlements')
         ORDER BY id",
    )?;
    let mut computed = Computed::default();
    let mut cache = HolderCache::new(context.resolver);
    let mut reasons = Vec::with_capacity(8);
    let mut reasons_json = Vec::with_capacity(256);
    let mut whys = Whys::default();
    let mut key = String::new();
    // Where the baseline's decision on the next grant is expected.
    let mut cursor = 0;
    // Toxic combinations and outliers look at every grant of a person:
    // the filters are then applied once they are known (`freeze`).
    let peers = context.rules.peers.active();
    let mut rows = select.query([low, high])?;
    while let Some(row) = rows.next()? {
        computed.seen += 1;
        let system = row.get_ref(2)?.as_str()?;
        let in_system = scope.in_systems(system, &mut key);
        if !in_system && !peers {
            continue;
        }
        let identity_ref = row.get_ref(1)?.as_str()?;
        let holding = cache.holding(identity_ref, system);
        let in_scope = in_system && scope.in_kinds(holding.kind);
        if !in_scope && !peers {
            continue;
        }
        let grant = grant_facts(row, identity_ref, system)?;
        let entitlement = row.get_ref(9)?.as_str()?;
        let holder = holding
            .holder
            .map(|holder| holder_of(holder, holding.kind, context));
        let signals = evaluate(
            &grant,
            holder.as_ref(),
            context.as_of,
            &context.rules.thresholds,
            &mut reasons,
        );
        let found = account_signals(row, &holding, &grant, entitlement, context)?;
        let signals = add_account_signals(&found, signals, &mut reasons);
        let shape = Shape::new(grant.privileged, grant.grant_type);
        let names = (system, entitlement, identity_ref);
        let assessment =
            context
                .cycle
                .assess_grant(names, shape, context.as_of, (&mut key, &mut cursor));
        let signals = add_cycle_signals(&assessment, signals, &mut reasons);
        let subject = Subject {
            signals,
            grant_type: grant.grant_type,
            privileged: grant.privileged || holding.resolved.link.secondary,
            kind: holding.kind,
        };
        let control = context.rules.control_for(&subject);
        if !peers && !scope.controls.is_empty() && !scope.controls.contains(control) {
            continue;
        }
        let (recommendation, why, carry_over) =
            whys.recommend(signals, &reasons, &assessment, context, &mut computed.texts);
        let system_row = context.systems.get(system, &mut key);
        let system_owner = system_row.and_then(|s| active_reviewer(s.owner, context));
        let (reviewer, basis) =
            reviewer_of(&grant, &holding, holder.as_ref(), system_owner, context);
        if in_scope && matches!(basis, Basis::Default | Basis::Creator) {
            computed.note_unreviewed(&holding, identity_ref);
        }
        reasons_json.clear();
        serde_json::to_writer(&mut reasons_json, &reasons)?;
        let name = peers.then(|| grant_name(&mut computed.names, &grant, entitlement, context));
        let item = Pending {
            grant_row: row.get(0)?,
            identity_row: holding.holder.map(|(_, identity)| identity.row),
            system_row: system_row.map(|s| s.row),
            control: u16::try_from(controls.iter().position(|c| *c == control).unwrap_or(0))?,
            revoke: recommendation == Decision::Revoke,
            signals: signals.bits(),
            reviewer: 0,
            reasons: (0, 0),
            appended: 0,
            why: (0, 0),
            link: holding.link,
            basis,
            key: assessment.key,
            prior_item: assessment.prior.map(|p| p.item),
            delta: assessment.delta,
            carry_over,
            holder: holding.holder.map_or(NO_HOLDER, |(index, _)| index),
            name: name.unwrap_or(0),
            subject,
            in_scope,
        };
        computed.keep(item, reviewer, std::str::from_utf8(&reasons_json)?, why);
    }
    computed.links = cache.links;
    Ok(computed)
}

/// Recommendations and their reasons. A certification's reason depends on
/// the item's signals alone, or quotes the baseline's decider and
/// justification: most of a million items share a few dozen sentences,
/// each kept once in the texts.
#[derive(Default)]
struct Whys {
    certify: HashMap<u32, (u32, u32)>,
    carried: HashMap<Quote, (u32, u32)>,
}

impl Whys {
    /// The recommendation for an item, where its reason is in `texts`, and
    /// whether it carries the baseline's certification over.
    fn recommend(
        &mut self,
        signals: SignalSet,
        reasons: &[String],
        assessment: &Assessment<'_>,
        context: &ItemContext<'_>,
        texts: &mut Arena,
    ) -> (Decision, (u32, u32), bool) {
        let rules = context.rules;
        if says_revoke(signals, rules) {
            let (recommendation, why) = recommend(signals, reasons, rules);
            return (recommendation, texts.push(&why), false);
        }
        let cycle = context.cycle;
        if let Some(quote) = cycle.carries_over(assessment, signals, rules) {
            let why = *self
                .carried
                .entry(quote)
                .or_insert_with(|| texts.push(&cycle.carry_over_reason(quote)));
            return (Decision::Certify, why, true);
        }
        let why = *self
            .certify
            .entry(signals.bits())
            .or_insert_with(|| texts.push(&certify_reason(signals, rules)));
        (Decision::Certify, why, false)
    }
}

/// The grant's name for toxic combinations and outliers.
fn grant_name(
    names: &mut Names,
    grant: &GrantFacts<'_>,
    entitlement: &str,
    context: &ItemContext<'_>,
) -> u32 {
    let sod = &context.rules.peers.sod;
    names.id((grant.system, entitlement), grant.grant_type, sod)
}

/// The correlation signals of one grant: what its holder's link, its
/// account's export rows and its own attributes say.
fn account_signals(
    row: &rusqlite::Row<'_>,
    holding: &Holding<'_>,
    grant: &GrantFacts<'_>,
    entitlement: &str,
    context: &ItemContext<'_>,
) -> Result<AccountSignals> {
    let resolver = context.resolver;
    let account = holding.resolved;
    let link = &account.link;
    let mut found = AccountSignals::default();
    // Grant attributes are JSON, and any export's extra columns land there:
    // parse only those that hold a fact read below (a million grants).
    let attributes = match row.get_ref(10)?.as_str_or_null()? {
        Some(json) if crate::identity::facts::may_hold_grant_facts(json) => parse_attributes(json),
        _ => Vec::new(),
    };
    let from_grant =
        crate::identity::facts::grant_facts(grant.grant_type, entitlement, &attributes);
    let human = holding.kind.is_some_and(|k| !k.is_non_human());
    if link.person.is_none()
        && holding.account_row.is_some()
        && resolver.has_persons()
        && holding.kind == Some(IdentityKind::Human)
    {
        found.unmatched = Some(match link.ambiguous.as_slice() {
            [] => format!(
                "no person in the HR identities matches the account {}",
                grant.identity_ref.trim()
            ),
            persons => format!(
                "ambiguous: the account {} matches {}; link it by hand",
                grant.identity_ref.trim(),
                persons
                    .iter()
                    .map(|&p| resolver.row(p).label())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        });
    }
    found.guest = account
        .facts
        .guest
        .clone()
        .or(from_grant.guest)
        .or_else(|| {
            (holding.kind == Some(IdentityKind::External)).then(|| "external identity".to_owned())
        });
    found.pending_invite = account.facts.pending.clone().or(from_grant.pending);
    if human || holding.kind.is_none() {
        found.no_mfa = from_grant.no_mfa;
    }
    if link.secondary {
        if let Some(person) = link.person {
            found.secondary = Some(format!(
                "secondary account {} of {}{}",
                grant.identity_ref.trim(),
                resolver.row(person).label(),
                link.note
                    .as_deref()
                    .filter(|n| n.starts_with("secondary"))
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ));
        }
    }
    if let Some((holder, _)) = holding.holder {
        found.denied_before =
            context
                .earlier
                .denial(holder, grant.system, entitlement, grant.granted_at);
    }
    if let Some((IdentityKind::BreakGlass, why)) = &account.facts.kind {
        found.break_glass = Some(format!(
            "{why}; not judged by use: certify with the evidence of its last test"
        ));
    }
    Ok(found)
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

/// The holder as the signal rules read it, reviewed as `kind`.
fn holder_of<'a>(
    (index, identity): (u32, &'a IdentityRow),
    kind: Option<IdentityKind>,
    context: &ItemContext<'a>,
) -> Holder<'a> {
    let kind = kind.unwrap_or(identity.kind);
    Holder {
        identity_id: &identity.identity_id,
        kind,
        status: identity.status,
        termination_date: identity.termination_date,
        owner: if kind.is_non_human() {
            owner_of(index, identity.owner_id.as_deref(), context)
        } else {
            Owner::Missing
        },
    }
}

/// What is known about a non-human identity's owner, resolved through
/// identity correlation (an owner named by e-mail or directory account is
/// the person behind it).
fn owner_of<'a>(holder: u32, owner_id: Option<&'a str>, context: &ItemContext<'a>) -> Owner<'a> {
    let Some(name) = owner_id.map(str::trim).filter(|n| !n.is_empty()) else {
        return Owner::Missing;
    };
    match context.resolver.owner_of(holder) {
        None => Owner::NotFound(name),
        Some(index) => {
            let owner = context.resolver.row(index);
            if owner.is_active_on(context.as_of) {
                Owner::Active(owner.identity_id.as_str())
            } else {
                Owner::Inactive {
                    id: owner.identity_id.as_str(),
                    status: if owner.status == IdentityStatus::Active {
                        IdentityStatus::Terminated
                    } else {
                        owner.status
                    },
                    termination_date: owner.termination_date,
                }
            }
        }
    }
}

/// A resolved person (or account) as a reviewer: their identity_id when
/// they are active on the as-of date, else nobody.
fn active_reviewer<'a>(index: Option<u32>, context: &ItemContext<'a>) -> Option<&'a str> {
    let row = context.resolver.row(index?);
    row.is_active_on(context.as_of)
        .then_some(row.identity_id.as_str())
}

fn reviewer_of<'a>(
    grant: &GrantFacts<'a>,
    holding: &Holding<'a>,
    holder: Option<&Holder<'a>>,
    system_owner: Option<&'a str>,
    context: &ItemContext<'a>,
) -> (&'a str, Basis) {
    let owner = match holder.map(|h| h.owner) {
        Some(Owner::Active(owner)) => Some(owner),
        _ => None,
    };
    let identity = holding.holder.map(|(_, row)| row);
    let manager = holding
        .holder
        .and_then(|(index, _)| active_reviewer(context.resolver.manager_of(index), context));
    let candidates = Candidates {
        holder: match identity {
            Some(i) => [
                Some(i.identity_id.as_str()),
                i.email.as_deref(),
                Some(grant.identity_ref),
            ],
            None => [Some(grant.identity_ref), None, None],
        },
        non_human: holding.kind.map(IdentityKind::is_non_human),
        privileged: grant.privileged || holding.resolved.link.secondary,
        manager,
        owner,
        system_owner,
        default_reviewer: context.default_reviewer,
        creator: context.creator,
    };
    assign(&candidates)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::campaign::test_company::Company;

    /// Each item as the database will get it, with its texts resolved.
    fn resolved(computed: &Computed) -> Vec<String> {
        computed
            .pending
            .iter()
            .map(|p| {
                format!(
                    "{} {:?} {:?} {} {} {} {} {} {} {:?}",
                    p.grant_row,
                    p.identity_row,
                    p.system_row,
                    p.control,
                    p.revoke,
                    p.signals,
                    computed.reviewers.get(p.reviewer),
                    computed.texts.get(p.reasons),
                    computed.texts.get(p.why),
                    computed.links[p.link as usize]
                )
            })
            .collect()
    }

    #[test]
    fn threads_compute_exactly_what_one_thread_computes() {
        let company = Company::demo();
        let compute_with = |threads: usize| company.compute(threads);
        let one = compute_with(1);
        assert_eq!(one.seen, 1780, "the sample company's grants");
        assert_eq!(one.pending.len(), 1780);
        for threads in [2, 3, 4] {
            let many = compute_with(threads);
            assert_eq!(many.seen, one.seen);
            assert_eq!(resolved(&many), resolved(&one), "{threads} threads");
        }
        // A certification's reason is kept once per set of signals, however
        // many items give it.
        let certified = one.pending.iter().filter(|p| !p.revoke);
        let spans: HashSet<(u32, u32)> = certified.clone().map(|p| p.why).collect();
        let sets: HashSet<u32> = certified.clone().map(|p| p.signals).collect();
        assert!(certified.count() > 20 * sets.len(), "{sets:?}");
        assert_eq!(spans.len(), sets.len());
    }
}
