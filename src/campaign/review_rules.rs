//! The rules file's `[review]` section (PRODUCT.md §8): which controls need
//! a second, different reviewer, and the pace below which decisions came
//! too fast to be independent reviews.

use std::ops::Range;

use rusqlite::Connection;
use serde::Deserialize;
use toml::Spanned;

use super::catalog::Catalog;
use super::lookup::Campaign;

/// The default pace: an item decided less than this many seconds after the
/// decider's previous decision counts as decided fast.
pub const DEFAULT_PACE_SECONDS: u32 = 5;

/// `[review]`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRules {
    /// Controls whose items are decided only once two different reviewers
    /// agree (default: none).
    pub second_review: Vec<String>,
    /// Seconds per item below which the report and sign-off warn (0: never).
    pub pace_seconds: u32,
}

impl Default for ReviewRules {
    fn default() -> Self {
        ReviewRules {
            second_review: Vec::new(),
            pace_seconds: DEFAULT_PACE_SECONDS,
        }
    }
}

impl ReviewRules {
    /// Whether items of `control` need a second reviewer.
    pub fn needs_second_review(&self, control: &str) -> bool {
        self.second_review.iter().any(|c| c == control.trim())
    }

    /// The review rules a campaign was created with, read from the rules
    /// text it stores. Campaigns of evidence format 1 predate second reviews
    /// (their events cannot record a stage), so they have none.
    pub fn of_campaign(conn: &Connection, campaign: &Campaign) -> rusqlite::Result<ReviewRules> {
        let text: String = conn.query_row(
            "SELECT rules FROM campaigns WHERE id = ?1",
            [campaign.id],
            |row| row.get(0),
        )?;
        let mut rules = ReviewRules::from_text(&text);
        if campaign.evidence_format < 2 {
            rules.second_review.clear();
        }
        Ok(rules)
    }

    /// The `[review]` section of a stored rules text; the defaults where it
    /// has none. The text was checked when the campaign was created, so a
    /// section that does not read (never written by recert) counts as absent.
    pub fn from_text(text: &str) -> ReviewRules {
        #[derive(Deserialize)]
        struct Partial {
            review: Option<ReviewFile>,
        }
        toml::from_str::<Partial>(text)
            .ok()
            .and_then(|partial| partial.review)
            .and_then(|review| review.validate().ok())
            .unwrap_or_default()
    }
}

/// `[review]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewFile {
    second_review: Option<Vec<Spanned<String>>>,
    pace_seconds: Option<Spanned<i64>>,
}

/// A mistake in the section: where (a byte range of the file) and what.
pub struct ReviewError {
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl ReviewFile {
    pub fn validate(self) -> Result<ReviewRules, ReviewError> {
        let catalog = Catalog::builtin();
        let mut second_review = Vec::new();
        for control in self.second_review.unwrap_or_default() {
            let id = control.get_ref().trim();
            if catalog.get(id).is_none() {
                return Err(ReviewError {
                    span: Some(control.span()),
                    message: format!(
                        "second_review: unknown control {id:?}; controls in the catalog (recert controls): {}",
                        catalog.ids()
                    ),
                });
            }
            if !second_review.iter().any(|c| c == id) {
                second_review.push(id.to_owned());
            }
        }
        let pace_seconds = match self.pace_seconds {
            None => DEFAULT_PACE_SECONDS,
            Some(value) => u32::try_from(*value.get_ref())
                .ok()
                .filter(|seconds| *seconds <= 3600)
                .ok_or_else(|| ReviewError {
                    span: Some(value.span()),
                    message: format!(
                        "pace_seconds = {} is out of range; give seconds per item from 0 (no pace warning) to 3600",
                        value.get_ref()
                    ),
                })?,
        };
        Ok(ReviewRules {
            second_review,
            pace_seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::rules::Rules;

    #[test]
    fn the_section_is_optional_and_defaults_to_no_second_review() {
        let rules = Rules::parse("[[control]]\nid = \"5.18\"\n", "r.toml").expect("valid");
        assert_eq!(rules.review, ReviewRules::default());
        assert_eq!(rules.review.pace_seconds, 5);
        assert_eq!(Rules::builtin().review.second_review, Vec::<String>::new());
    }

    #[test]
    fn controls_and_pace_are_read_and_checked_with_their_line() {
        let text = "[review]\nsecond_review = [\"8.2\", \"5.17\"]\npace_seconds = 10\n[[control]]\nid = \"5.18\"\n";
        let rules = Rules::parse(text, "r.toml").expect("valid");
        assert_eq!(rules.review.second_review, ["8.2", "5.17"]);
        assert_eq!(rules.review.pace_seconds, 10);
        assert!(rules.review.needs_second_review("8.2"));
        assert!(!rules.review.needs_second_review("5.18"));
        assert_eq!(ReviewRules::from_text(text), rules.review);

        let err = Rules::parse(
            "[review]\nsecond_review = [\n  \"9.9\"]\n[[control]]\nid = \"5.18\"\n",
            "r.toml",
        )
        .expect_err("unknown control");
        assert_eq!(err.line, Some(3), "{err}");
        assert!(
            err.message
                .starts_with("[review] second_review: unknown control \"9.9\""),
            "{err}"
        );
        let err = Rules::parse(
            "[review]\npace_seconds = -1\n[[control]]\nid = \"5.18\"\n",
            "r.toml",
        )
        .expect_err("negative");
        assert_eq!(err.line, Some(2), "{err}");
        let err = Rules::parse(
            "[review]\nsecond = [\"8.2\"]\n[[control]]\nid = \"5.18\"\n",
            "r.toml",
        )
        .expect_err("unknown key");
        assert_eq!(err.line, Some(2), "{err}");
    }

    #[test]
    fn a_stored_text_that_does_not_read_has_the_defaults() {
        assert_eq!(ReviewRules::from_text("{}"), ReviewRules::default());
        assert_eq!(
            ReviewRules::from_text("[review]\nsecond_review = [\"9.9\"]"),
            ReviewRules::default()
        );
    }
}
