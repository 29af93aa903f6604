//! The detail pane: who holds the access (the person, the account and how
//! they were linked: `person`), what it is, its dates and ages, signals with
//! reasons, earlier reviews, the decision and its history, and the extra
//! columns.

use std::fmt::Write as _;

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::fmt::{dated, decision, safe};
use super::person;
use crate::campaign::ItemRecord;
use crate::tui::app::{App, Pane};
use crate::tui::layout::WIDE;

mod reviews;

use reviews::{assignee, disagreement, how};

const LABEL: usize = 11;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let borders = if area.width < WIDE && area.x == 0 && app.size.0 < WIDE {
        Borders::TOP
    } else {
        Borders::LEFT
    };
    let title = if app.review.focus == Pane::Detail {
        " Detail · j/k scroll · Tab back to the table "
    } else {
        " Detail · Tab to scroll "
    };
    let block = Block::new()
        .borders(borders)
        .border_style(app.theme.border)
        .title(title);
    let Some(item) = app.review.selected() else {
        block.render(area, buf);
        return;
    };
    let lines = lines(app, item);
    Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.review.detail_scroll, 0))
        .render(area, buf);
}

pub(super) fn field(app: &App, label: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$}"), app.theme.dim),
        Span::raw(value),
    ])
}

fn opt(value: Option<&String>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| safe(v))
}

fn lines(app: &App, item: &ItemRecord) -> Vec<Line<'static>> {
    let as_of = NaiveDate::parse_from_str(&app.campaign.as_of, "%Y-%m-%d").ok();
    let mut lines = Vec::new();
    lines.push(field(
        app,
        "Item",
        format!("#{} under control {}", item.item_id, item.control_id),
    ));
    identity(app, item, as_of, &mut lines);
    grant(app, item, as_of, &mut lines);
    signals(app, item, &mut lines);
    pairs(app, item, &mut lines);
    if let Some(detail) = app.review.detail() {
        person::review_lines(app, detail, &mut lines);
    }
    super::cycle::detail_lines(app, item, &mut lines);
    decision_lines(app, item, &mut lines);
    attributes(
        app,
        "Identity +",
        item.identity_attributes.as_deref(),
        &mut lines,
    );
    attributes(app, "Grant +", item.grant_attributes.as_deref(), &mut lines);
    lines
}

/// Who holds the access.
fn identity(
    app: &App,
    item: &ItemRecord,
    as_of: Option<NaiveDate>,
    lines: &mut Vec<Line<'static>>,
) {
    match &item.identity_kind {
        None => {
            lines.push(field(
                app,
                "Identity",
                format!(
                    "{} — matches no identity (orphaned grant)",
                    safe(&item.identity_id)
                ),
            ));
            person::account_lines(app, item, lines);
        }
        Some(kind) => {
            let name = item.identity_name.as_deref().map(safe).unwrap_or_default();
            lines.push(field(
                app,
                "Identity",
                format!(
                    "{name} ({}) · {kind} · {}",
                    safe(&item.identity_id),
                    item.identity_status.map_or("—", |s| s.as_str())
                ),
            ));
            person::account_lines(app, item, lines);
            if kind.is_non_human() {
                lines.push(field(app, "Owner", person(app, item.owner_id.as_deref())));
            } else {
                lines.push(field(
                    app,
                    "Manager",
                    person(app, item.manager_id.as_deref()),
                ));
            }
            lines.push(field(
                app,
                "Department",
                format!(
                    "{} · {}",
                    opt(item.department.as_ref()),
                    opt(item.identity_email.as_ref())
                ),
            ));
            lines.push(field(
                app,
                "Last login",
                dated(item.last_login_at.as_deref(), as_of),
            ));
            if item.termination_date.is_some() {
                lines.push(field(
                    app,
                    "Terminated",
                    dated(item.termination_date.as_deref(), as_of),
                ));
            }
        }
    }
}

/// What the access is, and its dates.
fn grant(app: &App, item: &ItemRecord, as_of: Option<NaiveDate>, lines: &mut Vec<Line<'static>>) {
    let privileged = if item.privileged {
        " · PRIVILEGED"
    } else {
        ""
    };
    lines.push(field(
        app,
        "Grant",
        format!(
            "{} · {} · {}{privileged}",
            safe(&item.system),
            safe(&item.entitlement),
            item.entitlement_type
        ),
    ));
    if let Some(owner) = &item.system_owner {
        let criticality = item.system_criticality.map_or("unknown", |c| c.as_str());
        lines.push(field(
            app,
            "System",
            format!(
                "owner {} · criticality {}",
                person(app, Some(owner)),
                safe(criticality)
            ),
        ));
    }
    lines.push(field(
        app,
        "Granted",
        dated(item.granted_at.as_deref(), as_of),
    ));
    lines.push(field(
        app,
        "Last used",
        dated(item.last_used_at.as_deref(), as_of),
    ));
    if item.last_rotated_at.is_some() || is_credential(item) {
        lines.push(field(
            app,
            "Rotated",
            dated(item.last_rotated_at.as_deref(), as_of),
        ));
    }
    if item.expires_at.is_some() {
        lines.push(field(
            app,
            "Expires",
            dated(item.expires_at.as_deref(), as_of),
        ));
    }
}

/// The recommendation, the decision and its history, and where the grant came from.
fn decision_lines(app: &App, item: &ItemRecord, lines: &mut Vec<Line<'static>>) {
    lines.push(field(
        app,
        "Recommend",
        format!(
            "{} — {}",
            item.recommendation,
            safe(&item.recommendation_reason)
        ),
    ));
    lines.push(field(
        app,
        "Reviewer",
        person(app, Some(&item.assigned_reviewer)),
    ));
    let mut decided = decision(item.decision).to_owned();
    if let (Some(by), Some(at)) = (item.decided_by(), &item.decided_at) {
        let _ = write!(decided, " by {} at {}", safe(&by), safe(at));
    }
    if item.decision.is_some() && item.decision_basis.as_deref() == Some("close-out") {
        decided.push_str(" — by close-out (recert close), not a reviewer's decision");
    }
    if let (Some(_), Some(first)) = (item.decision, &item.first_review_by) {
        let _ = write!(
            decided,
            ", agreeing with the first review by {}",
            safe(first)
        );
    }
    if let (Some(first), Some(by)) = (item.awaiting_second_review, &item.first_review_by) {
        decided = format!(
            "◐ awaiting a second review: the first review says {first} ({}); a different reviewer decides",
            safe(by)
        );
    }
    lines.push(field(app, "Decision", decided));
    if let Some(why) = &item.justification {
        lines.push(field(app, "Why", safe(why)));
    }
    disagreement(app, item, lines);
    super::cycle::decision_lines(app, item, lines);
    history(app, item, lines);
    lines.push(field(
        app,
        "Source",
        format!(
            "{} line {} · sha256 {}",
            safe(&item.source_file),
            item.source_line,
            &item.source_sha256[..item.source_sha256.len().min(12)]
        ),
    ));
}

fn is_credential(item: &ItemRecord) -> bool {
    item.entitlement_type.is_credential()
}

fn signals(app: &App, item: &ItemRecord, lines: &mut Vec<Line<'static>>) {
    if item.signals.is_empty() {
        lines.push(field(app, "Signals", "none".to_owned()));
        return;
    }
    for (i, signal) in item.signals.iter().enumerate() {
        let reason = item.reasons.get(i).map(|r| safe(r)).unwrap_or_default();
        let marker = if signal.is_risk() { "!" } else { "+" };
        let label = if i == 0 { "Signals" } else { "" };
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<LABEL$}"), app.theme.dim),
            Span::styled(format!("{marker} {}: ", signal.as_str()), app.theme.risk),
            Span::raw(reason),
        ]));
    }
}

/// The toxic combinations the item is one half of: the other item, its
/// grant, the rule, and whether revoking either has resolved it.
fn pairs(app: &App, item: &ItemRecord, lines: &mut Vec<Line<'static>>) {
    let Some(detail) = app.review.detail() else {
        return;
    };
    // The hint goes on the first line of the item `p` goes to next.
    let others = crate::tui::pair_walk::other_items(&detail.conflicts);
    let next = app
        .pair_walk
        .peek(detail.item, &others)
        .map(|jump| others[jump.index]);
    let hinted = next.and_then(|item| detail.conflicts.iter().position(|c| c.item_id == item));
    for (i, conflict) in detail.conflicts.iter().enumerate() {
        let state = if conflict.other_decision.as_deref() == Some("revoke") {
            format!("resolved: #{} revoked", conflict.item_id)
        } else if item.decision == Some(crate::model::Decision::Revoke) {
            "resolved: this item revoked".to_owned()
        } else {
            "open: revoking either resolves it".to_owned()
        };
        let rule = match &conflict.description {
            Some(description) => format!("{} ({})", safe(&conflict.rule), safe(description)),
            None => safe(&conflict.rule),
        };
        let hint = if hinted == Some(i) {
            " · p jumps to it"
        } else {
            ""
        };
        lines.push(field(
            app,
            if i == 0 { "Pair" } else { "" },
            format!(
                "#{} {} · {} · {} (control {}) · {rule} · {state}{hint}",
                conflict.item_id,
                safe(&conflict.account),
                safe(&conflict.system),
                safe(&conflict.entitlement),
                safe(&conflict.control_id),
            ),
        ));
    }
}

/// `Mia Manager (M1)`: a person named by id, with their name once the
/// detail is read and the id names an imported identity.
fn person(app: &App, id: Option<&str>) -> String {
    let Some(id) = id else {
        return "—".to_owned();
    };
    match app.review.detail().and_then(|d| d.name(id)) {
        Some(name) => format!("{} ({})", safe(name), safe(id)),
        None => safe(id),
    }
}

fn history(app: &App, item: &ItemRecord, lines: &mut Vec<Line<'static>>) {
    let Some(detail) = app.review.detail() else {
        return;
    };
    if detail.item != item.item_id {
        return;
    }
    for (i, event) in detail.history.iter().enumerate() {
        let label = if i == 0 { "History" } else { "" };
        let why = event
            .justification
            .as_deref()
            .map(|j| format!(": {}", safe(j)))
            .unwrap_or_default();
        lines.push(field(
            app,
            label,
            format!(
                "{} {}{} by {}{}{why}",
                safe(&event.decided_at),
                event.action,
                assignee(event),
                safe(&event.reviewer),
                how(event)
            ),
        ));
    }
    if detail.history.is_empty() && item.decision.is_none() {
        lines.push(field(app, "History", "no decision yet".to_owned()));
    }
}

fn attributes(app: &App, label: &str, json: Option<&str>, lines: &mut Vec<Line<'static>>) {
    let Some(json) = json else { return };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return;
    };
    for (i, (key, value)) in map.iter().enumerate() {
        let value = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let label = if i == 0 { label } else { "" };
        lines.push(field(
            app,
            label,
            format!("{}: {}", safe(key), safe(&value)),
        ));
    }
}

/// How far the detail pane can scroll at the current size: its wrapped
/// height minus what fits on screen.
pub fn max_scroll(app: &App) -> u16 {
    let Some(item) = app.review.selected() else {
        return 0;
    };
    let area = crate::tui::layout::control(Rect::new(0, 0, app.size.0, app.size.1)).detail;
    let (inner_width, inner_height) = if area.width < WIDE && app.size.0 < WIDE {
        (area.width, area.height.saturating_sub(1))
    } else {
        (area.width.saturating_sub(1), area.height)
    };
    let wrapped = Paragraph::new(lines(app, item))
        .wrap(Wrap { trim: false })
        .line_count(inner_width.max(1));
    u16::try_from(wrapped.saturating_sub(usize::from(inner_height))).unwrap_or(u16::MAX)
}
