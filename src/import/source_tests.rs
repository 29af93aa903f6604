//! Reading CSV files as exports really come, and refusing those that cannot be read.

use super::*;
use std::io::Write;

fn file_with(bytes: &[u8]) -> (tempfile::NamedTempFile, PathBuf) {
    let mut file = tempfile::NamedTempFile::new().expect("temp");
    file.write_all(bytes).expect("write");
    let path = file.path().to_path_buf();
    (file, path)
}

fn rows_of(bytes: &[u8]) -> (Vec<(u64, Vec<String>)>, Problems) {
    let (_keep, path) = file_with(bytes);
    let mut problems = Problems::default();
    let file = CsvFile::open(&path, &mut problems).expect("opens");
    let mut rows = Vec::new();
    file.for_each_row(&mut problems, |row, _| {
        let cells = (0..row.record.len()).map(|c| row.get(Some(c)).unwrap_or_default());
        rows.push((row.line, cells.map(str::to_owned).collect()));
    });
    (rows, problems)
}

#[test]
fn bom_crlf_quotes_and_padding_are_accepted() {
    let (rows, problems) = rows_of(
        b"\xEF\xBB\xBFIdentity_ID , name\r\n E1 ,\"Doe, \"\"JD\"\" John\"\r\nE2,\"two\nlines\"\r\nE3,last",
    );
    assert!(problems.is_empty(), "{:?}", problems.listed());
    assert_eq!(
        rows,
        vec![
            (2, vec!["E1".into(), "Doe, \"JD\" John".into()]),
            (3, vec!["E2".into(), "two\nlines".into()]),
            (5, vec!["E3".into(), "last".into()]),
        ]
    );
}

#[test]
fn a_powershell_type_line_is_skipped() {
    let (_keep, path) = file_with(
        b"#TYPE Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleAssignment\r\n\"A\",\"B\"\r\n\"1\",\"2\"\r\n",
    );
    let mut problems = Problems::default();
    let file = CsvFile::open(&path, &mut problems).expect("opens");
    assert_eq!(file.header.names, ["A", "B"]);
    assert_eq!(file.header_line, 2);
    let mut lines = Vec::new();
    file.for_each_row(&mut problems, |row, _| lines.push(row.line));
    assert_eq!(lines, [3]);
}

#[test]
fn wrong_field_count_names_the_line() {
    let (rows, problems) = rows_of(b"a,b\n1,2\n1,2,3\n4,5\n");
    assert_eq!(rows.len(), 2);
    let text = problems.listed()[0].to_string();
    assert!(
        text.ends_with(
            ":3: found 3 fields, expected 2 as in the header; quote values that contain commas"
        ),
        "{text}"
    );
}

#[test]
fn invalid_utf8_names_line_column_encoding_and_fix() {
    let (_keep, path) = file_with(b"a,b\n1,ok\n2,caf\xE9\n3,na\xEFve\n");
    let mut problems = Problems::default();
    // Refused as a whole, before any format reads a row.
    assert!(CsvFile::open(&path, &mut problems).is_none());
    assert_eq!(problems.total(), 2);
    let first = problems.listed()[0].to_string();
    assert!(
        first.contains(":3: column 2 (b): is not UTF-8: byte 0xE9 after byte 3 of the cell, which is 'é' in Windows-1252;"),
        "{first}"
    );
    assert!(
        first.contains("`iconv -f WINDOWS-1252 -t UTF-8 "),
        "{first}"
    );
    let second = problems.listed()[1].to_string();
    assert!(
        second.ends_with(
            ":4: column 2 (b): is not UTF-8 either; convert the whole file as said for line 3"
        ),
        "{second}"
    );
}

#[test]
fn a_header_that_is_not_utf8_names_its_column_and_the_fix() {
    let (_keep, path) = file_with(b"identity_id,Pr\xE9nom\nE1,Ann\n");
    let mut problems = Problems::default();
    assert!(CsvFile::open(&path, &mut problems).is_none());
    let text = problems.listed()[0].to_string();
    assert!(
        text.contains(":1: column 2 (Pr\u{FFFD}nom): is not UTF-8: byte 0xE9 after byte 2 of the cell, which is 'é' in Windows-1252"),
        "{text}"
    );
}

#[test]
fn utf16_is_refused_with_the_iconv_command() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(
        "identity_id\r\nE1\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    let (_keep, path) = file_with(&bytes);
    let mut problems = Problems::default();
    assert!(CsvFile::open(&path, &mut problems).is_none());
    let text = problems.listed()[0].to_string();
    assert!(
        text.contains(
            ": looks like UTF-16 (little-endian, with a byte-order mark) text, not UTF-8"
        ),
        "{text}"
    );
    assert!(text.contains("`iconv -f UTF-16 -t UTF-8 "), "{text}");
}

#[test]
fn cr_only_line_ends_are_read_with_their_line_numbers() {
    let (rows, problems) = rows_of(b"#TYPE X\ra,b\r1,2\r\"x\ry\",3\r4,5,6\r7,8");
    assert_eq!(
        rows,
        vec![
            (3, vec!["1".into(), "2".into()]),
            (4, vec!["x\ry".into(), "3".into()]),
            (7, vec!["7".into(), "8".into()]),
        ]
    );
    let text = problems.listed()[0].to_string();
    assert!(text.contains(":6: found 3 fields, expected 2"), "{text}");
}

#[test]
fn duplicate_header_names_are_refused() {
    let (_keep, path) = file_with(b"identity_id,email,Email \nE1,a@x,b@x\n");
    let mut problems = Problems::default();
    assert!(CsvFile::open(&path, &mut problems).is_none());
    let text = problems.listed()[0].to_string();
    assert!(
        text.ends_with(":1: columns 2 (\"email\") and 3 (\"Email\") have the same name ignoring case, so recert cannot tell which to read; rename or remove one of them"),
        "{text}"
    );
}

#[test]
fn empty_file_missing_file_and_directory_are_refused() {
    let mut problems = Problems::default();
    let (_keep, empty) = file_with(b"\xEF\xBB\xBF \r\n");
    assert!(CsvFile::open(&empty, &mut problems).is_none());
    assert!(CsvFile::open(Path::new("/no/such/file.csv"), &mut problems).is_none());
    let dir = tempfile::tempdir().expect("dir");
    assert!(CsvFile::open(dir.path(), &mut problems).is_none());
    let messages: Vec<_> = problems
        .listed()
        .iter()
        .map(|p| p.message.clone())
        .collect();
    assert!(messages[0].starts_with("is empty"), "{messages:?}");
    assert!(messages[1].starts_with("no such file"), "{messages:?}");
    assert!(messages[2].starts_with("is a directory"), "{messages:?}");
}
