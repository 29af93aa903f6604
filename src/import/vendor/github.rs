//! GitHub: the enterprise members / license report and organization member lists.
//!
//! - Enterprise people / license report, DOC-FIELDS (FORMATS.md A5a): GitHub
//!   Docs "License reports reference" (`github/docs`, billing reference) lists
//!   `GitHub com login, GitHub com name, Enterprise server user ids, GitHub com user,
//!   Enterprise server user, Visual studio subscription user, License type,
//!   GitHub com profile, GitHub com member roles, GitHub com enterprise roles,
//!   GitHub com verified domain emails, GitHub com saml name, GitHub com orgs with
//!   pending invites, GitHub com two factor auth, …, Total user accounts`; public
//!   tools that read the "Export as CSV" file of the enterprise People page use
//!   these names as the header. Older files have 21 columns; data-residency
//!   tenants say `GitHub` instead of `GitHub com`; some write `GitHub com saml name id`.
//!   Member roles are `org:Role` pairs in one cell, outside collaborators `ORG/REPO:Collaborator`.
//! - Organization members, UNCONFIRMED (FORMATS.md A5b): the People page
//!   export is documented in prose only (username, name, 2FA, role, last
//!   activity, optional SAML NameID and verified-domain e-mails). The reader
//!   follows the documented GitHub Enterprise Server "all users" report keys
//!   (`login`, `email`, `role`, `suspended?`, `last_active`, `2fa_enabled?`,
//!   docs.github.com `…/accessing-reports-for-your-instance`) and accepts the
//!   prose names as synonyms.
//!
//! Mapping: no identities. Each role is a grant on `github:<org>` (enterprise
//! roles on `github-enterprise`) held by the SAML NameID, else a verified
//! domain e-mail, else the login, so it links to the HR or IdP identity of the
//! person; owners and admins are privileged.

use crate::import::batch::Batch;
use crate::import::formats::{Confidence, Format};
use crate::import::source::CsvFile;
use crate::model::{Grant, GrantType, RecordKind};

use super::fields::{Cells, Layout, count};

pub const ENTERPRISE_MEMBERS: Format = Format {
    name: "github-enterprise-members",
    title: "GitHub Enterprise Cloud members / license report (enterprise People > Export as CSV)",
    produces: "role grants per organization (github:<org>) and enterprise owner grants, held by SAML NameID or e-mail",
    source: "github.com/enterprises/<enterprise>/people > Export as CSV, or Settings > Enterprise licensing > Download CSV report",
    confidence: Confidence::DocFields,
    detect: |h| {
        let layout = Layout::of(h);
        (layout.has("GitHub com login") || layout.has("GitHub login"))
            && (layout.has("GitHub com member roles")
                || layout.has("GitHub member roles")
                || layout.has("License type"))
    },
    read: read_enterprise,
};

pub const MEMBERS: Format = Format {
    name: "github-members",
    title: "GitHub organization members (People > Export) or GitHub Enterprise Server all-users report",
    produces: "one role grant per member on github:<org> (or github), held by SAML NameID, e-mail or login",
    source: "github.com/orgs/<org>/people > Export (CSV), or GHES site admin > Reports > All users",
    confidence: Confidence::Unconfirmed,
    detect: |h| {
        let layout = Layout::of(h);
        layout.has("login")
            && layout.has("role")
            && [
                "2fa_enabled?",
                "two_factor_authentication",
                "2fa",
                "two-factor authentication",
                "saml_name_id",
                "last_active",
            ]
            .iter()
            .any(|name| layout.has(name))
    },
    read: read_members,
};

const NULLS: &[&str] = &["N/A", "null", "none", "[]"];

fn read_enterprise(file: &CsvFile, batch: &mut Batch<'_>, _date_formats: &[String]) -> u64 {
    let layout = Layout::of(&file.header);
    let find =
        |name: &str| layout.find(&[&format!("GitHub com {name}"), &format!("GitHub {name}")]);
    let login = find("login");
    let name = find("name");
    let member_roles = find("member roles");
    let enterprise_roles = find("enterprise roles");
    let emails = find("verified domain emails");
    let saml = layout.find(&[
        "GitHub com saml name id",
        "GitHub com saml name",
        "GitHub saml name id",
        "GitHub saml name",
    ]);
    let two_factor = find("two factor auth");
    let license = layout.find(&["License type"]);
    let pending = find("orgs with pending invites");
    let mut without_account = 0_u64;
    batch.declare(file, RecordKind::Entitlements, "github-enterprise");
    let rows = file.for_each_row(batch, |row, batch| {
        let cells = Cells {
            row,
            problems: &mut batch.problems,
            nulls: NULLS,
        };
        let Some(login_name) = cells.text(login) else {
            // Enterprise Server or Visual Studio seats without a GitHub.com account.
            without_account += 1;
            return;
        };
        let email = cells
            .text(emails)
            .and_then(|list| split_list(&list).into_iter().next());
        let holder = cells
            .text(saml)
            .or(email)
            .unwrap_or_else(|| login_name.clone());
        let mut attributes = vec![("github_login".to_owned(), login_name.clone())];
        attributes.extend(cells.attributes(&[
            ("github_name", name),
            ("saml_name_id", saml),
            ("two_factor_auth", two_factor),
            ("license_type", license),
            ("orgs_with_pending_invites", pending),
        ]));
        let roles = cells
            .text(member_roles)
            .map(|t| split_list(&t))
            .unwrap_or_default();
        let enterprise = cells
            .text(enterprise_roles)
            .map(|t| split_list(&t))
            .unwrap_or_default();
        let mut grants: Vec<Grant> = roles
            .iter()
            .filter_map(|pair| org_role(&holder, pair))
            .collect();
        for role in &enterprise {
            if role.eq_ignore_ascii_case("owner") {
                grants.push(Grant {
                    privileged: true,
                    ..Grant::new(holder.clone(), "github-enterprise", "enterprise owner")
                });
            }
        }
        if grants.is_empty() {
            // A licensed user with no organization role (pending, or a
            // collaborator of a repository only) still holds a seat.
            let what = enterprise
                .first()
                .cloned()
                .unwrap_or_else(|| "licensed user".into());
            grants.push(Grant::new(
                holder.clone(),
                "github-enterprise",
                what.to_lowercase(),
            ));
        }
        for mut grant in grants {
            grant.attributes.clone_from(&attributes);
            batch.grant(row, "github-enterprise", &grant);
        }
    });
    if without_account > 0 {
        batch.note(file, format!("{} without a GitHub com login (Enterprise Server or Visual Studio seats) not imported", count(without_account, "row")));
    }
    rows
}

/// One `org:Role` pair (or `org/repo:Collaborator`) as a grant.
fn org_role(holder: &str, pair: &str) -> Option<Grant> {
    let (place, role) = pair.rsplit_once(':')?;
    let (org, repo) = match place.split_once('/') {
        Some((org, repo)) => (org, Some(repo)),
        None => (place, None),
    };
    let role = role.trim();
    let entitlement = match repo {
        Some(repo) => format!("{} on {repo}", role.to_lowercase()),
        None => role.to_lowercase(),
    };
    Some(Grant {
        privileged: is_privileged(role) && repo.is_none(),
        ..Grant::new(holder, format!("github:{}", org.trim()), entitlement)
    })
}

fn is_privileged(role: &str) -> bool {
    matches!(
        role.trim().to_ascii_lowercase().as_str(),
        "owner" | "admin" | "administrator"
    )
}

/// A list in one cell: `a, b`, `a;b` or a JSON-like `["a","b"]`.
fn split_list(text: &str) -> Vec<String> {
    text.trim_matches(|c| c == '[' || c == ']')
        .split([',', ';', '\n'])
        .map(|item| item.trim().trim_matches('"').trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

fn read_members(file: &CsvFile, batch: &mut Batch<'_>, _date_formats: &[String]) -> u64 {
    let layout = Layout::of(&file.header);
    let login = layout.find(&["login", "username"]);
    let name = layout.find(&["name", "display name"]);
    let role = layout.find(&["role"]);
    let org = layout.find(&["org", "organization"]);
    let email = layout.find(&[
        "email",
        "GitHub com verified domain emails",
        "verified domain emails",
    ]);
    let saml = layout.find(&["saml_name_id", "saml name id", "GitHub com saml name"]);
    let two_factor = layout.find(&[
        "2fa_enabled?",
        "two_factor_authentication",
        "two-factor authentication",
        "2fa",
    ]);
    let last_active = layout.find(&["last_active", "last activity"]);
    let created = layout.find(&["created_at"]);
    let suspended = layout.find(&["suspended?", "suspended"]);
    let dormant = layout.find(&["dormant?"]);
    let mut skipped = 0_u64;
    batch.declare(file, RecordKind::Entitlements, "github-members");
    let rows = file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            nulls: NULLS,
        };
        let Some(login_name) = cells.text(login) else {
            cells.bad(login, "", "the member's GitHub login");
            return;
        };
        if cells.flag(suspended) == Some(true) {
            skipped += 1;
            return;
        }
        let email = cells
            .text(email)
            .and_then(|list| split_list(&list).into_iter().next());
        let holder = cells
            .text(saml)
            .or(email)
            .unwrap_or_else(|| login_name.clone());
        let role_name = cells.text(role).unwrap_or_else(|| "member".into());
        let system = cells
            .text(org)
            .map_or_else(|| "github".to_owned(), |o| format!("github:{o}"));
        let mut attributes = vec![("github_login".to_owned(), login_name)];
        attributes.extend(cells.attributes(&[
            ("github_name", name),
            ("saml_name_id", saml),
            ("two_factor_auth", two_factor),
            ("dormant", dormant),
        ]));
        let grant = Grant {
            privileged: is_privileged(&role_name),
            last_used_at: cells.date(last_active),
            granted_at: cells.date(created),
            attributes,
            grant_type: GrantType::Role,
            ..Grant::new(holder, system, role_name.to_lowercase())
        };
        batch.grant(row, "github-members", &grant);
    });
    if skipped > 0 {
        batch.note(
            file,
            format!("{} not imported", count(skipped, "suspended account")),
        );
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::member("acme:Member", "github:acme", "member", false)]
    #[case::owner("acme:Owner", "github:acme", "owner", true)]
    #[case::collaborator(
        "acme/payroll:Collaborator",
        "github:acme",
        "collaborator on payroll",
        false
    )]
    fn org_roles(
        #[case] pair: &str,
        #[case] system: &str,
        #[case] entitlement: &str,
        #[case] privileged: bool,
    ) {
        let grant = org_role("mona@x.example", pair).expect("a role");
        assert_eq!(
            (
                grant.system.as_str(),
                grant.entitlement.as_str(),
                grant.privileged
            ),
            (system, entitlement, privileged)
        );
    }

    #[test]
    fn lists_in_a_cell_split_every_way() {
        assert_eq!(split_list("a:Owner, b:Member"), ["a:Owner", "b:Member"]);
        assert_eq!(
            split_list("[\"a:Owner\",\"b:Member\"]"),
            ["a:Owner", "b:Member"]
        );
        assert!(split_list("[]").is_empty());
    }
}
