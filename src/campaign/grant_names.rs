//! The distinct `system:entitlement` names of a campaign's grants, for
//! toxic combinations and outliers (PRODUCT.md §11): compared folded,
//! shown and matched by `[[sod]]` patterns as first written. A name's
//! rule sides are found when the compute thread that meets it first adds
//! it; a credential is matched each time it is met, and named only if a
//! pattern matches it.

use foldhash::{HashMap, HashMapExt};

use super::peers::SodRule;
use crate::identity::keys::trim;
use crate::model::GrantType;

/// [`super::compute::Pending::name`] of a credential no `[[sod]]` pattern
/// matches: it is its holder's own, so peers say nothing about it either,
/// and it needs no name. A hundred thousand of a million grants are such
/// keys; naming each cost two allocations and a map entry.
pub(super) const UNNAMED: u32 = u32::MAX;

/// One side of one `[[sod]]` rule that a name matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RuleSide {
    /// The rule's position in the rules file.
    pub rule: u16,
    pub a: bool,
    pub b: bool,
}

/// Name ids by folded entitlement, by folded system.
type NameIds = HashMap<String, HashMap<String, u32>>;

/// The names met so far, numbered in the order they were met.
#[derive(Default)]
pub(super) struct Names {
    /// A few systems, each with a map small enough to stay in cache (one map of every name
    /// made a million lookups a quarter of a second slower).
    ids: NameIds,
    labels: Vec<String>,
    /// By name: the rule sides it matches (mostly none).
    sides: Vec<Vec<RuleSide>>,
    system: String,
    entitlement: String,
    label: String,
}

impl Names {
    /// The id of the grant `entitlement` on `system`; [`UNNAMED`] for a
    /// credential no `[[sod]]` pattern matches.
    pub fn id(
        &mut self,
        (system, entitlement): (&str, &str),
        grant_type: GrantType,
        rules: &[SodRule],
    ) -> u32 {
        if grant_type.is_credential() && !self.matched(system, entitlement, rules) {
            return UNNAMED;
        }
        fold_into(system, &mut self.system);
        fold_into(entitlement, &mut self.entitlement);
        let known = self
            .ids
            .get(self.system.as_str())
            .and_then(|names| names.get(self.entitlement.as_str()));
        if let Some(&id) = known {
            return id;
        }
        let label = format!("{}:{}", trim(system), trim(entitlement));
        let sides = sides_of(&label, rules);
        add(
            (&mut self.ids, &mut self.labels, &mut self.sides),
            &self.system,
            self.entitlement.clone(),
            (label, sides),
        )
    }

    /// Whether a pattern of `rules` matches the grant, without keeping it.
    fn matched(&mut self, system: &str, entitlement: &str, rules: &[SodRule]) -> bool {
        self.label.clear();
        self.label.push_str(trim(system));
        self.label.push(':');
        self.label.push_str(trim(entitlement));
        let label = self.label.as_str();
        rules.iter().any(|rule| rule.sides(label) != (false, false))
    }

    /// Adds `other`'s names; returns the ids they have here, by their id there.
    /// They are added in `other`'s order, so ids do not depend on how the
    /// maps happen to iterate.
    pub fn absorb(&mut self, other: Names) -> Vec<u32> {
        let Names {
            ids, labels, sides, ..
        } = other;
        let mut names: Vec<(u32, u32, String)> = Vec::with_capacity(labels.len());
        let mut systems: Vec<String> = Vec::with_capacity(ids.len());
        for (index, (system, entitlements)) in (0_u32..).zip(ids) {
            systems.push(system);
            names.extend(
                entitlements
                    .into_iter()
                    .map(|(entitlement, id)| (id, index, entitlement)),
            );
        }
        names.sort_unstable_by_key(|name| name.0);
        let mut found = labels.into_iter().zip(sides);
        names
            .into_iter()
            .map(|(_, system, entitlement)| {
                let name = found.next().unwrap_or_default();
                add(
                    (&mut self.ids, &mut self.labels, &mut self.sides),
                    &systems[system as usize],
                    entitlement,
                    name,
                )
            })
            .collect()
    }

    /// `system:entitlement` as first written.
    pub fn label(&self, id: u32) -> &str {
        self.labels.get(id as usize).map_or("", String::as_str)
    }

    /// The rule sides the name matches.
    pub fn sides(&self, id: u32) -> &[RuleSide] {
        self.sides.get(id as usize).map_or(&[], Vec::as_slice)
    }
}

/// The rule sides `label` (`system:entitlement`) matches.
fn sides_of(label: &str, rules: &[SodRule]) -> Vec<RuleSide> {
    (0_u16..)
        .zip(rules)
        .filter_map(|(rule, r)| {
            let (a, b) = r.sides(label);
            (a || b).then_some(RuleSide { rule, a, b })
        })
        .collect()
}

/// The id of the name (`system`, `entitlement`, both folded) in `ids`,
/// added with its label and sides if new.
fn add(
    (ids, labels, sides): (&mut NameIds, &mut Vec<String>, &mut Vec<Vec<RuleSide>>),
    system: &str,
    entitlement: String,
    (label, matched): (String, Vec<RuleSide>),
) -> u32 {
    let next = u32::try_from(labels.len()).unwrap_or(u32::MAX);
    if !ids.contains_key(system) {
        ids.insert(system.to_owned(), HashMap::new());
    }
    let Some(names) = ids.get_mut(system) else {
        return next;
    };
    if let Some(&id) = names.get(entitlement.as_str()) {
        return id;
    }
    names.insert(entitlement, next);
    labels.push(label);
    sides.push(matched);
    next
}

/// `text` trimmed and ASCII case-folded, into `out`.
fn fold_into(text: &str, out: &mut String) {
    out.clear();
    out.push_str(trim(text));
    out.make_ascii_lowercase();
}

#[cfg(test)]
mod tests {
    use super::{Names, RuleSide, UNNAMED};
    use crate::campaign::peers::SodRule;
    use crate::model::GrantType;

    const ROLE: GrantType = GrantType::Role;
    const KEY: GrantType = GrantType::ApiKey;

    fn rules() -> Vec<SodRule> {
        vec![SodRule {
            name: "keys and approvals".to_owned(),
            description: None,
            a: vec!["vault:*deploy*".to_owned()],
            b: vec!["erp:approve*".to_owned()],
        }]
    }

    #[test]
    fn names_fold_case_and_space_and_keep_the_first_spelling() {
        let rules = rules();
        let mut names = Names::default();
        let approve = names.id(("ERP", " Approve Payments"), ROLE, &rules);
        assert_eq!(
            names.id(("erp ", "approve payments"), ROLE, &rules),
            approve
        );
        assert_eq!(names.label(approve), "ERP:Approve Payments");
        assert_eq!(
            names.sides(approve),
            [RuleSide {
                rule: 0,
                a: false,
                b: true
            }]
        );
        let other = names.id(("erp", "Create Payment"), ROLE, &rules);
        assert_ne!(other, approve);
        assert!(names.sides(other).is_empty());
    }

    #[test]
    fn only_credentials_a_rule_names_get_a_name() {
        let rules = rules();
        let mut names = Names::default();
        assert_eq!(names.id(("vault", "ci-token-17"), KEY, &rules), UNNAMED);
        assert!(names.sides(UNNAMED).is_empty());
        let deploy = names.id(("Vault", "Deploy-Key"), KEY, &rules);
        assert_ne!(deploy, UNNAMED);
        assert_eq!(names.label(deploy), "Vault:Deploy-Key");
        assert_eq!(names.id(("vault", "deploy-key"), ROLE, &rules), deploy);
        assert_eq!(names.id(("vault", "ci-token-17"), KEY, &[]), UNNAMED);
    }

    #[test]
    fn absorbed_names_keep_their_sides_and_meet_known_ones() {
        let rules = rules();
        let mut first = Names::default();
        let create = first.id(("erp", "Create Payment"), ROLE, &rules);
        let mut later = Names::default();
        let later_approve = later.id(("erp", "Approve"), ROLE, &rules);
        let later_create = later.id(("ERP", "create payment"), ROLE, &rules);
        let moved = first.absorb(later);
        assert_eq!(moved[later_create as usize], create, "one name for both");
        let approve = moved[later_approve as usize];
        assert_ne!(approve, create);
        assert_eq!(first.label(approve), "erp:Approve");
        assert_eq!(first.sides(approve).len(), 1);
        assert_eq!(first.label(create), "erp:Create Payment");
    }
}
