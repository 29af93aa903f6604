//! Text shaping for the views: imported text made safe, fitted to a width in
//! display columns (wide, emoji and combining characters included), and the
//! words and symbols every state is shown with.

use chrono::NaiveDate;
use unicode_width::UnicodeWidthChar;

use crate::model::{Decision, Signal, SignalSet, When};
use crate::text::for_display;

/// Imported text, control characters removed, cut to `width` columns with `…`.
pub fn fit(text: &str, width: usize) -> String {
    let clean = for_display(text);
    let total: usize = clean.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
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

/// Imported text made safe for the screen.
pub fn safe(text: &str) -> String {
    for_display(text).into_owned()
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

/// A short name of each signal for the table column.
pub fn signal_short(signal: Signal) -> &'static str {
    match signal {
        Signal::Orphaned => "orph",
        Signal::Terminated => "term",
        Signal::Dormant => "dorm",
        Signal::Unrotated => "unrot",
        Signal::Privileged => "priv",
        Signal::NoOwner => "noown",
        Signal::Expired => "exp",
        Signal::New => "new",
        Signal::Unmatched => "unmat",
        Signal::Guest => "guest",
        Signal::PendingInvite => "invit",
        Signal::NoMfa => "nomfa",
        Signal::Secondary => "2nd",
        Signal::DeniedBefore => "denied",
        Signal::BreakGlass => "brkgl",
        Signal::Regranted => "regr",
        Signal::RevokedNotRemoved => "notrm",
        Signal::ExceptionExpired => "excexp",
        Signal::SodConflict => "sod",
        Signal::Outlier => "outl",
    }
}

pub fn signals_short(signals: SignalSet) -> String {
    signals
        .iter()
        .map(signal_short)
        .collect::<Vec<_>>()
        .join(" ")
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
    fn ages_are_counted_to_the_as_of_date() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert_eq!(dated(Some("2026-11-20"), as_of), "2026-11-20 (10 d ago)");
        assert_eq!(dated(Some("2026-12-05"), as_of), "2026-12-05 (in 5 d)");
        assert_eq!(dated(None, as_of), "—");
    }
}
