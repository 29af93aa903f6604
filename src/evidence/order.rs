//! The order of evidence rows: by control number, then by item id.
//!
//! Control ids are compared part by part, splitting at `.`, with numeric
//! parts compared as integers (so `5.3 < 5.15 < 8.2`, and `5 < 5.1`) and a
//! numeric part sorting before a non-numeric one, which compare as text.
//! Ids that still tie (`05` and `5`) fall back to plain text order, so the
//! order is total and every export of a campaign lists rows identically.

use std::cmp::Ordering;

use rusqlite::Connection;

/// Compares two control ids as the evidence orders them.
pub fn compare_controls(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let by_part = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if by_part != Ordering::Equal {
                    return by_part;
                }
            }
        }
    }
}

/// The campaign's control ids in evidence order.
pub fn campaign_controls(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<String>> {
    let mut controls = crate::campaign::ranges::control_ids(conn, campaign)?;
    controls.sort_by(|a, b| compare_controls(a, b));
    Ok(controls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_sort_numerically_part_by_part() {
        let mut ids = vec!["8.2", "5.15", "5.3", "5.18", "5", "A.9", "5.15.1", "10.1"];
        ids.sort_by(|a, b| compare_controls(a, b));
        assert_eq!(
            ids,
            ["5", "5.3", "5.15", "5.15.1", "5.18", "8.2", "10.1", "A.9"]
        );
    }

    #[test]
    fn numerically_equal_ids_still_have_a_fixed_order() {
        assert_eq!(compare_controls("05.1", "5.1"), Ordering::Less);
        assert_eq!(compare_controls("5.1", "5.1"), Ordering::Equal);
    }
}
