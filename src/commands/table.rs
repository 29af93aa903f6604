//! Plain-text tables for the terminal: cells cleaned of control characters,
//! measured by their terminal width (an emoji sequence is one glyph), and
//! cut with `…` so a row never outgrows its columns.

use unicode_width::UnicodeWidthStr;

use crate::text::for_display;

/// The width the default tables fit: a plain SSH terminal on a jump host.
pub const TERMINAL_WIDTH: usize = 80;

/// Between two columns.
const GAP: &str = "  ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text, cut with `…` when too wide.
    Left,
    /// Numbers, never cut: a wider number pushes the row out instead.
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub header: &'static str,
    /// In terminal columns.
    pub width: usize,
    pub align: Align,
}

impl Column {
    pub const fn left(header: &'static str, width: usize) -> Column {
        Column {
            header,
            width,
            align: Align::Left,
        }
    }

    pub const fn right(header: &'static str, width: usize) -> Column {
        Column {
            header,
            width,
            align: Align::Right,
        }
    }
}

/// How wide a row of `columns` is, gaps included.
pub fn width(columns: &[Column]) -> usize {
    columns.iter().map(|c| c.width).sum::<usize>() + GAP.len() * columns.len().saturating_sub(1)
}

/// The header line.
pub fn header(columns: &[Column]) -> String {
    let headers: Vec<&str> = columns.iter().map(|c| c.header).collect();
    row(columns, &headers)
}

/// One line: each cell cleaned, cut to its column and padded; the last
/// column is not padded, so no line ends in spaces.
pub fn row<S: AsRef<str>>(columns: &[Column], cells: &[S]) -> String {
    let mut line = String::new();
    for (index, (column, cell)) in columns.iter().zip(cells).enumerate() {
        if index > 0 {
            line.push_str(GAP);
        }
        let clean = for_display(cell.as_ref());
        let (text, used) = match column.align {
            Align::Left => fit(&clean, column.width),
            Align::Right => (clean.to_string(), clean.width()),
        };
        let pad = " ".repeat(column.width.saturating_sub(used));
        match column.align {
            Align::Right => {
                line.push_str(&pad);
                line.push_str(&text);
            }
            Align::Left => {
                line.push_str(&text);
                if index + 1 < columns.len() {
                    line.push_str(&pad);
                }
            }
        }
    }
    line
}

/// `text` cut to `width` terminal columns (ending in `…` when cut), and the
/// width it then takes.
pub fn fit(text: &str, width: usize) -> (String, usize) {
    // Whole-string widths: an emoji ZWJ sequence is one glyph, not the sum of its parts.
    let total = text.width();
    if total <= width {
        return (text.to_owned(), total);
    }
    if width == 0 {
        return (String::new(), 0);
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if out.width() > width - 1 {
            out.pop();
            break;
        }
    }
    let used = out.width();
    out.push('…');
    (out, used + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_to_their_terminal_width() {
        assert_eq!(fit("github", 14), ("github".to_owned(), 6));
        assert_eq!(fit("Wang Fang (王芳)", 12), ("Wang Fang (…".to_owned(), 12));
        assert_eq!(fit("王芳王芳王芳", 6), ("王芳…".to_owned(), 5));
        assert_eq!(fit("abc", 0), (String::new(), 0));
    }

    #[test]
    fn rows_pad_text_cut_it_and_align_numbers_right() {
        let columns = [
            Column::right("ID", 4),
            Column::left("NAME", 6),
            Column::left("LAST", 4),
        ];
        assert_eq!(width(&columns), 18);
        assert_eq!(header(&columns), "  ID  NAME    LAST");
        assert_eq!(row(&columns, &["7", "Zoë Müller", "x"]), "   7  Zoë M…  x");
        assert_eq!(
            row(&columns, &["123456", "a\u{1b}[2J", "y"]),
            "123456  a[2J    y"
        );
    }
}
