//! A file's header row: its names, a case-insensitive index, and the checks
//! that make every column name unambiguous before any row is read.

use std::collections::HashMap;

use crate::text::for_display;

/// The most columns a file may have. Real exports have dozens; a header of
/// thousands is a mistake (or an attack), and is refused before any row
/// is read rather than stored as thousands of attributes per row.
pub const MAX_COLUMNS: usize = 4_096;

/// The header row: names as written, and a case-insensitive index.
#[derive(Debug, Clone)]
pub struct Header {
    pub names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Header {
    pub fn new(names: Vec<String>) -> Header {
        Header::with_aliases(names, &[])
    }

    /// A header whose columns can also be found under other names; an alias
    /// wins over a column of the same name (a mapping's `[columns]`).
    pub fn with_aliases(names: Vec<String>, aliases: &[(String, usize)]) -> Header {
        let mut index = HashMap::with_capacity(names.len() + aliases.len());
        for (alias, position) in aliases {
            index.entry(alias.to_lowercase()).or_insert(*position);
        }
        for (position, name) in names.iter().enumerate() {
            index.entry(name.to_lowercase()).or_insert(position);
        }
        Header { names, index }
    }

    /// The position of a column, matched case-insensitively.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(&name.to_lowercase()).copied()
    }

    pub fn has(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|name| self.has(name))
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Why the header cannot be read unambiguously: too many columns, or
    /// two columns whose names are equal once `key` folds them (columns
    /// are found by name, so the second would be silently ignored).
    /// Columns without a name are never looked up and may repeat.
    pub fn ambiguity(&self, key: fn(&str) -> String, rule: &str) -> Option<String> {
        if self.names.len() > MAX_COLUMNS {
            return Some(format!(
                "the header has {} columns; recert reads at most {MAX_COLUMNS}: check the delimiter is a comma, or remove the columns you do not need",
                self.names.len()
            ));
        }
        let mut first_seen: HashMap<String, usize> = HashMap::with_capacity(self.names.len());
        for (position, name) in self.names.iter().enumerate() {
            let folded = key(name);
            if folded.is_empty() {
                continue;
            }
            if let Some(&earlier) = first_seen.get(&folded) {
                return Some(format!(
                    "columns {} ({}) and {} ({}) have the same name {rule}, so recert cannot tell which to read; rename or remove one of them",
                    earlier + 1,
                    shown(&self.names[earlier]),
                    position + 1,
                    shown(name),
                ));
            }
            first_seen.insert(folded, position);
        }
        None
    }
}

/// The fold the canonical layouts and mapping files match names with.
pub fn ignoring_case(name: &str) -> String {
    name.trim().to_lowercase()
}

/// A header name in a message: on one line, without control characters.
fn shown(name: &str) -> String {
    format!("\"{}\"", for_display(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Header {
        Header::new(names.iter().map(|n| (*n).to_owned()).collect())
    }

    #[test]
    fn header_is_matched_case_insensitively() {
        let header = header(&["Identity_ID", "Email"]);
        assert_eq!(header.position("identity_id"), Some(0));
        assert!(header.has_all(&["EMAIL", "identity_id"]));
    }

    #[test]
    fn names_equal_but_for_case_are_ambiguous() {
        let message = header(&["identity_id", "Email", "x", "EMAIL"])
            .ambiguity(ignoring_case, "ignoring case")
            .expect("refused");
        assert_eq!(
            message,
            "columns 2 (\"Email\") and 4 (\"EMAIL\") have the same name ignoring case, so recert cannot tell which to read; rename or remove one of them"
        );
    }

    #[test]
    fn unnamed_columns_may_repeat() {
        assert_eq!(
            header(&["identity_id", "", "", "name"]).ambiguity(ignoring_case, "ignoring case"),
            None
        );
    }

    #[test]
    fn more_columns_than_the_limit_are_refused() {
        let names: Vec<String> = (0..=MAX_COLUMNS).map(|i| format!("c{i}")).collect();
        let message = Header::new(names)
            .ambiguity(ignoring_case, "ignoring case")
            .expect("refused");
        assert!(
            message.starts_with("the header has 4097 columns; recert reads at most 4096"),
            "{message}"
        );
        let names: Vec<String> = (0..MAX_COLUMNS).map(|i| format!("c{i}")).collect();
        assert_eq!(
            Header::new(names).ambiguity(ignoring_case, "ignoring case"),
            None
        );
    }
}
