//! Time-boxed certifications (PRODUCT.md §7): a certification that keeps
//! access through an end date, with a justification. The rules checked
//! before one is recorded, the same for the CLI (`--until`) and the TUI:
//! only a certification, a date from today to the rules' maximum
//! (`[exceptions] max_days`), never for a terminated or orphaned holder.

use std::fmt;

use chrono::NaiveDate;
use rusqlite::Connection;

use super::lookup::Campaign;
use super::policy;
use super::rules::Rules;
use crate::model::{DecisionAction, Signal, SignalSet};

/// Why a time-boxed certification was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeBoxRefusal {
    /// An end date on anything but a certification.
    NotCertify,
    NotADate(String),
    /// The end date has passed.
    Past {
        until: NaiveDate,
        today: NaiveDate,
    },
    /// Further away than the rules allow.
    TooLong {
        until: NaiveDate,
        max_days: i64,
        latest: NaiveDate,
    },
    /// Items whose holder has left, or that no identity holds.
    Holder {
        items: Vec<i64>,
        signal: Signal,
    },
    NeedsJustification,
}

impl fmt::Display for TimeBoxRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeBoxRefusal::NotCertify => f.write_str(
                "an end date only goes with certify: a time-boxed certification keeps access until then (--certify --until DATE)",
            ),
            TimeBoxRefusal::NotADate(found) => write!(
                f,
                "end date {found:?} is not a date; write it as YYYY-MM-DD, e.g. 2027-03-31"
            ),
            TimeBoxRefusal::Past { until, today } => write!(
                f,
                "end date {until} has passed (today is {today}); access is kept through the end date, so give today or a later day"
            ),
            TimeBoxRefusal::TooLong {
                until,
                max_days,
                latest,
            } => write!(
                f,
                "end date {until} is more than {max_days} days away, the most the rules allow ([exceptions] max_days); the latest end date today is {latest}"
            ),
            TimeBoxRefusal::Holder { items, signal } => write!(
                f,
                "a time-boxed certification is never for {} (items {}); revoke the access, or certify it without an end date and justify why",
                match signal {
                    Signal::Orphaned => "an orphaned grant, which no identity holds",
                    _ => "access of someone who has left (terminated)",
                },
                items
                    .iter()
                    .take(10)
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            TimeBoxRefusal::NeedsJustification => f.write_str(
                "a time-boxed certification needs a justification saying why the access is kept until then; add --justification TEXT",
            ),
        }
    }
}

/// Parses an end date as recert stores it (`YYYY-MM-DD`).
pub fn parse_until(text: &str) -> Result<NaiveDate, TimeBoxRefusal> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| TimeBoxRefusal::NotADate(text.to_owned()))
}

/// Checks the end date against today and the campaign's maximum.
pub fn check_date(until: NaiveDate, today: NaiveDate, max_days: i64) -> Result<(), TimeBoxRefusal> {
    if until < today {
        return Err(TimeBoxRefusal::Past { until, today });
    }
    let latest = today + chrono::Days::new(max_days.unsigned_abs());
    if until > latest {
        return Err(TimeBoxRefusal::TooLong {
            until,
            max_days,
            latest,
        });
    }
    Ok(())
}

/// The most days a time-boxed certification of `campaign` may run: its
/// own rules' `[exceptions] max_days`.
pub fn max_days(conn: &Connection, campaign: &Campaign) -> rusqlite::Result<i64> {
    let rules: String = conn.query_row(
        "SELECT rules FROM campaigns WHERE id = ?1",
        [campaign.id],
        |row| row.get(0),
    )?;
    Ok(Rules::parse(&rules, "campaign rules")
        .map_or_else(|_| super::cycle_rules::CycleRules::default(), |r| r.cycle)
        .max_exception_days)
}

/// Checks a request carrying an end date before anything is written.
pub fn check(
    conn: &Connection,
    campaign: &Campaign,
    action: DecisionAction,
    items: &[i64],
    justification: Option<&str>,
    until: &str,
    today: NaiveDate,
) -> Result<Result<(), TimeBoxRefusal>, rusqlite::Error> {
    if action != DecisionAction::Certify {
        return Ok(Err(TimeBoxRefusal::NotCertify));
    }
    let until = match parse_until(until) {
        Ok(until) => until,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if let Err(refusal) = check_date(until, today, max_days(conn, campaign)?) {
        return Ok(Err(refusal));
    }
    if !policy::is_justified(justification) {
        return Ok(Err(TimeBoxRefusal::NeedsJustification));
    }
    let ids = serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned());
    let mut select = conn.prepare_cached(
        "SELECT it.id, it.signal_mask FROM json_each(?1) j
         JOIN items it ON it.id = j.value WHERE it.campaign_id = ?2 ORDER BY j.key",
    )?;
    let mut rows = select.query((ids, campaign.id))?;
    let mut refused: Vec<(i64, Signal)> = Vec::new();
    while let Some(row) = rows.next()? {
        let signals = SignalSet::from_bits(row.get(1)?);
        for signal in [Signal::Terminated, Signal::Orphaned] {
            if signals.contains(signal) {
                refused.push((row.get(0)?, signal));
                break;
            }
        }
    }
    if let Some((_, signal)) = refused.first().copied() {
        let items = refused
            .iter()
            .filter(|(_, s)| *s == signal)
            .map(|(item, _)| *item)
            .collect();
        return Ok(Err(TimeBoxRefusal::Holder { items, signal }));
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_end_date_runs_from_today_to_the_maximum_both_included() {
        let today = day("2026-12-01");
        assert_eq!(check_date(today, today, 180), Ok(()), "today itself");
        assert_eq!(check_date(day("2027-05-30"), today, 180), Ok(()), "day 180");
        assert_eq!(
            check_date(day("2027-05-31"), today, 180),
            Err(TimeBoxRefusal::TooLong {
                until: day("2027-05-31"),
                max_days: 180,
                latest: day("2027-05-30"),
            })
        );
        assert_eq!(
            check_date(day("2026-11-30"), today, 180),
            Err(TimeBoxRefusal::Past {
                until: day("2026-11-30"),
                today,
            })
        );
        assert!(matches!(
            parse_until("31/03/2027"),
            Err(TimeBoxRefusal::NotADate(_))
        ));
    }

    #[test]
    fn refusals_say_what_to_do() {
        let text = TimeBoxRefusal::TooLong {
            until: day("2027-12-31"),
            max_days: 180,
            latest: day("2027-05-30"),
        }
        .to_string();
        assert!(text.contains("[exceptions] max_days"), "{text}");
        assert!(text.contains("2027-05-30"), "{text}");
        let text = TimeBoxRefusal::Holder {
            items: vec![4, 9],
            signal: Signal::Terminated,
        }
        .to_string();
        assert!(
            text.contains("terminated") && text.contains("4, 9"),
            "{text}"
        );
    }
}
