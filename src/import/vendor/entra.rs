//! Microsoft Entra ID "Download users" (Users > All users > Download users).
//!
//! Header VERIFIED (FORMATS.md A2a) in two variants, both read by name:
//! - the 2021 Graph-based export reproduced verbatim in the Y-Security advisory
//!   "Microsoft Azure Portal – CSV Injection" (2021-12-06,
//!   https://www.y-security.de/news-en/microsoft-azure-portal-csv-injection/index.html):
//!   `userPrincipalName,displayName,surname,mail,givenName,id,userType,jobTitle,
//!   department,accountEnabled,usageLocation,streetAddress,state,country,officeLocation,
//!   city,postalCode,telephoneNumber,mobilePhone,alternateEmailAddress,ageGroup,
//!   consentProvidedForMinor,legalAgeGroupClassification,companyName,creationType,
//!   directorySynced,invitationState,identityIssuer,createdDateTime`;
//! - the attribute list of Microsoft Learn "Bulk download a list of users"
//!   (MicrosoftDocs/entra-docs `docs/identity/users/users-bulk-download.md`), which
//!   says `objectId`, `physicalDeliveryOfficeName` and `mobile` instead.
//!
//! Values: `accountEnabled` = `True`/`False`, `createdDateTime` in the browser's
//! locale (`8/19/2021 1:25:31 PM`), guests as `user_domain#EXT#@tenant.onmicrosoft.com`.
//!
//! Mapping: one identity per user keyed by UPN (Azure role assignments and
//! Okta name people by UPN or e-mail), Guest → `external`, disabled accounts
//! `disabled`; plus one `account` grant per user on system `entra-id`, so
//! guest and disabled accounts come up for review. The download has no
//! sign-in date, so it cannot make an account dormant.

use crate::import::batch::Batch;
use crate::import::formats::{Confidence, Format};
use crate::import::source::CsvFile;
use crate::model::{Grant, GrantType, Identity, IdentityKind, IdentityStatus};

use super::fields::{Cells, Layout, count, header_has_all};

pub const USERS: Format = Format {
    name: "entra-users",
    title: "Microsoft Entra ID users (Entra admin center > Users > All users > Download users)",
    produces: "identities (members human, guests external) + one account grant each on entra-id",
    source: "Entra admin center > Users > All users > Download users (CSV)",
    confidence: Confidence::Verified,
    detect: |h| header_has_all(h, &["userPrincipalName", "accountEnabled"]),
    read,
};

pub const SYSTEM: &str = "entra-id";
const SCOPE: &str = "entra-id";

fn read(file: &CsvFile, batch: &mut Batch<'_>, _date_formats: &[String]) -> u64 {
    let layout = Layout::of(&file.header);
    let upn = layout.find(&["userPrincipalName"]);
    let name = layout.find(&["displayName"]);
    let mail = layout.find(&["mail"]);
    let object_id = layout.find(&["id", "objectId"]);
    let user_type = layout.find(&["userType"]);
    let job = layout.find(&["jobTitle"]);
    let department = layout.find(&["department"]);
    let enabled = layout.find(&["accountEnabled"]);
    let company = layout.find(&["companyName"]);
    let office = layout.find(&["officeLocation", "physicalDeliveryOfficeName"]);
    let synced = layout.find(&["directorySynced"]);
    let creation_type = layout.find(&["creationType"]);
    let invitation = layout.find(&["invitationState"]);
    let issuer = layout.find(&["identityIssuer"]);
    let created = layout.find(&["createdDateTime"]);
    // Not in the portal's default download, but tenants add it (and Graph
    // exports have it): the HR employee id, which links the account.
    let employee_id = layout.find(&["employeeId", "employee id"]);
    let (mut guests, mut disabled) = (0_u64, 0_u64);
    let rows = file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            nulls: &[],
        };
        let Some(principal) = cells.text(upn) else {
            cells.bad(upn, "", "the user's userPrincipalName");
            return;
        };
        let guest = is_guest(&mut cells, user_type, &principal);
        let enabled = cells.flag(enabled).unwrap_or(true);
        let created = cells.date(created);
        let mut attributes = cells.attributes(&[
            ("object_id", object_id),
            ("employee_id", employee_id),
            ("user_type", user_type),
            ("job_title", job),
            ("company", company),
            ("office", office),
            ("directory_synced", synced),
            ("creation_type", creation_type),
            ("invitation_state", invitation),
            ("identity_issuer", issuer),
        ]);
        if let Some(created) = created {
            attributes.push(("created".into(), created.to_string()));
        }
        let home = guest_home_address(&principal);
        if let Some(home) = &home {
            attributes.push(("guest_home_address".into(), home.clone()));
        }
        let status = if enabled {
            IdentityStatus::Active
        } else {
            IdentityStatus::Disabled
        };
        let identity = Identity {
            display_name: cells.text(name),
            email: cells.text(mail).or(home),
            department: cells.text(department),
            kind: if guest {
                IdentityKind::External
            } else {
                IdentityKind::Human
            },
            status,
            attributes: attributes.clone(),
            ..Identity::new(principal.clone())
        };
        guests += u64::from(guest);
        disabled += u64::from(!enabled);
        batch.identity(row, SCOPE, &identity);
        let entitlement = if guest {
            "guest account"
        } else {
            "member account"
        };
        let mut grant = Grant {
            grant_type: GrantType::Account,
            ..Grant::new(principal, SYSTEM, entitlement)
        };
        grant.attributes = vec![("account_enabled".into(), enabled.to_string())];
        batch.grant(row, SCOPE, &grant);
    });
    if guests + disabled > 0 {
        batch.note(
            file,
            format!(
                "{}, {}; the download has no sign-in dates, so dormancy is not judged from it",
                count(guests, "guest account"),
                count(disabled, "disabled account")
            ),
        );
    }
    rows
}

/// `userType` Guest, or a Member whose UPN carries the B2B `#EXT#` marker.
fn is_guest(cells: &mut Cells<'_, '_>, user_type: Option<usize>, principal: &str) -> bool {
    let kind = cells.text(user_type).map(|t| t.to_ascii_lowercase());
    match kind.as_deref() {
        Some("guest") => true,
        Some("member") | None => principal.contains("#EXT#"),
        Some(_) => {
            let found = cells.raw(user_type).unwrap_or_default();
            cells.bad(user_type, &found, "Member or Guest");
            false
        }
    }
}

/// The guest's own address from a B2B guest UPN:
/// `jane_partner.example#EXT#@tenant.onmicrosoft.com` → `jane@partner.example`.
/// The last `_` before `#EXT#` stands for the `@`.
pub fn guest_home_address(upn: &str) -> Option<String> {
    let (local, _) = upn.split_once("#EXT#")?;
    let (user, domain) = local.rsplit_once('_')?;
    (!user.is_empty() && domain.contains('.')).then(|| format!("{user}@{domain}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::guest(
        "jane_partner.example#EXT#@contoso.onmicrosoft.com",
        Some("jane@partner.example")
    )]
    #[case::underscore_in_name(
        "j_doe_partner.example#EXT#@contoso.onmicrosoft.com",
        Some("j_doe@partner.example")
    )]
    #[case::member("ada@contoso.example", None)]
    fn guest_addresses_are_decoded(#[case] upn: &str, #[case] home: Option<&str>) {
        assert_eq!(guest_home_address(upn).as_deref(), home);
    }
}
