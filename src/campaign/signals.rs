//! Risk signals of one grant as of a date, each with a sentence a reviewer
//! reads at a glance, and the recommendation that follows (PRODUCT.md §4).
//! Pure: no database, no clock.

use std::fmt::Write;

use chrono::NaiveDate;

use super::rules::{Rules, Thresholds};
use crate::model::{Decision, GrantType, IdentityKind, IdentityStatus, Signal, SignalSet, When};

/// The grant being reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantFacts<'a> {
    /// The holder as the export names it.
    pub identity_ref: &'a str,
    pub system: &'a str,
    pub grant_type: GrantType,
    pub privileged: bool,
    pub granted_at: Option<When>,
    pub last_used_at: Option<When>,
    pub last_rotated_at: Option<When>,
    pub expires_at: Option<When>,
}

/// The identity holding the grant, when it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder<'a> {
    pub identity_id: &'a str,
    pub kind: IdentityKind,
    pub status: IdentityStatus,
    pub termination_date: Option<When>,
    /// The accountable owner; only looked at for non-human identities.
    pub owner: Owner<'a>,
}

/// What is known about an identity's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    /// The identity names no owner.
    Missing,
    /// The owner_id matches no identity.
    NotFound(&'a str),
    /// The owner exists but is disabled or terminated.
    Inactive {
        id: &'a str,
        status: IdentityStatus,
        termination_date: Option<When>,
    },
    Active(&'a str),
}

/// Whole days from `when` to `as_of` (negative when `when` is later).
fn days_before(as_of: NaiveDate, when: When) -> i64 {
    (as_of - when.date()).num_days()
}

fn ago(days: i64) -> String {
    match days {
        0 => "today".to_owned(),
        1 => "1 day ago".to_owned(),
        d if d < 0 => format!("in {} days", -d),
        d => format!("{d} days ago"),
    }
}

fn credential_label(grant_type: GrantType) -> &'static str {
    match grant_type {
        GrantType::ApiKey => "API key",
        GrantType::Secret => "secret",
        GrantType::Certificate => "certificate",
        GrantType::SshKey => "SSH key",
        GrantType::Password => "password",
        _ => "credential",
    }
}

/// The signals of `grant` as of `as_of`. One reason per signal is appended to
/// `reasons` (cleared first), in signal order, so the two always line up.
pub fn evaluate(
    grant: &GrantFacts<'_>,
    holder: Option<&Holder<'_>>,
    as_of: NaiveDate,
    thresholds: &Thresholds,
    reasons: &mut Vec<String>,
) -> SignalSet {
    reasons.clear();
    let mut signals = SignalSet::EMPTY;
    let mut add = |signal: Signal, reason: String| {
        signals.insert(signal);
        reasons.push(reason);
    };

    // Signals are added in `Signal` order: orphaned, terminated, dormant,
    // unrotated, privileged, no-owner, expired, new.
    let Some(holder) = holder else {
        add(
            Signal::Orphaned,
            format!(
                "no identity {} in the identities export",
                grant.identity_ref.trim()
            ),
        );
        return finish(grant, None, as_of, thresholds, signals, reasons);
    };
    if let Some(reason) = termination(holder, as_of) {
        add(Signal::Terminated, reason);
    }
    finish(grant, Some(holder), as_of, thresholds, signals, reasons)
}

/// The signals after orphaned and terminated.
fn finish(
    grant: &GrantFacts<'_>,
    holder: Option<&Holder<'_>>,
    as_of: NaiveDate,
    thresholds: &Thresholds,
    mut signals: SignalSet,
    reasons: &mut Vec<String>,
) -> SignalSet {
    let mut add = |signal: Signal, reason: String| {
        signals.insert(signal);
        reasons.push(reason);
    };
    if let Some(reason) = dormancy(grant, as_of, thresholds.dormant_days) {
        add(Signal::Dormant, reason);
    }
    if grant.grant_type.is_credential() {
        let label = credential_label(grant.grant_type);
        match grant.last_rotated_at {
            None => add(Signal::Unrotated, format!("{label} rotation date unknown")),
            Some(rotated) => {
                let days = days_before(as_of, rotated);
                if days >= thresholds.unrotated_days {
                    add(
                        Signal::Unrotated,
                        format!("{label} not rotated for {days} days"),
                    );
                }
            }
        }
    }
    if grant.privileged {
        add(
            Signal::Privileged,
            format!("privileged entitlement on {}", grant.system.trim()),
        );
    }
    if let Some(holder) = holder.filter(|h| h.kind.is_non_human()) {
        if let Some(reason) = ownerless(&holder.owner) {
            add(Signal::NoOwner, reason);
        }
    }
    if let Some(expires) = grant.expires_at {
        let days = days_before(as_of, expires);
        if days > 0 {
            add(
                Signal::Expired,
                format!("expired {expires} ({})", ago(days)),
            );
        }
    }
    if let Some(granted) = grant.granted_at {
        let days = days_before(as_of, granted);
        if days < 0 {
            add(
                Signal::New,
                format!("granted {granted}, after the as-of date"),
            );
        } else if days < thresholds.new_days {
            add(Signal::New, format!("granted {}", ago(days)));
        }
    }
    signals
}

/// A terminated identity, or one whose termination date has come (the as-of
/// day itself included: access must be gone by the end of the last day).
fn termination(holder: &Holder<'_>, as_of: NaiveDate) -> Option<String> {
    let id = crate::identity::keys::trim(holder.identity_id);
    let ended = holder
        .termination_date
        .filter(|date| days_before(as_of, *date) >= 0);
    match (holder.status, ended, holder.termination_date) {
        (_, Some(date), _) => Some(format!("identity {id} terminated {date}")),
        (IdentityStatus::Terminated, None, Some(date)) => Some(format!(
            "identity {id} is terminated (termination date {date})"
        )),
        (IdentityStatus::Terminated, None, None) => {
            Some(format!("identity {id} is terminated (no termination date)"))
        }
        _ => None,
    }
}

/// Unused for the threshold, or never used and granted at least that long
/// ago. A grant with neither a last use nor a grant date has an unknown age
/// and is not called dormant.
fn dormancy(grant: &GrantFacts<'_>, as_of: NaiveDate, threshold: i64) -> Option<String> {
    match (grant.last_used_at, grant.granted_at) {
        (Some(used), _) => {
            let days = days_before(as_of, used);
            (days >= threshold).then(|| format!("last used {days} days ago"))
        }
        (None, Some(granted)) => {
            let days = days_before(as_of, granted);
            (days >= threshold).then(|| format!("never used, granted {days} days ago"))
        }
        (None, None) => None,
    }
}

fn ownerless(owner: &Owner<'_>) -> Option<String> {
    match owner {
        Owner::Active(_) => None,
        Owner::Missing => Some("no owner recorded".to_owned()),
        Owner::NotFound(id) => Some(format!(
            "owner {} is not in the identities export",
            id.trim()
        )),
        Owner::Inactive {
            id,
            status: IdentityStatus::Terminated,
            termination_date,
        } => Some(match termination_date {
            Some(date) => format!("owner {} has left (terminated {date})", id.trim()),
            None => format!("owner {} has left", id.trim()),
        }),
        Owner::Inactive { id, status, .. } => Some(format!("owner {} is {status}", id.trim())),
    }
}

/// What identity correlation found about a grant's holder (PRODUCT.md §6),
/// each with its sentence; `None` where it does not apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSignals {
    pub unmatched: Option<String>,
    pub guest: Option<String>,
    pub pending_invite: Option<String>,
    pub no_mfa: Option<String>,
    pub secondary: Option<String>,
    pub denied_before: Option<String>,
    pub break_glass: Option<String>,
}

/// Adds the correlation signals to those [`evaluate`] found, in signal
/// order after them, with their reasons.
pub fn add_account_signals(
    found: &AccountSignals,
    mut signals: SignalSet,
    reasons: &mut Vec<String>,
) -> SignalSet {
    for (signal, reason) in [
        (Signal::Unmatched, &found.unmatched),
        (Signal::Guest, &found.guest),
        (Signal::PendingInvite, &found.pending_invite),
        (Signal::NoMfa, &found.no_mfa),
        (Signal::Secondary, &found.secondary),
        (Signal::DeniedBefore, &found.denied_before),
        (Signal::BreakGlass, &found.break_glass),
    ] {
        if let Some(reason) = reason {
            signals.insert(signal);
            reasons.push(reason.clone());
        }
    }
    signals
}

/// Whether [`recommend`] says revoke: a revoke signal, other than a
/// break-glass account's dormancy. When it does not, its reason is
/// [`certify_reason`]'s, which depends on the signals alone.
pub fn says_revoke(signals: SignalSet, rules: &Rules) -> bool {
    signals.iter().any(|signal| revokes(signal, signals, rules))
}

/// Whether `signal`, one of `signals`, asks for a revocation. A break-glass
/// account exists to be unused: being dormant never makes it a revocation
/// (it must be certified with the evidence of its last test).
fn revokes(signal: Signal, signals: SignalSet, rules: &Rules) -> bool {
    rules.revoke.contains(signal)
        && !(signal == Signal::Dormant && signals.contains(Signal::BreakGlass))
}

/// Revoke when a revoke signal is set (the reason quotes those signals'
/// reasons), otherwise certify; `reasons` lines up with `signals`.
pub fn recommend(signals: SignalSet, reasons: &[String], rules: &Rules) -> (Decision, String) {
    let mut revoke = String::new();
    let mut confirm = Vec::new();
    for (signal, reason) in signals.iter().zip(reasons) {
        if revokes(signal, signals, rules) {
            if !revoke.is_empty() {
                revoke.push_str("; ");
            }
            revoke.push_str(reason);
        } else if rules.justify.contains(signal) {
            confirm.push(signal.as_str());
        }
    }
    if !revoke.is_empty() {
        return (Decision::Revoke, revoke);
    }
    (Decision::Certify, certify_sentence(signals, &confirm))
}

/// Why an item with no revoke signal is recommended for certification:
/// [`recommend`]'s reason when it says certify.
pub fn certify_reason(signals: SignalSet, rules: &Rules) -> String {
    let confirm: Vec<&str> = signals
        .iter()
        .filter(|s| rules.justify.contains(*s))
        .map(Signal::as_str)
        .collect();
    certify_sentence(signals, &confirm)
}

fn certify_sentence(signals: SignalSet, confirm: &[&str]) -> String {
    let mut reason = String::from("no revoke signal");
    if confirm.is_empty() {
        if signals.contains(Signal::New) {
            reason.push_str("; recently granted");
        }
    } else {
        let _ = write!(
            reason,
            "; confirm the need ({}) in the justification",
            confirm.join(", ")
        );
    }
    reason
}

#[cfg(test)]
#[path = "signals_tests.rs"]
mod tests;
