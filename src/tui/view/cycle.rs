//! What the quarterly cycle adds to the review (PRODUCT.md §7): the
//! baseline's decision on the item's grant and how the grant changed since,
//! an end date and decision basis in the detail pane, and the remediation
//! of a signed-off campaign on the overview.

use std::fmt::Write as _;

use ratatui::text::{Line, Span};

use super::fmt::safe;
use crate::campaign::ItemRecord;
use crate::model::Delta;
use crate::remediation::Counts;
use crate::tui::app::App;

const LABEL: usize = 11;

fn field(app: &App, label: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$}"), app.theme.dim),
        Span::raw(value),
    ])
}

/// `Baseline`: how the grant compares with the baseline campaign and what
/// was decided there; `Carry-over` when accepting records that basis.
pub fn detail_lines(app: &App, item: &ItemRecord, lines: &mut Vec<Line<'static>>) {
    let Some(delta) = item.delta else {
        return;
    };
    let change = match delta {
        Delta::New => "new: not in the baseline campaign".to_owned(),
        Delta::Unchanged => "unchanged (same privilege and type)".to_owned(),
        Delta::Changed => "changed (privilege or type)".to_owned(),
        Delta::Regranted => "revoked in the baseline, here again".to_owned(),
    };
    lines.push(field(app, "Baseline", change));
    if let Some(prior) = &item.prior {
        let mut text = format!(
            "{} in {} ({})",
            prior.decision,
            safe(&prior.campaign),
            prior.campaign_id
        );
        if let Some(by) = &prior.decided_by {
            let _ = write!(text, " by {}", safe(by));
        }
        if let Some(at) = &prior.decided_at {
            let _ = write!(text, " at {}", safe(at));
        }
        if let Some(until) = &prior.valid_until {
            let _ = write!(text, " until {}", safe(until));
        }
        if let Some(why) = prior.justification.as_deref().filter(|j| !j.is_empty()) {
            let _ = write!(text, ": '{}'", safe(why));
        }
        lines.push(field(app, "Before", text));
    }
    if item.carry_over && item.decision.is_none() {
        lines.push(field(
            app,
            "Carry-over",
            "a accepts the earlier certification (basis carry-over)".to_owned(),
        ));
    }
}

/// The current decision's end date and basis, when they say something.
pub fn decision_lines(app: &App, item: &ItemRecord, lines: &mut Vec<Line<'static>>) {
    if let Some(until) = &item.valid_until {
        lines.push(field(
            app,
            "Until",
            format!("{} (access kept through that day)", safe(until)),
        ));
    }
    if let Some(basis) = item
        .decision_basis
        .as_deref()
        .filter(|b| *b != "reviewer" && item.decision.is_some())
    {
        lines.push(field(app, "Basis", safe(basis)));
    }
}

/// `Remediation  115 removed · 115 pending (3 over SLA) · …` for a
/// signed-off campaign, cut to `width`.
pub fn remediation_line(app: &App, counts: &Counts, width: usize) -> Line<'static> {
    let over = if counts.over_sla > 0 {
        format!(" ({} over SLA)", counts.over_sla)
    } else {
        String::new()
    };
    let text = format!(
        "{} removed · {} pending{over} · {} not re-checked · {} reappeared",
        counts.removed, counts.pending, counts.not_rechecked, counts.reappeared
    );
    let head = "  Remediation ";
    Line::from(vec![
        Span::styled(head, app.theme.title),
        Span::raw(super::fmt::fit(
            &text,
            width.saturating_sub(super::fmt::width(head)),
        )),
    ])
}
