//! What every vendor reader needs: columns by any of their names, null-like
//! values, vendor date styles and typed cells that report bad values.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use crate::import::problems::{Problem, Problems, quote};
use crate::import::source::{Header, Row};
use crate::import::values::{parse_bool, parse_when};
use crate::model::{Attributes, When};

/// A header name reduced to lower-case letters and digits, so that
/// `GitHub com login`, `github_com_login` and `GitHubComLogin` are one name.
pub fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `1 assignment`, `2 assignments`: counts in summary notes read naturally.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else if let Some(stem) = noun
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'o', 'u']))
    {
        format!("{n} {stem}ies")
    } else {
        format!("{n} {noun}s")
    }
}

/// The header indexed by normalised name.
pub struct Layout {
    positions: HashMap<String, usize>,
}

impl Layout {
    pub fn of(header: &Header) -> Layout {
        let mut positions = HashMap::new();
        for (index, name) in header.names.iter().enumerate() {
            positions.entry(normalise(name)).or_insert(index);
        }
        Layout { positions }
    }

    /// The first of `names` (synonyms, most usual first) the header has.
    pub fn find(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|name| self.positions.get(&normalise(name)).copied())
    }

    pub fn has(&self, name: &str) -> bool {
        self.positions.contains_key(&normalise(name))
    }

    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|name| self.has(name))
    }
}

/// Whether `header` has every one of `names` (normalised).
pub fn header_has_all(header: &Header, names: &[&str]) -> bool {
    Layout::of(header).has_all(names)
}

/// Date layouts the vendors write besides ISO 8601 (FORMATS.md, parser rule 5):
/// the Entra portal's US locale (`8/19/2021 1:25:31 PM`) and Google's
/// `2016/04/04 00:24:13`.
const VENDOR_DATE_TIMES: &[&str] = &[
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S UTC",
];
const VENDOR_DATES: &[&str] = &["%m/%d/%Y", "%Y/%m/%d"];

pub const EXPECTED_VENDOR_DATE: &str = "a date such as 2025-06-29T07:58:40+00:00, 8/19/2021 1:25:31 PM (US locale) or 2016/04/04 00:24:13";

/// Parses the date styles vendor exports use; values without an offset are UTC.
pub fn parse_vendor_date(text: &str) -> Option<When> {
    if let Some(when) = parse_when(text, &[]) {
        return Some(when);
    }
    let text = text.trim();
    for layout in VENDOR_DATE_TIMES {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, layout) {
            return Some(When::DateTime(at.and_utc()));
        }
    }
    VENDOR_DATES
        .iter()
        .find_map(|layout| NaiveDate::parse_from_str(text, layout).ok())
        .map(When::Date)
}

/// Typed access to one vendor row. `nulls` are the values this source
/// writes for "nothing here" (`N/A`, `Never logged in`, ...), read as empty.
pub struct Cells<'r, 'a> {
    pub row: &'r Row<'a>,
    pub problems: &'r mut Problems,
    pub nulls: &'static [&'static str],
}

impl Cells<'_, '_> {
    /// The cell as written (trimmed), `None` when empty.
    pub fn raw(&self, column: Option<usize>) -> Option<String> {
        self.row.get(column).map(str::to_owned)
    }

    /// The cell, `None` when empty or null-like.
    pub fn text(&self, column: Option<usize>) -> Option<String> {
        self.raw(column).filter(|value| {
            !self
                .nulls
                .iter()
                .any(|null| value.eq_ignore_ascii_case(null))
        })
    }

    /// Whether the cell holds exactly `value` (ignoring ASCII case).
    pub fn is(&self, column: Option<usize>, value: &str) -> bool {
        self.raw(column)
            .is_some_and(|text| text.eq_ignore_ascii_case(value))
    }

    pub fn date(&mut self, column: Option<usize>) -> Option<When> {
        let text = self.text(column)?;
        let parsed = parse_vendor_date(&text);
        if parsed.is_none() {
            self.bad(column, &text, EXPECTED_VENDOR_DATE);
        }
        parsed
    }

    /// A boolean in any letter case (`true`, `TRUE`, `True`, yes/no, 1/0).
    pub fn flag(&mut self, column: Option<usize>) -> Option<bool> {
        let text = self.text(column)?;
        let parsed = parse_bool(&text);
        if parsed.is_none() {
            self.bad(column, &text, "true or false");
        }
        parsed
    }

    /// Reports a bad value at `column` (or the whole row).
    pub fn bad(&mut self, column: Option<usize>, found: &str, expected: &str) {
        let message = format!("found {}, expected {expected}", quote(found));
        let problem: Problem = match column {
            Some(column) => self.row.problem(column, message),
            None => self.row.row_problem(message),
        };
        self.problems.push(problem);
    }

    /// Non-empty, non-null cells under the given attribute names.
    pub fn attributes(&self, pairs: &[(&str, Option<usize>)]) -> Attributes {
        pairs
            .iter()
            .filter_map(|(name, column)| self.text(*column).map(|v| ((*name).to_owned(), v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::aws("2025-06-29T07:58:40+00:00", "2025-06-29T07:58:40Z")]
    #[case::entra_us_pm("8/19/2021 1:25:31 PM", "2021-08-19T13:25:31Z")]
    #[case::entra_us_am("12/1/2021 9:05:00 AM", "2021-12-01T09:05:00Z")]
    #[case::google("2016/04/04 00:24:13", "2016-04-04T00:24:13Z")]
    #[case::graph_zulu("2024-01-31T23:59:59Z", "2024-01-31T23:59:59Z")]
    #[case::us_date("3/7/2024", "2024-03-07")]
    fn vendor_dates_parse(#[case] text: &str, #[case] stored: &str) {
        assert_eq!(
            parse_vendor_date(text).map(|w| w.to_string()).as_deref(),
            Some(stored)
        );
    }

    #[test]
    fn day_first_dates_past_twelve_are_refused_not_guessed() {
        assert_eq!(parse_vendor_date("19/08/2021 13:25:31"), None);
    }

    #[rstest]
    #[case(1, "row", "1 row")]
    #[case(0, "row", "0 rows")]
    #[case(2, "policy", "2 policies")]
    #[case(3, "key", "3 keys")]
    fn counts_read_naturally(#[case] n: u64, #[case] noun: &str, #[case] text: &str) {
        assert_eq!(count(n, noun), text);
    }

    #[test]
    fn header_names_match_whatever_their_spelling() {
        let header = Header::new(vec![
            "GitHub com login".into(),
            "2sv Enrolled [READ ONLY]".into(),
        ]);
        let layout = Layout::of(&header);
        assert_eq!(layout.find(&["github_com_login"]), Some(0));
        assert_eq!(layout.find(&["nope", "2SV enrolled [read only]"]), Some(1));
        assert!(!layout.has("login"));
    }
}
