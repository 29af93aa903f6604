//! The `[exceptions]` and `[remediation]` sections of the rules file: how
//! long a time-boxed certification may run, and how many days after sign-off
//! a revocation may stay pending before it is over its deadline (SLA).

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

/// The quarterly-cycle settings in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleRules {
    /// A time-boxed certification ends at most this many days after the
    /// day it is recorded.
    pub max_exception_days: i64,
    /// A revocation still present this many days after sign-off is over
    /// the remediation SLA.
    pub sla_days: i64,
}

impl Default for CycleRules {
    fn default() -> Self {
        CycleRules {
            max_exception_days: 180,
            sla_days: 30,
        }
    }
}

/// `[exceptions]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionsFile {
    max_days: Option<Spanned<i64>>,
}

/// `[remediation]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemediationFile {
    sla_days: Option<Spanned<i64>>,
}

/// A mistake in either section: where (a byte range of the file) and what.
pub struct ConfigError {
    pub span: Option<Range<usize>>,
    pub message: String,
}

/// The settings of both sections, each key defaulting when left out.
pub fn validate(
    exceptions: Option<ExceptionsFile>,
    remediation: Option<RemediationFile>,
) -> Result<CycleRules, ConfigError> {
    let defaults = CycleRules::default();
    Ok(CycleRules {
        max_exception_days: days(
            exceptions.and_then(|e| e.max_days),
            defaults.max_exception_days,
            "[exceptions] max_days",
        )?,
        sla_days: days(
            remediation.and_then(|r| r.sla_days),
            defaults.sla_days,
            "[remediation] sla_days",
        )?,
    })
}

fn days(value: Option<Spanned<i64>>, default: i64, name: &str) -> Result<i64, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    if (1..=36_500).contains(value.get_ref()) {
        Ok(*value.get_ref())
    } else {
        Err(ConfigError {
            span: Some(value.span()),
            message: format!(
                "{name} = {} is out of range; give a number of days from 1 to 36500",
                value.get_ref()
            ),
        })
    }
}
