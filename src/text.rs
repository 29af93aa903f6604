//! Making untrusted text safe: for the screen (no control characters) and for
//! spreadsheets (no formulas).

use std::borrow::Cow;
use std::fmt::Display;

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

/// Like [`for_display`], but keeps line breaks (`\n`): for messages recert
/// composes over several lines, whose untrusted parts were already made
/// single-line with `for_display`.
pub fn for_display_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && needs_cleaning(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split('\n')
            .map(for_display)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// `text` as one POSIX shell word, for commands recert suggests: as it is
/// when it holds only safe characters, else in single quotes.
pub fn shell_word(text: &str) -> Cow<'_, str> {
    let plain = !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | '+' | ',' | ':' | '@')
        });
    if plain {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("'{}'", text.replace('\'', "'\\''")))
    }
}

fn needs_cleaning(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Unicode bidirectional embedding, override and isolate controls (the
/// "Trojan Source" characters) and the invisible direction marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `n` and the noun, in the plural unless `n` is one: `count(1, "row")` is
/// "1 row", `count(3, "decision event")` "3 decision events",
/// `count(0, "identity")` "0 identities".
pub fn count<N: Copy + Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    format!("{n} {}", noun_for(n, noun))
}

/// The noun alone, as [`count`] says it after `n`: for tables that align
/// the numbers in a column of their own.
pub fn noun_for<N: Copy + PartialEq + From<u8>>(n: N, noun: &str) -> Cow<'_, str> {
    if n == N::from(1) {
        Cow::Borrowed(noun)
    } else {
        Cow::Owned(plural(noun))
    }
}

/// The English plural of a noun (of its last word), by the regular rules.
fn plural(noun: &str) -> String {
    let consonant_y = noun.strip_suffix('y').filter(|stem| {
        stem.chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphabetic() && !"aeiou".contains(c))
    });
    if let Some(stem) = consonant_y {
        format!("{stem}ies")
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|end| noun.ends_with(end))
    {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
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
    fn lines_keep_their_breaks_and_lose_the_rest() {
        assert_eq!(
            for_display_lines("no campaign \u{1b}[2J\n  known: a\u{202E}b\r"),
            "no campaign [2J\n  known: ab "
        );
        assert!(matches!(for_display_lines("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn clean_text_is_borrowed_untouched() {
        assert!(matches!(for_display("Zoë Müller 👩‍💻"), Cow::Borrowed(_)));
    }

    #[test]
    fn line_breaks_can_be_kept_while_everything_else_is_cleaned() {
        assert_eq!(
            for_display_lines("first\u{1b}[2J\n    second\r\tthird"),
            "first[2J\n    second  third"
        );
        assert!(matches!(for_display_lines("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("data/hr-export.csv"), "data/hr-export.csv");
        assert_eq!(shell_word("my file.csv"), "'my file.csv'");
        assert_eq!(shell_word("it's.csv"), "'it'\\''s.csv'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn counts_say_one_thing_or_several_things() {
        assert_eq!(count(1_u64, "row"), "1 row");
        assert_eq!(count(0_usize, "row"), "0 rows");
        assert_eq!(count(2_i64, "decision event"), "2 decision events");
        assert_eq!(count(3_u32, "identity"), "3 identities");
        assert_eq!(count(2_u8, "key"), "2 keys");
        assert_eq!(count(2_u8, "match"), "2 matches");
        assert_eq!(count(1_u8, "campaign"), "1 campaign");
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
