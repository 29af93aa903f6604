//! A small campaign for the evidence tests, imported and created the way
//! the CLI does it: five items under four controls, one orphaned grant and
//! formula-like imported text.

use sha2::{Digest, Sha256};

use crate::campaign::{Campaign, CampaignSpec, find_campaign};
use crate::model::DecisionAction;
use crate::workspace::Workspace;

const IDENTITIES: &str = "identity_id,display_name,kind,status,owner_id
E1,Ann Example,human,active,
E2,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",human,terminated,
svc-ci,\"CI, \"\"deploy\"\" bot\",service,active,E1
";

const ENTITLEMENTS: &str = "identity_id,system,entitlement,type,privileged,granted_at
E1,aws,Admin,role,true,
E1,crm,user,role,false,
ghost,crm,@admins,group,false,2026-11-20
svc-ci,github,key-1,api_key,false,
E2,crm,user,role,false,
";

/// The items the campaign numbers by control, then reviewer, then line:
/// 1 ghost's orphaned `@admins` (5.16, orphaned and new), 2 the leaver E2's
/// crm user (5.16, terminated), 3 svc-ci's API key (5.17, unrotated, owned
/// by E1), 4 E1's crm user (5.18, no signal), 5 E1's aws Admin (8.2,
/// privileged). Every item but 3 is assigned to M1, the default reviewer.
///
/// The campaign is one of evidence format 1, as campaigns created before
/// format 2 existed are: their evidence must stay byte-identical, and these
/// tests pin it. A test of format 2 sets `evidence_format = 2` before any
/// decision (the format decides how each event is hashed).
pub fn workspace() -> Workspace {
    let spec = CampaignSpec {
        period: Some("2026-Q4".to_owned()),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
        default_reviewer: Some("M1".to_owned()),
        ..CampaignSpec::new("Q4 review")
    };
    let ws = crate::test_support::campaign_workspace(
        &[
            ("identities.csv", IDENTITIES),
            ("entitlements.csv", ENTITLEMENTS),
        ],
        &spec,
    );
    ws.conn
        .execute("UPDATE campaigns SET evidence_format = 1", [])
        .expect("format 1");
    ws
}

/// The SHA-256 of the entitlements file, every item's `source_sha256`.
pub fn source_sha() -> String {
    hex::encode(Sha256::digest(ENTITLEMENTS))
}

pub fn campaign(ws: &Workspace) -> Campaign {
    find_campaign(&ws.conn, "1").expect("campaign")
}

pub use crate::test_support::at;

pub fn decide(ws: &mut Workspace, items: &[i64], action: DecisionAction, why: &str) {
    crate::test_support::decide(ws, "1", items, action, Some(why), "M1").expect("decide");
}

/// Events 1-3 certify items 3, 4 and 5, event 4 revokes the orphan (1),
/// event 5 the leaver's access (2).
pub fn decide_all(ws: &mut Workspace) {
    decide(ws, &[3, 4, 5], DecisionAction::Certify, "still needed");
    decide(ws, &[1], DecisionAction::Revoke, "=orphaned, remove");
    decide(ws, &[2], DecisionAction::Revoke, "left the company");
}
