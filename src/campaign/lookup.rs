//! Finding a campaign by id or exact name, and reading its settings.

use color_eyre::eyre::{Result, bail};
use rusqlite::{Connection, OptionalExtension, Row};

use crate::model::SignalSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignState {
    Open,
    SignedOff,
}

impl CampaignState {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignState::Open => "open",
            CampaignState::SignedOff => "signed_off",
        }
    }
}

/// A campaign's frozen settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub period: Option<String>,
    pub as_of: String,
    pub due: Option<String>,
    pub default_reviewer: Option<String>,
    /// Signals whose certification needs a justification.
    pub justify: SignalSet,
    pub created_at: String,
    pub created_by: String,
    pub state: CampaignState,
    /// 1 for campaigns created before evidence format 2 existed (their
    /// evidence and decision hashes never change), 2 for every later one.
    pub evidence_format: u8,
}

const SELECT: &str =
    "SELECT c.id, c.name, c.period, c.as_of, c.due, c.default_reviewer, c.justify_mask,
        c.created_at, c.created_by, EXISTS (SELECT 1 FROM signoffs s WHERE s.campaign_id = c.id),
        c.evidence_format
    FROM campaigns c";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Campaign> {
    Ok(Campaign {
        id: row.get(0)?,
        name: row.get(1)?,
        period: row.get(2)?,
        as_of: row.get(3)?,
        due: row.get(4)?,
        default_reviewer: row.get(5)?,
        justify: SignalSet::from_bits(row.get(6)?),
        created_at: row.get(7)?,
        created_by: row.get(8)?,
        state: if row.get(9)? {
            CampaignState::SignedOff
        } else {
            CampaignState::Open
        },
        evidence_format: row.get(10)?,
    })
}

/// Resolves `CAMPAIGN` as the CLI takes it: a numeric id or an exact name.
pub fn find_campaign(conn: &Connection, key: &str) -> Result<Campaign> {
    let key = key.trim();
    if let Ok(id) = key.parse::<i64>() {
        if let Some(campaign) = conn
            .prepare_cached(&format!("{SELECT} WHERE c.id = ?1"))?
            .query_row([id], from_row)
            .optional()?
        {
            return Ok(campaign);
        }
    }
    if let Some(campaign) = conn
        .prepare_cached(&format!("{SELECT} WHERE c.name = ?1"))?
        .query_row([key], from_row)
        .optional()?
    {
        return Ok(campaign);
    }
    let known = list_campaigns(conn)?;
    if known.is_empty() {
        bail!(
            "no campaign {key:?}: the workspace has no campaigns yet; create one with `recert campaign create --name NAME`"
        );
    }
    let names: Vec<String> = known
        .iter()
        .map(|c| format!("{} ({})", c.id, c.name))
        .collect();
    bail!("no campaign {key:?}; known campaigns: {}", names.join(", "))
}

pub fn list_campaigns(conn: &Connection) -> Result<Vec<Campaign>> {
    let mut statement = conn.prepare_cached(&format!("{SELECT} ORDER BY c.id"))?;
    let campaigns = statement
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(campaigns)
}

/// `CAMPAIGN` when given, else the only open campaign; with none or several
/// open, an error that lists them.
pub fn find_campaign_or_only_open(conn: &Connection, key: Option<&str>) -> Result<Campaign> {
    if let Some(key) = key {
        return find_campaign(conn, key);
    }
    let known = list_campaigns(conn)?;
    let open: Vec<&Campaign> = known
        .iter()
        .filter(|c| c.state == CampaignState::Open)
        .collect();
    match open.as_slice() {
        [only] => Ok((*only).clone()),
        [] if known.is_empty() => bail!(
            "the workspace has no campaigns yet; create one with `recert campaign create --name NAME`"
        ),
        [] => bail!("no open campaign; name one of: {}", describe(known.iter())),
        several => bail!(
            "{} campaigns are open; name one of: {}",
            several.len(),
            describe(several.iter().copied())
        ),
    }
}

fn describe<'a>(campaigns: impl Iterator<Item = &'a Campaign>) -> String {
    campaigns
        .map(|c| format!("{} ({})", c.id, c.name))
        .collect::<Vec<_>>()
        .join(", ")
}
