//! Google Workspace Admin console > Directory > Users > Download users.
//!
//! Header VERIFIED (FORMATS.md A4): 34 columns, found verbatim with real rows
//! in a 2016 dump and in several tools that consume the export:
//! `First Name [Required],Last Name [Required],Email Address [Required],
//! Password [Required],Password Hash Function [UPLOAD ONLY],Org Unit Path [Required],
//! New Primary Email [UPLOAD ONLY],Status [READ ONLY],Last Sign In [READ ONLY],
//! Recovery Email,…,Employee ID,Employee Type,Employee Title,Manager Email,
//! Department,Cost Center,2sv Enrolled [READ ONLY],2sv Enforced [READ ONLY],…,
//! Change Password at Next Sign-In,New Status [UPLOAD ONLY]`; newer downloads add
//! `Advanced Protection Program enrollment`. Values: `Status` Active/Suspended,
//! `Last Sign In` `2016/04/04 00:24:13` or `Never logged in`, 2SV `True`/`False`,
//! `Password` `****` (ignored).
//!
//! Mapping: one identity per user keyed by primary e-mail, `Manager Email`
//! as manager_id (the manager's own row has that e-mail as identity_id),
//! suspended and archived users `disabled`; plus one `account` grant each on
//! system `google-workspace` with the last sign-in as last use.

use crate::import::batch::Batch;
use crate::import::formats::{Confidence, Format};
use crate::import::source::CsvFile;
use crate::model::{Grant, GrantType, Identity, IdentityStatus};

use super::fields::{Cells, Layout, count, normalise};

pub const USERS: Format = Format {
    name: "google-workspace-users",
    title: "Google Workspace users (Admin console > Directory > Users > Download users)",
    produces: "identities (keyed by primary e-mail, manager from Manager Email) + one account grant each on google-workspace",
    source: "admin.google.com > Directory > Users > Download users > All user info columns > CSV",
    confidence: Confidence::Verified,
    detect: |h| Layout::of(h).has("Email Address [Required]"),
    read,
};

pub const SYSTEM: &str = "google-workspace";
const NULLS: &[&str] = &["Never logged in", "N/A"];

fn read(file: &CsvFile, batch: &mut Batch<'_>, _date_formats: &[String]) -> u64 {
    let layout = Layout::of(&file.header);
    let first = layout.find(&["First Name [Required]", "First Name"]);
    let last = layout.find(&["Last Name [Required]", "Last Name"]);
    let email = layout.find(&["Email Address [Required]"]);
    let org_unit = layout.find(&["Org Unit Path [Required]", "Org Unit Path"]);
    let status = layout.find(&["Status [READ ONLY]", "Status"]);
    let last_sign_in = layout.find(&["Last Sign In [READ ONLY]", "Last Sign In"]);
    let employee_id = layout.find(&["Employee ID"]);
    let employee_type = layout.find(&["Employee Type"]);
    let title = layout.find(&["Employee Title"]);
    let manager = layout.find(&["Manager Email"]);
    let department = layout.find(&["Department"]);
    let cost_center = layout.find(&["Cost Center"]);
    let enrolled = layout.find(&["2sv Enrolled [READ ONLY]", "2sv Enrolled"]);
    let enforced = layout.find(&["2sv Enforced [READ ONLY]", "2sv Enforced"]);
    let app = layout.find(&["Advanced Protection Program enrollment"]);
    let (mut never, mut without_2sv) = (0_u64, 0_u64);
    let rows = file.for_each_row(batch, |row, batch| {
        let mut cells = Cells {
            row,
            problems: &mut batch.problems,
            nulls: NULLS,
        };
        let Some(address) = cells.text(email) else {
            cells.bad(email, "", "the user's primary e-mail address");
            return;
        };
        let status_text = cells.text(status).unwrap_or_else(|| "Active".into());
        let recert_status = match normalise(&status_text).as_str() {
            "active" => IdentityStatus::Active,
            "suspended" | "archived" => IdentityStatus::Disabled,
            _ => {
                cells.bad(status, &status_text, "Active, Suspended or Archived");
                return;
            }
        };
        let signed_in = cells.date(last_sign_in);
        never += u64::from(signed_in.is_none());
        let two_step = cells.flag(enrolled);
        without_2sv +=
            u64::from(two_step == Some(false) && recert_status == IdentityStatus::Active);
        let _ = cells.flag(enforced);
        let name = [cells.text(first), cells.text(last)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let mut attributes = cells.attributes(&[
            ("org_unit", org_unit),
            ("employee_id", employee_id),
            ("employee_type", employee_type),
            ("employee_title", title),
            ("cost_center", cost_center),
            ("2sv_enrolled", enrolled),
            ("2sv_enforced", enforced),
            ("advanced_protection", app),
        ]);
        if signed_in.is_none() {
            attributes.push(("last_sign_in".into(), "never".into()));
        }
        let identity = Identity {
            display_name: (!name.is_empty()).then_some(name),
            email: Some(address.clone()),
            department: cells.text(department),
            status: recert_status,
            manager_id: cells.text(manager),
            last_login_at: signed_in,
            attributes: attributes.clone(),
            ..Identity::new(address.clone())
        };
        batch.identity(row, SYSTEM, &identity);
        let grant = Grant {
            grant_type: GrantType::Account,
            last_used_at: signed_in,
            attributes,
            ..Grant::new(address, SYSTEM, "user account")
        };
        batch.grant(row, SYSTEM, &grant);
    });
    if never + without_2sv > 0 {
        batch.note(
            file,
            format!(
                "{} never signed in; {} without 2-step verification",
                count(never, "user"),
                count(without_2sv, "active user")
            ),
        );
    }
    rows
}
