//! A new campaign's baseline (PRODUCT.md §7): which campaign it is compared
//! with (by default the latest signed-off one), and what that campaign
//! decided about each grant, keyed by grant key for a hash join with the
//! items being computed.

use chrono::NaiveDate;
use color_eyre::eyre::{Result, bail};
use foldhash::HashMap;
use rusqlite::{Connection, OptionalExtension};

use super::grant_key::{self, GrantKey};
use super::lookup::{Campaign, CampaignState, find_campaign};
use crate::model::{Decision, DecisionBasis, GrantType};
use crate::text::for_display;
use crate::workspace::readers;

/// Which campaign a new campaign is compared with (`--baseline`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BaselineChoice {
    /// The campaign signed off last, if any (the default).
    #[default]
    Latest,
    /// No baseline: every item is reviewed afresh.
    None,
    /// This campaign (id or exact name), which must be signed off.
    Campaign(String),
}

impl BaselineChoice {
    /// `--baseline` as typed: `none`, or a campaign.
    pub fn parse(text: &str) -> BaselineChoice {
        let text = text.trim();
        if text.eq_ignore_ascii_case("none") {
            BaselineChoice::None
        } else {
            BaselineChoice::Campaign(text.to_owned())
        }
    }
}

/// The baseline's decision on one grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prior {
    pub item: i64,
    pub decision: Decision,
    pub privileged: bool,
    pub grant_type: GrantType,
    /// The end of a time-boxed certification.
    pub valid_until: Option<NaiveDate>,
    /// How the decision came about (`None` for a format-1 campaign's, which
    /// were all a reviewer's).
    pub basis: Option<DecisionBasis>,
    /// Which part of the baseline holds its texts, and where (see
    /// [`Baseline::decider`], [`Baseline::justification`]).
    part: u16,
    decider: u32,
    justification: u32,
}

/// A baseline decider and justification, by where the baseline keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quote {
    part: u16,
    decider: u32,
    justification: u32,
}

/// The decisions of one range of the baseline's items, read by one thread.
#[derive(Default)]
struct Part {
    priors: HashMap<GrantKey, Prior>,
    texts: Vec<String>,
    known: HashMap<String, u32>,
}

impl Part {
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&index) = self.known.get(text) {
            return index;
        }
        let index = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.known.insert(text.to_owned(), index);
        self.texts.push(text.to_owned());
        index
    }

    fn text(&self, index: u32) -> &str {
        self.texts.get(index as usize).map_or("", String::as_str)
    }
}

/// A signed-off campaign's decisions, by grant key.
pub struct Baseline {
    pub campaign: Campaign,
    /// The day it was signed off.
    pub signed_off: NaiveDate,
    /// The sign-off time as stored (RFC 3339, comparable as text).
    pub signed_at: String,
    /// Consecutive ranges of its items, in item order.
    parts: Vec<Part>,
}

impl Baseline {
    /// The decision on the grant with `key`. A grant the campaign reviewed
    /// twice (in two exports) gives its revocation over a certification,
    /// else its first item's decision.
    pub fn get(&self, key: &GrantKey) -> Option<&Prior> {
        let mut found: Option<&Prior> = None;
        for part in &self.parts {
            if let Some(prior) = part.priors.get(key) {
                match found {
                    Some(first) if first.decision == Decision::Revoke => {}
                    Some(_) if prior.decision != Decision::Revoke => {}
                    _ => found = Some(prior),
                }
            }
        }
        found
    }

    /// Who decided (kept for every decision).
    pub fn decider(&self, prior: &Prior) -> &str {
        self.parts
            .get(usize::from(prior.part))
            .map_or("", |p| p.text(prior.decider))
    }

    /// What a carried-over certification of `prior` quotes: the same
    /// decider and justification give the same sentence.
    pub fn quote_of(prior: &Prior) -> Quote {
        Quote {
            part: prior.part,
            decider: prior.decider,
            justification: prior.justification,
        }
    }

    /// Who decided and why, as [`Baseline::quote_of`] names them.
    pub fn quoted(&self, quote: Quote) -> (&str, &str) {
        self.parts
            .get(usize::from(quote.part))
            .map_or(("", ""), |p| {
                (p.text(quote.decider), p.text(quote.justification))
            })
    }

    /// Why (kept for certifications, which a carry-over quotes).
    pub fn justification(&self, prior: &Prior) -> &str {
        self.parts
            .get(usize::from(prior.part))
            .map_or("", |p| p.text(prior.justification))
    }

    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.priors.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(|p| p.priors.is_empty())
    }
}

/// The campaign `choice` names, if any: refused when it is not signed off
/// (its decisions could still change under the new campaign).
pub fn choose(conn: &Connection, choice: &BaselineChoice) -> Result<Option<Campaign>> {
    match choice {
        BaselineChoice::None => Ok(None),
        BaselineChoice::Latest => {
            let latest: Option<i64> = conn
                .query_row(
                    "SELECT campaign_id FROM signoffs ORDER BY signed_at DESC, campaign_id DESC LIMIT 1",
                    [],
                    |row| row.get(0),
                )
                .optional()?;
            latest
                .map(|id| find_campaign(conn, &id.to_string()))
                .transpose()
        }
        BaselineChoice::Campaign(key) => {
            let campaign = find_campaign(conn, key)?;
            if campaign.state != CampaignState::SignedOff {
                bail!(
                    "campaign {} ({}) is not signed off, so it cannot be the baseline: its decisions may still change. Sign it off first (recert signoff {}), name a signed-off campaign, or give --baseline none",
                    campaign.id,
                    for_display(&campaign.name),
                    campaign.id
                );
            }
            Ok(Some(campaign))
        }
    }
}

/// Reads every decision of `campaign` (signed off) by grant key. A large
/// baseline is read on several threads, each over a consecutive range of
/// its items through its own read-only connection (reading a million items
/// joined with their grants and decisions is seconds on one core).
pub fn load(conn: &Connection, campaign: Campaign) -> Result<Baseline> {
    let signed_at: String = conn.query_row(
        "SELECT signed_at FROM signoffs WHERE campaign_id = ?1",
        [campaign.id],
        |row| row.get(0),
    )?;
    let signed_off = signed_at
        .get(..10)
        .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .unwrap_or_default();
    let (low, high): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT min(first_item), max(last_item) FROM control_stats WHERE campaign_id = ?1",
        [campaign.id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let parts = match (low, high) {
        (Some(low), Some(high)) => read_parts(conn, campaign.id, low, high)?,
        _ => Vec::new(),
    };
    Ok(Baseline {
        campaign,
        signed_off,
        signed_at,
        parts,
    })
}

/// The parts of `low..=high`, read on as many threads as its size is worth.
fn read_parts(conn: &Connection, campaign: i64, low: i64, high: i64) -> Result<Vec<Part>> {
    let threads = readers::threads_for(high - low + 1);
    readers::over_ranges(conn, (low, high), threads, |conn, index, range| {
        read_part(
            conn,
            campaign,
            range,
            u16::try_from(index).unwrap_or(u16::MAX),
        )
    })
}

/// The decisions of the campaign's items with ids in `low..=high`.
fn read_part(
    conn: &Connection,
    campaign: i64,
    (low, high): (i64, i64),
    index: u16,
) -> Result<Part> {
    // The campaign's items have consecutive ids: read them by range in the
    // table's own order, not through the reviewer index.
    let mut select = conn.prepare(
        "SELECT it.id, it.grant_key,
                CASE WHEN it.grant_key IS NULL THEN g.system END,
                CASE WHEN it.grant_key IS NULL THEN g.entitlement END,
                CASE WHEN it.grant_key IS NULL THEN g.identity_ref END,
                g.privileged, g.type, cd.decision, e.justification, e.reviewer, e.valid_until,
                e.basis
         FROM items it NOT INDEXED
         JOIN grants g ON g.id = it.grant_row
         JOIN current_decisions cd ON cd.item_id = it.id
         JOIN decision_events e ON e.id = cd.event_id
         WHERE it.id BETWEEN ?2 AND ?3 AND it.campaign_id = ?1",
    )?;
    let mut part = Part::default();
    let mut rows = select.query((campaign, low, high))?;
    let mut text = String::new();
    while let Some(row) = rows.next()? {
        let key = if let Some(key) = GrantKey::from_stored(row.get_ref(1)?.as_blob_or_null()?) {
            key
        } else {
            grant_key::text_into(
                row.get_ref(2)?.as_str()?,
                row.get_ref(3)?.as_str()?,
                row.get_ref(4)?.as_str()?,
                &mut text,
            );
            GrantKey::of_text(&text)
        };
        let decision: Decision = row.get(7)?;
        if let Some(known) = part.priors.get(&key) {
            if known.decision == Decision::Revoke || decision == Decision::Certify {
                continue;
            }
        }
        let decider = part.intern(row.get_ref(9)?.as_str()?);
        let justification = if decision == Decision::Certify {
            part.intern(row.get_ref(8)?.as_str_or_null()?.unwrap_or(""))
        } else {
            0
        };
        let valid_until = row
            .get_ref(10)?
            .as_str_or_null()?
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let prior = Prior {
            item: row.get(0)?,
            decision,
            privileged: row.get(5)?,
            grant_type: row.get(6)?,
            valid_until,
            basis: row.get(11)?,
            part: index,
            decider,
            justification,
        };
        part.priors.insert(key, prior);
    }
    Ok(part)
}
