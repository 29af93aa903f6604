//! Second reviews (PRODUCT.md §8): splitting a decision request into the
//! items it decides outright, the first reviews it records, and the second
//! reviews that agree or disagree with a first one.

use rusqlite::Connection;

use super::projection::Outcome;
use super::{DecisionRequest, Refusal};
use crate::campaign::Campaign;
use crate::campaign::review_rules::ReviewRules;
use crate::model::{DecisionAction, DecisionBasis};
use crate::reviewers::name::fold;

/// The items of a request that share an outcome, and the stage their
/// events record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Step {
    pub items: Vec<i64>,
    pub outcome: Outcome,
    pub stage: Option<u8>,
}

/// Splits `request` by what it does to each item, in request order within
/// each step. A decision by a reviewer on an item of a second-review
/// control is a first review, or, on an item a different reviewer already
/// reviewed, a second review that agrees or not. A close-out and an undo
/// apply outright. Refuses a second review by the first reviewer
/// (`own` are the actor's own keys, so another spelling of the same
/// person is the same reviewer).
pub(super) fn plan(
    conn: &Connection,
    campaign: &Campaign,
    review: &ReviewRules,
    request: &DecisionRequest<'_>,
    own: &[String],
) -> Result<Vec<Step>, super::DecideError> {
    let outright = |outcome| {
        vec![Step {
            items: request.items.to_vec(),
            outcome,
            stage: request.extras.stage,
        }]
    };
    let Some(decision) = request.action.decision() else {
        return Ok(outright(Outcome::Undo));
    };
    if review.second_review.is_empty()
        || request.extras.basis == Some(DecisionBasis::CloseOut)
        || campaign.evidence_format < 2
    {
        return Ok(outright(Outcome::Decide));
    }
    let mut statement = conn.prepare_cached(
        "SELECT j.key, it.control_id, p.decision, e.reviewer
         FROM json_each(?1) j
         JOIN items it ON it.id = j.value AND it.campaign_id = ?2
         LEFT JOIN pending_reviews p ON p.item_id = it.id
         LEFT JOIN decision_events e ON e.id = p.event_id",
    )?;
    let ids = serde_json::to_string(request.items).unwrap_or_else(|_| "[]".to_owned());
    // Items not found keep `Decide`, so the checks name them as unknown.
    let mut outcomes = vec![(Outcome::Decide, None); request.items.len()];
    let mut rows = statement.query((ids, campaign.id))?;
    while let Some(row) = rows.next()? {
        let position: usize = row.get(0)?;
        let control: String = row.get(1)?;
        if !review.needs_second_review(&control) {
            continue;
        }
        let first: Option<crate::model::Decision> = row.get(2)?;
        let first_reviewer: Option<String> = row.get(3)?;
        outcomes[position] = match (first, first_reviewer) {
            (None, _) => (Outcome::FirstReview, Some(1)),
            (Some(_), Some(reviewer)) if own.contains(&fold(&reviewer)) => {
                return Err(Refusal::SameSecondReviewer {
                    item: request.items[position],
                    reviewer,
                }
                .into());
            }
            (Some(first), _) if first == decision => (Outcome::Agree, Some(2)),
            (Some(_), _) => (Outcome::Disagree, Some(2)),
        };
    }
    let mut steps: Vec<Step> = Vec::new();
    for (item, (outcome, stage)) in request.items.iter().zip(outcomes) {
        let stage = stage.or(request.extras.stage);
        match steps
            .iter_mut()
            .find(|s| s.outcome == outcome && s.stage == stage)
        {
            Some(step) => step.items.push(*item),
            None => steps.push(Step {
                items: vec![*item],
                outcome,
                stage,
            }),
        }
    }
    Ok(steps)
}

/// Whether a request may go through the decision path (a reassignment has
/// its own, with the assignee to check).
pub(super) fn is_decision(action: DecisionAction) -> bool {
    action != DecisionAction::Reassign
}
