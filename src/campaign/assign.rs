//! Who reviews an item (PRODUCT.md §4): privileged → system owner, human →
//! manager, non-human → owner, then the campaign's default reviewer; never
//! the holder of the access. Pure: the caller resolves the candidates.

use crate::identity::keys::trim;

/// Why the reviewer was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    SystemOwner,
    Manager,
    Owner,
    Default,
    /// The default reviewer holds the access, so the campaign's creator reviews.
    Creator,
}

/// The possible reviewers of one item. Candidates that are known not to be
/// active people have already been left out by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidates<'a> {
    /// The ways the holder is named (the person's identity_id and email,
    /// and the account key the grant names); none of these may review it.
    pub holder: [Option<&'a str>; 3],
    /// `None` for an orphaned grant.
    pub non_human: Option<bool>,
    pub privileged: bool,
    pub manager: Option<&'a str>,
    /// The non-human identity's owner, only when active.
    pub owner: Option<&'a str>,
    pub system_owner: Option<&'a str>,
    pub default_reviewer: &'a str,
    pub creator: &'a str,
}

impl Candidates<'_> {
    /// The `fold` rule (trimmed, ASCII case-insensitive) without allocating.
    fn is_holder(&self, name: &str) -> bool {
        let name = trim(name);
        self.holder
            .iter()
            .flatten()
            .any(|holder| trim(holder).eq_ignore_ascii_case(name))
    }
}

/// The first candidate of the chain that exists and is not the holder:
/// 1. privileged grants → the system owner;
/// 2. a person → their manager; a non-human identity → its active owner;
/// 3. a non-human identity without an active owner, or an orphan → the system owner;
/// 4. the default reviewer; 5. the creator when the default reviewer is the holder.
///
/// When everyone in the chain holds the access, the default reviewer stays
/// assigned and someone else must decide (`decide` refuses own access).
pub fn assign<'a>(candidates: &Candidates<'a>) -> (&'a str, Basis) {
    let mut chain: [(Option<&'a str>, Basis); 5] = [(None, Basis::Default); 5];
    if candidates.privileged {
        chain[0] = (candidates.system_owner, Basis::SystemOwner);
    }
    match candidates.non_human {
        Some(false) => chain[1] = (candidates.manager, Basis::Manager),
        Some(true) => {
            chain[1] = (candidates.owner, Basis::Owner);
            chain[2] = (candidates.system_owner, Basis::SystemOwner);
        }
        None => chain[2] = (candidates.system_owner, Basis::SystemOwner),
    }
    chain[3] = (Some(candidates.default_reviewer), Basis::Default);
    chain[4] = (Some(candidates.creator), Basis::Creator);
    chain
        .into_iter()
        .find_map(|(name, basis)| {
            name.filter(|n| !trim(n).is_empty() && !candidates.is_holder(n))
                .map(|n| (n, basis))
        })
        .unwrap_or((candidates.default_reviewer, Basis::Default))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn base() -> Candidates<'static> {
        Candidates {
            holder: [Some("E1"), Some("e1@x.example"), None],
            non_human: Some(false),
            privileged: false,
            manager: Some("M1"),
            owner: None,
            system_owner: Some("SO"),
            default_reviewer: "iam-team",
            creator: "alice",
        }
    }

    #[test]
    fn a_person_is_reviewed_by_their_manager() {
        assert_eq!(assign(&base()), ("M1", Basis::Manager));
    }

    #[test]
    fn a_person_without_manager_goes_to_the_default_reviewer() {
        let c = Candidates {
            manager: None,
            ..base()
        };
        assert_eq!(assign(&c), ("iam-team", Basis::Default));
    }

    #[test]
    fn privileged_access_goes_to_the_system_owner_where_known() {
        let c = Candidates {
            privileged: true,
            ..base()
        };
        assert_eq!(assign(&c), ("SO", Basis::SystemOwner));
        let unknown = Candidates {
            system_owner: None,
            ..c
        };
        assert_eq!(assign(&unknown), ("M1", Basis::Manager));
    }

    #[test]
    fn a_system_owner_never_reviews_their_own_privileged_access() {
        let c = Candidates {
            privileged: true,
            system_owner: Some("E1"),
            ..base()
        };
        assert_eq!(assign(&c), ("M1", Basis::Manager));
        let by_email = Candidates {
            system_owner: Some("E1@X.example"),
            ..c
        };
        assert_eq!(assign(&by_email), ("M1", Basis::Manager));
    }

    #[rstest]
    #[case::active_owner(Some("O1"), ("O1", Basis::Owner))]
    #[case::no_active_owner_falls_back_to_system_owner(None, ("SO", Basis::SystemOwner))]
    fn a_non_human_identity_is_reviewed_by_its_owner(
        #[case] owner: Option<&'static str>,
        #[case] expected: (&str, Basis),
    ) {
        let c = Candidates {
            non_human: Some(true),
            manager: None,
            owner,
            ..base()
        };
        assert_eq!(assign(&c), expected);
    }

    #[test]
    fn an_ownerless_nhi_on_an_ownerless_system_goes_to_the_default_reviewer() {
        let c = Candidates {
            non_human: Some(true),
            owner: None,
            system_owner: None,
            ..base()
        };
        assert_eq!(assign(&c), ("iam-team", Basis::Default));
    }

    #[test]
    fn an_orphan_goes_to_the_system_owner_then_the_default_reviewer() {
        let c = Candidates {
            holder: [Some("X999"), None, None],
            non_human: None,
            manager: None,
            ..base()
        };
        assert_eq!(assign(&c), ("SO", Basis::SystemOwner));
        let no_owner = Candidates {
            system_owner: None,
            ..c
        };
        assert_eq!(assign(&no_owner), ("iam-team", Basis::Default));
    }

    #[test]
    fn a_default_reviewer_holding_the_access_hands_it_to_the_creator() {
        let c = Candidates {
            manager: None,
            default_reviewer: "E1",
            ..base()
        };
        assert_eq!(assign(&c), ("alice", Basis::Creator));
        let everyone = Candidates { creator: "e1", ..c };
        assert_eq!(assign(&everyone), ("E1", Basis::Default));
    }
}
