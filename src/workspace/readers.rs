//! Reading one workspace on several threads: a range of row ids cut into
//! consecutive parts, each read through its own read-only connection.
//! Computing a million items, loading a million-item baseline and checking
//! a re-imported export against its revocations are each a pass over rows
//! that are independent of one another, and seconds on one core.

use std::thread;

use rusqlite::{Connection, OpenFlags};

/// Below this many rows a second thread costs more than it saves.
pub const PARALLEL_FROM: i64 = 50_000;

/// At most this many threads: reading and computing scale, the single
/// writer that usually follows does not.
pub const MAX_THREADS: usize = 4;

/// How many threads to read `rows` rows on: one below [`PARALLEL_FROM`],
/// else one per core up to [`MAX_THREADS`].
pub fn threads_for(rows: i64) -> usize {
    if rows < PARALLEL_FROM {
        return 1;
    }
    let cores = thread::available_parallelism().map_or(1, usize::from);
    cores.min(MAX_THREADS)
}

/// Runs `read` over `low..=high` cut into up to `threads` consecutive
/// ranges (`read` gets each one's position and bounds) and returns the
/// results in range order, so the outcome is the same however many
/// threads ran.
///
/// The first range is read through `conn`, the others through read-only
/// connections of their own. Those see the last committed state: the caller
/// must not have changed, in an open transaction, the rows they read. An
/// in-memory workspace cannot be opened twice, and a file that cannot be
/// opened again (a descriptor limit) is read on one thread.
///
/// A panic in a reading thread is a bug; it goes on in the caller.
pub fn over_ranges<T, E>(
    conn: &Connection,
    (low, high): (i64, i64),
    threads: usize,
    read: impl Fn(&Connection, usize, (i64, i64)) -> Result<T, E> + Sync,
) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
{
    let path = conn.path().filter(|path| !path.is_empty());
    let ranges = split(low, high, if path.is_some() { threads } else { 1 });
    // Open the readers up front: if one cannot be opened, one thread
    // still does the whole job.
    let readers: Option<Vec<Connection>> = path
        .filter(|_| ranges.len() > 1)
        .and_then(|path| ranges[1..].iter().map(|_| open_reader(path)).collect());
    let Some(readers) = readers else {
        return Ok(vec![read(conn, 0, (low, high))?]);
    };
    let read = &read;
    thread::scope(|spawner| {
        let others: Vec<_> = ranges[1..]
            .iter()
            .zip(readers)
            .enumerate()
            .map(|(index, (&range, reader))| spawner.spawn(move || read(&reader, index + 1, range)))
            .collect();
        let mut results = Vec::with_capacity(ranges.len());
        results.push(read(conn, 0, ranges[0]));
        for other in others {
            results.push(
                other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        results.into_iter().collect()
    })
}

/// Runs `background` on another thread, through a read-only connection of
/// its own, while `foreground` runs on this one; returns both results.
/// Loading what a campaign is computed from is several independent reads
/// (the identities on this thread, a million-item baseline on others):
/// side by side, they take the time of the longest.
///
/// `background` sees the last committed state, as in [`over_ranges`]; an
/// in-memory workspace, or one that cannot be opened again, runs both here,
/// `background` first, through `conn`.
pub fn alongside<A, B>(
    conn: &Connection,
    background: impl FnOnce(&Connection) -> A + Send,
    foreground: impl FnOnce() -> B,
) -> (A, B)
where
    A: Send,
{
    let reader = conn
        .path()
        .filter(|path| !path.is_empty())
        .and_then(open_reader);
    let Some(reader) = reader else {
        let first = background(conn);
        return (first, foreground());
    };
    thread::scope(|spawner| {
        let other = spawner.spawn(move || background(&reader));
        let here = foreground();
        let there = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (there, here)
    })
}

/// A read-only connection to the workspace at `path`. Rows are looked up
/// all over the file: mapped, a page read costs no system call.
fn open_reader(path: &str) -> Option<Connection> {
    let reader = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    reader.pragma_update(None, "mmap_size", 1_i64 << 30).ok()?;
    Some(reader)
}

/// `low..=high` cut into up to `parts` consecutive, non-empty ranges.
pub fn split(low: i64, high: i64, parts: usize) -> Vec<(i64, i64)> {
    let parts = i64::try_from(parts.max(1)).unwrap_or(1);
    let size = ((high - low) / parts).max(1);
    let mut ranges = Vec::new();
    let mut start = low;
    while start <= high {
        let end = if i64::try_from(ranges.len()).unwrap_or(i64::MAX) + 1 >= parts {
            high
        } else {
            (start + size - 1).min(high)
        };
        ranges.push((start, end));
        start = end + 1;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_every_id_once_in_order() {
        for (low, high, parts) in [
            (1, 1, 2),
            (1, 2, 2),
            (1, 1_000_000, 2),
            (5, 17, 4),
            (10, 12, 4),
            (5, 1_000_003, 4),
        ] {
            let ranges = split(low, high, parts);
            assert!(ranges.len() <= parts, "{ranges:?}");
            assert_eq!(ranges[0].0, low);
            assert_eq!(ranges.last().expect("one").1, high);
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].1 + 1, pair[1].0, "{ranges:?}");
            }
            assert!(ranges.iter().all(|(start, end)| start <= end), "{ranges:?}");
        }
    }

    #[test]
    fn every_thread_reads_its_range_and_results_keep_range_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("rows.db");
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
             INSERT INTO t SELECT i, i * 2 FROM n;",
        )
        .expect("rows");
        let sum_of = |conn: &Connection, index: usize, (low, high): (i64, i64)| {
            conn.query_row(
                "SELECT coalesce(sum(v), 0), count(*) FROM t WHERE id BETWEEN ?1 AND ?2",
                (low, high),
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, index)),
            )
        };
        let parts = over_ranges(&conn, (1, 1000), 3, sum_of).expect("read");
        assert_eq!(parts.len(), 3, "three threads, three ranges");
        assert_eq!(parts.iter().map(|p| p.0).sum::<i64>(), 1000 * 1001);
        assert_eq!(parts.iter().map(|p| p.1).sum::<i64>(), 1000);
        assert_eq!(
            parts.iter().map(|p| p.2).collect::<Vec<_>>(),
            vec![0, 1, 2],
            "each result where its range is"
        );
        // An in-memory database is read on the calling thread alone.
        let memory = Connection::open_in_memory().expect("memory");
        memory
            .execute_batch(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t VALUES (1, 2);",
            )
            .expect("row");
        let parts = over_ranges(&memory, (1, 1000), 3, sum_of).expect("read");
        assert_eq!(parts, vec![(2, 1, 0)]);
    }

    #[test]
    fn alongside_reads_committed_rows_on_another_thread_while_this_one_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("rows.db");
        let mut conn = Connection::open(&path).expect("open");
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);
             INSERT INTO t VALUES (1, 10), (2, 20);",
        )
        .expect("rows");
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .expect("write lock");
        let here = thread::current().id();
        let (there, written) = alongside(
            &tx,
            |reader| {
                let sum: i64 = reader
                    .query_row("SELECT sum(v) FROM t", [], |row| row.get(0))
                    .expect("sum");
                (sum, thread::current().id())
            },
            || {
                tx.execute("INSERT INTO t VALUES (3, 30)", [])
                    .expect("insert");
                tx.query_row("SELECT sum(v) FROM t", [], |row| row.get::<_, i64>(0))
                    .expect("sum")
            },
        );
        assert_eq!(there.0, 30, "the reader sees what was committed");
        assert_ne!(there.1, here, "on a thread of its own");
        assert_eq!(written, 60, "the writer sees its own change");
        tx.commit().expect("commit");

        // An in-memory database does both on this thread, background first.
        let memory = Connection::open_in_memory().expect("memory");
        let order = std::sync::Mutex::new(Vec::new());
        let ((), ()) = alongside(
            &memory,
            |_| {
                assert_eq!(thread::current().id(), here);
                order.lock().expect("lock").push("background");
            },
            || order.lock().expect("lock").push("foreground"),
        );
        assert_eq!(
            order.into_inner().expect("lock"),
            ["background", "foreground"]
        );
    }
}
