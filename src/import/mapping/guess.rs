//! `recert mapping init`: a starting mapping file guessed from an export's
//! header and values, with comments saying what was guessed and what was not.
//! Every guess is a line the reviewer can read and correct; what cannot be
//! guessed safely (a status word, an ambiguous date) is left commented out,
//! so the import refuses it loudly instead of reading it wrongly.

use std::collections::HashMap;
use std::fmt::Write;

use super::super::problems::Problems;
use super::super::source::CsvFile;
use super::super::values::parse_when;
use super::super::vendor::fields::normalise;
use super::vocabulary::{self, DATE_LAYOUTS, Kind, Synonyms};
use crate::text::{for_display, shell_word};

/// Values of a column listed under `[values.FIELD]`, at most.
const MAX_VALUES: usize = 60;
/// Dates sampled per column to choose layouts.
const MAX_DATES: usize = 500;

/// The mapping text for `file`, as `kind` or the kind its header suggests.
pub fn mapping_for(file: &CsvFile, kind: Option<&str>) -> Result<String, String> {
    let kind = match kind {
        Some(kind) => Kind::named(kind).ok_or_else(|| {
            format!("--kind {kind:?} is not one recert reads; expected identities, entitlements or systems")
        })?,
        None => guess_kind(&file.header.names),
    };
    let columns = guess_columns(&file.header.names, kind);
    let samples = sample(file, &columns);
    Ok(render(file, kind, &columns, &samples))
}

/// Which canonical file the header looks like: grants name an entitlement,
/// or a system and its user; systems a criticality, or a system without a
/// person's id; else identities.
fn guess_kind(names: &[String]) -> &'static Kind {
    let has =
        |kind: &str, field: &str| find(names, vocabulary::synonyms(kind, field), &[]).is_some();
    let name = if has("entitlements", "entitlement")
        || (has("entitlements", "system") && has("entitlements", "identity_id"))
    {
        "entitlements"
    } else if has("systems", "criticality")
        || (has("systems", "system") && !has("identities", "identity_id"))
    {
        "systems"
    } else {
        "identities"
    };
    Kind::named(name).unwrap_or(&vocabulary::KINDS[0])
}

/// Field → column position, each column used once, fields in file order of
/// priority (the required ones first).
fn guess_columns(names: &[String], kind: &Kind) -> Vec<(&'static str, Option<usize>)> {
    let mut used = Vec::new();
    let mut out = Vec::new();
    for field in kind.fields {
        let found = find(names, vocabulary::synonyms(kind.name, field), &used)
            .or_else(|| vocabulary::fuzzy(field, names, &used));
        if let Some(position) = found {
            used.push(position);
        }
        out.push((*field, found));
    }
    out
}

/// The first synonym (most likely first) naming an unused column.
fn find(names: &[String], synonyms: Synonyms, used: &[usize]) -> Option<usize> {
    let normalised: Vec<String> = names.iter().map(|n| normalise(n)).collect();
    synonyms.split_whitespace().find_map(|synonym| {
        normalised
            .iter()
            .enumerate()
            .find(|(position, name)| name.as_str() == synonym && !used.contains(position))
            .map(|(position, _)| position)
    })
}

/// What the rows hold in the columns whose values matter: distinct values
/// of vocabulary columns, date samples, and the number of rows.
struct Samples {
    rows: u64,
    distinct: HashMap<&'static str, Vec<String>>,
    more_values: HashMap<&'static str, bool>,
    dates: HashMap<&'static str, Vec<String>>,
}

fn sample(file: &CsvFile, columns: &[(&'static str, Option<usize>)]) -> Samples {
    let mut samples = Samples {
        rows: 0,
        distinct: HashMap::new(),
        more_values: HashMap::new(),
        dates: HashMap::new(),
    };
    let wanted: Vec<(&'static str, usize)> = columns
        .iter()
        .filter_map(|(field, position)| position.map(|p| (*field, p)))
        .filter(|(field, _)| vocabulary::has_values(field) || vocabulary::is_date(field))
        .collect();
    // Rows that cannot be read are the import's to report; here they only
    // do not count.
    let mut ignored = Problems::default();
    samples.rows = file.for_each_row(&mut ignored, |row, _| {
        for &(field, position) in &wanted {
            let Some(value) = row.get(Some(position)) else {
                continue;
            };
            if vocabulary::is_date(field) {
                let dates = samples.dates.entry(field).or_default();
                if dates.len() < MAX_DATES && parse_when(value, &[]).is_none() {
                    dates.push(value.to_owned());
                }
                continue;
            }
            let values = samples.distinct.entry(field).or_default();
            if values.iter().any(|v| v.eq_ignore_ascii_case(value)) {
                continue;
            }
            if values.len() < MAX_VALUES {
                values.push(value.to_owned());
            } else {
                samples.more_values.insert(field, true);
            }
        }
    });
    samples
}

fn render(
    file: &CsvFile,
    kind: &Kind,
    columns: &[(&'static str, Option<usize>)],
    samples: &Samples,
) -> String {
    let names = &file.header.names;
    let shown_file = for_display(&file.name);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# recert mapping for {}, guessed by `recert mapping init` from its header\n# and {}. Check every line, then import with\n#   recert import {file} --mapping {file}=THIS_FILE\n# (README: \"Mapping files\").",
        quoted(&shown_file),
        crate::text::count(samples.rows, "row"),
        file = shell_word(&shown_file),
    );
    let _ = writeln!(out, "kind = {}\n", quoted(kind.name));
    let _ = writeln!(
        out,
        "[columns]                      # canonical field = header in the file"
    );
    for (field, position) in columns {
        match position {
            Some(position) => {
                let _ = writeln!(out, "{field} = {}", quoted(&names[*position]));
            }
            None if kind.required.contains(field) => {
                let _ = writeln!(
                    out,
                    "# {field} = \"\"    # REQUIRED and not guessed: name the column that holds it"
                );
            }
            None => {}
        }
    }
    let mapped: Vec<usize> = columns.iter().filter_map(|(_, p)| *p).collect();
    let kept: Vec<String> = (0..names.len())
        .filter(|p| !mapped.contains(p) && !names[*p].is_empty())
        .map(|p| quoted(&names[p]))
        .collect();
    if !kept.is_empty() {
        let _ = writeln!(
            out,
            "# Not mapped, kept as attributes of each row: {}",
            kept.join(", ")
        );
    }
    render_constants(&mut out, kind, columns);
    for (field, _) in columns
        .iter()
        .filter(|(f, p)| p.is_some() && vocabulary::has_values(f))
    {
        if let Some(values) = samples.distinct.get(field) {
            render_values(
                &mut out,
                field,
                values,
                samples.more_values.contains_key(field),
            );
        }
    }
    render_dates(&mut out, columns, names, samples);
    out
}

fn render_constants(out: &mut String, kind: &Kind, columns: &[(&'static str, Option<usize>)]) {
    let missing = |field: &str| columns.iter().any(|(f, p)| *f == field && p.is_none());
    if kind.name == "identities" && missing("kind") {
        let _ = writeln!(
            out,
            "\n[constants]                    # fields the file lacks, same for every row\nkind = \"human\"                 # no column says what kind each identity is; map one if the file lists service accounts"
        );
    } else if kind.name == "entitlements" && missing("system") {
        let _ = writeln!(
            out,
            "\n[constants]                    # fields the file lacks, same for every row\n# system = \"\"    # REQUIRED and not guessed: the system this file lists, e.g. \"payroll\""
        );
    }
}

fn render_values(out: &mut String, field: &str, values: &[String], more: bool) {
    let _ = writeln!(
        out,
        "\n[values.{field}]                # file value = canonical value ({}); values not listed are read as they are",
        vocabulary::expected(field)
    );
    for value in values {
        match vocabulary::translate(field, value) {
            Some(canonical) => {
                let _ = writeln!(out, "{} = {}", quoted(value), quoted(canonical));
            }
            None => {
                let _ = writeln!(
                    out,
                    "# {} = \"\"    # not guessed: one of {}",
                    quoted(value),
                    vocabulary::expected(field)
                );
            }
        }
    }
    if more {
        let _ = writeln!(out, "# ... and more values than listed here");
    }
}

/// The layouts the non-ISO dates need, or comments where none fits or
/// day and month cannot be told apart.
fn render_dates(
    out: &mut String,
    columns: &[(&'static str, Option<usize>)],
    names: &[String],
    samples: &Samples,
) {
    let mut layouts: Vec<&str> = Vec::new();
    let mut notes = Vec::new();
    for (field, position) in columns {
        let (Some(position), Some(dates)) = (position, samples.dates.get(field)) else {
            continue;
        };
        if dates.is_empty() {
            continue;
        }
        let column = quoted(&names[*position]);
        let example = quoted(&dates[0]);
        let fitting: Vec<&str> = DATE_LAYOUTS
            .iter()
            .copied()
            .filter(|layout| {
                let extra = [(*layout).to_owned()];
                dates.iter().all(|d| parse_when(d, &extra).is_some())
            })
            .collect();
        match fitting.as_slice() {
            [] => notes.push(format!(
                "# {column}: no layout recert knows reads {example}; add one (chrono's strftime codes)"
            )),
            [one] => {
                if !layouts.contains(one) {
                    layouts.push(one);
                }
                notes.push(format!("# {column}: e.g. {example} = {}", quoted(one)));
            }
            several => notes.push(format!(
                "# {column}: dates such as {example} read as any of {}: day and month cannot be told apart; put the right one in formats",
                several.iter().map(|l| quoted(l)).collect::<Vec<_>>().join(", ")
            )),
        }
    }
    if layouts.is_empty() && notes.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n[dates]                        # layouts tried after ISO 8601"
    );
    for note in notes {
        let _ = writeln!(out, "{note}");
    }
    let list: Vec<String> = layouts.iter().map(|l| quoted(l)).collect();
    let _ = writeln!(out, "formats = [{}]", list.join(", "));
}

/// `text` as a TOML basic string: quotes and backslashes escaped, control
/// characters as `\uXXXX`, so a header or value can never break the file
/// or a comment.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
#[path = "guess_tests.rs"]
mod tests;
