//! Parsing cell values: dates, booleans and the closed vocabularies.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::model::When;

/// Date-time layouts accepted without an offset (taken as UTC), after RFC 3339.
const NAIVE_DATE_TIMES: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];

/// Parses an ISO 8601 date or date-time (PRODUCT.md §2): an offset or `Z` is
/// honoured, no offset means UTC. `extra` holds further chrono layouts (from a
/// mapping file or a vendor format) tried afterwards.
pub fn parse_when(text: &str, extra: &[String]) -> Option<When> {
    let text = text.trim();
    // Nearly every cell of a large export has one of the two canonical
    // shapes; chrono's pattern parser cost more than the database insert.
    if let Some(when) = When::parse_canonical(text) {
        return Some(when);
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(When::Date(date));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(When::DateTime(at.with_timezone(&Utc)));
    }
    // RFC 3339 wants seconds; ISO 8601 allows a space and a missing `:` in the offset.
    for layout in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(at) = DateTime::parse_from_str(text, layout) {
            return Some(When::DateTime(at.with_timezone(&Utc)));
        }
    }
    for layout in NAIVE_DATE_TIMES {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, layout) {
            return Some(When::DateTime(at.and_utc()));
        }
    }
    for layout in extra {
        if let Ok(at) = DateTime::parse_from_str(text, layout) {
            return Some(When::DateTime(at.with_timezone(&Utc)));
        }
        if let Ok(at) = NaiveDateTime::parse_from_str(text, layout) {
            return Some(When::DateTime(at.and_utc()));
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, layout) {
            return Some(When::Date(date));
        }
    }
    None
}

pub const EXPECTED_DATE: &str =
    "an ISO 8601 date or date-time, e.g. 2026-08-31 or 2026-08-31T14:05:00Z";

/// Booleans as PRODUCT.md §2 lists them, in any letter case.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "y" => Some(true),
        "false" | "no" | "0" | "n" => Some(false),
        _ => None,
    }
}

pub const EXPECTED_BOOL: &str = "true/false, yes/no, 1/0 or y/n";

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::date("2026-08-31", "2026-08-31")]
    #[case::zulu("2026-08-31T14:05:00Z", "2026-08-31T14:05:00Z")]
    #[case::offset("2026-08-31T14:05:00+02:00", "2026-08-31T12:05:00Z")]
    #[case::fraction("2026-08-31T14:05:00.123Z", "2026-08-31T14:05:00Z")]
    #[case::no_offset_is_utc("2026-08-31T14:05:00", "2026-08-31T14:05:00Z")]
    #[case::space("2026-08-31 14:05:00", "2026-08-31T14:05:00Z")]
    #[case::compact_offset("2026-08-31T14:05:00+0000", "2026-08-31T14:05:00Z")]
    #[case::padded(" 2026-08-31 ", "2026-08-31")]
    fn iso_dates_parse(#[case] text: &str, #[case] stored: &str) {
        assert_eq!(
            parse_when(text, &[]).map(|w| w.to_string()).as_deref(),
            Some(stored)
        );
    }

    #[rstest]
    #[case::us_style("08/31/2026")]
    #[case::impossible("2026-02-30")]
    #[case::words("last tuesday")]
    fn other_dates_are_refused(#[case] text: &str) {
        assert_eq!(parse_when(text, &[]), None);
    }

    #[test]
    fn extra_layouts_are_tried_last() {
        let extra = vec!["%m/%d/%Y".to_owned()];
        assert_eq!(
            parse_when("08/31/2026", &extra)
                .map(|w| w.to_string())
                .as_deref(),
            Some("2026-08-31")
        );
    }

    #[rstest]
    #[case("TRUE", true)]
    #[case("yes", true)]
    #[case("1", true)]
    #[case("Y", true)]
    #[case("False", false)]
    #[case("no", false)]
    #[case("0", false)]
    #[case("n", false)]
    fn booleans(#[case] text: &str, #[case] value: bool) {
        assert_eq!(parse_bool(text), Some(value));
    }

    #[test]
    fn non_booleans_are_refused() {
        assert_eq!(parse_bool("maybe"), None);
    }
}
