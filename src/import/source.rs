//! Reading one CSV file as exports really come: BOM, CRLF, quoting, padding.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use csv::{ByteRecord, StringRecord};
use sha2::{Digest, Sha256};

use super::encoding;
pub use super::header::Header;
use super::header::ignoring_case;
use super::problems::{Problem, Problems};

/// A CSV file read into memory with its header resolved.
pub struct CsvFile {
    pub path: PathBuf,
    /// The name shown in messages and stored in the snapshot.
    pub name: String,
    pub sha256: String,
    pub header: Header,
    /// The line the header is on: 2 when a PowerShell `#TYPE` line precedes it.
    pub header_line: u64,
    /// How many fields each row of the file has (the header may have more,
    /// when a mapping appends constants).
    file_columns: usize,
    /// How a mapping file changes every row before it is read.
    rewrite: Option<Rewrite>,
    /// The bytes after the header line, BOM removed.
    data: Vec<u8>,
    /// Where the body starts within `data`, and the line it starts on.
    body_start: usize,
    body_line: u64,
    /// The byte lines end with: `\n` (also for CRLF), or `\r` in a file
    /// with classic Mac line ends, so that line numbers are right in both.
    line_end: u8,
}

/// A mapping's change to every row: values translated per column, then
/// constant cells appended.
pub struct Rewrite {
    /// Per file column: trimmed, lower-cased file value → value to read.
    pub values: Vec<HashMap<String, String>>,
    pub appended: Vec<String>,
}

impl Rewrite {
    fn apply(&self, record: &StringRecord) -> StringRecord {
        let mut out = StringRecord::with_capacity(
            record.as_slice().len(),
            record.len() + self.appended.len(),
        );
        for (index, value) in record.iter().enumerate() {
            let mapped = self
                .values
                .get(index)
                .and_then(|map| map.get(&value.trim().to_lowercase()));
            out.push_field(mapped.map_or(value, String::as_str));
        }
        for value in &self.appended {
            out.push_field(value);
        }
        out
    }
}

/// Where rows report their problems and the reading its progress.
pub trait RowContext {
    fn problem(&mut self, problem: Problem);
    fn progress(&mut self, _file: &CsvFile, _bytes_read: usize) {}
}

impl RowContext for Problems {
    fn problem(&mut self, problem: Problem) {
        self.push(problem);
    }
}

/// One data row, its fields valid UTF-8; `get` trims them.
pub struct Row<'a> {
    pub file: &'a CsvFile,
    pub line: u64,
    pub record: &'a StringRecord,
}

impl Row<'_> {
    /// The cell at `column` without surrounding whitespace, or `None` when
    /// the column is absent or the cell empty.
    pub fn get(&self, column: Option<usize>) -> Option<&str> {
        column
            .and_then(|c| self.record.get(c))
            .map(str::trim)
            .filter(|value| !value.is_empty())
    }

    /// A problem with the cell at `column` of this row.
    pub fn problem(&self, column: usize, message: String) -> Problem {
        Problem {
            file: self.file.name.clone(),
            line: self.line,
            column: Some((column + 1, self.file.header.names[column].clone())),
            message,
        }
    }

    /// A problem with the whole row.
    pub fn row_problem(&self, message: String) -> Problem {
        Problem {
            file: self.file.name.clone(),
            line: self.line,
            column: None,
            message,
        }
    }
}

impl CsvFile {
    /// Reads `path` and its header; a file that cannot be used at all is
    /// reported in `problems` and gives `None`.
    pub fn open(path: &Path, problems: &mut Problems) -> Option<CsvFile> {
        let name = path.display().to_string();
        let whole_file = |message: String| Problem {
            file: name.clone(),
            line: 0,
            column: None,
            message,
        };
        if path.is_dir() {
            problems.push(whole_file(
                "is a directory; name the CSV files inside it instead".into(),
            ));
            return None;
        }
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                problems.push(whole_file("no such file; check the path".into()));
                return None;
            }
            Err(err) => {
                problems.push(whole_file(format!("cannot be read: {err}")));
                return None;
            }
        };
        CsvFile::from_bytes(path, bytes, problems)
    }

    /// Reads a file's bytes already in memory (e.g. embedded sample data);
    /// `path` names it in messages and snapshots.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>, problems: &mut Problems) -> Option<CsvFile> {
        let name = path.display().to_string();
        let whole_file = |message: String| Problem {
            file: name.clone(),
            line: 0,
            column: None,
            message,
        };
        if let Some(message) = encoding::not_text(&bytes, &name) {
            problems.push(whole_file(message));
            return None;
        }
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let data = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        if data.iter().all(u8::is_ascii_whitespace) {
            problems.push(whole_file(
                "is empty; expected a header row and at least one data row".into(),
            ));
            return None;
        }
        let line_end = line_end(&data);
        let skip = type_line_len(&data, line_end);
        let header_line = 1 + count_lines(&data[..skip], line_end);
        let mut reader = reader_builder().from_reader(&data[skip..]);
        let mut record = ByteRecord::new();
        let at_header = |column: Option<(usize, String)>, message: String| Problem {
            file: name.clone(),
            line: header_line,
            column,
            message,
        };
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => {
                problems.push(whole_file("is empty; expected a header row".into()));
                return None;
            }
            Err(err) => {
                problems.push(at_header(
                    None,
                    format!("the header row cannot be read: {err}; save the file as UTF-8 CSV"),
                ));
                return None;
            }
        }
        let mut names = Vec::with_capacity(record.len());
        for (index, field) in record.iter().enumerate() {
            let Ok(text) = std::str::from_utf8(field) else {
                let shown = String::from_utf8_lossy(field).trim().to_owned();
                problems.push(at_header(
                    Some((index + 1, shown)),
                    encoding::not_utf8(field, &name),
                ));
                return None;
            };
            names.push(text.trim().to_owned());
        }
        let header = Header::new(names);
        if let Some(message) = header.ambiguity(ignoring_case, "ignoring case") {
            problems.push(at_header(None, message));
            return None;
        }
        let body_start =
            skip + usize::try_from(reader.position().byte()).unwrap_or(data.len() - skip);
        let body_line = 1 + count_lines(&data[..body_start], line_end);
        let file_columns = header.len();
        let file = CsvFile {
            path: path.to_path_buf(),
            name,
            sha256,
            header,
            header_line,
            file_columns,
            rewrite: None,
            data,
            body_start,
            body_line,
            line_end,
        };
        // A file that is not UTF-8 is refused before any format reads it:
        // its fix (converting the whole file) comes first, whatever else
        // is wrong with it.
        if let Err(err) = std::str::from_utf8(&file.data[file.body_start..]) {
            let rows = file.not_utf8_rows();
            if rows.is_empty() {
                let body = &file.data[file.body_start..];
                problems.push(Problem {
                    file: file.name.clone(),
                    line: file.body_line + count_lines(&body[..err.valid_up_to()], line_end),
                    column: None,
                    message: encoding::not_utf8(&body[err.valid_up_to()..], &file.name),
                });
            }
            for problem in rows {
                problems.push(problem);
            }
            return None;
        }
        Some(file)
    }

    /// The same file read through a mapping: `header` names the file's
    /// columns (plus appended constants) and `rewrite` changes every row.
    #[must_use]
    pub fn remapped(self, header: Header, rewrite: Rewrite) -> CsvFile {
        CsvFile {
            header,
            rewrite: Some(rewrite),
            ..self
        }
    }

    /// The number of bytes of the body, for progress reporting.
    pub fn body_len(&self) -> usize {
        self.data.len() - self.body_start
    }

    /// Calls `each` for every well-formed data row; rows with the wrong number
    /// of fields are reported to `context` instead, which also hears of
    /// progress now and then. Returns the number of data rows seen. (The
    /// file was checked to be UTF-8 when it was opened.)
    pub fn for_each_row<C: RowContext>(
        &self,
        context: &mut C,
        mut each: impl FnMut(&Row<'_>, &mut C),
    ) -> u64 {
        let body = &self.data[self.body_start..];
        let mut reader = reader_builder().from_reader(body);
        let mut record = StringRecord::new();
        let mut lines = LineCounter::new(body, self.body_line, self.line_end);
        let mut rows = 0;
        loop {
            let start = reader.position().byte();
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    rows += 1;
                    let line = lines.line_at(record.position().map_or(start, csv::Position::byte));
                    self.row(line, &record, context, &mut each);
                }
                Err(err) => {
                    rows += 1;
                    let line = lines.line_at(err.position().map_or(start, csv::Position::byte));
                    context.problem(Problem {
                        file: self.name.clone(),
                        line,
                        column: None,
                        message: format!("cannot be read as CSV: {err}"),
                    });
                }
            }
            if rows % 65_536 == 0 {
                context.progress(
                    self,
                    usize::try_from(reader.position().byte()).unwrap_or(usize::MAX),
                );
            }
        }
        context.progress(self, self.body_len());
        rows
    }

    /// Every row holding a cell that is not UTF-8: the first says what the
    /// file looks like and how to convert it, later ones point back to it.
    fn not_utf8_rows(&self) -> Vec<Problem> {
        let body = &self.data[self.body_start..];
        let mut reader = reader_builder().from_reader(body);
        let mut record = ByteRecord::new();
        let mut lines = LineCounter::new(body, self.body_line, self.line_end);
        let mut found = Vec::new();
        let mut first = None;
        loop {
            let start = reader.position().byte();
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                // The rows are read for real once the file is converted.
                Ok(false) | Err(_) => break,
            }
            let Some((column, cell)) = record
                .iter()
                .enumerate()
                .find(|(_, cell)| std::str::from_utf8(cell).is_err())
            else {
                continue;
            };
            let line = lines.line_at(record.position().map_or(start, csv::Position::byte));
            let message = match first {
                None => encoding::not_utf8(cell, &self.name),
                Some(first) => {
                    format!("is not UTF-8 either; convert the whole file as said for line {first}")
                }
            };
            first.get_or_insert(line);
            found.push(Problem {
                file: self.name.clone(),
                line,
                column: Some((column + 1, self.column_name(column))),
                message,
            });
        }
        found
    }

    /// Checks one UTF-8 row and hands it to `each`, or reports it.
    fn row<C: RowContext>(
        &self,
        line: u64,
        record: &StringRecord,
        context: &mut C,
        each: &mut impl FnMut(&Row<'_>, &mut C),
    ) {
        // U+001F separates cells in every hash recert computes; a cell
        // holding it could be re-split without breaking one.
        if record.as_slice().contains('\u{1f}') {
            let column = record
                .iter()
                .position(|f| f.contains('\u{1f}'))
                .unwrap_or(0);
            context.problem(Problem {
                file: self.name.clone(),
                line,
                column: Some((column + 1, self.column_name(column))),
                message: "holds the control character U+001F (unit separator), which recert's evidence hashes put between cells; remove it from the export".to_owned(),
            });
        } else if record.len() == self.file_columns {
            let rewritten = self.rewrite.as_ref().map(|r| r.apply(record));
            each(
                &Row {
                    file: self,
                    line,
                    record: rewritten.as_ref().unwrap_or(record),
                },
                context,
            );
        } else {
            context.problem(Problem {
                file: self.name.clone(),
                line,
                column: None,
                message: format!(
                    "found {} fields, expected {} as in the header; quote values that contain commas",
                    record.len(),
                    self.file_columns
                ),
            });
        }
    }

    fn column_name(&self, column: usize) -> String {
        self.header.names.get(column).cloned().unwrap_or_default()
    }
}

/// Turns byte offsets of records into 1-based line numbers. The csv reader
/// reports a record as starting at the line end left over from the previous
/// record, so the leading line-end bytes are skipped before counting.
/// Offsets only grow, so counting is incremental and linear overall.
struct LineCounter<'a> {
    body: &'a [u8],
    counted_to: usize,
    line: u64,
    line_end: u8,
}

impl<'a> LineCounter<'a> {
    fn new(body: &'a [u8], first_line: u64, line_end: u8) -> Self {
        LineCounter {
            body,
            counted_to: 0,
            line: first_line,
            line_end,
        }
    }

    fn line_at(&mut self, offset: u64) -> u64 {
        let mut start = usize::try_from(offset)
            .unwrap_or(self.body.len())
            .min(self.body.len());
        while start < self.body.len() && matches!(self.body[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.counted_to {
            self.line += count_lines(&self.body[self.counted_to..start], self.line_end);
            self.counted_to = start;
        }
        self.line
    }
}

/// Windows PowerShell 5.1's `Export-Csv` writes `#TYPE <class name>` above the
/// header unless given `-NoTypeInformation` (FORMATS.md A7a); that line is
/// skipped so such files read like any other.
fn type_line_len(data: &[u8], line_end: u8) -> usize {
    if !data.starts_with(b"#TYPE") {
        return 0;
    }
    data.iter()
        .position(|&b| b == line_end)
        .map_or(data.len(), |end| end + 1)
}

/// How the file's lines end, from its first line end: LF and CRLF files
/// count `\n`; a file whose lines end with a lone CR (what Excel for the
/// old Mac OS wrote, and the csv reader accepts) counts `\r`, so its
/// problems name real line numbers instead of line 1.
fn line_end(data: &[u8]) -> u8 {
    match data.iter().position(|&b| b == b'\n' || b == b'\r') {
        Some(at) if data[at] == b'\r' && data.get(at + 1) != Some(&b'\n') => b'\r',
        _ => b'\n',
    }
}

fn count_lines(bytes: &[u8], line_end: u8) -> u64 {
    bytes.iter().fold(0, |n, &b| n + u64::from(b == line_end))
}

fn reader_builder() -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    // Cells are trimmed when read (`Row::get`), not here: the csv crate's
    // trimming copies every record twice, which showed up on a million-row
    // import.
    builder.has_headers(false).flexible(true);
    builder
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;
