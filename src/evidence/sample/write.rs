//! Sampling a signed-off campaign and writing the sample addendum: the
//! evidence is streamed through [`super::derive`] (exactly what an auditor
//! re-derives from the file), then each sampled item's context is read
//! from the workspace: its signals with their reasons, the files and lines
//! its grant and identity were imported from, and every decision event.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use chrono::{DateTime, Utc};
use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value, json};

use super::{Per, Picked, Sample, check_seed, derive};
use crate::campaign::Campaign;
use crate::evidence::addendum::{Body, WrittenAddendum, publish_addendum, signed_off};
use crate::evidence::export::write_evidence;
use crate::evidence::format::Addendum;
use crate::evidence::keys::SigningKey;
use crate::model::SignalSet;

/// What to sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub size: u64,
    pub per: Option<Per>,
    /// `None`: the evidence's last row_hash.
    pub seed: Option<String>,
}

/// Derives the sample of signed-off `campaign` from its evidence, streamed
/// (never held in memory), and checks the evidence still ends with the
/// row_hash recorded at sign-off.
pub fn sample_campaign(
    conn: &Connection,
    campaign: &Campaign,
    request: &Request,
) -> Result<Sample> {
    let signoff = signed_off(conn, campaign, Addendum::Sample)?;
    if request.size == 0 {
        bail!("--size must be at least 1");
    }
    let seed = request
        .seed
        .clone()
        .unwrap_or_else(|| signoff.final_hash.clone());
    check_seed(&seed).map_err(|why| eyre!("{why}; choose another --seed"))?;
    let (reader, writer) = pipe();
    let (written, derived) = std::thread::scope(|scope| {
        let seed = seed.as_str();
        let deriving = scope.spawn(move || {
            derive(
                BufReader::with_capacity(256 * 1024, reader),
                seed,
                request.size,
                request.per,
            )
        });
        let written = write_evidence(conn, campaign, BufWriter::with_capacity(256 * 1024, writer));
        // `write_evidence` dropped the writer: the reader sees the end.
        let derived = deriving
            .join()
            .unwrap_or_else(|_| Err("sampling stopped unexpectedly".to_owned()));
        (written, derived)
    });
    let sample = derived.map_err(|why| eyre!("sampling campaign {}: {why}", campaign.id))?;
    let summary = written.wrap_err("streaming the evidence")?;
    if summary.last_hash != signoff.final_hash || sample.last_row_hash != summary.last_hash {
        bail!(
            "the evidence ends with row_hash {} but the sign-off recorded {}; the workspace was changed outside recert",
            summary.last_hash,
            signoff.final_hash
        );
    }
    if summary.rows == 0 {
        bail!("campaign {} has no items to sample", campaign.id);
    }
    Ok(sample)
}

/// Writes `sample` as the sample addendum of `campaign` to `path` (with
/// `key`, signed: `path.minisig`).
pub fn export_sample(
    conn: &Connection,
    campaign: &Campaign,
    sample: &Sample,
    path: &Path,
    key: Option<&SigningKey>,
    now: DateTime<Utc>,
) -> Result<WrittenAddendum> {
    let (written, ()) = publish_addendum(
        conn,
        campaign,
        Addendum::Sample,
        path,
        key,
        now,
        |_, out| {
            for picked in &sample.picked {
                let cells = row(conn, campaign, sample, picked)?;
                out.row(&cells)
                    .wrap_err_with(|| format!("writing {}", path.display()))?;
            }
            Ok(Body {
                counts: format!("strata={}", sample.strata.len()),
                value: (),
            })
        },
    )?;
    Ok(written)
}

/// The addendum cells of one sampled item, in column order.
fn row(
    conn: &Connection,
    campaign: &Campaign,
    sample: &Sample,
    picked: &Picked,
) -> Result<Vec<String>> {
    let item: i64 = picked
        .item_id
        .parse()
        .wrap_err_with(|| format!("item_id {:?} of the evidence", picked.item_id))?;
    let context = context(conn, campaign.id, item)?.ok_or_else(|| {
        eyre!(
            "item {item} of the evidence is not in campaign {}",
            campaign.id
        )
    })?;
    let mut cells = Vec::with_capacity(Addendum::Sample.fields().len());
    cells.extend([
        sample.seed.clone(),
        picked.stratum.clone(),
        picked.rank_hash.clone(),
    ]);
    cells.extend(picked.cells.iter().cloned());
    cells.push(picked.row_hash.clone());
    cells.extend(context);
    cells.push(events(conn, item)?);
    Ok(cells)
}

/// `signal_reasons` to `identity_sha256` of an item.
fn context(conn: &Connection, campaign: i64, item: i64) -> rusqlite::Result<Option<[String; 6]>> {
    conn.query_row(
        "SELECT it.signal_mask, (SELECT reasons FROM item_view WHERE item_id = it.id),
             gs.file_name, g.line,
             coalesce(ids.file_name, ''), coalesce(i.line, ''), coalesce(ids.sha256, '')
         FROM items it
         JOIN grants g ON g.id = it.grant_row
         JOIN snapshots gs ON gs.id = g.snapshot_id
         LEFT JOIN identities i ON i.id = it.identity_row
         LEFT JOIN snapshots ids ON ids.id = i.snapshot_id
         WHERE it.id = ?1 AND it.campaign_id = ?2",
        (item, campaign),
        |row| {
            let signals = SignalSet::from_bits(row.get(0)?);
            let reasons: Vec<String> =
                serde_json::from_str(&row.get::<_, String>(1)?).unwrap_or_default();
            let pairs: Vec<Value> = signals
                .iter()
                .enumerate()
                .map(|(n, signal)| {
                    json!({"signal": signal.as_str(), "reason": reasons.get(n).cloned().unwrap_or_default()})
                })
                .collect();
            let line = |at: usize| -> rusqlite::Result<String> {
                Ok(match row.get_ref(at)? {
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    _ => String::new(),
                })
            };
            Ok([
                Value::Array(pairs).to_string(),
                row.get(2)?,
                line(3)?,
                row.get(4)?,
                line(5)?,
                row.get(6)?,
            ])
        },
    )
    .optional()
}

/// Every decision event of the item, in order, as a JSON array of objects
/// with the workspace's columns (null where an event has no value).
fn events(conn: &Connection, item: i64) -> rusqlite::Result<String> {
    const COLUMNS: [&str; 14] = [
        "event_id",
        "action",
        "justification",
        "reviewer",
        "os_user",
        "host",
        "decided_at",
        "basis",
        "valid_until",
        "assignee",
        "stage",
        "decided_key",
        "packet_sha256",
        "event_hash",
    ];
    let mut statement = conn.prepare_cached(
        "SELECT id, action, justification, reviewer, os_user, host, decided_at, basis,
             valid_until, assignee, stage, decided_key, packet_sha256, event_hash
         FROM decision_events WHERE item_id = ?1 ORDER BY id",
    )?;
    let events = statement
        .query_map([item], |row| {
            let mut event = Map::new();
            for (at, name) in COLUMNS.iter().enumerate() {
                let value = match row.get_ref(at)? {
                    rusqlite::types::ValueRef::Integer(n) => Value::from(n),
                    rusqlite::types::ValueRef::Text(text) => {
                        Value::from(String::from_utf8_lossy(text).into_owned())
                    }
                    _ => Value::Null,
                };
                event.insert((*name).to_owned(), value);
            }
            Ok(Value::Object(event))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Value::Array(events).to_string())
}

/// An in-process pipe (std's `io::pipe` is newer than our MSRV): chunks
/// written on one side are read on the other, a few in flight at most, so
/// the evidence streams between the threads without being held whole.
fn pipe() -> (PipeReader, PipeWriter) {
    let (sender, receiver) = sync_channel(4);
    (
        PipeReader {
            receiver,
            chunk: Vec::new(),
            at: 0,
        },
        PipeWriter(sender),
    )
}

struct PipeWriter(SyncSender<Vec<u8>>);

impl Write for PipeWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.send(bytes.to_vec()).map_err(|_| {
            io::Error::new(io::ErrorKind::BrokenPipe, "the sampler stopped reading")
        })?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct PipeReader {
    receiver: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                // Every writer is gone: the end of the evidence.
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len() - self.at);
        out[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pipe_carries_every_byte_across_threads_and_ends() {
        let (mut reader, mut writer) = pipe();
        let sent: Vec<u8> = (0..100_000u32).map(|n| (n % 251) as u8).collect();
        let received = std::thread::scope(|scope| {
            let reading = scope.spawn(move || {
                let mut all = Vec::new();
                reader.read_to_end(&mut all).map(|_| all)
            });
            for chunk in sent.chunks(777) {
                writer.write_all(chunk).expect("write");
            }
            drop(writer);
            reading.join().expect("join").expect("read")
        });
        assert_eq!(received, sent);
    }
}
