//! Column-mapping files (`--mapping FILE`, PRODUCT.md §2): any other layout,
//! an HR system's export say, read as one of the canonical ones.
//!
//! ```toml
//! kind = "identities"            # identities | entitlements | systems
//! [columns]                      # canonical field = header in the file
//! identity_id = "employee_id"
//! [constants]                    # fields the file lacks, same for every row
//! kind = "human"
//! [values.status]                # file value = canonical value ("" = unknown)
//! "Leaver" = "terminated"
//! [dates]
//! formats = ["%m/%d/%Y"]         # tried after ISO 8601
//! ```
//!
//! Every mistake in the mapping is reported with the mapping file's line.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use chrono::format::{Item, StrftimeItems};
use serde::Deserialize;
use toml::Spanned;

use super::batch::Batch;
use super::canonical;
use super::formats::Format;
use super::problems::{Problem, Problems};
use super::source::{CsvFile, Header, Rewrite};
use super::values::{parse_bool, parse_when};
use crate::model::{Criticality, GrantType, IdentityKind, IdentityStatus};

/// A mistake in a mapping file, at a line of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct MappingError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// A checked mapping, ready to apply to any number of files.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The mapping file's name, for messages.
    pub name: String,
    format: &'static Format,
    required: &'static [&'static str],
    /// Canonical field → file header, with the mapping line it is on.
    columns: Vec<(String, String, usize)>,
    constants: Vec<(String, String)>,
    /// Canonical field → (file value lower-cased → canonical value).
    values: Vec<(String, HashMap<String, String>)>,
    date_formats: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    kind: Spanned<String>,
    #[serde(default)]
    columns: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    constants: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    values: BTreeMap<String, Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
    #[serde(default)]
    dates: Option<RawDates>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDates {
    formats: Vec<Spanned<String>>,
}

impl Mapping {
    /// Reads and checks the mapping file at `path`.
    pub fn load(path: &Path) -> Result<Mapping, MappingError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|err| MappingError {
            file: name.clone(),
            line: 0,
            message: format!("cannot be read: {err}"),
        })?;
        Mapping::parse(&name, &text)
    }

    /// Parses and checks mapping text; `name` is used in messages.
    pub fn parse(name: &str, text: &str) -> Result<Mapping, MappingError> {
        let source = Source { name, text };
        let raw: RawMapping = toml::from_str(text).map_err(|err| {
            let message = format!(
                "{}; see the README's \"Mapping files\" section",
                err.message().trim_end()
            );
            source.error(err.span().unwrap_or(0..0), message)
        })?;
        let (format, fields, required) = kind_of(&raw.kind, &source)?;
        let known = |field: &str, span: Range<usize>, table: &str| {
            if fields.contains(&field) {
                Ok(())
            } else {
                Err(source.error(
                    span,
                    format!(
                        "{field:?} under [{table}] is not a field of {}; expected one of {}",
                        raw.kind.get_ref(),
                        fields.join(", ")
                    ),
                ))
            }
        };
        let date_formats = date_layouts(&raw, &source)?;
        let mut columns = Vec::new();
        for (field, header) in &raw.columns {
            known(field, header.span(), "columns")?;
            if header.get_ref().trim().is_empty() {
                return Err(source.error(
                    header.span(),
                    format!("{field} is mapped to an empty header name"),
                ));
            }
            columns.push((
                field.clone(),
                header.get_ref().trim().to_owned(),
                line_of(text, header.span().start),
            ));
        }
        let mut constants = Vec::new();
        for (field, value) in &raw.constants {
            known(field, value.span(), "constants")?;
            if raw.columns.contains_key(field) {
                return Err(source.error(
                    value.span(),
                    format!("{field} is both under [columns] and [constants]; keep one"),
                ));
            }
            let what = format!("the constant {field}");
            constants.push((
                field.clone(),
                source.checked(field, value, &what, &date_formats)?,
            ));
        }
        let mut values = Vec::new();
        for (field, table) in &raw.values {
            known(field, table.span(), "values")?;
            let mut map = HashMap::new();
            for (from, to) in table.get_ref() {
                let what = format!("the value for {from:?}");
                let to_text = source.checked(field, to, &what, &date_formats)?;
                map.insert(from.trim().to_lowercase(), to_text);
            }
            values.push((field.clone(), map));
        }
        Ok(Mapping {
            name: name.to_owned(),
            format,
            required,
            columns,
            constants,
            values,
            date_formats,
        })
    }

    /// The canonical format the mapped files are read as.
    pub fn format(&self) -> &'static Format {
        self.format
    }

    pub fn date_formats(&self) -> &[String] {
        &self.date_formats
    }

    /// `file` with its columns renamed, values translated and constants
    /// appended, or `None` (with problems) when the file lacks a mapped column.
    pub fn apply(&self, file: CsvFile, problems: &mut Problems) -> Option<CsvFile> {
        let mut aliases = Vec::new();
        let mut missing = false;
        for (field, header, line) in &self.columns {
            if let Some(position) = file.header.position(header) {
                aliases.push((field.clone(), position));
            } else {
                missing = true;
                problems.push(Problem {
                    file: file.name.clone(),
                    line: file.header_line,
                    column: None,
                    message: format!(
                        "has no column {header:?}, which {}:{line} maps to {field}; the header has: {}",
                        self.name,
                        crate::text::for_display(&file.header.names.join(", "))
                    ),
                });
            }
        }
        let mut names = file.header.names.clone();
        for (field, _) in &self.constants {
            aliases.push((field.clone(), names.len()));
            names.push(format!("{field} (constant in {})", self.name));
        }
        let header = Header::with_aliases(names, &aliases);
        for field in self.required {
            if !header.has(field) {
                missing = true;
                problems.push(Problem {
                    file: file.name.clone(),
                    line: file.header_line,
                    column: None,
                    message: format!(
                        "has no {field} column and {} maps none: add {field} = \"<header in the file>\" under [columns]",
                        self.name
                    ),
                });
            }
        }
        if missing {
            return None;
        }
        let mut value_maps = vec![HashMap::new(); file.header.len()];
        for (field, map) in &self.values {
            if let Some(position) = header.position(field).filter(|p| *p < value_maps.len()) {
                value_maps[position].clone_from(map);
            }
        }
        let rewrite = Rewrite {
            values: value_maps,
            appended: self.constants.iter().map(|(_, v)| v.clone()).collect(),
        };
        Some(file.remapped(header, rewrite))
    }
}

/// Reads `file` through `mapping`; returns it (for its name) and the data
/// rows seen, or `None` when the file does not fit the mapping.
pub fn read(mapping: &Mapping, file: CsvFile, batch: &mut Batch<'_>) -> Option<(CsvFile, u64)> {
    let file = mapping.apply(file, &mut batch.problems)?;
    let rows = (mapping.format.read)(&file, batch, &mapping.date_formats);
    Some((file, rows))
}

/// The mapping file's text, for errors that name its lines.
struct Source<'a> {
    name: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, span: Range<usize>, message: String) -> MappingError {
        MappingError {
            file: self.name.to_owned(),
            line: line_of(self.text, span.start),
            message,
        }
    }

    /// A value the mapping supplies for `field`, as text, checked.
    fn checked(
        &self,
        field: &str,
        value: &Spanned<toml::Value>,
        what: &str,
        date_formats: &[String],
    ) -> Result<String, MappingError> {
        let text = scalar(value.get_ref()).ok_or_else(|| {
            self.error(
                value.span(),
                format!("{what} must be a string, number or boolean"),
            )
        })?;
        check_value(field, &text, date_formats).map_err(|m| self.error(value.span(), m))?;
        Ok(text)
    }
}

type Kind = (
    &'static Format,
    &'static [&'static str],
    &'static [&'static str],
);

/// The canonical format, its fields and required fields for `kind`.
fn kind_of(kind: &Spanned<String>, source: &Source<'_>) -> Result<Kind, MappingError> {
    Ok(match kind.get_ref().as_str() {
        "identities" => (
            &canonical::IDENTITIES,
            canonical::IDENTITY_FIELDS,
            &["identity_id"],
        ),
        "entitlements" => (
            &canonical::ENTITLEMENTS,
            canonical::GRANT_FIELDS,
            &["identity_id", "system", "entitlement"],
        ),
        "systems" => (&canonical::SYSTEMS, canonical::SYSTEM_FIELDS, &["system"]),
        other => {
            return Err(source.error(
                kind.span(),
                format!(
                    "kind {other:?} is not one recert reads; expected \"identities\", \"entitlements\" or \"systems\""
                ),
            ));
        }
    })
}

/// The `[dates] formats`, each a valid chrono layout.
fn date_layouts(raw: &RawMapping, source: &Source<'_>) -> Result<Vec<String>, MappingError> {
    let mut layouts = Vec::new();
    for layout in raw.dates.iter().flat_map(|d| &d.formats) {
        if layout.get_ref().is_empty()
            || StrftimeItems::new(layout.get_ref()).any(|item| matches!(item, Item::Error))
        {
            return Err(source.error(
                layout.span(),
                format!(
                    "{:?} is not a date layout; use chrono's strftime codes, e.g. \"%m/%d/%Y\" or \"%d.%m.%Y %H:%M\"",
                    layout.get_ref()
                ),
            ));
        }
        layouts.push(layout.get_ref().clone());
    }
    Ok(layouts)
}

fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(x) => Some(x.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Array(_) | toml::Value::Table(_) => None,
    }
}

/// Checks a value the mapping supplies for `field` (constant or translation).
fn check_value(field: &str, value: &str, date_formats: &[String]) -> Result<(), String> {
    // Constants and translations reach hashed cells (the evidence, the
    // decision events) without passing the import's check of the file.
    if value.contains('\u{1f}') {
        return Err(format!(
            "{value:?} holds the control character U+001F (unit separator), which recert's hashes put between cells; remove it"
        ));
    }
    // An empty translation reads the file value as unknown (`"N/A" = ""`).
    if value.is_empty() {
        return Ok(());
    }
    let (ok, expected) = match field {
        "kind" => (
            IdentityKind::parse_importable(value).is_some(),
            IdentityKind::expected_importable(),
        ),
        "status" => (
            IdentityStatus::parse(value).is_some(),
            IdentityStatus::expected(),
        ),
        "type" => (GrantType::parse(value).is_some(), GrantType::expected()),
        "criticality" => (Criticality::parse(value).is_some(), Criticality::expected()),
        "privileged" => (parse_bool(value).is_some(), "true or false".to_owned()),
        "termination_date" | "last_login_at" | "granted_at" | "last_used_at"
        | "last_rotated_at" | "expires_at" => (
            parse_when(value, date_formats).is_some(),
            "an ISO 8601 date".to_owned(),
        ),
        _ => (true, String::new()),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{value:?} is not a {field}; expected one of {expected}"
        ))
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    1 + text.get(..offset).unwrap_or(text).matches('\n').count()
}

pub mod guess;
mod vocabulary;

#[cfg(test)]
mod tests;
