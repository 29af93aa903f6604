//! The decision rules of PRODUCT.md §4 as plain functions, one each, so the
//! CLI, the TUI and every later path (packets, close-out) apply the same
//! policy: what a verdict decides, when a justification is needed, and
//! whose access a reviewer may not decide.

use crate::model::{Decision, DecisionAction, SignalSet};

/// What a reviewer asks for: a decision, the recommendation, or an undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Certify,
    Revoke,
    /// Whatever the item's recommendation says.
    Accept,
    Undo,
}

impl Verdict {
    /// The decision event this verdict records on an item recommended `recommendation`.
    pub fn action(self, recommendation: Decision) -> DecisionAction {
        match self {
            Verdict::Certify => DecisionAction::Certify,
            Verdict::Revoke => DecisionAction::Revoke,
            Verdict::Accept => recommendation.into(),
            Verdict::Undo => DecisionAction::Undo,
        }
    }

    /// The decision this verdict gives such an item (`None` for an undo).
    pub fn decision(self, recommendation: Decision) -> Option<Decision> {
        self.action(recommendation).decision()
    }
}

/// Why a decision needs a justification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Justification {
    /// Every revoke is explained.
    Revoke,
    /// Certifying an item that carries these of the campaign's justify signals.
    Risk(SignalSet),
}

/// The rule that asks for a justification of `decision` on an item carrying
/// `signals`, in a campaign whose rules name the signals `justify`; `None`
/// when the decision may be recorded without one.
pub fn justification_rule(
    decision: Decision,
    signals: SignalSet,
    justify: SignalSet,
) -> Option<Justification> {
    match decision {
        Decision::Revoke => Some(Justification::Revoke),
        Decision::Certify => {
            let needing = SignalSet::from_bits(signals.bits() & justify.bits());
            (!needing.is_empty()).then_some(Justification::Risk(needing))
        }
    }
}

/// Whether text counts as a justification: anything but blanks.
pub fn is_justified(text: Option<&str>) -> bool {
    text.is_some_and(|text| !text.trim().is_empty())
}

/// Whether an item is the reviewer's own access: one of the keys its
/// holder is known by (identity id, e-mail, the account key) is one of the
/// keys the reviewer holds access under (`reviewers::own_keys`: their name,
/// the person's identity_id and e-mail, every account the campaign linked to
/// them), compared with invisible characters removed, blanks trimmed and
/// ASCII letter case ignored. A reviewer never decides on their own access.
pub fn is_own_access<'k>(
    reviewer_keys: &[String],
    holder_keys: impl IntoIterator<Item = &'k str>,
) -> bool {
    holder_keys.into_iter().any(|key| {
        let key = crate::reviewers::name::fold(key);
        !key.is_empty()
            && reviewer_keys
                .iter()
                .any(|own| !own.is_empty() && crate::reviewers::name::fold(own) == key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Signal;

    fn set(signals: &[Signal]) -> SignalSet {
        signals.iter().copied().collect()
    }

    #[test]
    fn accept_follows_the_recommendation_and_the_rest_say_what_they_mean() {
        assert_eq!(
            Verdict::Accept.action(Decision::Revoke),
            DecisionAction::Revoke
        );
        assert_eq!(
            Verdict::Accept.action(Decision::Certify),
            DecisionAction::Certify
        );
        assert_eq!(
            Verdict::Certify.action(Decision::Revoke),
            DecisionAction::Certify
        );
        assert_eq!(Verdict::Undo.decision(Decision::Revoke), None);
    }

    #[test]
    fn revokes_always_and_risky_certifications_need_a_justification() {
        let justify = set(&[Signal::Dormant, Signal::Privileged]);
        assert_eq!(
            justification_rule(Decision::Revoke, SignalSet::EMPTY, justify),
            Some(Justification::Revoke)
        );
        assert_eq!(
            justification_rule(
                Decision::Certify,
                set(&[Signal::New, Signal::Dormant]),
                justify
            ),
            Some(Justification::Risk(set(&[Signal::Dormant])))
        );
        assert_eq!(
            justification_rule(Decision::Certify, set(&[Signal::New]), justify),
            None,
            "only the campaign's justify signals count"
        );
        assert!(!is_justified(Some("  \t")));
        assert!(is_justified(Some("left")));
    }

    #[test]
    fn own_access_matches_any_holder_key_ignoring_case_blanks_and_invisibles() {
        let keys = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        assert!(is_own_access(&keys(&["m1"]), ["E1", " M1 "]));
        assert!(is_own_access(
            &keys(&["e0429", "e0429@x.example", "adm-e0429"]),
            ["ADM-E0429", ""]
        ));
        assert!(is_own_access(
            &keys(&["mia@x.example"]),
            ["E1", "mia\u{200B}@X.example"]
        ));
        assert!(!is_own_access(&keys(&["m1"]), ["E1", ""]));
        assert!(
            !is_own_access(&keys(&[]), ["", " "]),
            "an empty reviewer owns nothing"
        );
        assert!(!is_own_access(&keys(&[""]), [""]));
    }
}
