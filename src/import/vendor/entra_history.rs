//! The Entra ID access-review history report: an earlier campaign's decisions.
//!
//! Header DOC-FIELDS (FORMATS.md A2b): Microsoft Learn "Create and manage
//! downloadable access review history report" (MicrosoftDocs/entra-docs
//! `docs/id-governance/access-reviews-downloadable-review-history.md`) lists the
//! elements in this order: `AccessReviewId, AccessReviewSeriesId, ReviewType,
//! ResourceDisplayName, ResourceId, ReviewName, CreatedDateTime, ReviewStartDate,
//! ReviewEndDate, ReviewStatus, OwnerId, OwnerName, OwnerUPN, PrincipalId,
//! PrincipalName, PrincipalUPN, PrincipalType, ReviewDate, ReviewResult,
//! Justification, ReviewerId, ReviewerName, ReviewerUPN, ReviewerEmailAddress,
//! AppliedByName, AppliedByUPN, AppliedByEmailAddress, AppliedDate,
//! AccessRecommendation, SubmissionResult`. The exact spellings of the values
//! and the date format are unconfirmed: results are matched loosely
//! (Approve/Approved, Deny/Denied, Not reviewed/NotReviewed, DontKnow).
//!
//! Mapping: each row is kept as a prior review (table `prior_reviews`,
//! migration 0002), never as current access: it tells the reviewer when a
//! person's access to a resource was last reviewed and with what result.

use crate::import::batch::{Batch, PriorReview};
use crate::import::formats::{Confidence, Format};
use crate::import::source::CsvFile;
use crate::model::Decision;

use super::fields::{Cells, Layout, count, header_has_all, normalise};

pub const ACCESS_REVIEW_HISTORY: Format = Format {
    name: "entra-access-review-history",
    title: "Microsoft Entra ID access review history report (an earlier campaign's decisions)",
    produces: "prior review results (shown as \"last reviewed\"), no identities or grants",
    source: "Entra admin center > Identity Governance > Access reviews > Review History > New report > Download",
    confidence: Confidence::DocFields,
    detect: |h| header_has_all(h, &["AccessReviewId", "ReviewResult"]),
    read,
};

const NULLS: &[&str] = &["00000000-0000-0000-0000-000000000000"];

fn read(file: &CsvFile, batch: &mut Batch<'_>, _date_formats: &[String]) -> u64 {
    let layout = Layout::of(&file.header);
    let principal = [
        layout.find(&["PrincipalUPN"]),
        layout.find(&["PrincipalName"]),
        layout.find(&["PrincipalId"]),
    ];
    let resource = [
        layout.find(&["ResourceDisplayName"]),
        layout.find(&["ResourceId"]),
    ];
    let review_name = layout.find(&["ReviewName"]);
    let result = layout.find(&["ReviewResult"]);
    let reviewed_at = layout.find(&["ReviewDate"]);
    let reviewer = [
        layout.find(&["ReviewerUPN"]),
        layout.find(&["ReviewerName"]),
        layout.find(&["ReviewerEmailAddress"]),
    ];
    let justification = layout.find(&["Justification"]);
    let extra: Vec<(&str, Option<usize>)> = [
        ("review_type", "ReviewType"),
        ("principal_type", "PrincipalType"),
        ("principal_name", "PrincipalName"),
        ("access_review_id", "AccessReviewId"),
        ("review_end", "ReviewEndDate"),
        ("access_recommendation", "AccessRecommendation"),
        ("submission_result", "SubmissionResult"),
        ("applied_date", "AppliedDate"),
    ]
    .into_iter()
    .map(|(name, column)| (name, layout.find(&[column])))
    .collect();
    let rows = file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            nulls: NULLS,
        };
        let Some(principal_ref) = principal.iter().find_map(|c| cells.text(*c)) else {
            cells.bad(
                principal[0],
                "",
                "the reviewed principal (PrincipalUPN, PrincipalName or PrincipalId)",
            );
            return;
        };
        let Some(resource) = resource.iter().find_map(|c| cells.text(*c)) else {
            cells.bad(
                resource[0],
                "",
                "the reviewed resource (ResourceDisplayName or ResourceId)",
            );
            return;
        };
        let result_text = cells.text(result).unwrap_or_else(|| "Not reviewed".into());
        let Some(outcome) = outcome_of(&result_text) else {
            cells.bad(
                result,
                &result_text,
                "Approve, Deny, Not reviewed or DontKnow",
            );
            return;
        };
        let review = PriorReview {
            principal_ref,
            resource,
            review_name: cells.text(review_name),
            result: result_text,
            decision: match outcome {
                Outcome::Decided(decision) => Some(decision),
                Outcome::Undecided => None,
            },
            reviewed_at: cells.date(reviewed_at),
            reviewer: reviewer.iter().find_map(|c| cells.text(*c)),
            justification: cells.text(justification),
            attributes: cells.attributes(&extra),
        };
        batch.prior_review(row, ACCESS_REVIEW_HISTORY.name, &review);
    });
    let kept = batch.prior_reviews_of(file);
    batch.note(
        file,
        format!(
            "{} kept as \"last reviewed\" (not current access)",
            count(kept, "earlier review decision")
        ),
    );
    rows
}

/// What a review result says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Decided(Decision),
    Undecided,
}

/// The outcome a review result stands for; `None` for an unknown result.
fn outcome_of(result: &str) -> Option<Outcome> {
    match normalise(result).as_str() {
        "approve" | "approved" => Some(Outcome::Decided(Decision::Certify)),
        "deny" | "denied" => Some(Outcome::Decided(Decision::Revoke)),
        "notreviewed" | "dontknow" | "notnotified" | "" => Some(Outcome::Undecided),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("Approve", Some(Outcome::Decided(Decision::Certify)))]
    #[case("Denied", Some(Outcome::Decided(Decision::Revoke)))]
    #[case("Not reviewed", Some(Outcome::Undecided))]
    #[case("NotReviewed", Some(Outcome::Undecided))]
    #[case("DontKnow", Some(Outcome::Undecided))]
    #[case("maybe", None)]
    fn results(#[case] text: &str, #[case] outcome: Option<Outcome>) {
        assert_eq!(outcome_of(text), outcome);
    }
}
