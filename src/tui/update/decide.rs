//! Deciding: one item or the marked ones, the justification the rules ask
//! for, the bulk confirmation, and what happens once a decision is saved.

use super::super::action::{Cursor, Effect, Saved};
use super::super::app::{App, BulkSummary, Overlay, Pending, Selection};
use super::super::editor::Editor;
use super::nav;
use crate::campaign::policy::{self, Justification, Verdict};
use crate::model::{Decision, DecisionAction};

/// c, r, a or u on the control table.
pub fn decide(app: &mut App, verdict: Verdict) -> Option<Effect> {
    if app.is_signed_off() {
        app.error("the campaign is signed off and locked; decisions can no longer change");
        return None;
    }
    if !app.review.marks.is_empty() {
        let target = match &app.review.marks {
            Selection::Items(ids) => Selection::Items(ids.clone()),
            Selection::Matching(query) => Selection::Matching(query.clone()),
        };
        app.info("counting the marked items…");
        return Some(Effect::Prepare(Pending { target, verdict }));
    }
    let Some(item) = app.review.selected() else {
        app.info("no item here");
        return None;
    };
    let id = item.item_id;
    if verdict == Verdict::Undo {
        if item.decision.is_none() {
            app.info("this item is not decided yet; nothing to undo");
            return None;
        }
        return Some(Effect::Record {
            target: Selection::Items(vec![id]),
            verdict,
            justification: None,
        });
    }
    let holder = [
        Some(item.identity_id.as_str()),
        item.identity_email.as_deref(),
    ];
    if policy::is_own_access(&app.reviewer, holder.into_iter().flatten()) {
        app.error(format!(
            "item {id} is your own access ({}); a reviewer never decides on their own access, ask another reviewer",
            app.reviewer
        ));
        return None;
    }
    let decision = verdict.decision(item.recommendation)?;
    // An accept is recorded as the decision it stands for.
    let pending = Pending {
        target: Selection::Items(vec![id]),
        verdict: match decision {
            Decision::Certify => Verdict::Certify,
            Decision::Revoke => Verdict::Revoke,
        },
    };
    if let Some(rule) = policy::justification_rule(decision, item.signals, app.campaign.justify) {
        let why = match rule {
            Justification::Revoke => "every revoke needs a justification".to_owned(),
            Justification::Risk(signals) => format!(
                "certifying an item with risk signals ({}) needs a justification",
                signals.joined().replace(';', ", ")
            ),
        };
        app.info("type the justification; Enter saves, Esc cancels");
        app.overlay = Some(Overlay::Justify {
            pending,
            editor: Editor::new(),
            why: format!("Rule: {why}."),
        });
        return None;
    }
    Some(record(pending, None))
}

fn record(pending: Pending, justification: Option<String>) -> Effect {
    Effect::Record {
        target: pending.target,
        verdict: pending.verdict,
        justification,
    }
}

/// The shell has counted a bulk target: ask to confirm.
pub fn bulk_ready(app: &mut App, pending: Pending, summary: BulkSummary) {
    if summary.items == 0 {
        app.info("no marked items to decide");
        return;
    }
    if summary.own > 0 && pending.verdict != Verdict::Undo {
        app.error(format!(
            "{} of the {} marked items {} your own access, which a reviewer never decides; unmark {} (or filter {} out) and try again",
            summary.own,
            summary.items,
            if summary.own == 1 { "is" } else { "are" },
            if summary.own == 1 { "it" } else { "them" },
            if summary.own == 1 { "it" } else { "them" },
        ));
        return;
    }
    app.info(if summary.certifies_risk {
        "risk-flagged items would be certified: y confirms, Esc cancels"
    } else {
        "y or Enter confirms, Esc cancels"
    });
    app.overlay = Some(Overlay::Confirm { pending, summary });
}

/// y or Enter in the bulk confirmation.
pub fn confirm(app: &mut App, pending: Pending, summary: &BulkSummary) -> Option<Effect> {
    if summary.needs_justification {
        app.info("type the justification; Enter saves, Esc cancels");
        app.overlay = Some(Overlay::Justify {
            pending,
            editor: Editor::new(),
            why: format!("One justification for all {} items.", summary.items),
        });
        return None;
    }
    app.overlay = None;
    Some(record(pending, None))
}

/// Enter in the justification prompt.
pub fn justified(app: &mut App, pending: Pending, text: &str, why: String) -> Option<Effect> {
    let text = text.trim();
    if text.is_empty() {
        app.error("a justification is required here; type one, or Esc to cancel");
        app.overlay = Some(Overlay::Justify {
            pending,
            editor: Editor::new(),
            why,
        });
        return None;
    }
    app.overlay = None;
    Some(record(pending, Some(text.to_owned())))
}

/// A decision is committed: show it, then go on to the next undecided item.
pub fn saved(app: &mut App, saved: Saved) -> Option<Effect> {
    app.controls = saved.controls;
    let current = app.review.selected().map(|item| item.item_id);
    nav::loaded(
        app,
        super::super::action::Loaded {
            page: saved.page,
            cursor: current.map_or(Cursor::Index(app.review.cursor), Cursor::Item),
        },
    );
    if saved.bulk {
        app.review.marks = Selection::default();
    }
    app.info(format!("Saved: {}", saved.summary));
    app.status.last_save = Some(saved.at);
    if saved.advance && saved.action != DecisionAction::Undo {
        return nav::next_undecided(app, app.review.cursor);
    }
    None
}
