//! The link rules one by one, on identity rows written in SQL: which rule
//! decides, what is ambiguous, and what the switches and manual links change.

use chrono::NaiveDate;

use super::*;
use crate::actor::Actor;
use crate::identity::config::Correlation;
use crate::identity::links;
use crate::test_support::{at, workspace_with};
use crate::workspace::Workspace;

const H: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// Persons (HR, snapshot 1) and accounts (Entra, snapshot 2).
fn workspace() -> Workspace {
    workspace_with(&format!(
        "INSERT INTO snapshots (id, import_id, kind, scope, format, file_name, sha256, row_count)
             VALUES (1, 1, 'identities', 'canonical', 'mapping', 'hr.csv', '{H}', 6),
                    (2, 1, 'identities', 'entra-id', 'entra-users', 'entra.csv', '{H}', 4);
         INSERT INTO identities (id, snapshot_id, line, identity_id, display_name, email, kind, status,
                 termination_date)
             VALUES (1, 1, 2, 'E1', 'Jane Doe', 'jane.doe@corp.example', 'human', 'active', NULL),
                    (2, 1, 3, 'E2', 'Old Jo', 'jo@corp.example', 'human', 'terminated', '2020-01-31'),
                    (3, 1, 4, 'E3', 'New Jo', 'jo@corp.example', 'human', 'terminated', '2024-06-30'),
                    (4, 1, 5, '00042', 'Zed Zero', 'zed@corp.example', 'human', 'active', NULL),
                    (5, 1, 6, 'E5', 'Kim One', 'kim@corp.example', 'human', 'active', NULL),
                    (6, 1, 7, 'E6', 'Kim Two', 'kim@other.example', 'human', 'active', NULL);
         INSERT INTO identities (id, snapshot_id, line, identity_id, email, kind, status, attributes)
             VALUES (10, 2, 2, 'jdoe@corp.onmicrosoft.example', NULL, 'human', 'active',
                         '{{\"employee_id\":\"E1\",\"object_id\":\"11111111-2222-4333-8444-555555555555\"}}'),
                    (11, 2, 3, 'z.zero@corp.example', NULL, 'human', 'active', '{{\"employee_id\":\"42\"}}'),
                    (12, 2, 4, 'both@corp.example', 'kim@other.example', 'human', 'active',
                         '{{\"employee_id\":\"E5\"}}'),
                    (13, 2, 5, 'conflict@corp.example', NULL, 'human', 'active',
                         '{{\"employee_id\":\"E5\"}}');"
    ))
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
}

fn resolver(ws: &Workspace, config: Correlation) -> Resolver {
    Resolver::load(&ws.conn, config, day(), None).expect("resolver")
}

/// (person identity_id, basis, secondary) of a folded key.
fn linked(resolver: &Resolver, key: &str) -> (Option<String>, Option<&'static str>, bool) {
    let link = resolver.link(key, "");
    (
        link.person.map(|p| resolver.row(p).identity_id.clone()),
        link.basis.map(LinkBasis::as_str),
        link.secondary,
    )
}

#[test]
fn each_rule_links_in_order_of_strength() {
    let ws = workspace();
    let config = Correlation {
        aliases: crate::identity::keys::DomainAliases::new(&[vec![
            "corp.example".into(),
            "corp-mail.example".into(),
        ]]),
        ..Correlation::default()
    };
    let r = resolver(&ws, config);
    assert_eq!(
        linked(&r, "e1"),
        (Some("E1".into()), Some("identity-id"), false)
    );
    // An employee id beats the UPN, which matches nobody's e-mail.
    assert_eq!(
        linked(&r, "jdoe@corp.onmicrosoft.example"),
        (Some("E1".into()), Some("employee-id"), false)
    );
    assert_eq!(
        linked(&r, "jane.doe@corp.example"),
        (Some("E1".into()), Some("email"), false)
    );
    assert_eq!(
        linked(&r, "jane.doe@corp-mail.example"),
        (Some("E1".into()), Some("email-alias"), false)
    );
    // The object id of the Entra account, then its employee id.
    assert_eq!(
        linked(&r, "11111111-2222-4333-8444-555555555555"),
        (Some("E1".into()), Some("object-id"), false)
    );
    assert_eq!(
        linked(&r, "jane.doe"),
        (Some("E1".into()), Some("account-name"), false)
    );
    assert_eq!(
        linked(&r, "adm-jane.doe"),
        (Some("E1".into()), Some("secondary"), true)
    );
    assert_eq!(
        linked(&r, "jane.doe-admin@corp.example"),
        (Some("E1".into()), Some("secondary"), true)
    );
    assert_eq!(linked(&r, "someone.else"), (None, None, false));
}

#[test]
fn all_digit_employee_ids_match_without_their_leading_zeros() {
    let ws = workspace();
    let r = resolver(&ws, Correlation::default());
    assert_eq!(
        linked(&r, "z.zero@corp.example"),
        (Some("00042".into()), Some("employee-id"), false)
    );
}

#[test]
fn rules_6_and_7_can_be_switched_off() {
    let ws = workspace();
    let config = Correlation {
        account_name_rule: false,
        secondary_rule: false,
        ..Correlation::default()
    };
    let r = resolver(&ws, config);
    assert_eq!(linked(&r, "jane.doe"), (None, None, false));
    assert_eq!(linked(&r, "adm-jane.doe"), (None, None, false));
}

#[test]
fn a_key_shared_by_two_terminated_persons_goes_to_the_most_recent() {
    let ws = workspace();
    let r = resolver(&ws, Correlation::default());
    let link = r.link("jo@corp.example", "");
    assert_eq!(r.row(link.person.expect("linked")).identity_id, "E3");
    let note = link.note.expect("note");
    assert!(note.contains("E2 (terminated 2020-01-31)"), "{note}");
    assert_eq!(r.shared_emails().len(), 1);
}

#[test]
fn one_rule_pointing_at_two_persons_links_none() {
    let ws = workspace();
    let r = resolver(&ws, Correlation::default());
    // The local part `kim` belongs to two persons.
    let link = r.link("kim", "");
    assert_eq!(link.person, None);
    assert_eq!(link.ambiguous.len(), 2);
    // Employee id E5 says Kim One, but a stronger rule decides first:
    // here the employee id is the strongest evidence that applies, and the
    // e-mail (Kim Two) is never consulted.
    assert_eq!(linked(&r, "both@corp.example").0.as_deref(), Some("E5"));
}

#[test]
fn manual_links_beat_every_rule_until_the_watermark() {
    let mut ws = workspace();
    let actor = Actor::fixed("iam");
    links::append(
        &mut ws.conn,
        "JANE.DOE",
        Some("E5"),
        "HR says so",
        &actor,
        at(9),
    )
    .expect("link");
    links::append(
        &mut ws.conn,
        "adm-jane.doe",
        None,
        "shared admin",
        &actor,
        at(10),
    )
    .expect("unlink");
    let r = resolver(&ws, Correlation::default());
    assert_eq!(
        linked(&r, "jane.doe"),
        (Some("E5".into()), Some("manual"), false)
    );
    assert_eq!(linked(&r, "adm-jane.doe"), (None, None, false));
    let frozen = Resolver::load(&ws.conn, Correlation::default(), day(), Some(1)).expect("frozen");
    assert_eq!(linked(&frozen, "adm-jane.doe").1, Some("secondary"));
}

#[test]
fn references_resolve_ids_emails_and_directory_accounts() {
    let ws = workspace();
    let r = resolver(&ws, Correlation::default());
    let id = |name: &str| r.reference(name).map(|i| r.row(i).identity_id.clone());
    assert_eq!(id("E1").as_deref(), Some("E1"));
    assert_eq!(id("Jane.Doe@corp.example").as_deref(), Some("E1"));
    assert_eq!(id("jdoe@corp.onmicrosoft.example").as_deref(), Some("E1"));
    assert_eq!(id("conflict@corp.example").as_deref(), Some("E5"));
    assert_eq!(id("nobody"), None);
}
