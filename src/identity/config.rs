//! The `[correlation]` section of the rules file: domain aliases, which of
//! the weaker link rules run, secondary-account patterns, Okta application
//! instances whose system the label does not name, and naming conventions
//! that mark service, bot, shared, resource and break-glass accounts.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::keys::DomainAliases;
use crate::model::IdentityKind;

/// The correlation settings in force, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correlation {
    pub aliases: DomainAliases,
    /// The alias groups as written, for `recert rules show` and the README.
    pub alias_groups: Vec<Vec<String>>,
    /// Rule 6: an account named like the local part of one person's e-mail.
    pub account_name_rule: bool,
    /// Rule 7: secondary accounts by pattern.
    pub secondary_rule: bool,
    /// Patterns with exactly one `{local}`, e.g. `adm-{local}`.
    pub secondary_patterns: Vec<String>,
    /// (Okta application instance label, folded; the system it grants).
    pub applications: Vec<(String, String)>,
    /// (`*` pattern over the account name, the kind it marks), first match wins.
    pub kinds: Vec<(String, IdentityKind)>,
}

/// The patterns of rule 7 when the rules file names none.
pub const DEFAULT_SECONDARY_PATTERNS: &[&str] = &[
    "adm-{local}",
    "admin-{local}",
    "{local}-admin",
    "{local}.adm",
];

/// The naming conventions when the rules file names none (first match wins).
pub const DEFAULT_KINDS: &[(&str, IdentityKind)] = &[
    ("breakglass*", IdentityKind::BreakGlass),
    ("break-glass*", IdentityKind::BreakGlass),
    ("break_glass*", IdentityKind::BreakGlass),
    ("*-breakglass*", IdentityKind::BreakGlass),
    ("emergency-admin*", IdentityKind::BreakGlass),
    ("svc-*", IdentityKind::Service),
    ("svc_*", IdentityKind::Service),
    ("svc.*", IdentityKind::Service),
    ("sa-*", IdentityKind::Service),
    ("sync_*", IdentityKind::Service),
    ("*[bot]", IdentityKind::Bot),
    ("*-bot", IdentityKind::Bot),
    ("bot-*", IdentityKind::Bot),
    ("room-*", IdentityKind::Resource),
    ("rm-*", IdentityKind::Resource),
    ("shared-*", IdentityKind::Shared),
];

impl Default for Correlation {
    fn default() -> Self {
        Correlation {
            aliases: DomainAliases::default(),
            alias_groups: Vec::new(),
            account_name_rule: true,
            secondary_rule: true,
            secondary_patterns: DEFAULT_SECONDARY_PATTERNS
                .iter()
                .map(|p| (*p).to_owned())
                .collect(),
            applications: Vec::new(),
            kinds: DEFAULT_KINDS
                .iter()
                .map(|(p, k)| ((*p).to_owned(), *k))
                .collect(),
        }
    }
}

/// `[correlation]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationFile {
    domain_aliases: Option<Vec<Vec<Spanned<String>>>>,
    account_name_rule: Option<bool>,
    secondary_accounts: Option<bool>,
    secondary_patterns: Option<Vec<Spanned<String>>>,
    applications: Option<toml::Table>,
    kinds: Option<Vec<Spanned<KindPattern>>>,
}

/// One naming convention: `{ pattern = "svc-*", kind = "service" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindPattern {
    pattern: String,
    kind: String,
}

/// A mistake in the section: where (a byte range of the file) and what.
pub struct ConfigError {
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl CorrelationFile {
    pub fn validate(self) -> Result<Correlation, ConfigError> {
        let defaults = Correlation::default();
        let mut alias_groups = Vec::new();
        for group in self.domain_aliases.unwrap_or_default() {
            let mut domains = Vec::new();
            for domain in &group {
                let text = domain.get_ref().trim().trim_start_matches('@');
                if text.is_empty() || text.contains('@') || !text.contains('.') {
                    return Err(ConfigError {
                        span: Some(domain.span()),
                        message: format!(
                            "domain_aliases: {:?} is not an e-mail domain; write e.g. [\"example.com\", \"example.org\"]",
                            domain.get_ref()
                        ),
                    });
                }
                domains.push(text.to_ascii_lowercase());
            }
            if domains.len() >= 2 {
                alias_groups.push(domains);
            }
        }
        let secondary_patterns = match self.secondary_patterns {
            None => defaults.secondary_patterns,
            Some(patterns) => patterns
                .into_iter()
                .map(|pattern| {
                    let text = pattern.get_ref();
                    if text.matches("{local}").count() == 1 && text.len() > "{local}".len() {
                        Ok(text.to_ascii_lowercase())
                    } else {
                        Err(ConfigError {
                            span: Some(pattern.span()),
                            message: format!(
                                "secondary_patterns: {text:?} must hold {{local}} exactly once and some other text, e.g. \"adm-{{local}}\""
                            ),
                        })
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        let mut applications = Vec::new();
        for (label, system) in self.applications.unwrap_or_default() {
            let Some(system) = system.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
                return Err(ConfigError {
                    span: None,
                    message: format!(
                        "[correlation.applications] {label:?} must name a system as a string, e.g. \"github:northwind\""
                    ),
                });
            };
            applications.push((label.trim().to_ascii_lowercase(), system.to_owned()));
        }
        let kinds = match self.kinds {
            None => defaults.kinds,
            Some(list) => {
                let mut kinds = Vec::new();
                for entry in list {
                    let span = entry.span();
                    let KindPattern {
                        pattern,
                        kind: name,
                    } = entry.into_inner();
                    let kind = IdentityKind::parse(&name)
                        .filter(|k| *k != IdentityKind::Human && *k != IdentityKind::External);
                    let Some(kind) = kind else {
                        return Err(ConfigError {
                            span: Some(span),
                            message: format!(
                                "kinds: {pattern:?} names the kind {name:?}; use service, workload, bot, shared, resource or break-glass"
                            ),
                        });
                    };
                    kinds.push((pattern.trim().to_ascii_lowercase(), kind));
                }
                kinds
            }
        };
        Ok(Correlation {
            aliases: DomainAliases::new(&alias_groups),
            alias_groups,
            account_name_rule: self.account_name_rule.unwrap_or(true),
            secondary_rule: self.secondary_accounts.unwrap_or(true),
            secondary_patterns,
            applications,
            kinds,
        })
    }
}

impl Correlation {
    /// The kind a naming convention gives an account name, with the pattern.
    pub fn kind_by_name(&self, name: &str) -> Option<(IdentityKind, &str)> {
        let local = name.split('@').next().unwrap_or(name);
        self.kinds
            .iter()
            .find(|(pattern, _)| crate::glob::matches(pattern, local))
            .map(|(pattern, kind)| (*kind, pattern.as_str()))
    }

    /// The local part a secondary-account name stands for (`adm-jdoe` →
    /// `jdoe`), with the pattern that matched.
    pub fn secondary_local<'a>(&'a self, name: &'a str) -> Option<(&'a str, &'a str)> {
        self.secondary_patterns.iter().find_map(|pattern| {
            // A char search, not `split_once("{local}")`: this runs for every
            // account a campaign links, and a substring searcher per call showed.
            let at = pattern
                .match_indices('{')
                .map(|(at, _)| at)
                .find(|&at| pattern[at..].starts_with("{local}"))?;
            let (prefix, suffix) = (&pattern[..at], &pattern[at + "{local}".len()..]);
            let local = name
                .get(..name.len().checked_sub(suffix.len())?)
                .filter(|_| name.len() >= prefix.len() + suffix.len())?;
            let matches_prefix = local
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix));
            let matches_suffix = name
                .get(name.len() - suffix.len()..)
                .is_some_and(|s| s.eq_ignore_ascii_case(suffix));
            let local = local.get(prefix.len()..)?;
            (matches_prefix && matches_suffix && !local.is_empty())
                .then_some((local, pattern.as_str()))
        })
    }

    /// The system an Okta application instance grants access to: the
    /// configured one, else a GitHub organisation or AWS account id that
    /// the label names among `systems` (folded system names in the view).
    pub fn application_system(&self, label: &str, systems: &[String]) -> Option<String> {
        let folded = label.trim().to_ascii_lowercase();
        if let Some((_, system)) = self.applications.iter().find(|(l, _)| *l == folded) {
            return Some(system.clone());
        }
        let squash = |text: &str| -> String {
            text.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        };
        let label_squashed = squash(&folded);
        if folded.contains("github") {
            let mut orgs: Vec<&String> = systems
                .iter()
                .filter(|s| {
                    s.strip_prefix("github:")
                        .is_some_and(|org| !org.is_empty() && label_squashed.contains(&squash(org)))
                })
                .collect();
            // The longest organisation name the label holds (`acme-eng` over `acme`).
            orgs.sort_by_key(|s| std::cmp::Reverse(s.len()));
            return orgs.first().map(|s| (*s).clone());
        }
        let digits: Vec<String> = folded
            .split(|c: char| !c.is_ascii_digit())
            .filter(|run| run.len() == 12)
            .map(str::to_owned)
            .collect();
        systems
            .iter()
            .find(|s| {
                s.strip_prefix("aws:")
                    .is_some_and(|account| digits.iter().any(|d| d == account))
            })
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Correlation, String> {
        #[derive(Deserialize)]
        struct Wrapper {
            correlation: CorrelationFile,
        }
        let wrapper: Wrapper = toml::from_str(text).map_err(|e| e.to_string())?;
        wrapper.correlation.validate().map_err(|e| e.message)
    }

    #[test]
    fn defaults_switch_every_rule_on() {
        let config = parse("[correlation]\n").expect("valid");
        assert_eq!(config, Correlation::default());
        assert!(config.account_name_rule && config.secondary_rule);
    }

    #[test]
    fn secondary_patterns_give_the_local_part() {
        let config = Correlation::default();
        assert_eq!(
            config.secondary_local("adm-jdoe"),
            Some(("jdoe", "adm-{local}"))
        );
        assert_eq!(
            config.secondary_local("ADMIN-jdoe"),
            Some(("jdoe", "admin-{local}"))
        );
        assert_eq!(
            config.secondary_local("jdoe-admin"),
            Some(("jdoe", "{local}-admin"))
        );
        assert_eq!(
            config.secondary_local("jane.doe.adm"),
            Some(("jane.doe", "{local}.adm"))
        );
        assert_eq!(config.secondary_local("adm-"), None);
        assert_eq!(config.secondary_local("jdoe"), None);
    }

    #[test]
    fn naming_conventions_mark_kinds() {
        let config = Correlation::default();
        assert_eq!(
            config
                .kind_by_name("svc-backup@northwind.example")
                .map(|k| k.0),
            Some(IdentityKind::Service)
        );
        assert_eq!(
            config.kind_by_name("breakglass-01").map(|k| k.0),
            Some(IdentityKind::BreakGlass)
        );
        assert_eq!(
            config.kind_by_name("dependabot[bot]").map(|k| k.0),
            Some(IdentityKind::Bot)
        );
        assert_eq!(config.kind_by_name("jane.doe"), None);
    }

    #[test]
    fn application_labels_name_their_system() {
        let systems = vec![
            "github:northwind".to_owned(),
            "github:northwind-eng".to_owned(),
            "aws:111122223333".to_owned(),
        ];
        let config = parse("[correlation.applications]\n\"Corp Code\" = \"github:northwind\"\n")
            .expect("valid");
        assert_eq!(
            config
                .application_system("GitHub - Northwind Eng", &systems)
                .as_deref(),
            Some("github:northwind-eng")
        );
        assert_eq!(
            config
                .application_system("AWS SSO (111122223333) prod", &systems)
                .as_deref(),
            Some("aws:111122223333")
        );
        assert_eq!(
            config.application_system("corp code", &systems).as_deref(),
            Some("github:northwind")
        );
        assert_eq!(config.application_system("Salesforce", &systems), None);
    }

    #[test]
    fn mistakes_are_named() {
        let err = parse("[correlation]\nsecondary_patterns = [\"adm-\"]\n").expect_err("no local");
        assert!(err.contains("{local}"), "{err}");
        let err = parse("[correlation]\ndomain_aliases = [[\"x\", \"y.example\"]]\n")
            .expect_err("domain");
        assert!(err.contains("not an e-mail domain"), "{err}");
        let err = parse("[correlation]\nkinds = [{ pattern = \"svc-*\", kind = \"robot\" }]\n")
            .expect_err("kind");
        assert!(err.contains("names the kind \"robot\""), "{err}");
        let err = parse("[correlation]\nsecondary = true\n").expect_err("unknown key");
        assert!(err.contains("secondary"), "{err}");
    }
}
