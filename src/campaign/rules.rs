//! Campaign rules as data (assets/rules.toml): thresholds, which signals need
//! a justification or call for revocation, and which control a grant goes to.

use std::ops::Range;
use std::sync::LazyLock;

use serde::Deserialize;
use toml::Spanned;

use super::catalog::Catalog;
use super::cycle_rules::{self, CycleRules, ExceptionsFile, RemediationFile};
use super::peers::{self, OutlierFile, PeerRules, SodFile};
use super::review_rules::{ReviewFile, ReviewRules};
use crate::identity::Correlation;
use crate::identity::config::CorrelationFile;
use crate::model::{GrantType, IdentityKind, Signal, SignalSet};

/// The rules as shipped, embedded in the binary.
pub const BUILTIN_TEXT: &str = include_str!("../../assets/rules.toml");

static BUILTIN: LazyLock<Rules> = LazyLock::new(|| {
    // The embedded asset is checked by `builtin_rules_parse` below.
    Rules::parse(BUILTIN_TEXT, "assets/rules.toml").expect("the embedded rules are valid")
});

/// The signals that call for revocation when a rules file leaves out
/// `[signals] revoke` (the built-in rules list the same).
const DEFAULT_REVOKE: &[Signal] = &[
    Signal::Orphaned,
    Signal::Terminated,
    Signal::Dormant,
    Signal::Expired,
    Signal::Unmatched,
    Signal::DeniedBefore,
    Signal::Regranted,
    Signal::RevokedNotRemoved,
    Signal::ExceptionExpired,
];

/// Day counts the signals are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub dormant_days: i64,
    pub unrotated_days: i64,
    pub new_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            dormant_days: 90,
            unrotated_days: 90,
            new_days: 30,
        }
    }
}

/// One "these grants go to that control" rule; `None` conditions always hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRule {
    pub control: String,
    pub any_signal: Option<SignalSet>,
    pub types: Option<Vec<GrantType>>,
    pub privileged: Option<bool>,
    pub non_human: Option<bool>,
}

/// What a control rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub signals: SignalSet,
    pub grant_type: GrantType,
    pub privileged: bool,
    /// `None` for an orphaned grant.
    pub kind: Option<IdentityKind>,
}

impl ControlRule {
    pub fn matches(&self, subject: &Subject) -> bool {
        self.any_signal
            .is_none_or(|signals| signals.intersects(subject.signals))
            && self
                .types
                .as_ref()
                .is_none_or(|types| types.contains(&subject.grant_type))
            && self
                .privileged
                .is_none_or(|wanted| wanted == subject.privileged)
            && self
                .non_human
                .is_none_or(|wanted| wanted == subject.kind.is_some_and(IdentityKind::is_non_human))
    }

    fn is_catch_all(&self) -> bool {
        self.any_signal.is_none()
            && self.types.is_none()
            && self.privileged.is_none()
            && self.non_human.is_none()
    }
}

/// A campaign's rules, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub thresholds: Thresholds,
    /// Signals whose certification needs a justification.
    pub justify: SignalSet,
    /// Signals that make the recommendation "revoke".
    pub revoke: SignalSet,
    /// First match wins; the last rule matches everything.
    pub controls: Vec<ControlRule>,
    /// How accounts are linked to persons (`[correlation]`).
    pub correlation: Correlation,
    /// Second reviews and the decision pace (`[review]`).
    pub review: ReviewRules,
    /// Time-boxed certifications and remediation (`[exceptions]`, `[remediation]`).
    pub cycle: CycleRules,
    /// Toxic combinations and outliers (`[[sod]]`, `[outlier]`).
    pub peers: PeerRules,
}

/// A rules file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rules file {file}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
pub struct RulesError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    thresholds: ThresholdsFile,
    #[serde(default)]
    signals: SignalsFile,
    #[serde(default)]
    control: Vec<ControlFile>,
    correlation: Option<CorrelationFile>,
    review: Option<ReviewFile>,
    exceptions: Option<ExceptionsFile>,
    remediation: Option<RemediationFile>,
    #[serde(default)]
    sod: Vec<SodFile>,
    outlier: Option<OutlierFile>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(clippy::struct_field_names)] // the keys of the file
struct ThresholdsFile {
    dormant_days: Option<Spanned<i64>>,
    unrotated_days: Option<Spanned<i64>>,
    new_days: Option<Spanned<i64>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalsFile {
    justify: Option<Vec<Spanned<String>>>,
    revoke: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlFile {
    id: Spanned<String>,
    any_signal: Option<Vec<Spanned<String>>>,
    types: Option<Vec<Spanned<String>>>,
    privileged: Option<bool>,
    non_human: Option<bool>,
}

impl Rules {
    /// The embedded rules, parsed once.
    pub fn builtin() -> &'static Rules {
        &BUILTIN
    }

    /// Parses and checks a rules file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Rules, RulesError> {
        let source = Source { text, file };
        let parsed: RulesFile = toml::from_str(text)
            .map_err(|err| source.error(err.span(), err.message().to_owned()))?;
        let defaults = Thresholds::default();
        let thresholds = Thresholds {
            dormant_days: source.days(
                parsed.thresholds.dormant_days,
                defaults.dormant_days,
                "dormant_days",
            )?,
            unrotated_days: source.days(
                parsed.thresholds.unrotated_days,
                defaults.unrotated_days,
                "unrotated_days",
            )?,
            new_days: source.days(parsed.thresholds.new_days, defaults.new_days, "new_days")?,
        };
        let mut justify = match &parsed.signals.justify {
            Some(names) => source.signals(names)?,
            None => Signal::ALL
                .iter()
                .copied()
                .filter(|s| s.is_risk())
                .collect(),
        };
        let revoke = match &parsed.signals.revoke {
            Some(names) => source.signals(names)?,
            None => DEFAULT_REVOKE.iter().copied().collect(),
        };
        let mut controls = parsed
            .control
            .iter()
            .map(|rule| source.control(rule))
            .collect::<Result<Vec<_>, _>>()?;
        let correlation = parsed
            .correlation
            .unwrap_or_default()
            .validate()
            .map_err(|err| source.error(err.span, format!("[correlation] {}", err.message)))?;
        let review = parsed
            .review
            .unwrap_or_default()
            .validate()
            .map_err(|err| source.error(err.span, format!("[review] {}", err.message)))?;
        let cycle = cycle_rules::validate(parsed.exceptions, parsed.remediation)
            .map_err(|err| source.error(err.span, err.message))?;
        let peers = peers::validate(parsed.sod, parsed.outlier)
            .map_err(|err| source.error(err.span, err.message))?;
        if !peers.sod.is_empty() {
            // A toxic combination is reviewed under 5.3 segregation of
            // duties, first, unless a rule of the file says where, and is
            // never certified without a justification.
            justify.insert(Signal::SodConflict);
            let routed = controls.iter().any(|rule| {
                rule.any_signal
                    .is_some_and(|signals| signals.contains(Signal::SodConflict))
            });
            if !routed && !controls.is_empty() {
                controls.insert(
                    0,
                    ControlRule {
                        control: "5.3".to_owned(),
                        any_signal: Some([Signal::SodConflict].into_iter().collect()),
                        types: None,
                        privileged: None,
                        non_human: None,
                    },
                );
            }
        }
        match (controls.last(), parsed.control.last()) {
            (Some(last), Some(spanned)) if !last.is_catch_all() => Err(source.error(
                Some(spanned.id.span()),
                format!(
                    "the last [[control]] rule ({}) has conditions; end with a rule that has none so every grant lands under a control",
                    last.control
                ),
            )),
            (None, _) | (_, None) => Err(source.error(
                None,
                "no [[control]] rules; add at least one, e.g. [[control]] id = \"5.18\"".to_owned(),
            )),
            _ => Ok(Rules {
                thresholds,
                justify,
                revoke,
                controls,
                correlation,
                review,
                cycle,
                peers,
            }),
        }
    }

    /// The control of the first rule that matches.
    pub fn control_for(&self, subject: &Subject) -> &str {
        self.controls
            .iter()
            .find(|rule| rule.matches(subject))
            .or(self.controls.last())
            .map_or("5.18", |rule| rule.control.as_str())
    }

    /// Every control some rule can file an item under.
    pub fn control_ids(&self) -> impl Iterator<Item = &str> {
        self.controls.iter().map(|rule| rule.control.as_str())
    }
}

/// The name workspace rules are known by in error messages.
pub const WORKSPACE_RULES: &str = "workspace rules (recert rules show)";

/// The rules in force where no --rules is given: the workspace's own
/// (`recert rules set FILE`), else the built-in rules. Returns the text and
/// the parsed rules.
pub fn workspace_rules(conn: &rusqlite::Connection) -> color_eyre::Result<(String, Rules)> {
    use rusqlite::OptionalExtension;
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'rules'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    match stored {
        None => Ok((BUILTIN_TEXT.to_owned(), Rules::builtin().clone())),
        Some(text) => {
            let rules = Rules::parse(&text, WORKSPACE_RULES)?;
            Ok((text, rules))
        }
    }
}

/// Checks `text` as a rules file (named `file` in errors) and makes it the
/// workspace's default rules (`recert rules set`, and the demo's own).
pub fn set_workspace_rules(
    conn: &rusqlite::Connection,
    text: &str,
    file: &str,
) -> color_eyre::Result<Rules> {
    let rules = Rules::parse(text, file)?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('rules', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [text],
    )?;
    Ok(rules)
}

/// The rules of `--rules FILE` when given, else the workspace's.
pub fn load(
    conn: &rusqlite::Connection,
    path: Option<&std::path::Path>,
) -> color_eyre::Result<(String, Rules)> {
    use color_eyre::eyre::WrapErr;
    match path {
        None => workspace_rules(conn),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .wrap_err_with(|| format!("reading rules file {}", path.display()))?;
            let rules = Rules::parse(&text, &path.display().to_string())?;
            Ok((text, rules))
        }
    }
}

/// The text being parsed, for errors that point at a line.
struct Source<'a> {
    text: &'a str,
    file: &'a str,
}

impl Source<'_> {
    fn error(&self, span: Option<Range<usize>>, message: String) -> RulesError {
        RulesError {
            file: self.file.to_owned(),
            line: span.map(|span| line_of(self.text, span.start)),
            message,
        }
    }

    fn days(
        &self,
        value: Option<Spanned<i64>>,
        default: i64,
        name: &str,
    ) -> Result<i64, RulesError> {
        let Some(value) = value else {
            return Ok(default);
        };
        if (1..=36_500).contains(value.get_ref()) {
            Ok(*value.get_ref())
        } else {
            Err(self.error(
                Some(value.span()),
                format!(
                    "{name} = {} is out of range; give a number of days from 1 to 36500",
                    value.get_ref()
                ),
            ))
        }
    }

    fn signals(&self, names: &[Spanned<String>]) -> Result<SignalSet, RulesError> {
        names
            .iter()
            .map(|name| {
                Signal::parse(name.get_ref()).ok_or_else(|| {
                    self.error(
                        Some(name.span()),
                        format!(
                            "unknown signal {:?}; expected one of {}",
                            name.get_ref(),
                            Signal::expected()
                        ),
                    )
                })
            })
            .collect()
    }

    fn types(&self, names: &[Spanned<String>]) -> Result<Vec<GrantType>, RulesError> {
        names
            .iter()
            .map(|name| {
                GrantType::parse(name.get_ref()).ok_or_else(|| {
                    self.error(
                        Some(name.span()),
                        format!(
                            "unknown grant type {:?}; expected one of {}",
                            name.get_ref(),
                            GrantType::expected()
                        ),
                    )
                })
            })
            .collect()
    }

    fn control(&self, rule: &ControlFile) -> Result<ControlRule, RulesError> {
        let catalog = Catalog::builtin();
        let id = rule.id.get_ref().trim();
        if catalog.get(id).is_none() {
            return Err(self.error(
                Some(rule.id.span()),
                format!(
                    "unknown control {id:?}; controls in the catalog (recert controls): {}",
                    catalog.ids()
                ),
            ));
        }
        Ok(ControlRule {
            control: id.to_owned(),
            any_signal: rule
                .any_signal
                .as_deref()
                .map(|n| self.signals(n))
                .transpose()?,
            types: rule.types.as_deref().map(|n| self.types(n)).transpose()?,
            privileged: rule.privileged,
            non_human: rule.non_human,
        })
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(grant_type: GrantType, privileged: bool, signals: &[Signal]) -> Subject {
        Subject {
            signals: signals.iter().copied().collect(),
            grant_type,
            privileged,
            kind: Some(IdentityKind::Human),
        }
    }

    #[test]
    fn builtin_rules_parse() {
        let rules = Rules::parse(BUILTIN_TEXT, "assets/rules.toml").expect("valid");
        assert_eq!(&rules, Rules::builtin());
        assert_eq!(rules.thresholds, Thresholds::default());
        let risks: SignalSet = Signal::ALL
            .iter()
            .copied()
            .filter(|s| s.is_risk())
            .collect();
        assert_eq!(
            rules.justify, risks,
            "every signal but new needs a justification"
        );
        assert_eq!(
            rules.revoke.joined(),
            "orphaned;terminated;dormant;expired;unmatched;denied-before;regranted;revoked-not-removed;exception-expired"
        );
        let defaults = Rules::parse("[[control]]\nid = \"5.18\"\n", "r.toml").expect("valid");
        assert_eq!(
            defaults.revoke, rules.revoke,
            "the defaults are the built-in sets"
        );
    }

    #[test]
    fn first_matching_rule_wins_in_the_order_of_product_section_4() {
        let rules = Rules::builtin();
        let cases = [
            // An orphaned privileged API key is still an identity problem first.
            (
                subject(GrantType::ApiKey, true, &[Signal::Orphaned]),
                "5.16",
            ),
            (
                subject(GrantType::Role, true, &[Signal::Terminated]),
                "5.16",
            ),
            (subject(GrantType::SshKey, true, &[Signal::Dormant]), "5.17"),
            (subject(GrantType::Password, false, &[]), "5.17"),
            (subject(GrantType::Role, true, &[Signal::Dormant]), "8.2"),
            (subject(GrantType::Group, false, &[Signal::Expired]), "5.18"),
            (subject(GrantType::Account, false, &[Signal::New]), "5.18"),
        ];
        for (subject, control) in cases {
            assert_eq!(rules.control_for(&subject), control, "{subject:?}");
        }
    }

    #[test]
    fn non_human_condition_looks_at_the_holder_kind() {
        let text = "[[control]]\nid = \"5.17\"\nnon_human = true\n[[control]]\nid = \"5.18\"\n";
        let rules = Rules::parse(text, "r.toml").expect("valid");
        let mut service = subject(GrantType::Role, false, &[]);
        service.kind = Some(IdentityKind::Service);
        assert_eq!(rules.control_for(&service), "5.17");
        let mut orphan = service;
        orphan.kind = None;
        assert_eq!(rules.control_for(&orphan), "5.18");
    }

    #[test]
    fn partial_files_take_the_default_thresholds_and_signal_sets() {
        let text = "[thresholds]\ndormant_days = 60\n[[control]]\nid = \"5.18\"\n";
        let rules = Rules::parse(text, "r.toml").expect("valid");
        assert_eq!(rules.thresholds.dormant_days, 60);
        assert_eq!(rules.thresholds.unrotated_days, 90);
        assert_eq!(rules.justify, Rules::builtin().justify);
    }

    #[test]
    fn errors_name_the_file_line_and_problem() {
        let cases = [
            (
                "[[control]]\nid = \"9.99\"\n",
                "rules file r.toml, line 2: unknown control \"9.99\"; controls in the catalog (recert controls): 5.3, 5.15, 5.16, 5.17, 5.18, 8.2, 8.3, 8.5",
            ),
            (
                "[signals]\njustify = [\"dormant\",\n  \"sleepy\"]\n[[control]]\nid = \"5.18\"\n",
                "rules file r.toml, line 3: unknown signal \"sleepy\"; expected one of orphaned, terminated, dormant, unrotated, privileged, no-owner, expired, new, unmatched, guest, pending-invite, no-mfa, secondary, denied-before, break-glass, regranted, revoked-not-removed, exception-expired, sod-conflict, outlier",
            ),
            (
                "[[control]]\nid = \"5.17\"\ntypes = [\"token\"]\n[[control]]\nid = \"5.18\"\n",
                "rules file r.toml, line 3: unknown grant type \"token\"; expected one of role, group, permission, account, api_key, secret, certificate, ssh_key, password",
            ),
            (
                "[thresholds]\ndormant_days = 0\n[[control]]\nid = \"5.18\"\n",
                "rules file r.toml, line 2: dormant_days = 0 is out of range; give a number of days from 1 to 36500",
            ),
            (
                "[[control]]\nid = \"5.18\"\n[[control]]\nid = \"8.2\"\nprivileged = true\n",
                "rules file r.toml, line 4: the last [[control]] rule (8.2) has conditions; end with a rule that has none so every grant lands under a control",
            ),
            (
                "[thresholds]\n",
                "rules file r.toml: no [[control]] rules; add at least one, e.g. [[control]] id = \"5.18\"",
            ),
        ];
        for (text, message) in cases {
            let err = Rules::parse(text, "r.toml").expect_err(text);
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn syntax_errors_and_unknown_keys_keep_their_line() {
        let err = Rules::parse("[[control]]\nid = \"5.18\"\nprivileged = maybe\n", "r.toml")
            .expect_err("bad value");
        assert_eq!(err.line, Some(3), "{err}");
        let err = Rules::parse("[[control]]\nid = \"5.18\"\nprivilegd = true\n", "r.toml")
            .expect_err("typo");
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.message.contains("privilegd"), "{err}");
    }
}
