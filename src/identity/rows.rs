//! The current identity rows, read once: the persons of canonical (HR)
//! files and the accounts of directory exports (Entra, Google, Okta, AWS
//! IAM users, Azure principals), each with the export attributes that
//! correlation reads.

use rusqlite::Connection;

use crate::model::{IdentityKind, IdentityStatus, When};

/// One current identity row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRow {
    pub row: i64,
    /// The snapshot scope: `canonical` for a person, else the export's
    /// scope (`entra-id`, `google-workspace`, `okta`, `aws:<account>`, ...).
    pub scope: String,
    pub identity_id: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub department: Option<String>,
    pub kind: IdentityKind,
    pub status: IdentityStatus,
    pub manager_id: Option<String>,
    pub owner_id: Option<String>,
    pub termination_date: Option<When>,
    /// The export's extra facts (`employee_id`, `object_id`, `user_type`,
    /// ...); only read for accounts, never for persons.
    pub attributes: Vec<(String, String)>,
}

impl IdentityRow {
    /// Whether this row comes from an HR or canonical identities file.
    pub fn is_person(&self) -> bool {
        self.scope == "canonical"
    }

    /// An extra attribute by name.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    /// Still employed or in use as of `day`: active, and not past a
    /// termination date.
    pub fn is_active_on(&self, day: chrono::NaiveDate) -> bool {
        self.status == IdentityStatus::Active
            && self.termination_date.is_none_or(|date| date.date() > day)
    }

    /// `Jane Doe (E0412)`, or the id alone.
    pub fn label(&self) -> String {
        match self
            .display_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(name) => format!("{name} ({})", self.identity_id.trim()),
            None => self.identity_id.trim().to_owned(),
        }
    }
}

/// Every identity row of the current snapshots: canonical ones first, in
/// row order, then the accounts of other exports.
pub fn load_current(conn: &Connection) -> rusqlite::Result<Vec<IdentityRow>> {
    let mut statement = conn.prepare(
        "SELECT i.id, s.scope, i.identity_id, i.display_name, i.email, i.department, i.kind,
                i.status, i.manager_id, i.owner_id, i.termination_date,
                CASE WHEN s.scope = 'canonical' THEN NULL ELSE i.attributes END
         FROM identities i JOIN snapshots s ON s.id = i.snapshot_id
         WHERE s.current = 1 AND s.kind = 'identities'
         ORDER BY s.scope <> 'canonical', i.id",
    )?;
    let mut rows = statement.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let kind: String = row.get(6)?;
        let status: String = row.get(7)?;
        let termination: Option<String> = row.get(10)?;
        let attributes: Option<String> = row.get(11)?;
        out.push(IdentityRow {
            row: row.get(0)?,
            scope: row.get(1)?,
            identity_id: row.get(2)?,
            display_name: row.get(3)?,
            email: row
                .get::<_, Option<String>>(4)?
                .filter(|e| !e.trim().is_empty()),
            department: row.get(5)?,
            // The schema's CHECK constraints allow only the known values.
            kind: IdentityKind::parse(&kind).unwrap_or(IdentityKind::Human),
            status: IdentityStatus::parse(&status).unwrap_or(IdentityStatus::Active),
            manager_id: row
                .get::<_, Option<String>>(8)?
                .filter(|m| !m.trim().is_empty()),
            owner_id: row
                .get::<_, Option<String>>(9)?
                .filter(|o| !o.trim().is_empty()),
            termination_date: termination.as_deref().and_then(When::parse_stored),
            attributes: attributes
                .as_deref()
                .map(parse_attributes)
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The attributes JSON object recert writes, as (name, text) pairs.
pub fn parse_attributes(json: &str) -> Vec<(String, String)> {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json)
        .map(|map| {
            map.into_iter()
                .map(|(name, value)| {
                    let text = match value {
                        serde_json::Value::String(text) => text,
                        other => other.to_string(),
                    };
                    (name, text)
                })
                .collect()
        })
        .unwrap_or_default()
}
