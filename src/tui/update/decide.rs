//! Deciding: one item or the marked ones, the justification the rules ask
//! for, the confirmations, and what happens once a decision is saved or
//! could not be.

use super::super::action::{Action, Cursor, Effect, Loaded, NotSaved, Retry, Saved};
use super::super::app::{Against, App, BulkSummary, Impact, Overlay, Pending, Selection};
use super::super::editor::Editor;
use super::nav;
use crate::campaign::ItemRecord;
use crate::campaign::policy::{self, Justification, Verdict};
use crate::campaign::timebox;
use crate::model::{Decision, DecisionAction, Signal};
use chrono::NaiveDate;

/// c, r, a or u on the control table.
pub fn decide(app: &mut App, verdict: Verdict) -> Option<Effect> {
    if app.is_signed_off() {
        app.error("the campaign is signed off and locked; decisions can no longer change");
        return None;
    }
    if !app.review.marks.is_empty() {
        let pending = Pending {
            target: app.review.marks.clone(),
            verdict,
            include_decided: false,
            until: None,
        };
        app.info("counting the marked items…");
        return Some(Effect::Prepare(pending));
    }
    let Some(item) = app.review.selected() else {
        app.info("no item here");
        return None;
    };
    let id = item.item_id;
    if verdict == Verdict::Undo {
        if item.decision.is_none() && item.awaiting_second_review.is_none() {
            app.info("this item is not decided yet; nothing to undo");
            return None;
        }
        return Some(record(Pending::item(id, verdict), None));
    }
    // A second review is another reviewer's: say so before any prompt.
    if let (Some(_), Some(first)) = (item.awaiting_second_review, &item.first_review_by) {
        if policy::is_own_access(&app.own_keys, [first.as_str()]) {
            app.error(format!(
                "your first review of item {id} needs a second, different reviewer"
            ));
            return None;
        }
    }
    let holder = [
        Some(item.identity_id.as_str()),
        item.identity_email.as_deref(),
        Some(item.account.as_str()),
    ];
    if policy::is_own_access(&app.own_keys, holder.into_iter().flatten()) {
        app.error(format!(
            "item {id} is your own access ({}); a reviewer never decides on their own access, ask another reviewer",
            app.reviewer
        ));
        return None;
    }
    let decision = verdict.decision(item.recommendation)?;
    // An accept is recorded as the decision it stands for, but accepting a
    // carried-over certification stays an accept: it records that basis.
    let carry_over = verdict == Verdict::Accept && item.carry_over;
    let pending = Pending::item(
        id,
        match decision {
            _ if carry_over => Verdict::Accept,
            Decision::Certify => Verdict::Certify,
            Decision::Revoke => Verdict::Revoke,
        },
    );
    let item = item.clone();
    certify_or_ask(app, &item, pending)
}

/// Goes on with a decision on the item under the cursor: confirm one
/// against the recommendation, ask for a justification the rules (or an
/// end date) need, else record it.
fn certify_or_ask(app: &mut App, item: &ItemRecord, pending: Pending) -> Option<Effect> {
    let decision = pending.verdict.decision(item.recommendation)?;
    let mut rule = policy::justification_rule(decision, item.signals, app.campaign.justify)
        .map(|rule| format!("Rule: {}.", rule_sentence(rule)));
    if let Some(until) = pending.until {
        rule = Some(until_why(until, rule.as_deref()));
    }
    if decision == Decision::Certify && item.recommendation == Decision::Revoke {
        // Keeping access the rules say to remove takes an explicit y, as in
        // bulk: one stray key plus a pasted line must never certify a leaver.
        let summary = against(item, rule);
        app.info("certifying against the recommendation: y confirms, Esc cancels");
        app.overlay = Some(Overlay::Confirm { pending, summary });
        return None;
    }
    match rule {
        Some(why) => {
            ask_justification(app, pending, why);
            None
        }
        None => Some(record(pending, None)),
    }
}

fn rule_sentence(rule: Justification) -> String {
    match rule {
        Justification::Revoke => "every revoke needs a justification".to_owned(),
        Justification::Risk(signals) => format!(
            "certifying an item with risk signals ({}) needs a justification",
            signals.joined().replace(';', ", ")
        ),
    }
}

/// The confirmation of certifying one item recommended for revocation.
fn against(item: &ItemRecord, rule: Option<String>) -> BulkSummary {
    let decided = u64::from(item.decision.is_some());
    let impact = Impact {
        items: 1,
        signals: item.signals.iter().map(|s| (s, 1)).collect(),
        needs_justification: rule.is_some(),
        certifies_risk: true,
    };
    let name = item.identity_name.as_deref().unwrap_or(&item.identity_id);
    BulkSummary {
        items: 1,
        decided,
        own: 0,
        open: impact.clone(),
        all: impact,
        against: Some(Against {
            item: item.item_id,
            what: format!(
                "{name} ({}) · {} · {}",
                item.identity_id, item.system, item.entitlement
            ),
            reason: item.recommendation_reason.clone(),
            rule,
        }),
    }
}

/// What the justification prompt of a time-boxed certification says.
fn until_why(until: NaiveDate, rule: Option<&str>) -> String {
    let mut why = format!(
        "Keep the access until {until} (through that day): say why it is needed until then."
    );
    if let Some(rule) = rule {
        why.push(' ');
        why.push_str(rule);
    }
    why
}

/// `t`: certify until a date. Asks for the date first; refused at once for
/// a terminated holder or an orphaned grant (never time-boxed).
pub fn until(app: &mut App) -> Option<Effect> {
    if app.is_signed_off() {
        app.error("the campaign is signed off and locked; decisions can no longer change");
        return None;
    }
    let pending = if app.review.marks.is_empty() {
        let item = app.review.selected()?;
        if let Some(signal) = [Signal::Terminated, Signal::Orphaned]
            .into_iter()
            .find(|s| item.signals.contains(*s))
        {
            app.error(format!(
                "a time-boxed certification is never for {} access; revoke it, or certify (c) and justify",
                signal.as_str()
            ));
            return None;
        }
        Pending::item(item.item_id, Verdict::Certify)
    } else {
        Pending {
            target: app.review.marks.clone(),
            verdict: Verdict::Certify,
            include_decided: false,
            until: None,
        }
    };
    ask_until(app, pending, None);
    None
}

fn ask_until(app: &mut App, pending: Pending, back: Option<(Editor, String)>) {
    let text = pending
        .until
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    app.info(format!(
        "certify until a date: type YYYY-MM-DD (at most {} days from today); Enter goes on, Esc cancels",
        app.max_until_days
    ));
    app.overlay = Some(Overlay::Until {
        pending,
        editor: Editor::with_text(&text),
        back,
    });
}

/// Tab in the justification prompt of a certification: set its end date.
pub fn switch_to_until(app: &mut App, pending: Pending, editor: Editor, why: String) {
    if pending.verdict != Verdict::Certify {
        app.info("an end date only goes with certify (t certifies until a date)");
        app.overlay = Some(Overlay::Justify {
            pending,
            editor,
            why,
        });
        return;
    }
    ask_until(app, pending, Some((editor, why)));
}

/// Enter in the end-date prompt: a date from today to the maximum goes on
/// to the justification (back to it, when it came from there).
pub fn until_entered(
    app: &mut App,
    mut pending: Pending,
    editor: Editor,
    back: Option<(Editor, String)>,
) -> Option<Effect> {
    let checked = timebox::parse_until(editor.text()).and_then(|until| {
        timebox::check_date(until, app.today, app.max_until_days).map(|()| until)
    });
    let until = match checked {
        Ok(until) => until,
        Err(refusal) => {
            app.error(refusal.to_string());
            app.overlay = Some(Overlay::Until {
                pending,
                editor,
                back,
            });
            return None;
        }
    };
    pending.until = Some(until);
    if let Some((text, _)) = back {
        ask_justification(app, pending, until_why(until, None));
        if let Some(Overlay::Justify { editor, .. }) = &mut app.overlay {
            *editor = text;
        }
        return None;
    }
    if !app.review.marks.is_empty() {
        app.info("counting the marked items…");
        return Some(Effect::Prepare(pending));
    }
    let item = app.review.selected()?.clone();
    certify_or_ask(app, &item, pending)
}

/// Esc in the end-date prompt: back to the justification it came from, else cancelled.
pub fn until_cancelled(app: &mut App, pending: Pending, back: Option<(Editor, String)>) {
    match back {
        Some((editor, why)) => {
            app.info("no end date; type the justification");
            app.overlay = Some(Overlay::Justify {
                pending,
                editor,
                why,
            });
        }
        None => app.info("cancelled; nothing was saved"),
    }
}

fn ask_justification(app: &mut App, pending: Pending, why: String) {
    app.info("type the justification; Enter saves, Esc cancels");
    app.overlay = Some(Overlay::Justify {
        pending,
        editor: Editor::new(),
        why,
    });
}

fn record(pending: Pending, justification: Option<String>) -> Effect {
    Effect::Record {
        pending,
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
        let one = summary.own == 1;
        let them = if one { "it" } else { "them" };
        app.error(format!(
            "{} of the {} marked items {} your own access: unmark {them} or filter {them} out",
            summary.own,
            summary.items,
            if one { "is" } else { "are" },
        ));
        return;
    }
    confirm_hint(app, &pending, &summary);
    app.overlay = Some(Overlay::Confirm { pending, summary });
}

fn confirm_hint(app: &mut App, pending: &Pending, summary: &BulkSummary) {
    let impact = summary.impact(pending);
    let message = if impact.items == 0 {
        "nothing to decide: every marked item is already decided; i includes them, Esc cancels"
    } else if impact.certifies_risk {
        "risk-flagged items would be certified: y confirms, Esc cancels"
    } else {
        "y or Enter confirms, Esc cancels"
    };
    app.info(message);
}

/// A key in the confirmation: y (or Enter, unless risk-flagged items would
/// be certified) goes on, i includes or skips the decided items, Esc cancels.
pub fn confirming(
    app: &mut App,
    mut pending: Pending,
    summary: BulkSummary,
    action: &Action,
) -> Option<Effect> {
    let impact = summary.impact(&pending);
    match action {
        Action::Confirm => confirm(app, pending, &summary),
        Action::Submit if !impact.certifies_risk => confirm(app, pending, &summary),
        Action::IncludeDecided
            if summary.decided > 0
                && summary.against.is_none()
                && pending.verdict != Verdict::Undo =>
        {
            pending.include_decided = !pending.include_decided;
            confirm_hint(app, &pending, &summary);
            app.overlay = Some(Overlay::Confirm { pending, summary });
            None
        }
        Action::Back => {
            app.info(if summary.against.is_some() {
                "cancelled; nothing was saved"
            } else {
                "cancelled; nothing was saved, the marks are kept"
            });
            None
        }
        _ => {
            app.overlay = Some(Overlay::Confirm { pending, summary });
            None
        }
    }
}

/// Confirmed: ask for the justification if the rules want one, else record.
fn confirm(app: &mut App, pending: Pending, summary: &BulkSummary) -> Option<Effect> {
    let impact = summary.impact(&pending);
    if impact.items == 0 {
        app.info("nothing to decide: every marked item is already decided");
        return None;
    }
    if let Some(until) = pending.until {
        let rule = summary.against.as_ref().and_then(|a| a.rule.clone());
        ask_justification(app, pending, until_why(until, rule.as_deref()));
        return None;
    }
    if impact.needs_justification {
        let why = match &summary.against {
            Some(against) => against.rule.clone().unwrap_or_default(),
            None if impact.items == 1 => "One justification for the item.".to_owned(),
            None => format!("One justification for all {} items.", impact.items),
        };
        ask_justification(app, pending, why);
        return None;
    }
    app.overlay = None;
    Some(record(pending, None))
}

/// Enter in the justification prompt.
pub fn justified(app: &mut App, pending: Pending, editor: Editor, why: String) -> Option<Effect> {
    let text = editor.text().trim();
    if !policy::is_justified(Some(text)) {
        app.error("a justification is required here; type one, or Esc to cancel");
        app.overlay = Some(Overlay::Justify {
            pending,
            editor,
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
    let current = app.review.selected_id();
    nav::loaded(
        app,
        Loaded {
            page: saved.page,
            cursor: current.map_or(Cursor::Index(app.review.cursor), Cursor::Item),
        },
    );
    if saved.bulk {
        app.review.marks = Selection::default();
    }
    // The history gained an event: read it again.
    app.review.detail = None;
    app.info(format!("Saved: {}", saved.summary));
    app.status.after_save = true;
    app.status.last_save = Some(saved.at);
    if saved.advance && saved.action != DecisionAction::Undo {
        return nav::next_undecided(app, app.review.cursor);
    }
    None
}

/// The workspace did not take a decision or the sign-off. When another
/// process held the lock, the prompt comes back with the text as typed,
/// so Enter tries again and nothing is typed twice.
pub fn not_saved(app: &mut App, not_saved: NotSaved) {
    let NotSaved {
        retry,
        message,
        busy,
    } = not_saved;
    if !busy {
        app.error(message);
        return;
    }
    match retry {
        Retry::Decision {
            pending,
            justification: Some(text),
        } => {
            app.overlay = Some(Overlay::Justify {
                pending,
                editor: Editor::with_text(&text),
                why: "Not saved yet: Enter tries again.".to_owned(),
            });
            app.error(format!("{message}; Enter tries again, Esc cancels"));
        }
        Retry::Decision {
            justification: None,
            ..
        } => app.error(format!("{message}; press the key again to retry")),
        Retry::SignOff { statement } => {
            app.overlay = Some(Overlay::Statement {
                editor: Editor::with_text(&statement),
            });
            app.error(format!("{message}; Enter tries again, Esc cancels"));
        }
    }
}
