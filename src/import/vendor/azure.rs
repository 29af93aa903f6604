//! Azure role assignments: PowerShell/portal CSV and `az role assignment list`.
//!
//! - `Get-AzRoleAssignment | Export-Csv`, header VERIFIED (FORMATS.md A7a): the
//!   property order of `PSRoleAssignment`
//!   (https://learn.microsoft.com/dotnet/api/microsoft.azure.commands.resources.models.authorization.psroleassignment):
//!   `"RoleAssignmentName","RoleAssignmentId","Scope","DisplayName","SignInName",
//!   "RoleDefinitionName","RoleDefinitionId","ObjectId","ObjectType","CanDelegate",
//!   "Description","ConditionVersion","Condition"`, every field quoted; Windows
//!   PowerShell 5.1 adds a `#TYPE …` first line (skipped by `source.rs`).
//! - Portal "Download role assignments" CSV, UNCONFIRMED (A7b): the doc names
//!   the DisplayName, SignInName and ObjectType columns (blank without directory
//!   read permission), so it is read as the layout above.
//! - `az role assignment list` is JSON only (A7c); flattened to CSV its field
//!   names (VERIFIED) are the header: `principalId, principalName, principalType,
//!   roleDefinitionName, scope, createdOn, canDelegate, condition, …`.
//!
//! Mapping: one grant per assignment on system `azure:<subscription>` (or
//! `azure:mg/<group>`, `azure:/`), the entitlement the role plus any scope below
//! the subscription. Users are held by their sign-in name (UPN), linking to
//! Entra or HR identities; groups, service principals and managed identities
//! become identities of their own (shared / service / workload, keyed by object
//! id) because no user export lists them. Owner, Contributor, User Access
//! Administrator and other administrator roles are privileged.

use std::collections::HashSet;

use crate::import::batch::Batch;
use crate::import::formats::{Confidence, Format};
use crate::import::source::CsvFile;
use crate::model::{Grant, GrantType, Identity, IdentityKind};

use super::fields::{Cells, Layout, count, normalise};

pub const ROLE_ASSIGNMENTS: Format = Format {
    name: "azure-role-assignments",
    title: "Azure role assignments (Get-AzRoleAssignment | Export-Csv, portal download, or az role assignment list as CSV)",
    produces: "role grants per subscription (azure:<id>) + identities for groups, service principals and managed identities",
    source: "Get-AzRoleAssignment | Export-Csv -NoTypeInformation roles.csv, or Access control (IAM) > Download role assignments (CSV)",
    confidence: Confidence::Verified,
    detect: |h| {
        let layout = Layout::of(h);
        layout.has("RoleDefinitionName")
            && layout.has("Scope")
            && (layout.has("ObjectType")
                || layout.has("principalType")
                || layout.has("ObjectId")
                || layout.has("principalId"))
    },
    read,
};

/// Built-in roles that can change everything in their scope or grant access.
const PRIVILEGED_ROLES: &[&str] = &[
    "Owner",
    "Contributor",
    "User Access Administrator",
    "Role Based Access Control Administrator",
    "Co-Administrator",
    "Service Administrator",
    "Account Administrator",
];

/// Owner, Contributor, User Access Administrator, and any role named as an
/// administrator (`Key Vault Administrator`, `… Cluster Admin`).
pub fn is_privileged_role(role: &str) -> bool {
    let role = role.trim();
    PRIVILEGED_ROLES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(role))
        || role.split_whitespace().any(|word| {
            word.eq_ignore_ascii_case("administrator") || word.eq_ignore_ascii_case("admin")
        })
}

fn read(file: &CsvFile, batch: &mut Batch<'_>, _date_formats: &[String]) -> u64 {
    let layout = Layout::of(&file.header);
    let scope = layout.find(&["Scope"]);
    let role = layout.find(&["RoleDefinitionName"]);
    let display = layout.find(&["DisplayName", "principalDisplayName"]);
    let sign_in = layout.find(&["SignInName", "principalName"]);
    let object_id = layout.find(&["ObjectId", "principalId"]);
    let object_type = layout.find(&["ObjectType", "principalType"]);
    let can_delegate = layout.find(&["CanDelegate"]);
    let condition = layout.find(&["Condition"]);
    let description = layout.find(&["Description"]);
    let created = layout.find(&["createdOn"]);
    let assignment = layout.find(&["RoleAssignmentId", "id"]);
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut unresolved = 0_u64;
    let rows = file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            nulls: &[],
        };
        let Some(role_name) = cells.text(role) else {
            cells.bad(role, "", "the role name (RoleDefinitionName)");
            return;
        };
        let Some(scope_path) = cells.text(scope) else {
            cells.bad(scope, "", "the assignment scope, e.g. /subscriptions/<id>");
            return;
        };
        let Some((system, below)) = split_scope(&scope_path) else {
            cells.bad(
                scope,
                &scope_path,
                "an Azure scope such as /subscriptions/<id>/resourceGroups/<group>",
            );
            return;
        };
        let kind_text = cells.text(object_type).unwrap_or_default();
        let Some(principal) = principal_of(&kind_text) else {
            cells.bad(
                object_type,
                &kind_text,
                "User, Group, ServicePrincipal, ManagedIdentity, ForeignGroup, Device or Unknown",
            );
            return;
        };
        let name = cells.text(sign_in);
        let id = cells.text(object_id);
        let holder = match principal {
            Principal::User => name.clone().or_else(|| id.clone()),
            _ => id.clone().or_else(|| name.clone()),
        };
        let Some(holder) = holder else {
            cells.bad(object_id, "", "the principal (SignInName or ObjectId)");
            return;
        };
        if matches!(principal, Principal::Unknown) {
            unresolved += 1;
        }
        let mut attributes = cells.attributes(&[
            ("scope", scope),
            ("principal_type", object_type),
            ("principal_name", display),
            ("object_id", object_id),
            ("can_delegate", can_delegate),
            ("condition", condition),
            ("description", description),
            ("role_assignment_id", assignment),
        ]);
        if cells.flag(can_delegate) == Some(false) {
            attributes.retain(|(name, _)| name != "can_delegate");
        }
        let entitlement = match below {
            Some(rest) => format!("{role_name} on {rest}"),
            None => role_name.clone(),
        };
        let grant = Grant {
            grant_type: GrantType::Role,
            privileged: is_privileged_role(&role_name),
            granted_at: cells.date(created),
            attributes,
            ..Grant::new(holder.clone(), system.clone(), entitlement)
        };
        if let Some(kind) = principal.identity_kind() {
            if seen.insert((system.clone(), holder.clone())) {
                let identity = Identity {
                    display_name: cells.text(display).or(name),
                    kind,
                    attributes: vec![("azure_principal_type".into(), kind_text.clone())],
                    ..Identity::new(holder)
                };
                batch.identity(row, &system, &identity);
            }
        }
        batch.grant(row, &system, &grant);
    });
    if unresolved > 0 {
        batch.note(file, format!("{} to a deleted or unreadable principal (ObjectType Unknown or blank) stay orphaned", count(unresolved, "assignment")));
    }
    rows
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Principal {
    User,
    Group,
    /// A service principal (an application's identity).
    App,
    ManagedIdentity,
    Device,
    Unknown,
}

impl Principal {
    /// Non-user principals are identities this export defines; users come
    /// from the Entra or HR export.
    fn identity_kind(self) -> Option<IdentityKind> {
        match self {
            Principal::Group => Some(IdentityKind::Shared),
            Principal::App => Some(IdentityKind::Service),
            Principal::ManagedIdentity | Principal::Device => Some(IdentityKind::Workload),
            Principal::User | Principal::Unknown => None,
        }
    }
}

fn principal_of(text: &str) -> Option<Principal> {
    Some(match normalise(text).as_str() {
        "user" => Principal::User,
        "group" | "foreigngroup" => Principal::Group,
        "serviceprincipal" | "application" => Principal::App,
        "managedidentity" | "msi" => Principal::ManagedIdentity,
        "device" => Principal::Device,
        // Blank: the exporter could not read the directory (A7b).
        "unknown" | "" => Principal::Unknown,
        _ => return None,
    })
}

/// The system an assignment scope belongs to, and the part below it:
/// `/subscriptions/S/resourceGroups/rg` → (`azure:S`, `resourceGroups/rg`).
fn split_scope(scope: &str) -> Option<(String, Option<String>)> {
    let trimmed = scope.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Some(("azure:/".into(), None));
    }
    let parts: Vec<&str> = trimmed.trim_start_matches('/').split('/').collect();
    let (system, rest) = match parts.as_slice() {
        [first, id, rest @ ..] if first.eq_ignore_ascii_case("subscriptions") => {
            (format!("azure:{}", id.to_ascii_lowercase()), rest)
        }
        [p, ns, mg, name, rest @ ..]
            if p.eq_ignore_ascii_case("providers")
                && ns.eq_ignore_ascii_case("Microsoft.Management")
                && mg.eq_ignore_ascii_case("managementGroups") =>
        {
            (format!("azure:mg/{name}"), rest)
        }
        _ => return None,
    };
    Some((system, (!rest.is_empty()).then(|| rest.join("/"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::owner("Owner", true)]
    #[case::contributor("Contributor", true)]
    #[case::uaa("User Access Administrator", true)]
    #[case::key_vault_admin("Key Vault Administrator", true)]
    #[case::aks_admin("Azure Kubernetes Service RBAC Cluster Admin", true)]
    #[case::reader("Reader", false)]
    #[case::blob_reader("Storage Blob Data Reader", false)]
    #[case::administrative("Administrative Units Reader", false)]
    fn privileged_roles(#[case] role: &str, #[case] privileged: bool) {
        assert_eq!(is_privileged_role(role), privileged);
    }

    #[rstest]
    #[case::subscription("/subscriptions/AbC-1", "azure:abc-1", None)]
    #[case::group(
        "/subscriptions/abc-1/resourceGroups/rg-pay",
        "azure:abc-1",
        Some("resourceGroups/rg-pay")
    )]
    #[case::mg(
        "/providers/Microsoft.Management/managementGroups/corp",
        "azure:mg/corp",
        None
    )]
    #[case::root("/", "azure:/", None)]
    fn scopes(#[case] scope: &str, #[case] system: &str, #[case] below: Option<&str>) {
        assert_eq!(
            split_scope(scope),
            Some((system.to_owned(), below.map(str::to_owned)))
        );
    }

    #[test]
    fn strange_scopes_are_refused() {
        assert_eq!(split_scope("subscriptionz/x"), None);
    }

    #[rstest]
    #[case("User", Some(Principal::User))]
    #[case("ServicePrincipal", Some(Principal::App))]
    #[case("Unknown", Some(Principal::Unknown))]
    #[case("", Some(Principal::Unknown))]
    #[case("Robot", None)]
    fn principals(#[case] text: &str, #[case] principal: Option<Principal>) {
        assert_eq!(principal_of(text), principal);
    }
}
