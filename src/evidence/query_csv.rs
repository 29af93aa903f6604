//! Writing the rows of one query as a CSV file: every cell formula-
//! neutralised, the file written atomically with mode 0600.

use std::fmt::Write as _;
use std::path::Path;

use color_eyre::eyre::{Result, WrapErr};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Params};

use super::atomic::{AtomicFile, check_target};
use crate::text::neutralise_formula;

/// Runs `sql` and writes `header` then one line per row to `path`;
/// returns the number of rows.
pub fn write_query_csv<P: Params>(
    conn: &Connection,
    path: &Path,
    header: &[&str],
    sql: &str,
    params: P,
) -> Result<u64> {
    check_target(path)?;
    let mut file = AtomicFile::create(path)
        .wrap_err_with(|| format!("creating a temporary file beside {}", path.display()))?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(&mut file);
    writer.write_record(header)?;
    let mut statement = conn.prepare(sql)?;
    let mut rows = statement.query(params)?;
    let mut cells = vec![String::new(); header.len()];
    let mut count = 0;
    while let Some(row) = rows.next()? {
        for (index, cell) in cells.iter_mut().enumerate() {
            cell.clear();
            match row.get_ref(index)? {
                ValueRef::Null => {}
                ValueRef::Integer(n) => {
                    let _ = write!(cell, "{n}");
                }
                ValueRef::Real(x) => {
                    let _ = write!(cell, "{x}");
                }
                value => cell.push_str(&neutralise_formula(value.as_str()?)),
            }
        }
        writer.write_record(&cells)?;
        count += 1;
    }
    writer.flush()?;
    drop(writer);
    file.commit()
        .wrap_err_with(|| format!("writing {}", path.display()))?;
    Ok(count)
}
