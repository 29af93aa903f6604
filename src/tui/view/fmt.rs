//! Text shaping for the views: imported text made safe, fitted to a width in
//! display columns (wide, emoji and combining characters included), and the
//! words and symbols every state is shown with.

use std::fmt::Write as _;

use chrono::NaiveDate;
use unicode_width::UnicodeWidthChar;

use crate::campaign::PriorDecision;
use crate::model::{Decision, Delta, Signal, SignalSet, When};
use crate::text::for_display;

/// The first `chars` characters of `text`, and whether there was more.
/// Only what can be shown is ever cleaned and measured, so a 50 MB value
/// costs no more to draw than a short one.
fn head(text: &str, chars: usize) -> (&str, bool) {
    match text.char_indices().nth(chars) {
        Some((at, _)) => (&text[..at], true),
        None => (text, false),
    }
}

/// Imported text, control characters removed, cut to `width` columns with `…`.
pub fn fit(text: &str, width: usize) -> String {
    // Wide characters take two columns and combining marks none: four
    // characters per column is plenty for any real text.
    let (text, more) = head(text, width.saturating_mul(4).saturating_add(16));
    let clean = for_display(text);
    let total: usize = clean.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width && !more {
        return clean.into_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in clean.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// The most characters of one imported value the detail pane shows.
pub const SHOWN_CHARS: usize = 1_000;

/// Imported text made safe for the screen, and cut after
/// [`SHOWN_CHARS`] characters with a note that the rest is kept: a huge
/// cell must not stall every redraw, and the evidence still has all of it.
pub fn safe(text: &str) -> String {
    let (shown, more) = head(text, SHOWN_CHARS);
    let mut out = for_display(shown).into_owned();
    if more {
        let _ = write!(
            out,
            "… (cut here for the screen: {} bytes in all, kept whole for the evidence)",
            text.len()
        );
    }
    out
}

/// Like [`fit`], but a namespaced system name (`aws:111122223333`,
/// `github:northwind`) is cut in the middle: such names often differ only
/// at the end, so the part up to the `:` and as much of the end as fits are
/// kept (`aws:…3333`). Other names are cut at the end.
pub fn fit_middle(text: &str, width: usize) -> String {
    let (shown, more) = head(text, width.saturating_mul(4).saturating_add(16));
    let clean = for_display(shown);
    if self::width(&clean) <= width && !more {
        return clean.into_owned();
    }
    let chars: Vec<char> = clean.chars().collect();
    let lead = match chars.iter().position(|c| *c == ':') {
        Some(colon) if !more && colon + 3 < width => colon + 1,
        _ => return fit(text, width),
    };
    let start: String = chars[..lead].iter().collect();
    let room = width.saturating_sub(self::width(&start) + 1);
    let mut end: Vec<char> = Vec::new();
    let mut used = 0;
    for c in chars[lead..].iter().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        end.push(*c);
    }
    end.reverse();
    format!("{start}…{}", end.into_iter().collect::<String>())
}

/// The first of `candidates` (longest first) that fits `width` columns,
/// else the last one cut to fit: a line says less before it is cut.
pub fn first_fitting(candidates: &[String], width: usize) -> String {
    candidates
        .iter()
        .find(|c| self::width(c) <= width)
        .cloned()
        .unwrap_or_else(|| fit(candidates.last().map_or("", String::as_str), width))
}

/// Word-wraps plain text (not imported: help and legends) to `width` columns.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = usize::from(!line.is_empty()) + self::width(word);
        if !line.is_empty() && self::width(&line) + needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// Display width of text in terminal columns.
pub fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// A decision as symbol and word, readable without colour.
pub fn decision(decision: Option<Decision>) -> &'static str {
    match decision {
        Some(Decision::Certify) => "✓ certify",
        Some(Decision::Revoke) => "✗ revoke",
        None => "· undecided",
    }
}

/// An item's decision cell: the decision, marked when a close-out made it
/// rather than a reviewer, or the first review awaiting a second one.
pub fn decision_cell(item: &crate::campaign::ItemRecord) -> &'static str {
    let close_out = item.decision_basis.as_deref() == Some("close-out");
    match (item.decision, item.awaiting_second_review) {
        (Some(Decision::Certify), _) if close_out => "✓ close-out",
        (Some(Decision::Revoke), _) if close_out => "✗ close-out",
        (None, Some(_)) => "◐ await 2nd",
        (decided, _) => decision(decided),
    }
}

/// How an item compares with the baseline, in six columns: `new`, or the
/// change (`same`, `chg`, `back` for a grant the baseline revoked) and the
/// baseline's decision as a symbol, e.g. `same ✓`.
pub fn before(delta: Option<Delta>, prior: Option<&PriorDecision>) -> String {
    let change = match delta {
        None => return String::new(),
        Some(Delta::New) => return "new".to_owned(),
        Some(Delta::Unchanged) => "same",
        Some(Delta::Changed) => "chg",
        Some(Delta::Regranted) => "back",
    };
    match prior.map(|p| p.decision) {
        Some(Decision::Certify) => format!("{change} ✓"),
        Some(Decision::Revoke) => format!("{change} ✗"),
        None => change.to_owned(),
    }
}

/// The most columns a signal's abbreviation takes.
pub const SHORT_MAX: usize = 7;

/// Each signal's abbreviation for narrow places (the table's column, the
/// overview at 80 columns): at most [`SHORT_MAX`] columns, a readable start
/// of the word, unique; the `?` help lists them all. A new signal does not
/// compile until it has one here (and a meaning below).
pub fn signal_short(signal: Signal) -> &'static str {
    match signal {
        Signal::Orphaned => "orphan",
        Signal::Terminated => "term",
        Signal::Dormant => "dorm",
        Signal::Unrotated => "unrot",
        Signal::Privileged => "priv",
        Signal::NoOwner => "no-own",
        Signal::Expired => "expired",
        Signal::New => "new",
        Signal::Unmatched => "unmatch",
        Signal::Guest => "guest",
        Signal::PendingInvite => "invite",
        Signal::NoMfa => "no-mfa",
        Signal::Secondary => "second",
        Signal::DeniedBefore => "denied",
        Signal::BreakGlass => "b-glass",
        Signal::Regranted => "regrant",
        Signal::RevokedNotRemoved => "notgone",
        Signal::ExceptionExpired => "exc-exp",
        Signal::SodConflict => "sod",
        Signal::Outlier => "outlier",
    }
}

/// What a signal means, for the legend in the help.
pub fn signal_meaning(signal: Signal) -> &'static str {
    match signal {
        Signal::Orphaned => "no imported identity holds this grant",
        Signal::Terminated => "the holder has left (terminated)",
        Signal::Dormant => "not used for the campaign's threshold, or never used",
        Signal::Unrotated => "a credential not rotated within the threshold, or never",
        Signal::Privileged => "privileged access",
        Signal::NoOwner => "a non-human identity without an active owner",
        Signal::Expired => "past its expiry date",
        Signal::New => "granted in the last 30 days (not a risk)",
        Signal::Unmatched => "a human account no HR person matches",
        Signal::Guest => "an external or invited (guest) account",
        Signal::PendingInvite => "an invitation or activation not yet accepted",
        Signal::NoMfa => "console or password access without MFA",
        Signal::Secondary => "a secondary (admin) account of the person",
        Signal::DeniedBefore => "an earlier review denied it, and it is still there",
        Signal::BreakGlass => "a break-glass account: certify with its last test",
        Signal::Regranted => "revoked last time, granted again",
        Signal::RevokedNotRemoved => "revoked last time, still not removed",
        Signal::ExceptionExpired => "a time-boxed certification that has ended",
        Signal::SodConflict => "one of a pair that must not be held together",
        Signal::Outlier => "few of the holder's peers have this access",
    }
}

/// The abbreviations as a Markdown table, for the README.
pub fn legend_markdown() -> String {
    let mut out = String::from("| abbreviation | signal | meaning |\n|---|---|---|\n");
    for signal in Signal::ALL {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            signal_short(*signal),
            signal.as_str(),
            signal_meaning(*signal)
        );
    }
    out
}

/// A row's signals abbreviated into `width` columns: as many as fit, and
/// `+N` for the rest, so a cut list never looks complete.
pub fn signals_short(signals: SignalSet, width: usize) -> String {
    let names: Vec<&str> = signals.iter().map(signal_short).collect();
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        let left = names.len() - i - 1;
        let more = if left > 0 {
            format!(" +{left}")
        } else {
            String::new()
        };
        let sep = usize::from(!out.is_empty());
        if self::width(&out) + sep + self::width(name) + self::width(&more) > width {
            let rest = names.len() - i;
            if !out.is_empty() {
                out.push(' ');
            }
            let _ = write!(out, "+{rest}");
            return out;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(name);
    }
    out
}

/// Signal counts such as `dormant 3 · expired 1` in `width` columns: full
/// names when they fit, else abbreviations, else as many as fit and
/// `+N more`.
pub fn signal_counts(counts: &[(Signal, u64)], width: usize) -> String {
    let full: Vec<String> = counts
        .iter()
        .map(|(s, n)| format!("{} {n}", s.as_str()))
        .collect();
    let short: Vec<String> = counts
        .iter()
        .map(|(s, n)| format!("{} {n}", signal_short(*s)))
        .collect();
    let joined = full.join(" · ");
    if self::width(&joined) <= width {
        return joined;
    }
    let mut out = String::new();
    for (i, part) in short.iter().enumerate() {
        let left = short.len() - i - 1;
        let more = if left > 0 {
            format!(" · +{left} more")
        } else {
            String::new()
        };
        let sep = if out.is_empty() { 0 } else { 3 };
        if self::width(&out) + sep + self::width(part) + self::width(&more) > width {
            let rest = short.len() - i;
            let tail = format!("+{rest} more");
            if out.is_empty() {
                return fit(&tail, width);
            }
            return format!("{out} · {tail}");
        }
        if sep > 0 {
            out.push_str(" · ");
        }
        out.push_str(part);
    }
    out
}

/// A short identity kind for the table; `?` for an orphaned grant.
pub fn kind_short(kind: Option<&str>) -> &str {
    match kind {
        None => "?",
        Some("service") => "svc",
        Some("workload") => "wkld",
        Some("external") => "ext",
        Some(other) => other,
    }
}

/// A stored date with its age in days as of `as_of`, e.g. `2026-05-01 (213 d ago)`.
pub fn dated(value: Option<&str>, as_of: Option<NaiveDate>) -> String {
    let Some(text) = value else {
        return "—".to_owned();
    };
    let shown = safe(text);
    let (Some(when), Some(as_of)) = (When::parse_stored(text), as_of) else {
        return shown;
    };
    let days = (as_of - when.date()).num_days();
    match days {
        0 => format!("{shown} (same day)"),
        d if d > 0 => format!("{shown} ({d} d ago)"),
        d => format!("{shown} (in {} d)", -d),
    }
}

/// A bar of `width` cells, `done` of `total` filled: readable without colour.
pub fn bar(done: u64, total: u64, width: usize) -> (String, String) {
    let filled = if total == 0 {
        0
    } else {
        usize::try_from(u128::from(done) * width as u128 / u128::from(total)).unwrap_or(width)
    };
    ("█".repeat(filled), "░".repeat(width - filled.min(width)))
}

/// `12%`, rounded down so 100% means everything.
pub fn percent(done: u64, total: u64) -> String {
    if total == 0 {
        return "—".to_owned();
    }
    format!("{}%", done * 100 / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_counts_columns_not_characters() {
        assert_eq!(fit("王芳 Wang", 5), "王芳…");
        assert_eq!(width(&fit("王芳 Wang", 5)), 5);
        assert_eq!(fit("Zoë", 3), "Zoë");
        assert_eq!(fit("ok\u{1b}[31m", 10), "ok[31m");
    }

    #[test]
    fn a_huge_value_is_cut_with_a_note_and_fitted_without_reading_it_all() {
        let huge = "界".repeat(5_000_000);
        let start = std::time::Instant::now();
        let fitted = fit(&huge, 10);
        assert!(width(&fitted) <= 10 && fitted.ends_with('…'), "{fitted}");
        let shown = safe(&huge);
        assert!(
            shown.starts_with(&"界".repeat(SHOWN_CHARS)),
            "{}",
            &shown[..40]
        );
        assert!(
            shown.ends_with(
                "(cut here for the screen: 15000000 bytes in all, kept whole for the evidence)"
            ),
            "{}",
            &shown[shown.len() - 120..]
        );
        assert!(
            start.elapsed() < std::time::Duration::from_millis(50),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn system_names_keep_their_distinguishing_end() {
        assert_eq!(fit_middle("aws:111122223333", 9), "aws:…3333");
        assert_eq!(fit_middle("aws:444455556666", 9), "aws:…6666");
        assert_eq!(fit_middle("datadog", 9), "datadog");
        assert_eq!(fit_middle("github:northwind-eng", 12), "github:…-eng");
        assert_eq!(
            fit_middle("prod-postgres", 8),
            "prod-po…",
            "no namespace: cut at the end"
        );
    }

    #[test]
    fn signal_abbreviations_are_short_unique_and_counted_when_cut() {
        let mut seen = std::collections::HashSet::new();
        for signal in Signal::ALL {
            let short = signal_short(*signal);
            assert!(width(short) <= SHORT_MAX, "{short}");
            assert!(seen.insert(short), "{short} twice");
            assert!(!signal_meaning(*signal).is_empty());
        }
        let three: SignalSet = [Signal::Terminated, Signal::Dormant, Signal::Privileged]
            .into_iter()
            .collect();
        assert_eq!(signals_short(three, 20), "term dorm priv");
        assert_eq!(signals_short(three, 12), "term dorm +1");
        assert_eq!(signals_short(three, 7), "term +2");
        assert_eq!(signals_short(three, 6), "+3");
        let counts = [
            (Signal::Orphaned, 13),
            (Signal::Terminated, 64),
            (Signal::Dormant, 48),
            (Signal::Unrotated, 3),
            (Signal::Privileged, 1),
            (Signal::Expired, 2),
        ];
        assert_eq!(
            signal_counts(&counts, 76),
            "orphan 13 · term 64 · dorm 48 · unrot 3 · priv 1 · expired 2"
        );
        assert_eq!(
            signal_counts(&counts, 40),
            "orphan 13 · term 64 · dorm 48 · +3 more"
        );
    }

    #[test]
    fn readme_lists_the_signal_abbreviations() {
        let readme = include_str!("../../../README.md");
        assert!(
            readme.contains(&legend_markdown()),
            "README's signal abbreviations are out of date; paste this under \"Reviewing\":\n{}",
            legend_markdown()
        );
    }

    #[test]
    fn help_text_wraps_at_spaces() {
        assert_eq!(
            wrap("quit at once (every decision is saved)", 16),
            ["quit at once", "(every decision", "is saved)"]
        );
    }

    #[test]
    fn ages_are_counted_to_the_as_of_date() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert_eq!(dated(Some("2026-11-20"), as_of), "2026-11-20 (10 d ago)");
        assert_eq!(dated(Some("2026-12-05"), as_of), "2026-12-05 (in 5 d)");
        assert_eq!(dated(None, as_of), "—");
    }
}
