//! What is wrong with an input file, said so a person can fix it.

use std::fmt;

use crate::text::{for_display, for_display_lines};

/// How many problems are listed before the rest are only counted.
pub const MAX_LISTED: usize = 50;

/// One thing wrong with one place in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line; 0 when the problem is about the whole file.
    pub line: u64,
    /// 1-based column and its header name, when one cell is at fault.
    pub column: Option<(usize, String)>,
    /// What was found and what was expected instead.
    pub message: String,
}

impl fmt::Display for Problem {
    /// File names, header names and messages may quote the hostile file
    /// itself, so every part is stripped of control characters here, once;
    /// only the line breaks recert put in a message are kept.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", for_display(&self.file))?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some((number, name)) = &self.column {
            write!(f, ": column {number} ({})", for_display(name))?;
        }
        // A message may span lines (the unknown-header help); whatever it
        // quotes from the file was put on one line where it was composed.
        write!(f, ": {}", for_display_lines(&self.message))
    }
}

/// The problems found in one import, all files together.
#[derive(Debug, Default)]
pub struct Problems {
    listed: Vec<Problem>,
    total: usize,
}

impl Problems {
    pub fn push(&mut self, problem: Problem) {
        self.total += 1;
        if self.listed.len() < MAX_LISTED {
            self.listed.push(problem);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub fn total(&self) -> usize {
        self.total
    }

    pub fn listed(&self) -> &[Problem] {
        &self.listed
    }
}

/// Shows a found value briefly and unambiguously, whatever it holds.
pub fn quote(value: &str) -> String {
    const LIMIT: usize = 60;
    let shown: String = value.chars().take(LIMIT).collect();
    let ellipsis = if value.chars().count() > LIMIT {
        "…"
    } else {
        ""
    };
    format!("{shown:?}{ellipsis}")
}

/// The error an import returns when any file had problems: nothing was written.
#[derive(Debug)]
pub struct Rejected(pub Problems);

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problems = &self.0;
        let noun = if problems.total() == 1 {
            "problem"
        } else {
            "problems"
        };
        writeln!(
            f,
            "import rejected, the workspace is unchanged: {} {noun} found",
            problems.total()
        )?;
        for problem in problems.listed() {
            writeln!(f, "  {problem}")?;
        }
        let unlisted = problems.total() - problems.listed().len();
        if unlisted > 0 {
            writeln!(f, "  … and {unlisted} more")?;
        }
        write!(f, "Fix the file(s) and run the same import again.")
    }
}

impl std::error::Error for Rejected {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_problem_names_file_line_and_column() {
        let problem = Problem {
            file: "identities.csv".into(),
            line: 14,
            column: Some((6, "status".into())),
            message: "found \"leaver\", expected one of active, disabled, terminated".into(),
        };
        assert_eq!(
            problem.to_string(),
            "identities.csv:14: column 6 (status): found \"leaver\", expected one of active, disabled, terminated"
        );
    }

    #[test]
    fn only_the_first_problems_are_listed_but_all_are_counted() {
        let mut problems = Problems::default();
        for line in 1..=(MAX_LISTED as u64 + 5) {
            problems.push(Problem {
                file: "f.csv".into(),
                line,
                column: None,
                message: "bad".into(),
            });
        }
        let text = Rejected(problems).to_string();
        assert!(text.contains("55 problems found"), "{text}");
        assert!(text.contains("… and 5 more"), "{text}");
    }

    #[test]
    fn long_values_are_cut_and_escaped() {
        assert_eq!(quote("a\u{1b}b"), "\"a\\u{1b}b\"");
        assert!(quote(&"x".repeat(100)).ends_with('…'));
    }
}
