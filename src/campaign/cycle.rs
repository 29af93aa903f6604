//! The quarterly cycle's part of computing an item (PRODUCT.md §7): how its
//! grant compares with the baseline (its delta), the signals of earlier
//! revocations and time-boxed certifications, and the carry-over of an
//! unchanged, risk-free certification. Pure once loaded: the threads that
//! compute items share one [`Cycle`] and look each grant up by its key.
//!
//! The latest signed-off decision on a grant wins: a revocation or a
//! time-boxed certification is only held against the grant when no
//! baseline decided it, or when it is the baseline's own or a later one.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::baseline::{Baseline, Prior, Quote};
use super::grant_key::GrantKey;
use super::past::Past;
use super::rules::Rules;
use crate::model::{Decision, DecisionBasis, Delta, GrantType, Signal, SignalSet};

/// The baseline and the earlier decisions a campaign is computed against.
#[derive(Default)]
pub struct Cycle {
    pub baseline: Option<Baseline>,
    pub past: Past,
}

/// What the cycle says about one grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment<'a> {
    pub key: GrantKey,
    /// The baseline's decision on the same grant.
    pub prior: Option<&'a Prior>,
    /// `None` when the campaign has no baseline.
    pub delta: Option<Delta>,
    regranted: Option<String>,
    not_removed: Option<String>,
    exception_expired: Option<String>,
}

/// The grant as the delta compares it.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub privileged: bool,
    pub grant_type: GrantType,
}

impl Shape {
    pub fn new(privileged: bool, grant_type: GrantType) -> Shape {
        Shape {
            privileged,
            grant_type,
        }
    }
}

impl Cycle {
    /// Looks a grant up by its system, entitlement and account in the
    /// baseline and the earlier decisions (`key` is a reused buffer for the
    /// key's text; `cursor` where the baseline's next decision is expected,
    /// see [`Baseline::get_near`]).
    pub fn assess_grant(
        &self,
        (system, entitlement, account): (&str, &str, &str),
        shape: Shape,
        as_of: NaiveDate,
        (key, cursor): (&mut String, &mut usize),
    ) -> Assessment<'_> {
        super::grant_key::text_into(system, entitlement, account, key);
        let key = GrantKey::of_text(key);
        let prior = self
            .baseline
            .as_ref()
            .and_then(|b| b.get_near(&key, cursor));
        self.assess(key, prior, shape, as_of)
    }

    /// The baseline campaign's id and name, if there is one.
    pub fn baseline_named(&self) -> Option<(i64, String)> {
        self.baseline
            .as_ref()
            .map(|b| (b.campaign.id, b.campaign.name.clone()))
    }

    /// The grant's delta against the baseline, whose decision on it is
    /// `prior`, and what earlier decisions say about it.
    fn assess<'c>(
        &'c self,
        key: GrantKey,
        prior: Option<&'c Prior>,
        shape: Shape,
        as_of: NaiveDate,
    ) -> Assessment<'c> {
        let delta = self.baseline.as_ref().map(|_| match prior {
            None => Delta::New,
            Some(p) if p.decision == Decision::Revoke => Delta::Regranted,
            Some(p) if p.privileged == shape.privileged && p.grant_type == shape.grant_type => {
                Delta::Unchanged
            }
            Some(_) => Delta::Changed,
        });
        // Decided by the baseline, or later than it.
        let current = |signed_at: &str| match (&self.baseline, prior) {
            (Some(baseline), Some(_)) => signed_at >= baseline.signed_at.as_str(),
            _ => true,
        };
        let mut assessment = Assessment {
            key,
            prior,
            delta,
            regranted: None,
            not_removed: None,
            exception_expired: None,
        };
        match self.past.revocation(&key).filter(|r| current(&r.signed_at)) {
            Some(revocation) => {
                let mut reason = format!(
                    "revoked in campaign {:?} by {}, signed off {}",
                    revocation.campaign, revocation.decider, revocation.signed_off
                );
                if let Some(removal) = &revocation.removed {
                    let _ = write!(
                        reason,
                        "; gone from snapshot {} ({}, {}), granted again",
                        removal.snapshot, removal.file, removal.day
                    );
                    assessment.regranted = Some(reason);
                } else {
                    let days = (as_of - revocation.signed_off).num_days();
                    let _ = write!(reason, " ({}); still present", before_as_of(days));
                    assessment.not_removed = Some(reason);
                }
            }
            // A baseline revocation not yet followed (tracking starts at
            // sign-off; an older campaign's at the first refresh).
            None => {
                if let (Some(baseline), Some(prior)) = (&self.baseline, prior) {
                    if prior.decision == Decision::Revoke {
                        let days = (as_of - baseline.signed_off).num_days();
                        assessment.not_removed = Some(format!(
                            "revoked in campaign {:?} by {}, signed off {} ({}); still present",
                            baseline.campaign.name,
                            baseline.decider(prior),
                            baseline.signed_off,
                            before_as_of(days)
                        ));
                    }
                }
            }
        }
        if let Some(exception) = self.past.exception(&key).filter(|e| current(&e.signed_at)) {
            // "Until D" keeps access through day D: expired only after it.
            if exception.valid_until < as_of {
                let days = (as_of - exception.valid_until).num_days();
                assessment.exception_expired = Some(format!(
                    "certified in campaign {:?} by {} until {}, which ended {} before the as-of date",
                    exception.campaign,
                    exception.decider,
                    exception.valid_until,
                    days_text(days)
                ));
            }
        }
        assessment
    }

    /// Whether an item recommended for certification carries the
    /// baseline's certification over: an unchanged grant the baseline
    /// certified for good, when nothing about it needs a justification now.
    /// The reason then quotes the earlier reviewer
    /// ([`Cycle::carry_over_reason`]); items quoting the same decider and
    /// justification share one sentence.
    pub fn carries_over(
        &self,
        assessment: &Assessment<'_>,
        signals: SignalSet,
        rules: &Rules,
    ) -> Option<Quote> {
        // A prior decision comes from the baseline: there is one.
        let prior = assessment.prior?;
        let eligible = assessment.delta == Some(Delta::Unchanged)
            && prior.decision == Decision::Certify
            && prior.valid_until.is_none()
            && prior.basis != Some(DecisionBasis::CloseOut)
            && !signals.intersects(rules.justify);
        eligible.then(|| Baseline::quote_of(prior))
    }

    /// The recommendation reason of a carried-over certification.
    pub fn carry_over_reason(&self, quote: Quote) -> String {
        let Some(baseline) = &self.baseline else {
            return String::new();
        };
        let (decider, why) = baseline.quoted(quote);
        let mut reason = format!("certified in {} by {}", baseline.campaign.name, decider);
        let why = why.trim();
        if !why.is_empty() {
            let _ = write!(reason, ": '{}'", quoted(why));
        }
        reason.push_str("; unchanged");
        reason
    }
}

/// Adds the cycle's signals to those computed so far (every signal before
/// `regranted` in `Signal` order), one reason each, in signal order.
pub fn add_cycle_signals(
    assessment: &Assessment<'_>,
    mut signals: SignalSet,
    reasons: &mut Vec<String>,
) -> SignalSet {
    for (signal, reason) in [
        (Signal::Regranted, &assessment.regranted),
        (Signal::RevokedNotRemoved, &assessment.not_removed),
        (Signal::ExceptionExpired, &assessment.exception_expired),
    ] {
        if let Some(reason) = reason {
            signals.insert(signal);
            reasons.push(reason.clone());
        }
    }
    signals
}

/// An earlier justification as a recommendation quotes it: one line, at
/// most 200 characters.
fn quoted(text: &str) -> String {
    const MOST: usize = 200;
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if line.chars().count() <= MOST {
        line
    } else {
        let mut cut: String = line.chars().take(MOST - 1).collect();
        cut.push('…');
        cut
    }
}

/// `29 days before the as-of date` (or after it, for a sign-off later
/// than the new campaign's as-of date).
fn before_as_of(days: i64) -> String {
    if days < 0 {
        format!("{} after the as-of date", days_text(-days))
    } else {
        format!("{} before the as-of date", days_text(days))
    }
}

fn days_text(days: i64) -> String {
    match days {
        1 => "1 day".to_owned(),
        d => format!("{d} days"),
    }
}

#[cfg(test)]
#[path = "cycle_tests.rs"]
mod tests;
