//! The canonical identities, entitlements and systems CSVs (PRODUCT.md §2).

use super::batch::Batch;
use super::columns::{Cells, Columns};
use super::formats::{Confidence, Format};
use super::source::{CsvFile, Header};
use crate::model::{Criticality, Grant, GrantType, Identity, IdentityKind, IdentityStatus, System};

/// Canonical files replace each other as a whole: one scope per kind.
const SCOPE: &str = "canonical";

pub const IDENTITIES: Format = Format {
    name: "identities",
    title: "recert canonical identities CSV (identity_id, display_name, email, kind, status, ...)",
    produces: "identities",
    source: "your HR system or any tool, written in this layout (README: Input formats)",
    confidence: Confidence::Canonical,
    detect: is_identities_header,
    read: read_identities,
};

pub const ENTITLEMENTS: Format = Format {
    name: "entitlements",
    title: "recert canonical entitlements CSV (identity_id, system, entitlement, type, privileged, ...)",
    produces: "grants",
    source: "any tool, written in this layout (README: Input formats)",
    confidence: Confidence::Canonical,
    detect: |h| h.has("entitlement") || h.has_all(&["identity_id", "system"]),
    read: read_entitlements,
};

pub const SYSTEMS: Format = Format {
    name: "systems",
    title: "recert canonical systems CSV (system, owner_id, criticality)",
    produces: "systems (owner, criticality)",
    source: "your application inventory, written in this layout (README: Input formats)",
    confidence: Confidence::Canonical,
    detect: is_systems_header,
    read: read_systems,
};

/// Identity columns without grant columns; two known identity columns are
/// enough, so a file missing identity_id is told exactly that.
fn is_identities_header(header: &Header) -> bool {
    let known = IDENTITY_FIELDS.iter().filter(|f| header.has(f)).count();
    !header.has("entitlement") && !header.has("system") && (header.has("identity_id") || known >= 2)
}

fn is_systems_header(header: &Header) -> bool {
    header.has("system")
        && (header.has("owner_id") || header.has("criticality"))
        && !header.has("identity_id")
        && !header.has("entitlement")
}

pub(super) const IDENTITY_FIELDS: &[&str] = &[
    "identity_id",
    "display_name",
    "email",
    "department",
    "kind",
    "status",
    "manager_id",
    "owner_id",
    "termination_date",
    "last_login_at",
];

fn read_identities(file: &CsvFile, batch: &mut Batch<'_>, date_formats: &[String]) -> u64 {
    let Some(columns) =
        Columns::resolve(file, IDENTITY_FIELDS, &["identity_id"], &mut batch.problems)
    else {
        return 0;
    };
    file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            date_formats,
        };
        let identity_id = cells.required(columns.at(0), "an identity_id");
        let identity = Identity {
            identity_id: identity_id.clone().unwrap_or_default(),
            display_name: cells.text(columns.at(1)),
            email: cells.text(columns.at(2)),
            department: cells.text(columns.at(3)),
            kind: cells.choice(
                columns.at(4),
                IdentityKind::Human,
                IdentityKind::parse_importable,
                IdentityKind::expected_importable,
            ),
            status: cells.choice(
                columns.at(5),
                IdentityStatus::Active,
                IdentityStatus::parse,
                IdentityStatus::expected,
            ),
            manager_id: cells.text(columns.at(6)),
            owner_id: cells.text(columns.at(7)),
            termination_date: cells.date(columns.at(8)),
            last_login_at: cells.date(columns.at(9)),
            attributes: columns.attributes(row),
        };
        if identity_id.is_some() {
            batch.identity(row, SCOPE, &identity);
        }
    })
}

pub(super) const GRANT_FIELDS: &[&str] = &[
    "identity_id",
    "system",
    "entitlement",
    "type",
    "privileged",
    "granted_at",
    "last_used_at",
    "last_rotated_at",
    "expires_at",
];

fn read_entitlements(file: &CsvFile, batch: &mut Batch<'_>, date_formats: &[String]) -> u64 {
    let required = ["identity_id", "system", "entitlement"];
    let Some(columns) = Columns::resolve(file, GRANT_FIELDS, &required, &mut batch.problems) else {
        return 0;
    };
    file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            date_formats,
        };
        let holder = cells.required(columns.at(0), "an identity_id (or the holder's email)");
        let system = cells.required(columns.at(1), "a system");
        let entitlement = cells.required(columns.at(2), "an entitlement");
        let grant = Grant {
            identity_ref: holder.unwrap_or_default(),
            system: system.unwrap_or_default(),
            entitlement: entitlement.unwrap_or_default(),
            grant_type: cells.choice(
                columns.at(3),
                GrantType::Role,
                GrantType::parse,
                GrantType::expected,
            ),
            privileged: cells.boolean(columns.at(4), false),
            granted_at: cells.date(columns.at(5)),
            last_used_at: cells.date(columns.at(6)),
            last_rotated_at: cells.date(columns.at(7)),
            expires_at: cells.date(columns.at(8)),
            attributes: columns.attributes(row),
        };
        batch.grant(row, SCOPE, &grant);
    })
}

pub(super) const SYSTEM_FIELDS: &[&str] = &["system", "owner_id", "criticality"];

fn read_systems(file: &CsvFile, batch: &mut Batch<'_>, date_formats: &[String]) -> u64 {
    let Some(columns) = Columns::resolve(file, SYSTEM_FIELDS, &["system"], &mut batch.problems)
    else {
        return 0;
    };
    file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            date_formats,
        };
        let Some(name) = cells.required(columns.at(0), "a system") else {
            return;
        };
        let system = System {
            system: name,
            owner_id: cells.text(columns.at(1)),
            criticality: cells.text(columns.at(2)).map(|_| {
                cells.choice(
                    columns.at(2),
                    Criticality::Low,
                    Criticality::parse,
                    Criticality::expected,
                )
            }),
            attributes: columns.attributes(row),
        };
        batch.system(row, SCOPE, &system);
    })
}
