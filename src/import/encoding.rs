//! Telling a file that is not UTF-8 by what it looks like (UTF-16, an
//! 8-bit Windows code page, a spreadsheet), so the error says how to
//! convert it instead of quoting the CSV parser.

use crate::text::shell_word;

/// What a file that cannot be read as UTF-8 CSV looks like from its
/// first bytes, with the fix; `None` when it may well be UTF-8 text.
pub fn not_text(bytes: &[u8], file: &str) -> Option<String> {
    let (name, iconv) = if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        ("UTF-32 (little-endian, with a byte-order mark)", "UTF-32")
    } else if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        ("UTF-32 (big-endian, with a byte-order mark)", "UTF-32")
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        ("UTF-16 (little-endian, with a byte-order mark)", "UTF-16")
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        ("UTF-16 (big-endian, with a byte-order mark)", "UTF-16")
    } else if bytes.starts_with(b"PK\x03\x04") {
        return Some(
            "is a zip archive, probably an Excel workbook (.xlsx), not a CSV file; open it and save it as \"CSV UTF-8 (Comma delimited)\", then import that".to_owned(),
        );
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Some(
            "is an old Excel workbook (.xls), not a CSV file; open it and save it as \"CSV UTF-8 (Comma delimited)\", then import that".to_owned(),
        );
    } else {
        match zero_bytes(bytes) {
            Some(Endian::Little) => (
                "UTF-16 (little-endian, without a byte-order mark)",
                "UTF-16LE",
            ),
            Some(Endian::Big) => ("UTF-16 (big-endian, without a byte-order mark)", "UTF-16BE"),
            None => return None,
        }
    };
    Some(format!(
        "looks like {name} text, not UTF-8 (PowerShell 5.1 and some Windows tools write UTF-16); convert it with `{}` and import that",
        convert(iconv, file)
    ))
}

enum Endian {
    Little,
    Big,
}

/// ASCII text in UTF-16 without a byte-order mark has a zero byte in every
/// other position: after each letter (little-endian) or before it (big).
fn zero_bytes(bytes: &[u8]) -> Option<Endian> {
    let sample = &bytes[..bytes.len().min(512) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zero_at = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (zero_at(0), zero_at(1));
    if odd * 2 > pairs && even * 8 < pairs {
        Some(Endian::Little)
    } else if even * 2 > pairs && odd * 8 < pairs {
        Some(Endian::Big)
    } else {
        None
    }
}

/// Why `bytes` (a cell, or a line) is not UTF-8 and how to fix the whole
/// file: the first byte that is not UTF-8, what it is in Windows-1252 (the
/// code page Excel's plain "CSV" uses in the West), and the conversion.
pub fn not_utf8(bytes: &[u8], file: &str) -> String {
    let at = std::str::from_utf8(bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    let byte = bytes.get(at).copied().unwrap_or(0);
    let meaning = windows_1252(byte).map_or_else(
        || "which Windows-1252 does not use".to_owned(),
        |c| format!("which is {c:?} in Windows-1252"),
    );
    format!(
        "is not UTF-8: byte 0x{byte:02X} after byte {at} of the cell, {meaning}; the file looks like Windows-1252 or another 8-bit code page (Excel's plain \"CSV\"). Convert it with `{}` (or save it as \"CSV UTF-8\") and import that",
        convert("WINDOWS-1252", file)
    )
}

/// The character a byte of 0x80 and above stands for in Windows-1252.
fn windows_1252(byte: u8) -> Option<char> {
    const HIGH: [Option<char>; 32] = [
        Some('€'),
        None,
        Some('‚'),
        Some('ƒ'),
        Some('„'),
        Some('…'),
        Some('†'),
        Some('‡'),
        Some('ˆ'),
        Some('‰'),
        Some('Š'),
        Some('‹'),
        Some('Œ'),
        None,
        Some('Ž'),
        None,
        None,
        Some('‘'),
        Some('’'),
        Some('“'),
        Some('”'),
        Some('•'),
        Some('–'),
        Some('—'),
        Some('˜'),
        Some('™'),
        Some('š'),
        Some('›'),
        Some('œ'),
        None,
        Some('ž'),
        Some('Ÿ'),
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        // 0xA0 to 0xFF are Latin-1, which are the same code points.
        0xA0..=0xFF => Some(char::from(byte)),
        _ => None,
    }
}

/// The iconv command converting `file` from `encoding` to UTF-8.
fn convert(encoding: &str, file: &str) -> String {
    let target = match file.strip_suffix(".csv") {
        Some(stem) => format!("{stem}.utf8.csv"),
        None => format!("{file}.utf8.csv"),
    };
    format!(
        "iconv -f {encoding} -t UTF-8 {} > {}",
        shell_word(file),
        shell_word(&target)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    #[test]
    fn utf16_with_a_bom_names_the_conversion() {
        let message = not_text(&utf16le("identity_id\r\nE1\r\n", true), "hr.csv").expect("UTF-16");
        assert_eq!(
            message,
            "looks like UTF-16 (little-endian, with a byte-order mark) text, not UTF-8 (PowerShell 5.1 and some Windows tools write UTF-16); convert it with `iconv -f UTF-16 -t UTF-8 hr.csv > hr.utf8.csv` and import that"
        );
    }

    #[test]
    fn utf16_without_a_bom_is_recognised_by_its_zero_bytes() {
        let message =
            not_text(&utf16le("identity_id,name\nE1,Ann\n", false), "my file.csv").expect("UTF-16");
        assert!(
            message.contains("`iconv -f UTF-16LE -t UTF-8 'my file.csv' > 'my file.utf8.csv'`"),
            "{message}"
        );
        let big: Vec<u8> = "identity_id\nE1\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert!(not_text(&big, "f").expect("UTF-16").contains("UTF-16BE"));
    }

    #[test]
    fn utf8_text_and_spreadsheets() {
        assert_eq!(not_text("identity_id\nZoë\n".as_bytes(), "f.csv"), None);
        assert_eq!(not_text(b"a\n", "f.csv"), None);
        assert!(
            not_text(b"PK\x03\x04rest", "f.csv")
                .expect("zip")
                .contains("(.xlsx)")
        );
    }

    #[test]
    fn an_8_bit_byte_is_named_with_its_windows_1252_meaning() {
        let message = not_utf8(b"Jos\xe9", "latin1.csv");
        assert!(
            message.starts_with(
                "is not UTF-8: byte 0xE9 after byte 3 of the cell, which is 'é' in Windows-1252;"
            ),
            "{message}"
        );
        assert!(
            message.contains("`iconv -f WINDOWS-1252 -t UTF-8 latin1.csv > latin1.utf8.csv`"),
            "{message}"
        );
        assert!(not_utf8(b"\x93quoted\x94", "f.csv").contains("'“' in Windows-1252"));
        assert!(not_utf8(b"\x81", "f.csv").contains("which Windows-1252 does not use"));
    }
}
