//! Okta reports: users with their passwords, and who is assigned to which app.
//!
//! Both headers are DOC-FIELDS (FORMATS.md A3): Okta documents the fields of
//! the e-mailed CSV, not the header line, so columns are matched by name.
//! - "Okta Password Health" report, help.okta.com
//!   `Content/Topics/reports/okta-password-health-report.htm`: `User`, `Login`,
//!   `Status`, `Activation date`, `Authentication Source`, `Last Login`,
//!   `Last Password Change`. Status labels are unconfirmed: both the API enum
//!   (`ACTIVE`, `PASSWORD_EXPIRED`, ...) and words (`Password expired`) are read.
//! - "Current Assignments" report (Reports > Application Access Audit),
//!   https://help.okta.com/en/prod/Content/Topics/Reports/app-current-assignments-report.htm
//!   (okta/okta-help `en-us/Content/Topics/Reports/app-current-assignments-report.htm`):
//!   `User`, `Login`, `Application name`, `Application instance`,
//!   `Application login`, `Assigned on`, `Unassigned on`, `Last login`,
//!   `Last password change`, timestamps ISO 8601.

use crate::import::batch::Batch;
use crate::import::formats::{Confidence, Format};
use crate::import::source::CsvFile;
use crate::model::{Grant, GrantType, Identity, IdentityStatus, RecordKind};

use super::fields::{Cells, Layout, count, header_has_all, normalise};

pub const PASSWORD_HEALTH: Format = Format {
    name: "okta-password-health",
    title: "Okta Password Health report (Okta users with status, last login and password change)",
    produces: "identities (keyed by Okta login) + one password (or account) grant each on okta",
    source: "Okta Admin Console > Reports > Okta Password Health (CSV link e-mailed)",
    confidence: Confidence::DocFields,
    detect: |h| {
        header_has_all(h, &["Login", "Status", "Last Password Change"])
            && !header_has_all(h, &["Application name"])
    },
    read: read_users,
};

pub const CURRENT_ASSIGNMENTS: Format = Format {
    name: "okta-current-assignments",
    title: "Okta Current Assignments report (which user is assigned to which application)",
    produces: "account grants (user > application), held by the Okta login",
    source: "Okta Admin Console > Reports > Application Access Audit > Current Assignments (CSV link e-mailed)",
    confidence: Confidence::DocFields,
    detect: |h| {
        let layout = Layout::of(h);
        layout.has("Login")
            && layout.has("Assigned on")
            && (layout.has("Application instance") || layout.has("Application name"))
    },
    read: read_assignments,
};

pub const SYSTEM: &str = "okta";
const ASSIGNMENTS_SCOPE: &str = "okta-assignments";
const NULLS: &[&str] = &["Never", "N/A", "-"];

fn read_users(file: &CsvFile, batch: &mut Batch<'_>, _date_formats: &[String]) -> u64 {
    let layout = Layout::of(&file.header);
    let user = layout.find(&["User", "Name", "Full name"]);
    let login = layout.find(&["Login", "Username"]);
    let status = layout.find(&["Status"]);
    let activated = layout.find(&["Activation date", "Activated"]);
    let source = layout.find(&["Authentication Source", "Authentication provider"]);
    let last_login = layout.find(&["Last Login"]);
    let changed = layout.find(&["Last Password Change", "Password changed"]);
    file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            nulls: NULLS,
        };
        let Some(login_name) = cells.text(login) else {
            cells.bad(login, "", "the user's Okta login");
            return;
        };
        let status_text = cells.text(status).unwrap_or_else(|| "ACTIVE".into());
        let Some(recert_status) = status_of(&status_text) else {
            cells.bad(status, &status_text, "an Okta status: Active, Staged, Provisioned, Recovery, Password expired, Locked out, Suspended or Deprovisioned");
            return;
        };
        let last_login_at = cells.date(last_login);
        let activated_at = cells.date(activated);
        let changed_at = cells.date(changed);
        let auth_source = cells.text(source);
        let identity = Identity {
            display_name: cells.text(user),
            email: login_name.contains('@').then(|| login_name.clone()),
            status: recert_status,
            last_login_at,
            attributes: cells.attributes(&[("okta_status", status), ("authentication_source", source)]),
            ..Identity::new(login_name.clone())
        };
        batch.identity(row, SYSTEM, &identity);
        // The password lives in Okta only when Okta is the authentication
        // source; a delegated (AD/LDAP) user's Okta account is reviewed as an account.
        let okta_password = auth_source.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("okta"));
        let mut grant = if okta_password {
            Grant {
                grant_type: GrantType::Password,
                last_rotated_at: changed_at,
                ..Grant::new(login_name, SYSTEM, "Okta password")
            }
        } else {
            Grant {
                grant_type: GrantType::Account,
                ..Grant::new(login_name, SYSTEM, "Okta account")
            }
        };
        grant.granted_at = activated_at;
        grant.last_used_at = last_login_at;
        grant.attributes.clone_from(&identity.attributes);
        batch.grant(row, SYSTEM, &grant);
    })
}

/// Okta's lifecycle status → recert's: suspended and deactivated
/// (deprovisioned) users cannot sign in; everyone else still can or soon will.
fn status_of(text: &str) -> Option<IdentityStatus> {
    match normalise(text).as_str() {
        "active" | "staged" | "provisioned" | "pendinguseraction" | "recovery"
        | "passwordexpired" | "passwordreset" | "lockedout" | "locked" => {
            Some(IdentityStatus::Active)
        }
        "suspended" | "deprovisioned" | "deactivated" => Some(IdentityStatus::Disabled),
        _ => None,
    }
}

fn read_assignments(file: &CsvFile, batch: &mut Batch<'_>, _date_formats: &[String]) -> u64 {
    let layout = Layout::of(&file.header);
    let login = layout.find(&["Login", "Username"]);
    let user = layout.find(&["User"]);
    let app_name = layout.find(&["Application name"]);
    let instance = layout.find(&["Application instance"]);
    let app_login = layout.find(&["Application login", "Application username"]);
    let assigned = layout.find(&["Assigned on"]);
    let unassigned = layout.find(&["Unassigned on"]);
    let last_login = layout.find(&["Last login"]);
    let changed = layout.find(&["Last password change"]);
    let mut ended = 0_u64;
    batch.declare(file, RecordKind::Entitlements, ASSIGNMENTS_SCOPE);
    let rows = file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            nulls: NULLS,
        };
        let Some(holder) = cells.text(login) else {
            cells.bad(login, "", "the user's Okta login");
            return;
        };
        let Some(app) = cells.text(instance).or_else(|| cells.text(app_name)) else {
            cells.bad(
                instance.or(app_name),
                "",
                "the application (Application instance or name)",
            );
            return;
        };
        let granted_at = cells.date(assigned);
        let last_used_at = cells.date(last_login);
        let changed_at = cells.date(changed);
        if cells.date(unassigned).is_some() {
            // The assignment has ended: not current access.
            ended += 1;
            return;
        }
        let mut attributes = cells.attributes(&[
            ("okta_user", user),
            ("application_name", app_name),
            ("application_login", app_login),
        ]);
        if let Some(changed_at) = changed_at {
            attributes.push(("last_password_change".into(), changed_at.to_string()));
        }
        let grant = Grant {
            grant_type: GrantType::Account,
            granted_at,
            last_used_at,
            attributes,
            ..Grant::new(holder, app, "assigned")
        };
        batch.grant(row, ASSIGNMENTS_SCOPE, &grant);
    });
    if ended > 0 {
        batch.note(
            file,
            format!(
                "{} already unassigned, not imported",
                count(ended, "assignment")
            ),
        );
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("ACTIVE", Some(IdentityStatus::Active))]
    #[case("Password expired", Some(IdentityStatus::Active))]
    #[case("LOCKED_OUT", Some(IdentityStatus::Active))]
    #[case("Suspended", Some(IdentityStatus::Disabled))]
    #[case("DEPROVISIONED", Some(IdentityStatus::Disabled))]
    #[case("gone", None)]
    fn statuses(#[case] text: &str, #[case] status: Option<IdentityStatus>) {
        assert_eq!(status_of(text), status);
    }
}
