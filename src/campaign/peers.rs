//! Toxic combinations and outliers (PRODUCT.md §11): the `[[sod]]` rules and
//! the `[outlier]` section of the rules file, and the pure pieces of their
//! computation (pattern sides, the Wilson bound, the sentences). The pass
//! over a campaign's computed items is `peer_pass`.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

/// One segregation-of-duties rule: a person must not hold a grant matching
/// `a` together with one matching `b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SodRule {
    pub name: String,
    pub description: Option<String>,
    /// `*` patterns matched against `system:entitlement`, ignoring ASCII case.
    pub a: Vec<String>,
    pub b: Vec<String>,
}

impl SodRule {
    /// The sides of this rule `grant` (`system:entitlement`) matches.
    pub fn sides(&self, grant: &str) -> (bool, bool) {
        let any = |patterns: &[String]| patterns.iter().any(|p| crate::glob::matches(p, grant));
        (any(&self.a), any(&self.b))
    }
}

/// `[outlier]`, validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutlierRules {
    pub enabled: bool,
    /// A grant is an outlier when the Wilson lower bound of the share of
    /// peers holding it is under this.
    pub threshold: f64,
    /// Fewer peers than this say nothing.
    pub min_peers: u32,
}

// The threshold is checked to be a finite number when read.
impl Eq for OutlierRules {}

pub const DEFAULT_THRESHOLD: f64 = 0.2;
pub const DEFAULT_MIN_PEERS: u32 = 5;

impl Default for OutlierRules {
    /// No `[outlier]` section: off (a rules file written before outliers
    /// existed keeps building the campaigns it built).
    fn default() -> Self {
        OutlierRules {
            enabled: false,
            threshold: DEFAULT_THRESHOLD,
            min_peers: DEFAULT_MIN_PEERS,
        }
    }
}

/// The toxic-combination and outlier rules of a rules file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerRules {
    pub sod: Vec<SodRule>,
    pub outlier: OutlierRules,
}

impl PeerRules {
    /// Whether campaign creation has anything to compute across items.
    pub fn active(&self) -> bool {
        !self.sod.is_empty() || self.outlier.enabled
    }
}

/// `[[sod]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SodFile {
    name: Spanned<String>,
    description: Option<String>,
    a: Spanned<Vec<Spanned<String>>>,
    b: Spanned<Vec<Spanned<String>>>,
}

/// `[outlier]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlierFile {
    enabled: Option<bool>,
    threshold: Option<Spanned<f64>>,
    min_peers: Option<Spanned<i64>>,
}

/// A mistake in either section: where (a byte range of the file) and what.
pub struct PeerError {
    pub span: Option<Range<usize>>,
    pub message: String,
}

fn error(span: Range<usize>, message: String) -> PeerError {
    PeerError {
        span: Some(span),
        message,
    }
}

/// Checks the `[[sod]]` rules and `[outlier]`; an `[outlier]` section
/// turns outliers on unless it says `enabled = false`.
pub fn validate(sod: Vec<SodFile>, outlier: Option<OutlierFile>) -> Result<PeerRules, PeerError> {
    let mut rules: Vec<SodRule> = Vec::new();
    for rule in sod {
        let name = rule.name.get_ref().trim();
        if name.is_empty() {
            return Err(error(
                rule.name.span(),
                "[[sod]] name is empty; name the rule, e.g. name = \"create and approve payments\""
                    .to_owned(),
            ));
        }
        if rules.iter().any(|r| r.name.eq_ignore_ascii_case(name)) {
            return Err(error(
                rule.name.span(),
                format!("[[sod]] {name:?} is defined twice; give each rule its own name"),
            ));
        }
        let a = patterns(name, "a", &rule.a)?;
        let b = patterns(name, "b", &rule.b)?;
        rules.push(SodRule {
            name: name.to_owned(),
            description: rule
                .description
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            a,
            b,
        });
    }
    let defaults = OutlierRules::default();
    let outlier = match outlier {
        None => defaults,
        Some(file) => OutlierRules {
            enabled: file.enabled.unwrap_or(true),
            threshold: match file.threshold {
                None => defaults.threshold,
                Some(value) => {
                    let threshold = *value.get_ref();
                    if !(threshold > 0.0 && threshold <= 1.0) {
                        return Err(error(
                            value.span(),
                            format!(
                                "[outlier] threshold = {threshold} is out of range; give a share above 0 and at most 1, e.g. 0.2"
                            ),
                        ));
                    }
                    threshold
                }
            },
            min_peers: match file.min_peers {
                None => defaults.min_peers,
                Some(value) => u32::try_from(*value.get_ref())
                    .ok()
                    .filter(|n| (1..=100_000).contains(n))
                    .ok_or_else(|| {
                        error(
                            value.span(),
                            format!(
                                "[outlier] min_peers = {} is out of range; give a number of peers from 1 to 100000",
                                value.get_ref()
                            ),
                        )
                    })?,
            },
        },
    };
    Ok(PeerRules {
        sod: rules,
        outlier,
    })
}

fn patterns(
    rule: &str,
    side: &str,
    list: &Spanned<Vec<Spanned<String>>>,
) -> Result<Vec<String>, PeerError> {
    if list.get_ref().is_empty() {
        return Err(error(
            list.span(),
            format!(
                "[[sod]] {rule:?}: {side} is empty; list at least one system:entitlement pattern, e.g. {side} = [\"erp:*Approve*\"]"
            ),
        ));
    }
    list.get_ref()
        .iter()
        .map(|pattern| {
            let text = pattern.get_ref().trim();
            if text.contains(':') {
                Ok(text.to_owned())
            } else {
                Err(error(
                    pattern.span(),
                    format!(
                        "[[sod]] {rule:?}: pattern {text:?} in {side} is not of the form system:entitlement; write e.g. \"erp:{text}\" or \"*:{text}\""
                    ),
                ))
            }
        })
        .collect()
}

/// The Wilson score interval's lower bound (z = 1.96, 95 %) of the share
/// `holders / peers`; `None` without peers.
pub fn wilson_lower(holders: u32, peers: u32) -> Option<f64> {
    const Z: f64 = 1.96;
    if peers == 0 {
        return None;
    }
    let n = f64::from(peers);
    let p = f64::from(holders.min(peers)) / n;
    let z2 = Z * Z;
    let centre = p + z2 / (2.0 * n);
    let margin = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - margin) / (1.0 + z2 / n)).max(0.0))
}

/// Whether `holders` of `peers` makes an outlier under `rules`.
pub fn is_outlier(holders: u32, peers: u32, rules: &OutlierRules) -> bool {
    peers >= rules.min_peers && wilson_lower(holders, peers).is_some_and(|l| l < rules.threshold)
}

/// The peer group a share is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group<'a> {
    /// Under this manager (label).
    Manager(&'a str),
    /// In this department.
    Department(&'a str),
}

/// "held by 1 of 14 peers under manager Jane Doe (E0412)".
pub fn outlier_reason(holders: u32, peers: u32, group: Group<'_>) -> String {
    let whose = match group {
        Group::Manager(manager) => format!("under manager {manager}"),
        Group::Department(department) => format!("in department {department}"),
    };
    format!("held by {holders} of {peers} peers {whose}")
}

/// One other grant an item conflicts with, for its sentence.
pub struct Other<'a> {
    pub rule: &'a SodRule,
    /// `system:entitlement` as the export wrote it.
    pub grant: &'a str,
    /// The account holding it, when it is not the item's own.
    pub account: Option<&'a str>,
}

/// The sentence of `sod-conflict`: each rule and the other grant, e.g.
/// `toxic combination "pay" (create and approve payments): also holds
/// erp:Approve Payments as jdoe-adm`.
pub fn sod_reason(others: &[Other<'_>]) -> String {
    const SHOWN: usize = 3;
    let mut parts: Vec<String> = others
        .iter()
        .take(SHOWN)
        .map(|other| {
            let description = other
                .rule
                .description
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            let account = other
                .account
                .map(|a| format!(" as {a}"))
                .unwrap_or_default();
            format!(
                "toxic combination {:?}{description}: also holds {}{account}",
                other.rule.name, other.grant
            )
        })
        .collect();
    if others.len() > SHOWN {
        parts.push(format!("and {} more", others.len() - SHOWN));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::rules::Rules;

    fn rule(a: &[&str], b: &[&str]) -> SodRule {
        SodRule {
            name: "r".to_owned(),
            description: None,
            a: a.iter().map(|s| (*s).to_owned()).collect(),
            b: b.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn patterns_match_system_and_entitlement_as_one_string() {
        let pay = rule(&["erp:*Create*Payment*"], &["erp:Approve*", "bank:*"]);
        assert_eq!(pay.sides("erp:Create Payment"), (true, false));
        assert_eq!(pay.sides("ERP:create vendor payment"), (true, false));
        assert_eq!(pay.sides("erp:Approve Payments"), (false, true));
        assert_eq!(pay.sides("bank:anything"), (false, true));
        assert_eq!(pay.sides("erp2:Approve"), (false, false));
        assert_eq!(pay.sides("crm:Approve"), (false, false));
        // System names may hold colons themselves.
        let aws = rule(&["aws:111122223333:*Admin*"], &["*:billing"]);
        assert_eq!(
            aws.sides("aws:111122223333:AdministratorAccess"),
            (true, false)
        );
        assert_eq!(
            aws.sides("aws:999999999999:AdministratorAccess"),
            (false, false)
        );
        assert_eq!(aws.sides("aws:111122223333:billing"), (false, true));
        // A grant can match both sides.
        let both = rule(&["erp:*"], &["*:Approve*"]);
        assert_eq!(both.sides("erp:Approve"), (true, true));
    }

    #[test]
    fn wilson_bound_at_its_edges() {
        assert_eq!(wilson_lower(0, 0), None, "no peers: no share");
        // One peer: even when they hold it, one observation proves little.
        let one_holds = wilson_lower(1, 1).expect("bound");
        assert!((one_holds - 0.2065).abs() < 1e-3, "{one_holds}");
        assert_eq!(wilson_lower(0, 1), Some(0.0));
        // All peers hold it: the bound grows towards 1 with their number.
        let all5 = wilson_lower(5, 5).expect("bound");
        let all50 = wilson_lower(50, 50).expect("bound");
        assert!((all5 - 0.5655).abs() < 1e-3, "{all5}");
        assert!(all50 > 0.92 && all50 < 1.0, "{all50}");
        // The example of PRODUCT.md §11: 1 of 14.
        let one_of_14 = wilson_lower(1, 14).expect("bound");
        assert!((one_of_14 - 0.0127).abs() < 1e-3, "{one_of_14}");
        // Half of 14 is no outlier at the default threshold.
        let half = wilson_lower(7, 14).expect("bound");
        assert!((half - 0.2679).abs() < 1e-3, "{half}");
        // More holders than peers is clamped to all of them.
        assert_eq!(wilson_lower(9, 5), wilson_lower(5, 5));
    }

    #[test]
    fn outliers_need_enough_peers_and_a_low_bound() {
        let rules = OutlierRules {
            enabled: true,
            ..OutlierRules::default()
        };
        assert!(!is_outlier(0, 0, &rules), "no peers");
        assert!(!is_outlier(0, 4, &rules), "fewer than min_peers");
        assert!(is_outlier(0, 5, &rules));
        assert!(is_outlier(1, 14, &rules));
        assert!(!is_outlier(14, 14, &rules), "all peers hold it");
        assert!(!is_outlier(7, 14, &rules));
        let strict = OutlierRules {
            min_peers: 1,
            threshold: 0.5,
            enabled: true,
        };
        assert!(is_outlier(1, 1, &strict), "the bound of 1 of 1 is 0.21");
    }

    #[test]
    fn sentences_name_the_rule_the_other_grant_and_the_group() {
        let mut pay = rule(&["erp:create*"], &["erp:approve*"]);
        pay.name = "payments".to_owned();
        pay.description = Some("create and approve payments".to_owned());
        let others = [Other {
            rule: &pay,
            grant: "erp:Approve Payments",
            account: Some("adm-jdoe"),
        }];
        assert_eq!(
            sod_reason(&others),
            "toxic combination \"payments\" (create and approve payments): also holds erp:Approve Payments as adm-jdoe"
        );
        assert_eq!(
            outlier_reason(1, 14, Group::Manager("Jane Doe (E1)")),
            "held by 1 of 14 peers under manager Jane Doe (E1)"
        );
        assert_eq!(
            outlier_reason(0, 6, Group::Department("Finance")),
            "held by 0 of 6 peers in department Finance"
        );
    }

    #[test]
    fn rules_file_errors_name_the_file_and_line() {
        let tail = "[[control]]\nid = \"5.18\"\n";
        let cases = [
            (
                "[[sod]]\nname = \"pay\"\na = [\"erp:create*\"]\nb = []\n",
                "rules file r.toml, line 4: [[sod]] \"pay\": b is empty; list at least one system:entitlement pattern, e.g. b = [\"erp:*Approve*\"]",
            ),
            (
                "[[sod]]\nname = \"pay\"\na = [\"erp:create*\"]\nb = [\n  \"approve\",\n]\n",
                "rules file r.toml, line 5: [[sod]] \"pay\": pattern \"approve\" in b is not of the form system:entitlement; write e.g. \"erp:approve\" or \"*:approve\"",
            ),
            (
                "[[sod]]\nname = \" \"\na = [\"x:y\"]\nb = [\"x:z\"]\n",
                "rules file r.toml, line 2: [[sod]] name is empty; name the rule, e.g. name = \"create and approve payments\"",
            ),
            (
                "[[sod]]\nname = \"pay\"\na = [\"x:y\"]\nb = [\"x:z\"]\n[[sod]]\nname = \"Pay\"\na = [\"x:y\"]\nb = [\"x:z\"]\n",
                "rules file r.toml, line 6: [[sod]] \"Pay\" is defined twice; give each rule its own name",
            ),
            (
                "[outlier]\nthreshold = 1.5\n",
                "rules file r.toml, line 2: [outlier] threshold = 1.5 is out of range; give a share above 0 and at most 1, e.g. 0.2",
            ),
            (
                "[outlier]\nenabled = true\nmin_peers = 0\n",
                "rules file r.toml, line 3: [outlier] min_peers = 0 is out of range; give a number of peers from 1 to 100000",
            ),
        ];
        for (text, message) in cases {
            let err = Rules::parse(&format!("{text}{tail}"), "r.toml").expect_err(text);
            assert_eq!(err.to_string(), message);
        }
        let err = Rules::parse(
            &format!("[[sod]]\nname = \"pay\"\na = [\"x:y\"]\nc = [\"x:z\"]\n{tail}"),
            "r.toml",
        )
        .expect_err("unknown key");
        assert_eq!(err.line, Some(4), "{err}");
        let err = Rules::parse(
            &format!("[[sod]]\nname = \"pay\"\na = [\"x:y\"]\n{tail}"),
            "r.toml",
        )
        .expect_err("missing b");
        assert!(err.to_string().contains("rules file r.toml"), "{err}");
        assert!(err.message.contains("`b`"), "{err}");
    }

    #[test]
    fn sod_rules_route_to_5_3_and_need_a_justification() {
        let text = "[signals]\njustify = [\"dormant\"]\n[[sod]]\nname = \"pay\"\na = [\"x:y\"]\nb = [\"x:z\"]\n[[control]]\nid = \"5.18\"\n";
        let rules = Rules::parse(text, "r.toml").expect("valid");
        assert_eq!(rules.peers.sod.len(), 1);
        assert!(!rules.peers.outlier.enabled, "no [outlier] section: off");
        assert!(
            rules.justify.contains(crate::model::Signal::SodConflict),
            "certifying a toxic combination always needs a justification"
        );
        assert_eq!(rules.control_ids().collect::<Vec<_>>(), ["5.3", "5.18"]);
        let mut subject = crate::campaign::rules::Subject {
            signals: crate::model::SignalSet::EMPTY,
            grant_type: crate::model::GrantType::Role,
            privileged: true,
            kind: Some(crate::model::IdentityKind::Human),
        };
        assert_eq!(rules.control_for(&subject), "5.18");
        subject.signals.insert(crate::model::Signal::SodConflict);
        assert_eq!(rules.control_for(&subject), "5.3");
        // A control rule naming the signal decides where, in its place.
        let placed = Rules::parse(
            "[[sod]]\nname = \"pay\"\na = [\"x:y\"]\nb = [\"x:z\"]\n[[control]]\nid = \"5.16\"\nany_signal = [\"terminated\"]\n[[control]]\nid = \"8.2\"\nany_signal = [\"sod-conflict\"]\n[[control]]\nid = \"5.18\"\n",
            "r.toml",
        )
        .expect("valid");
        assert_eq!(
            placed.control_ids().collect::<Vec<_>>(),
            ["5.16", "8.2", "5.18"]
        );
        assert_eq!(placed.control_for(&subject), "8.2");
        let outlier =
            Rules::parse("[outlier]\n[[control]]\nid = \"5.18\"\n", "r.toml").expect("valid");
        assert_eq!(
            outlier.peers.outlier,
            OutlierRules {
                enabled: true,
                threshold: 0.2,
                min_peers: 5
            }
        );
    }
}
