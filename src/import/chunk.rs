//! Rows on their way from the reading thread to the writer: each row's
//! cells already in their stored form (dates as text, extra columns as
//! JSON), in one text buffer per chunk of rows.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::model::{Attributes, Criticality, Grant, Identity, RecordKind, System, When};

use super::batch::PriorReview;

/// A cell of a row: a range of its chunk's text, `None` for NULL.
pub type Cell = Option<(u32, u32)>;

/// One change to the workspace, in the order the reader made it.
pub enum Write {
    /// Opens the next snapshot; snapshots are numbered 0, 1, ... in the
    /// order they are opened, and rows name theirs by that number.
    Snapshot {
        kind: RecordKind,
        scope: String,
        file_name: String,
        sha256: String,
    },
    /// identity_id, display_name, email, department, kind, status,
    /// manager_id, owner_id, termination_date, last_login_at, attributes.
    Identity {
        snapshot: usize,
        line: u64,
        cells: [Cell; 11],
    },
    /// identity_ref, system, entitlement, type, granted_at, last_used_at,
    /// last_rotated_at, expires_at, attributes.
    Grant {
        snapshot: usize,
        line: u64,
        privileged: bool,
        cells: [Cell; 9],
    },
    /// system, owner_id, criticality, attributes.
    System {
        snapshot: usize,
        line: u64,
        cells: [Cell; 4],
    },
    PriorReview {
        format: &'static str,
        file_name: String,
        sha256: String,
        line: u64,
        review: Box<PriorReview>,
    },
    /// The format that read a snapshot's file.
    Format { snapshot: usize, format: String },
}

/// Rows on their way to the writer, their cells already in stored form
/// (dates as text, extra columns as JSON) in one text buffer: the thread
/// that inserts only binds slices of it, and allocates and frees nothing
/// per row.
#[derive(Default)]
pub struct Chunk {
    text: String,
    pub writes: Vec<Write>,
}

impl Chunk {
    pub fn with_capacity(writes: usize) -> Chunk {
        Chunk {
            text: String::with_capacity(writes * 128),
            writes: Vec::with_capacity(writes),
        }
    }

    pub fn len(&self) -> usize {
        self.writes.len()
    }

    pub fn push(&mut self, write: Write) {
        self.writes.push(write);
    }

    pub fn identity(&mut self, snapshot: usize, line: u64, identity: &Identity) {
        let cells = [
            self.cell(Some(&identity.identity_id)),
            self.cell(identity.display_name.as_deref()),
            self.cell(identity.email.as_deref()),
            self.cell(identity.department.as_deref()),
            self.cell(Some(identity.kind.as_str())),
            self.cell(Some(identity.status.as_str())),
            self.cell(identity.manager_id.as_deref()),
            self.cell(identity.owner_id.as_deref()),
            self.date(identity.termination_date),
            self.date(identity.last_login_at),
            self.attributes(&identity.attributes),
        ];
        self.writes.push(Write::Identity {
            snapshot,
            line,
            cells,
        });
    }

    pub fn grant(&mut self, snapshot: usize, line: u64, grant: &Grant) {
        let cells = [
            self.cell(Some(&grant.identity_ref)),
            self.cell(Some(&grant.system)),
            self.cell(Some(&grant.entitlement)),
            self.cell(Some(grant.grant_type.as_str())),
            self.date(grant.granted_at),
            self.date(grant.last_used_at),
            self.date(grant.last_rotated_at),
            self.date(grant.expires_at),
            self.attributes(&grant.attributes),
        ];
        self.writes.push(Write::Grant {
            snapshot,
            line,
            privileged: grant.privileged,
            cells,
        });
    }

    pub fn system(&mut self, snapshot: usize, line: u64, system: &System) {
        let cells = [
            self.cell(Some(&system.system)),
            self.cell(system.owner_id.as_deref()),
            self.cell(system.criticality.map(Criticality::as_str)),
            self.attributes(&system.attributes),
        ];
        self.writes.push(Write::System {
            snapshot,
            line,
            cells,
        });
    }

    fn cell(&mut self, value: Option<&str>) -> Cell {
        let value = value?;
        let start = u32::try_from(self.text.len()).ok()?;
        self.text.push_str(value);
        Some((start, u32::try_from(self.text.len()).ok()?))
    }

    fn date(&mut self, when: Option<When>) -> Cell {
        self.cell(when.map(When::stored).as_deref())
    }

    fn attributes(&mut self, attributes: &Attributes) -> Cell {
        self.cell(attributes_json(attributes).as_deref())
    }

    pub fn get(&self, cell: Cell) -> Option<&str> {
        let (start, end) = cell?;
        self.text.get(start as usize..end as usize)
    }
}

/// Extra columns as a JSON object in file order, or NULL when there are none.
/// A name that appears twice keeps its first place and its last value, as a
/// JSON map built from the pairs would. Written straight into the text: a
/// map per row cost more than the values in it.
pub fn attributes_json(attributes: &Attributes) -> Option<String> {
    if attributes.is_empty() {
        return None;
    }
    // For each pair, the index of the pair whose value the name takes (its
    // last occurrence), or `None` for a repeated name already written. A
    // few columns are compared pairwise, which allocates nothing; wide
    // files go through a hash map, since pairwise comparison of a
    // thousand-column header per row made the import quadratic.
    let sources: Vec<Option<usize>> = if attributes.len() <= PAIRWISE_UP_TO {
        (0..attributes.len())
            .map(|index| {
                let name = &attributes[index].0;
                let repeated = attributes[..index]
                    .iter()
                    .any(|(earlier, _)| earlier == name);
                (!repeated).then(|| {
                    attributes
                        .iter()
                        .rposition(|(other, _)| other == name)
                        .unwrap_or(index)
                })
            })
            .collect()
    } else {
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(attributes.len());
        for (index, (name, _)) in attributes.iter().enumerate() {
            last.insert(name.as_str(), index);
        }
        let mut written = HashSet::with_capacity(attributes.len());
        attributes
            .iter()
            .map(|(name, _)| {
                written
                    .insert(name.as_str())
                    .then(|| last.get(name.as_str()).copied())
                    .flatten()
            })
            .collect()
    };
    let mut json = Vec::with_capacity(64);
    json.push(b'{');
    for (index, source) in sources.into_iter().enumerate() {
        let Some(source) = source else {
            continue;
        };
        if json.len() > 1 {
            json.push(b',');
        }
        // Writing a string into a Vec cannot fail.
        serde_json::to_writer(&mut json, &attributes[index].0).ok()?;
        json.push(b':');
        serde_json::to_writer(&mut json, &attributes[source].1).ok()?;
    }
    json.push(b'}');
    String::from_utf8(json).ok()
}

/// Up to this many extra columns, repeated names are found by comparing
/// every pair (cheaper than hashing for the usual handful).
const PAIRWISE_UP_TO: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GrantType, IdentityKind, IdentityStatus};

    #[test]
    fn rows_reach_the_writer_as_their_stored_text() {
        let mut chunk = Chunk::with_capacity(4);
        let identity = Identity {
            kind: IdentityKind::Service,
            status: IdentityStatus::Disabled,
            owner_id: Some("E2".into()),
            last_login_at: crate::model::When::parse_stored("2026-08-31T14:05:00Z"),
            attributes: vec![("team".into(), "ops \"night\"".into())],
            ..Identity::new("svc-1")
        };
        chunk.identity(0, 7, &identity);
        let grant = Grant {
            grant_type: GrantType::ApiKey,
            privileged: true,
            granted_at: crate::model::When::parse_stored("2026-01-02"),
            ..Grant::new("svc-1", "github", "deploy")
        };
        chunk.grant(0, 8, &grant);
        let text = |cells: &[Cell]| -> Vec<Option<String>> {
            cells
                .iter()
                .map(|&c| chunk.get(c).map(str::to_owned))
                .collect()
        };
        let Write::Identity { line, cells, .. } = &chunk.writes[0] else {
            panic!("an identity first");
        };
        assert_eq!(*line, 7);
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            text(cells),
            [
                some("svc-1"),
                None,
                None,
                None,
                some("service"),
                some("disabled"),
                None,
                some("E2"),
                None,
                some("2026-08-31T14:05:00Z"),
                some("{\"team\":\"ops \\\"night\\\"\"}"),
            ]
        );
        let Write::Grant {
            privileged, cells, ..
        } = &chunk.writes[1]
        else {
            panic!("then a grant");
        };
        assert!(*privileged);
        assert_eq!(
            text(cells),
            [
                some("svc-1"),
                some("github"),
                some("deploy"),
                some("api_key"),
                some("2026-01-02"),
                None,
                None,
                None,
                None,
            ]
        );
    }

    /// What the attributes were written as before: a JSON map built from the pairs.
    fn via_map(pairs: &[(String, String)]) -> String {
        let object: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(name, value)| (name.clone(), serde_json::Value::from(value.as_str())))
            .collect();
        serde_json::Value::Object(object).to_string()
    }

    /// Enough columns to take the hashed path, with names repeated.
    fn wide() -> Vec<(String, String)> {
        (0..3 * PAIRWISE_UP_TO)
            .map(|i| (format!("c{}", i % (2 * PAIRWISE_UP_TO)), format!("v{i}")))
            .collect()
    }

    #[test]
    fn attributes_are_written_as_the_json_map_would_be() {
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect()
        };
        for case in [
            pairs(&[("source_ticket", "ACC-1")]),
            pairs(&[("note", "say \"hi\"\n\ttab \\ é \u{1}"), ("b", "")]),
            pairs(&[("x", "first"), ("y", "1"), ("x", "last")]),
            wide(),
        ] {
            assert_eq!(
                attributes_json(&case).as_deref(),
                Some(via_map(&case).as_str())
            );
        }
        assert_eq!(attributes_json(&Vec::new()), None);
    }
}
