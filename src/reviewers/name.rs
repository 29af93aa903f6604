//! How a reviewer name is read: control and invisible characters removed,
//! blanks trimmed, ASCII letter case folded (as holder keys are), and the
//! closest known names when it names nobody.

/// A name with the characters nobody can see taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub text: String,
    /// How many control or invisible characters were removed.
    pub removed: usize,
}

/// Removes control characters (C0, DEL, C1) and the invisible format
/// characters a pasted or crafted name can hide (zero-width space and
/// joiners, the byte order mark, bidirectional marks and overrides, soft
/// hyphen, word joiner, variation selectors, tag characters...), then trims.
/// `e0429\u{200B}@x` reads as `e0429@x`, the name it shows as.
pub fn clean(text: &str) -> Cleaned {
    let mut removed = 0;
    let kept: String = text
        .chars()
        .filter(|c| {
            let drop = is_hidden(*c);
            removed += usize::from(drop);
            !drop
        })
        .collect();
    Cleaned {
        text: kept.trim().to_owned(),
        removed,
    }
}

/// The form names are compared in: cleaned, trimmed, ASCII lower case.
pub fn fold(text: &str) -> String {
    let mut folded = clean(text).text;
    folded.make_ascii_lowercase();
    folded
}

/// Whether `c` is a control character or one that draws as nothing.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E007F}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// The edit distance (insertions, deletions, substitutions) between two
/// names, counted in characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Up to `limit` of `known` closest to `wanted` (both compared folded), the
/// nearest first: those within a third of the name's length in edits (at
/// least two), or that start with or contain what was typed.
pub fn closest<'a>(
    wanted: &str,
    known: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<String> {
    let wanted = fold(wanted);
    if wanted.is_empty() {
        return Vec::new();
    }
    let allowed = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, String)> = Vec::new();
    for name in known {
        let folded = fold(name);
        if folded.is_empty() || scored.iter().any(|(_, n)| fold(n) == folded) {
            continue;
        }
        let edits = distance(&wanted, &folded);
        let near = edits <= allowed
            || (wanted.chars().count() >= 3 && folded.contains(&wanted))
            || (folded.chars().count() >= 3 && wanted.contains(&folded));
        if near {
            scored.push((edits, name.trim().to_owned()));
        }
    }
    scored.sort();
    scored.into_iter().take(limit).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_are_removed_and_counted() {
        let read = clean("e0429\u{200B}@x");
        assert_eq!(read.text, "e0429@x");
        assert_eq!(read.removed, 1);
        for hidden in [
            '\u{200C}',
            '\u{200D}',
            '\u{FEFF}',
            '\u{202E}',
            '\u{00AD}',
            '\u{2060}',
            '\u{E0041}',
            '\u{1b}',
            '\u{7}',
            '\u{FE0F}',
        ] {
            let name = format!(" M{hidden}1 ");
            assert_eq!(clean(&name).text, "M1", "{hidden:?}");
            assert_eq!(fold(&name), "m1");
        }
        let plain = clean("Zoë Müller");
        assert_eq!((plain.text.as_str(), plain.removed), ("Zoë Müller", 0));
    }

    #[test]
    fn distances_count_edits() {
        assert_eq!(distance("alice", "alice"), 0);
        assert_eq!(distance("alcie", "alice"), 2);
        assert_eq!(distance("m1", "m12"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("größe", "grosse"), 3);
    }

    #[test]
    fn the_closest_names_come_first_and_far_ones_not_at_all() {
        let known = ["alice@x.example", "alicia", "bob", "E0429", "e0428"];
        assert_eq!(closest("alcia", known, 3), ["alicia"]);
        assert_eq!(closest("E0427", known, 3), ["E0429", "e0428"]);
        assert_eq!(closest("alice", known, 3), ["alicia", "alice@x.example"]);
        assert!(closest("zzzzzz", known, 3).is_empty());
        assert!(closest("\u{200B}", known, 3).is_empty());
    }
}
