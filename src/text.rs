//! Making untrusted text safe: for the screen (no control characters) and for
//! spreadsheets (no formulas).

use std::borrow::Cow;

/// Removes control characters (C0, DEL, C1) and bidirectional overrides from
/// text taken from imported data, so it can never move the cursor, retitle or
/// reprogram the terminal, or reorder what the reviewer reads. Tabs and
/// newlines become spaces so a value always stays on its line.
pub fn for_display(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_cleaning) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\t' | '\n' | '\r' => Some(' '),
                c if needs_cleaning(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

fn needs_cleaning(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Unicode bidirectional embedding, override and isolate controls (the
/// "Trojan Source" characters) and the invisible direction marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Prefixes `'` to a cell a spreadsheet would run as a formula: one that
/// starts with `=`, `+`, `-`, `@`, tab or carriage return (PRODUCT.md §5).
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// `text` cut to at most `width` terminal columns, ending in `…` where it
/// was cut (wide characters and emoji count by their width).
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_with_an_ellipsis_by_display_width() {
        assert_eq!(fit("short", 10), "short");
        assert_eq!(fit("jane.doe@northwind.example", 10), "jane.doe@…");
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn escape_sequences_lose_their_escape() {
        let hostile = "Mallory\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m";
        assert_eq!(for_display(hostile), "Mallory]0;owned[2J31m");
    }

    #[test]
    fn bidi_overrides_are_removed_and_newlines_flattened() {
        assert_eq!(
            for_display("admin\u{202E}txt.exe\nnext"),
            "admintxt.exe next"
        );
    }

    #[test]
    fn clean_text_is_borrowed_untouched() {
        assert!(matches!(for_display("Zoë Müller 👩‍💻"), Cow::Borrowed(_)));
    }

    #[test]
    fn formulas_are_neutralised() {
        for cell in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_formula(cell), format!("'{cell}"));
        }
        assert_eq!(neutralise_formula("plain"), "plain");
        assert_eq!(neutralise_formula(""), "");
    }
}
