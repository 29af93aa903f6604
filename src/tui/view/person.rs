//! The detail pane's lines about whose access it is (PRODUCT.md §6): the
//! account as its export names it, how it was linked to the person (or why
//! it was not), what the link noted, why the holder is reviewed as its
//! kind, and the earlier reviews of that person under any of their keys.

use std::fmt::Write as _;

use ratatui::text::Line;

use super::detail::field;
use super::fmt::safe;
use crate::campaign::ItemRecord;
use crate::import::prior::LastReview;
use crate::model::IdentityKind;
use crate::tui::app::{App, Detail};

/// `Account`, `Link note` and `Kind` lines, after the identity's. Items of
/// campaigns created before identity correlation (no link recorded) show
/// an account line only when the export named the holder otherwise.
pub fn account_lines(app: &App, item: &ItemRecord, lines: &mut Vec<Line<'static>>) {
    let recorded = item.link_basis.is_some()
        || item.link_note.is_some()
        || item.account_row.is_some()
        || item.person_id.is_some();
    if !recorded
        && item
            .account
            .trim()
            .eq_ignore_ascii_case(item.identity_id.trim())
    {
        return;
    }
    let (words, note_used) = link_words(item);
    lines.push(field(
        app,
        "Account",
        format!("{} · {words}", safe(item.account.trim())),
    ));
    if let Some(note) = item.link_note.as_deref().filter(|_| !note_used) {
        lines.push(field(app, "Link note", safe(note)));
    }
    if let Some(why) = &item.kind_reason {
        lines.push(field(app, "Kind", safe(why)));
    }
}

/// The person, as the detail names them: `Sakura Yamamoto (E0412)`.
fn person(item: &ItemRecord) -> String {
    let id = safe(item.person_id.as_deref().unwrap_or(&item.identity_id));
    match item.identity_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => format!("{} ({id})", safe(name)),
        _ => id,
    }
}

/// How the account was linked, in words, and whether the link note is
/// already part of them (a manual link's who and why).
fn link_words(item: &ItemRecord) -> (String, bool) {
    let note = item.link_note.as_deref();
    let Some(basis) = item.link_basis.as_deref() else {
        return (unlinked_words(item), false);
    };
    let mut words = match basis {
        "manual" => {
            // The note reads "linked by REVIEWER on TIME: REASON".
            if let Some(rest) = note.and_then(|n| n.strip_prefix("linked ")) {
                return (format!("manual link {}", safe(rest)), true);
            }
            "manual link".to_owned()
        }
        "identity-id" => "linked by its identity id".to_owned(),
        "employee-id" => "linked by employee id".to_owned(),
        "email" => "linked by e-mail".to_owned(),
        "email-alias" => "linked by e-mail under a domain alias".to_owned(),
        "object-id" => "linked by Azure object id (its Entra user)".to_owned(),
        "okta-app" => "linked by an Okta application assignment".to_owned(),
        "account-name" => "linked by account name (the person's e-mail local part)".to_owned(),
        "secondary" => return (format!("secondary account of {}", person(item)), false),
        other => format!("linked ({})", safe(other)),
    };
    if item.secondary_account {
        let _ = write!(words, " · secondary account of {}", person(item));
    }
    (words, false)
}

fn unlinked_words(item: &ItemRecord) -> String {
    let note = item.link_note.as_deref().unwrap_or_default();
    if note.starts_with("ambiguous") {
        "not linked: it matches several persons (l on the overview links it)".to_owned()
    } else if note.starts_with("unlinked by") {
        "unlinked by hand".to_owned()
    } else if item.is_orphaned() {
        "no person and no directory account".to_owned()
    } else if item.identity_kind.is_some_and(IdentityKind::is_non_human) {
        // Service, bot, shared, resource and break-glass accounts have an
        // owner, not a person.
        format!(
            "a {} account, reviewed without a person",
            item.identity_kind.map_or("", IdentityKind::as_str)
        )
    } else {
        "no person matches it (l on the overview suggests one)".to_owned()
    }
}

/// One line per earlier review of the person (or account), those about the
/// item's own system or entitlement first: `Deny by Ren Yamamoto
/// 2026-05-18, 'No AWS access needed' · aws`.
/// The reviewer is named by display name where the campaign's identities
/// know their UPN or e-mail, else as the history wrote them.
pub fn review_lines(app: &App, detail: &Detail, lines: &mut Vec<Line<'static>>) {
    for (i, review) in detail.prior.iter().enumerate() {
        let label = if i == 0 { "Reviewed" } else { "" };
        lines.push(field(app, label, review_text(detail, review)));
    }
}

fn review_text(detail: &Detail, review: &LastReview) -> String {
    let mut text = safe(review.result.trim());
    if let Some(reviewer) = review.reviewer.as_deref().filter(|r| !r.trim().is_empty()) {
        let shown = detail.name(reviewer).unwrap_or(reviewer);
        let _ = write!(text, " by {}", safe(shown.trim()));
    }
    if let Some(at) = &review.reviewed_at {
        let _ = write!(text, " {}", safe(at.get(..10).unwrap_or(at)));
    }
    if let Some(why) = review
        .justification
        .as_deref()
        .filter(|j| !j.trim().is_empty())
    {
        let _ = write!(text, ", '{}'", safe(why.trim()));
    }
    let _ = write!(text, " · {}", safe(review.resource.trim()));
    if !review.same_resource {
        text.push_str(" (other access)");
    }
    text
}
