//! Resolving reviewer names on a campaign created from exports.

use super::*;
use crate::actor::Actor;
use crate::campaign::{CampaignSpec, find_campaign};
use crate::workspace::Workspace;

fn workspace() -> Workspace {
    crate::test_support::campaign_workspace(
        &[
            (
                "identities.csv",
                "identity_id,display_name,email,manager_id\n\
                 E0429,Eve Admin,e0429@x.example,M1\n\
                 M1,Mia Manager,mia@x.example,\n",
            ),
            (
                "entitlements.csv",
                "identity_id,system,entitlement,privileged\n\
                 E0429,prod,admin,true\n\
                 adm-mia@x.example,prod,admin,true\n",
            ),
        ],
        &CampaignSpec {
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
            ..CampaignSpec::new("Q4")
        },
    )
}

fn name(ws: &Workspace, typed: &str) -> Result<(String, ReviewerKind), ReviewerError> {
    let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
    resolve(&ws.conn, Some(&campaign), typed).map(|known| (known.name, known.kind))
}

#[test]
fn persons_resolve_by_id_or_email_whatever_the_case_and_hidden_characters() {
    let ws = workspace();
    let eve = Ok(("E0429".to_owned(), ReviewerKind::Person));
    assert_eq!(name(&ws, "E0429"), eve);
    assert_eq!(name(&ws, "e0429"), eve);
    assert_eq!(name(&ws, " E0429@X.example "), eve);
    assert_eq!(name(&ws, "e0429\u{200B}@x.example"), eve);
    let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
    let known = resolve(&ws.conn, Some(&campaign), "e0429\u{200B}@x.example").expect("known");
    let note = known.note().expect("a note");
    assert!(note.contains("1 control or invisible character"), "{note}");
    assert!(note.contains("recorded as \"E0429\""), "{note}");
    assert_eq!(known.label(), "Eve Admin (E0429)");
}

#[test]
fn a_linked_account_resolves_to_its_person() {
    let ws = workspace();
    assert_eq!(
        name(&ws, "adm-mia@x.example"),
        Ok(("M1".to_owned(), ReviewerKind::Person))
    );
}

#[test]
fn registered_reviewers_resolve_and_unknown_names_get_the_closest_known() {
    let ws = workspace();
    registry::add(
        &ws.conn,
        "CISO",
        None,
        &Actor::fixed("x"),
        chrono::Utc::now(),
    )
    .expect("add");
    assert_eq!(
        name(&ws, "ciso"),
        Ok(("CISO".to_owned(), ReviewerKind::Registered))
    );
    let err = name(&ws, "E0428").expect_err("unknown");
    let ReviewerError::Unknown { suggestions, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(suggestions, &["E0429".to_owned()]);
    let text = err.to_string();
    assert!(text.contains("reviewer \"E0428\" is not known"), "{text}");
    assert!(text.contains("Did you mean E0429?"), "{text}");
    assert!(text.contains("recert reviewer add NAME"), "{text}");
    assert_eq!(name(&ws, "\u{200B}\u{FEFF}"), Err(ReviewerError::Empty));
}

#[test]
fn own_keys_hold_the_persons_ids_and_linked_accounts() {
    let ws = workspace();
    let keys = own_keys(&ws.conn, 1, "mia@x.example").expect("keys");
    assert!(keys.contains(&"m1".to_owned()), "{keys:?}");
    assert!(keys.contains(&"adm-mia@x.example".to_owned()), "{keys:?}");
    let keys = own_keys(&ws.conn, 1, "adm-mia@x.example").expect("keys");
    assert!(keys.contains(&"m1".to_owned()), "{keys:?}");
    assert_eq!(
        own_keys(&ws.conn, 1, " ").expect("keys"),
        Vec::<String>::new()
    );
}
