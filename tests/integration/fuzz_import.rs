//! Property tests ("fuzzing") of import: arbitrary and mutated files, read by
//! every format in the registry, never panic and either import cleanly or are
//! rejected with the workspace unchanged and a message free of control
//! characters. 64 cases per property by default; run longer with
//! `PROPTEST_CASES=10000 cargo test --test integration fuzz_import`.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use recert::actor::Actor;
use recert::import::formats::FORMATS;
use recert::import::{ImportError, ImportOptions, Mapping, Progress, import_files};
use recert::workspace::Workspace;
use rusqlite::Connection;

/// Canonical seeds, so the corpus is useful before any fixture exists.
const SEEDS: &[&str] = &[
    "identity_id,display_name,email,kind,status,manager_id,owner_id,termination_date,last_login_at\n\
     E1,Ada,ada@x.example,human,active,,,,2026-11-01\n\
     E2,Bo,bo@x.example,human,terminated,E1,,2026-08-31,\n\
     S1,bot,,service,active,,E1,,2026-11-02T10:00:00Z\n",
    "identity_id,system,entitlement,type,privileged,granted_at,last_used_at,last_rotated_at,expires_at\n\
     E1,github,admin,role,true,2026-01-01,2026-11-01,,\n\
     bo@x.example,aws,AKIA1,api_key,no,2025-01-01,,2025-02-01,2027-01-01\n\
     X9,payroll,viewer,group,0,,,,\n",
    "system,owner_id,criticality\ngithub,E1,high\naws,,critical\n",
];

/// Base data every case starts from, so "unchanged" means something.
const BASE: &[(&str, &str)] = &[
    (
        "base-identities.csv",
        "identity_id,kind,status\nB1,human,active\nB2,service,active\n",
    ),
    (
        "base-entitlements.csv",
        "identity_id,system,entitlement\nB1,app,user\nB2,app,deployer\n",
    ),
];

/// Values import has to cope with: valid ones of every column type, and
/// hostile ones (escapes, bidi overrides, formulas, quotes, huge, empty).
const CELLS: &[&str] = &[
    "",
    " ",
    "E1",
    "bo@x.example",
    "human",
    "service",
    "terminated",
    "api_key",
    "true",
    "maybe",
    "2026-11-30",
    "2026-13-45",
    "2026-11-30T25:00:00Z",
    "=HYPERLINK(\"http://x\")",
    "\u{1b}]0;owned\u{7}\u{1b}[2J",
    "\u{9b}31m",
    "admin\u{202E}txt.exe",
    "\"quoted, with comma\"",
    "\"unterminated",
    "a\nb",
    "Zoë 👩‍💻 e\u{301}",
    "\u{0}",
    "identity_id",
];

pub fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    // Cases must not write regression files into the source tree.
    config.failure_persistence = None;
    config
}

/// The seed corpus: the canonical seeds, the sample data and every CSV under
/// tests/fixtures (vendor formats add theirs there), each cut to 40 lines.
fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(read_corpus)
}

fn read_corpus() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect_csv(&root.join("sample-data"), &mut files);
    collect_csv(&root.join("tests").join("fixtures"), &mut files);
    files.sort();
    let mut corpus: Vec<Vec<u8>> = SEEDS.iter().map(|s| s.as_bytes().to_vec()).collect();
    for file in files {
        if let Ok(bytes) = std::fs::read(&file) {
            let end = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .nth(40)
                .map_or(bytes.len(), |(i, _)| i + 1);
            corpus.push(bytes[..end].to_vec());
        }
    }
    corpus
}

fn collect_csv(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_csv(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            out.push(path);
        }
    }
}

#[derive(Debug, Clone)]
pub enum Mutation {
    /// Replace cell `col` of line `line` (both modulo what exists).
    Cell(usize, usize, &'static str),
    FlipByte(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    DuplicateLine(usize),
    DropLine(usize),
    CrLf,
    /// Line ends as classic Mac OS wrote them: CR only.
    Cr,
    /// Header cell `to` renamed to header cell `from`'s name.
    RenameColumn(usize, usize),
    /// The header widened by this many extra column names.
    Widen(usize),
    /// The text re-encoded as UTF-16 (little-endian, with a BOM).
    Utf16,
    /// The text re-encoded as Windows-1252 (`?` where it has no byte).
    Windows1252,
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>(), prop::sample::select(CELLS)).prop_map(|(l, c, v)| Mutation::Cell(l, c, v)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::FlipByte(p, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(p, b)| Mutation::Insert(p, b)),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => any::<usize>().prop_map(Mutation::DropLine),
        1 => Just(Mutation::CrLf),
        1 => Just(Mutation::Cr),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(f, t)| Mutation::RenameColumn(f, t)),
        1 => prop_oneof![1..8_usize, 4_090..4_200_usize].prop_map(Mutation::Widen),
        1 => Just(Mutation::Utf16),
        1 => Just(Mutation::Windows1252),
    ]
}

pub fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    match mutation {
        Mutation::Cell(line, col, value) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
            let line = line % lines.len();
            let mut cells: Vec<String> = lines[line].split(',').map(str::to_owned).collect();
            let col = col % cells.len();
            cells[col] = if value.contains([',', '"', '\n']) && !value.starts_with('"') {
                format!("\"{}\"", value.replace('"', "\"\""))
            } else {
                (*value).to_owned()
            };
            lines[line] = cells.join(",");
            *bytes = lines.join("\n").into_bytes();
        }
        Mutation::FlipByte(pos, byte) if !bytes.is_empty() => {
            let pos = pos % bytes.len();
            bytes[pos] = *byte;
        }
        Mutation::Truncate(pos) if !bytes.is_empty() => bytes.truncate(pos % bytes.len()),
        Mutation::Insert(pos, inserted) => {
            let pos = pos % (bytes.len() + 1);
            bytes.splice(pos..pos, inserted.iter().copied());
        }
        Mutation::DuplicateLine(line) | Mutation::DropLine(line) => {
            let mut lines: Vec<Vec<u8>> =
                bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
            let line = line % lines.len();
            if matches!(mutation, Mutation::DuplicateLine(_)) {
                let copy = lines[line].clone();
                lines.insert(line, copy);
            } else if lines.len() > 1 {
                lines.remove(line);
            }
            *bytes = lines.join(&b'\n');
        }
        Mutation::CrLf => {
            let text = String::from_utf8_lossy(bytes).replace('\n', "\r\n");
            *bytes = text.into_bytes();
        }
        Mutation::Cr => {
            let text = String::from_utf8_lossy(bytes)
                .replace("\r\n", "\n")
                .replace('\n', "\r");
            *bytes = text.into_bytes();
        }
        Mutation::RenameColumn(from, to) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
            let mut cells: Vec<String> = lines[0].split(',').map(str::to_owned).collect();
            let (from, to) = (from % cells.len(), to % cells.len());
            let name = cells[from].clone();
            cells[to] = name;
            lines[0] = cells.join(",");
            *bytes = lines.join("\n").into_bytes();
        }
        Mutation::Widen(extra) => {
            let mut end = bytes
                .iter()
                .position(|b| *b == b'\n')
                .unwrap_or(bytes.len());
            // Before a CR too: a CR left after the names would end the header.
            if end > 0 && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            let mut names = String::new();
            for i in 0..*extra {
                let _ = write!(names, ",wide_{i}");
            }
            bytes.splice(end..end, names.into_bytes());
        }
        Mutation::Utf16 => *bytes = utf16(&String::from_utf8_lossy(bytes)),
        Mutation::Windows1252 => *bytes = windows_1252(&String::from_utf8_lossy(bytes)),
        _ => {}
    }
}

/// `text` as UTF-16, little-endian, with a byte-order mark.
pub fn utf16(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

/// `text` in Windows-1252 as far as Latin-1 goes (`?` for the rest).
pub fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| {
            u8::try_from(u32::from(c))
                .ok()
                .filter(|b| *b < 0x80 || *b >= 0xA0)
                .unwrap_or(b'?')
        })
        .collect()
}

/// Every row of every table, to compare before and after a rejected import.
fn dump(conn: &Connection) -> String {
    let mut out = String::new();
    let mut tables = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("tables");
    let names: Vec<String> = tables
        .query_map([], |row| row.get(0))
        .expect("names")
        .collect::<Result<_, _>>()
        .expect("names");
    for table in names {
        let mut statement = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1"))
            .expect("select");
        let columns = statement.column_count();
        let mut rows = statement.query([]).expect("rows");
        while let Some(row) = rows.next().expect("row") {
            let cells: Vec<String> = (0..columns)
                .map(|i| {
                    format!(
                        "{:?}",
                        row.get::<_, rusqlite::types::Value>(i).expect("cell")
                    )
                })
                .collect();
            let _ = writeln!(out, "{table}: {}", cells.join("|"));
        }
    }
    out
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
        .single()
        .expect("time")
}

fn workspace(dir: &Path) -> Workspace {
    let mut ws = Workspace::open_in_memory().expect("workspace");
    let paths: Vec<PathBuf> = BASE
        .iter()
        .map(|(name, body)| {
            let path = dir.join(name);
            std::fs::write(&path, body).expect("base file");
            path
        })
        .collect();
    import_files(
        &mut ws.conn,
        &paths,
        &ImportOptions::default(),
        &Actor::fixed("fuzz"),
        now(),
        Progress::hidden(),
    )
    .expect("base import");
    ws
}

/// Imports `bytes` as one file (forcing `format` when given) and checks the
/// outcome: a clean import that is internally consistent, or a rejection
/// that changed nothing and says so without control characters.
fn check_import(bytes: &[u8], format: Option<&str>) -> Result<(), TestCaseError> {
    let options = ImportOptions {
        format: format.map(str::to_owned),
        ..ImportOptions::default()
    };
    check_import_with(bytes, &options)
}

fn check_import_with(bytes: &[u8], options: &ImportOptions) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ws = workspace(dir.path());
    let path = dir.path().join("input.csv");
    std::fs::write(&path, bytes).expect("input");
    let before = dump(&ws.conn);
    let outcome = import_files(
        &mut ws.conn,
        &[path],
        options,
        &Actor::fixed("fuzz"),
        now(),
        Progress::hidden(),
    );
    match outcome {
        Ok(summary) => {
            for snapshot in &summary.snapshots {
                let table = snapshot.kind.as_str().replace("entitlements", "grants");
                let stored: u64 = ws
                    .conn
                    .query_row(
                        &format!("SELECT count(*) FROM {table} WHERE snapshot_id = ?1"),
                        [snapshot.id],
                        |row| row.get(0),
                    )
                    .expect("count");
                prop_assert_eq!(stored, snapshot.rows, "rows stored for {:?}", snapshot);
            }
            let doubled: i64 = ws
                .conn
                .query_row(
                    "SELECT count(*) FROM (SELECT kind, scope FROM snapshots WHERE current = 1
                     GROUP BY kind, scope HAVING count(DISTINCT import_id) > 1)",
                    [],
                    |row| row.get(0),
                )
                .expect("current");
            prop_assert_eq!(doubled, 0, "one current import per kind and scope");
            let check: String = ws
                .conn
                .query_row("PRAGMA integrity_check", [], |row| row.get(0))
                .expect("integrity");
            prop_assert_eq!(check, "ok");
        }
        Err(ImportError::Rejected(rejected)) => {
            prop_assert_eq!(
                &dump(&ws.conn),
                &before,
                "a rejected import changed the workspace"
            );
            let message = rejected.to_string();
            let control = message.chars().find(|c| c.is_control() && *c != '\n');
            prop_assert!(
                control.is_none(),
                "control character {:?} in the message: {:?}",
                control,
                message
            );
        }
        Err(err @ ImportError::Database(_)) => {
            prop_assert_eq!(
                &dump(&ws.conn),
                &before,
                "a failed import changed the workspace"
            );
            return Err(TestCaseError::fail(format!(
                "input reached the database unchecked: {err}"
            )));
        }
    }
    Ok(())
}

/// `None` detects the format from the header; `Some(i)` forces `FORMATS[i]`.
fn format_choice() -> impl Strategy<Value = Option<usize>> {
    prop::option::of(0..FORMATS.len())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic_and_leave_a_rejected_workspace_unchanged(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        format in format_choice(),
    ) {
        check_import(&bytes, format.map(|i| FORMATS[i].name))?;
    }

    #[test]
    fn mutated_real_files_import_cleanly_or_change_nothing(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 0..6),
        format in format_choice(),
    ) {
        let corpus = corpus();
        let mut bytes = seed.get(corpus).clone();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        check_import(&bytes, format.map(|i| FORMATS[i].name))?;
    }
}

/// Imports `bytes` expecting a rejection whose message holds `expected`.
fn check_refused(bytes: &[u8], expected: &str) -> Result<(), TestCaseError> {
    check_import(bytes, None)?;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ws = workspace(dir.path());
    let path = dir.path().join("input.csv");
    std::fs::write(&path, bytes).expect("input");
    match import_files(
        &mut ws.conn,
        &[path],
        &ImportOptions::default(),
        &Actor::fixed("fuzz"),
        now(),
        Progress::hidden(),
    ) {
        Err(ImportError::Rejected(rejected)) => {
            let message = rejected.to_string();
            prop_assert!(
                message.contains(expected),
                "{:?} not in {:?}",
                expected,
                message
            );
        }
        other => prop_assert!(false, "not refused: {:?}", other.map(|s| s.snapshots)),
    }
    Ok(())
}

/// A corpus file with its header's names, when it has at least two.
fn seed_with_header(seed: prop::sample::Index) -> (Vec<u8>, Vec<String>) {
    let bytes = seed.get(corpus()).clone();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let header = text
        .trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !l.starts_with("#TYPE"))
        .unwrap_or_default()
        .split(',')
        .map(|n| n.trim().trim_matches('"').to_owned())
        .collect();
    (bytes, header)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn re_encoded_files_are_refused_naming_their_encoding(seed in any::<prop::sample::Index>()) {
        let (bytes, _) = seed_with_header(seed);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        check_refused(&utf16(&text), "looks like UTF-16")?;
        if text.chars().any(|c| ('\u{a0}'..='\u{ff}').contains(&c)) {
            check_refused(&windows_1252(&text), "iconv -f WINDOWS-1252 -t UTF-8")?;
        }
    }

    #[test]
    fn headers_naming_a_column_twice_or_over_4096_columns_are_refused(
        seed in any::<prop::sample::Index>(),
        pick in any::<(usize, usize)>(),
        extra in 4_097_usize..4_300,
    ) {
        let (bytes, header) = seed_with_header(seed);
        let named: Vec<usize> = (0..header.len()).filter(|i| !header[*i].is_empty()).collect();
        if named.len() >= 2 {
            let from = named[pick.0 % named.len()];
            let to = named[(pick.0 % named.len() + 1 + pick.1 % (named.len() - 1)) % named.len()];
            let mut doubled = bytes.clone();
            // Whole-line rewrite of the header (after a #TYPE line, if any).
            let text = String::from_utf8_lossy(&doubled).into_owned();
            let at = usize::from(text.trim_start_matches('\u{feff}').starts_with("#TYPE"));
            let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
            let cr = if lines[at].ends_with('\r') { "\r" } else { "" };
            let line = lines[at].trim_end_matches('\r').to_owned();
            let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
            if cells.len() == header.len() {
                // The file's BOM belongs to the first cell, not to its name.
                let name = cells[from].trim_start_matches('\u{feff}').to_owned();
                cells[to] = name;
                lines[at] = format!("{}{cr}", cells.join(","));
                doubled = lines.join("\n").into_bytes();
                check_refused(&doubled, "have the same name")?;
            }
        }
        if !String::from_utf8_lossy(&bytes).trim_start_matches('\u{feff}').starts_with("#TYPE") {
            let mut wide = bytes;
            apply(&mut wide, &Mutation::Widen(extra));
            check_refused(&wide, "recert reads at most 4096")?;
        }
    }
}

/// The mapping fixture and the export it reads. A missing fixture fails the
/// test: passing without them would fuzz nothing.
fn mapping_seed() -> (String, Vec<u8>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    let read = |name: &str| {
        std::fs::read(dir.join(name)).unwrap_or_else(|err| {
            panic!("the mapping fuzz needs tests/fixtures/formats/{name}: {err}")
        })
    };
    let mapping = String::from_utf8(read("hr-mapping.toml")).expect("the mapping fixture is UTF-8");
    (mapping, read("hr-export.csv"))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_mapping_files_fail_cleanly_or_import_safely(
        mapping_mutations in prop::collection::vec(mutation(), 0..4),
        file_mutations in prop::collection::vec(mutation(), 0..3),
    ) {
        let (mapping, export) = mapping_seed();
        let mut text = mapping.into_bytes();
        for mutation in &mapping_mutations {
            apply(&mut text, mutation);
        }
        let text = String::from_utf8_lossy(&text).into_owned();
        match Mapping::parse("mapping.toml", &text) {
            Err(err) => {
                let message = err.to_string();
                let control = message.chars().find(|c| c.is_control() && *c != '\n');
                prop_assert!(control.is_none(), "control {:?} in {:?}", control, message);
            }
            Ok(mapping) => {
                let mut bytes = export;
                for mutation in &file_mutations {
                    apply(&mut bytes, mutation);
                }
                let options = ImportOptions { mapping: Some(mapping), ..ImportOptions::default() };
                check_import_with(&bytes, &options)?;
            }
        }
    }
}

#[test]
fn every_registered_format_reads_every_seed_without_panicking() {
    for seed in corpus() {
        for format in FORMATS {
            check_import(seed, Some(format.name)).expect(format.name);
        }
        check_import(seed, None).expect("detected");
    }
}
