//! Resolving the columns a reader needs from a header, once per file.

use super::problems::{Problem, Problems};
use super::source::{CsvFile, Row};
use super::values::{EXPECTED_BOOL, EXPECTED_DATE, parse_bool, parse_when};
use crate::model::{Attributes, When};
use crate::text::{for_display, shell_word};

/// Column positions for a list of canonical field names, plus the extra
/// columns that become attributes.
pub struct Columns {
    positions: Vec<Option<usize>>,
    extra: Vec<usize>,
}

impl Columns {
    /// Finds `fields` in the header. Missing `required` fields are reported
    /// as problems with the header line and the fix.
    pub fn resolve(
        file: &CsvFile,
        fields: &[&str],
        required: &[&str],
        problems: &mut Problems,
    ) -> Option<Columns> {
        let positions: Vec<Option<usize>> =
            fields.iter().map(|f| file.header.position(f)).collect();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|name| !file.header.has(name))
            .collect();
        if !missing.is_empty() {
            problems.push(Problem {
                file: file.name.clone(),
                line: file.header_line,
                column: None,
                message: format!(
                    "missing required column(s) {}; the header has: {}.\n    If the file is another layout (an HR export, say), recert writes a starting mapping from its header:\n        recert mapping init {name} > mapping.toml\n    then check it and import with: --mapping {name}=mapping.toml",
                    missing.join(", "),
                    // Header names go on one line, without control characters.
                    for_display(&file.header.names.join(", ")),
                    name = shell_word(&for_display(&file.name)),
                ),
            });
            return None;
        }
        let extra = (0..file.header.len())
            .filter(|index| !positions.contains(&Some(*index)))
            .filter(|index| !file.header.names[*index].is_empty())
            .collect();
        Some(Columns { positions, extra })
    }

    /// The position of the n-th field given to `resolve`.
    pub fn at(&self, field: usize) -> Option<usize> {
        self.positions[field]
    }

    /// Non-empty cells of the extra columns, in file order.
    pub fn attributes(&self, row: &Row<'_>) -> Attributes {
        self.extra
            .iter()
            .filter_map(|&index| {
                row.get(Some(index))
                    .map(|value| (row.file.header.names[index].clone(), value.to_owned()))
            })
            .collect()
    }
}

/// Typed access to one row's cells, reporting every bad value.
pub struct Cells<'r, 'a> {
    pub row: &'r Row<'a>,
    pub problems: &'r mut Problems,
    /// Extra date layouts (from a mapping file).
    pub date_formats: &'r [String],
}

impl Cells<'_, '_> {
    pub fn text(&self, column: Option<usize>) -> Option<String> {
        self.row.get(column).map(str::to_owned)
    }

    /// A required cell: an empty one is a problem.
    pub fn required(&mut self, column: Option<usize>, what: &str) -> Option<String> {
        let value = self.text(column);
        if value.is_none() {
            if let Some(column) = column {
                let problem = self
                    .row
                    .problem(column, format!("is empty; every row needs {what}"));
                self.problems.push(problem);
            }
        }
        value
    }

    pub fn date(&mut self, column: Option<usize>) -> Option<When> {
        let text = self.row.get(column)?;
        let parsed = parse_when(text, self.date_formats);
        if parsed.is_none() {
            let problem = self.bad(column, text, EXPECTED_DATE);
            self.problems.push(problem);
        }
        parsed
    }

    pub fn boolean(&mut self, column: Option<usize>, default: bool) -> bool {
        let Some(text) = self.row.get(column) else {
            return default;
        };
        parse_bool(text).unwrap_or_else(|| {
            let problem = self.bad(column, text, EXPECTED_BOOL);
            self.problems.push(problem);
            default
        })
    }

    /// A value of a closed vocabulary, `default` when empty; `expected` lists
    /// the vocabulary and is only called for a bad value.
    pub fn choice<T: Copy>(
        &mut self,
        column: Option<usize>,
        default: T,
        parse: fn(&str) -> Option<T>,
        expected: fn() -> String,
    ) -> T {
        let Some(text) = self.row.get(column) else {
            return default;
        };
        parse(text).unwrap_or_else(|| {
            let problem = self.bad(column, text, &format!("one of {}", expected()));
            self.problems.push(problem);
            default
        })
    }

    fn bad(&self, column: Option<usize>, found: &str, expected: &str) -> Problem {
        let message = format!(
            "found {}, expected {expected}",
            super::problems::quote(found)
        );
        match column {
            Some(column) => self.row.problem(column, message),
            None => self.row.row_problem(message),
        }
    }
}
