//! Writing a new campaign's items, many rows to an `INSERT`: a million
//! one-row statements spend a third of their time opening and closing the
//! table's cursors and stepping in and out of SQLite, once per row.
//!
//! Items get their ids here, consecutive from one past the largest in the
//! workspace: the ids SQLite would have chosen row by row (the caller holds
//! the write lock), known before the rows are written.

use color_eyre::eyre::Result;
use rusqlite::{CachedStatement, Connection};

/// Rows per statement: enough that the per-statement work vanishes, few
/// enough that a statement's bound values stay in cache.
const BATCH: usize = 64;

/// The columns written, in the order of [`ItemRow`]'s fields.
const COLUMNS: &str = "id, campaign_id, control_id, grant_row, identity_row, system_row, \
    signal_mask, reasons, recommendation, recommendation_reason, assigned_reviewer, link_row, \
    grant_key, prior_item, delta, carry_over, recommendation_text, appended_text";
const WIDTH: usize = 18;

/// One item as stored (the id and campaign are the writer's).
pub(super) struct ItemRow<'a> {
    pub control: &'a str,
    pub grant_row: i64,
    pub identity_row: Option<i64>,
    pub system_row: Option<i64>,
    pub signals: u32,
    pub reasons: &'a str,
    /// A shared sentence item_view appends to `reasons` (`campaign_texts`).
    pub appended_text: Option<i64>,
    pub recommendation: &'static str,
    pub reason: &'a str,
    pub reviewer: &'a str,
    pub link_row: i64,
    pub grant_key: [u8; 16],
    pub prior_item: Option<i64>,
    pub delta: Option<&'static str>,
    pub carry_over: bool,
    pub text: Option<i64>,
}

/// Buffers items and writes them [`BATCH`] to a statement.
pub(super) struct ItemWriter<'c, 'a> {
    conn: &'c Connection,
    many: CachedStatement<'c>,
    campaign_id: i64,
    next_id: i64,
    rows: Vec<ItemRow<'a>>,
}

impl<'c, 'a> ItemWriter<'c, 'a> {
    pub fn new(conn: &'c Connection, campaign_id: i64) -> Result<ItemWriter<'c, 'a>> {
        let next_id: i64 =
            conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM items", [], |row| {
                row.get(0)
            })?;
        Ok(ItemWriter {
            conn,
            many: conn.prepare_cached(&insert_sql(BATCH))?,
            campaign_id,
            next_id,
            rows: Vec::with_capacity(BATCH),
        })
    }

    /// Queues `row`; returns the id it gets.
    pub fn push(&mut self, row: ItemRow<'a>) -> Result<i64> {
        let id = self.next_id + i64::try_from(self.rows.len())?;
        self.rows.push(row);
        if self.rows.len() == BATCH {
            self.write(true)?;
        }
        Ok(id)
    }

    /// Writes what is still queued.
    pub fn finish(mut self) -> Result<()> {
        if !self.rows.is_empty() {
            self.write(false)?;
        }
        Ok(())
    }

    /// Writes the queued rows: a full batch through the prepared statement,
    /// the last few through one made for their number.
    fn write(&mut self, full: bool) -> Result<()> {
        let mut tail;
        let statement = if full {
            &mut self.many
        } else {
            tail = self.conn.prepare(&insert_sql(self.rows.len()))?;
            &mut tail
        };
        for (offset, row) in self.rows.drain(..).enumerate() {
            let first = offset * WIDTH + 1;
            let id = self.next_id + i64::try_from(offset)?;
            statement.raw_bind_parameter(first, id)?;
            statement.raw_bind_parameter(first + 1, self.campaign_id)?;
            statement.raw_bind_parameter(first + 2, row.control)?;
            statement.raw_bind_parameter(first + 3, row.grant_row)?;
            statement.raw_bind_parameter(first + 4, row.identity_row)?;
            statement.raw_bind_parameter(first + 5, row.system_row)?;
            statement.raw_bind_parameter(first + 6, row.signals)?;
            statement.raw_bind_parameter(first + 7, row.reasons)?;
            statement.raw_bind_parameter(first + 8, row.recommendation)?;
            statement.raw_bind_parameter(first + 9, row.reason)?;
            statement.raw_bind_parameter(first + 10, row.reviewer)?;
            statement.raw_bind_parameter(first + 11, row.link_row)?;
            statement.raw_bind_parameter(first + 12, &row.grant_key[..])?;
            statement.raw_bind_parameter(first + 13, row.prior_item)?;
            statement.raw_bind_parameter(first + 14, row.delta)?;
            statement.raw_bind_parameter(first + 15, row.carry_over)?;
            statement.raw_bind_parameter(first + 16, row.text)?;
            statement.raw_bind_parameter(first + 17, row.appended_text)?;
        }
        let written = statement.raw_execute()?;
        self.next_id += i64::try_from(written)?;
        Ok(())
    }
}

/// `INSERT INTO items (…) VALUES (…), (…), …` for `rows` rows.
fn insert_sql(rows: usize) -> String {
    format!(
        "INSERT INTO items ({COLUMNS}) VALUES {}",
        value_rows(WIDTH, rows)
    )
}

/// `(?, ?), (?, ?)`: the VALUES of a statement inserting `rows` rows of
/// `width` columns, bound in order.
pub(super) fn value_rows(width: usize, rows: usize) -> String {
    let marks = vec!["?"; width].join(", ");
    vec![format!("({marks})"); rows].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An item as read back: id, grant_row, identity_row, reasons, grant_key.
    type Stored = (i64, i64, Option<i64>, String, Vec<u8>);

    /// The key byte of item `n`.
    fn byte(n: i64) -> u8 {
        u8::try_from(n % 256).expect("byte")
    }

    fn row(grant_row: i64) -> ItemRow<'static> {
        ItemRow {
            control: "5.18",
            grant_row,
            identity_row: Some(grant_row * 10),
            system_row: None,
            signals: 3,
            reasons: "[\"a\",\"b\"]",
            appended_text: None,
            recommendation: "certify",
            reason: "",
            reviewer: "pat",
            link_row: 1,
            grant_key: [byte(grant_row); 16],
            prior_item: None,
            delta: Some("new"),
            carry_over: false,
            text: None,
        }
    }

    #[test]
    fn rows_get_consecutive_ids_after_the_largest_whatever_the_batch() {
        let ws = crate::test_support::workspace_with("");
        let conn = &ws.conn;
        conn.execute_batch(
            "INSERT INTO campaigns (id, name, as_of, default_reviewer, justify_mask, rules,
                 created_at, created_by)
             VALUES (1, 'c', '2026-12-01', 'pat', 0, '', '2026-12-01T00:00:00Z', 'pat');",
        )
        .expect("campaign");
        conn.pragma_update(None, "foreign_keys", false)
            .expect("no fks");
        conn.execute_batch(
            "INSERT INTO items (id, campaign_id, control_id, grant_row, signal_mask, reasons,
                 recommendation, recommendation_reason, assigned_reviewer)
             VALUES (41, 1, '5.18', 1, 0, '[]', 'certify', '', 'pat')",
        )
        .expect("earlier item");
        // A full batch, then a short one.
        let count = i64::try_from(BATCH).expect("batch") + 5;
        let mut writer = ItemWriter::new(conn, 1).expect("writer");
        let ids: Vec<i64> = (1..=count)
            .map(|n| writer.push(row(n)).expect("push"))
            .collect();
        writer.finish().expect("finish");
        assert_eq!(ids, (42..42 + count).collect::<Vec<_>>());
        let stored: Vec<Stored> = conn
            .prepare(
                "SELECT id, grant_row, identity_row, reasons, grant_key FROM items
                 WHERE id > 41 ORDER BY id",
            )
            .expect("select")
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("read");
        assert_eq!(stored.len(), usize::try_from(count).expect("count"));
        for (n, (id, grant_row, identity_row, reasons, key)) in (1..).zip(stored) {
            assert_eq!((id, grant_row), (41 + n, n));
            assert_eq!(identity_row, Some(n * 10));
            assert_eq!(reasons, "[\"a\",\"b\"]");
            assert_eq!(key, vec![byte(n); 16]);
        }
    }
}
