//! Every signal's edges: thresholds at 89/90/91 days, missing dates,
//! termination on the as-of day, owners who left, orphans, expiry, new grants.

use rstest::rstest;

use super::*;

const AS_OF: &str = "2026-11-30";

fn as_of() -> NaiveDate {
    NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").expect("date")
}

#[allow(clippy::unnecessary_wraps)] // reads like the optional fields it fills
fn date(text: &str) -> Option<When> {
    Some(When::parse_stored(text).expect("date"))
}

fn grant() -> GrantFacts<'static> {
    GrantFacts {
        identity_ref: "E1",
        system: "github",
        grant_type: GrantType::Role,
        privileged: false,
        granted_at: date("2025-01-01"),
        last_used_at: date("2026-11-20"),
        last_rotated_at: None,
        expires_at: None,
    }
}

fn person() -> Holder<'static> {
    Holder {
        identity_id: "E1",
        kind: IdentityKind::Human,
        status: IdentityStatus::Active,
        termination_date: None,
        owner: Owner::Missing,
    }
}

fn run(grant: &GrantFacts<'_>, holder: Option<&Holder<'_>>) -> (String, Vec<String>) {
    let mut reasons = vec!["stale".to_owned()];
    let signals = evaluate(grant, holder, as_of(), &Thresholds::default(), &mut reasons);
    assert_eq!(signals.iter().count(), reasons.len(), "{reasons:?}");
    (signals.joined(), reasons)
}

#[test]
fn a_used_active_grant_has_no_signals() {
    assert_eq!(run(&grant(), Some(&person())), (String::new(), vec![]));
}

#[rstest]
#[case::used_89_days_ago("2026-09-02", "")]
#[case::used_90_days_ago("2026-09-01", "dormant")]
#[case::used_91_days_ago("2026-08-31", "dormant")]
#[case::date_time_counts_by_its_date("2026-09-01T23:59:59Z", "dormant")]
fn dormant_from_the_threshold_on(#[case] last_used: &str, #[case] expected: &str) {
    let grant = GrantFacts {
        last_used_at: date(last_used),
        ..grant()
    };
    assert_eq!(run(&grant, Some(&person())).0, expected);
}

#[test]
fn dormant_reasons_say_how_long() {
    let grant = GrantFacts {
        last_used_at: date("2026-05-02"),
        ..grant()
    };
    assert_eq!(run(&grant, Some(&person())).1, ["last used 212 days ago"]);
}

#[rstest]
#[case::never_used_granted_long_ago(
    Some("2025-11-30"),
    "dormant",
    Some("never used, granted 365 days ago")
)]
#[case::never_used_granted_89_days_ago(Some("2026-09-02"), "", None)]
#[case::never_used_granted_90_days_ago(
    Some("2026-09-01"),
    "dormant",
    Some("never used, granted 90 days ago")
)]
#[case::never_used_age_unknown(None, "", None)]
fn never_used_grants_are_dormant_once_old_enough(
    #[case] granted: Option<&str>,
    #[case] expected: &str,
    #[case] reason: Option<&str>,
) {
    let grant = GrantFacts {
        granted_at: granted.and_then(date),
        last_used_at: None,
        ..grant()
    };
    let (signals, reasons) = run(&grant, Some(&person()));
    assert_eq!(signals, expected);
    assert_eq!(reasons.first().map(String::as_str), reason);
}

#[rstest]
#[case::rotated_89_days_ago(Some("2026-09-02"), "", None)]
#[case::rotated_90_days_ago(
    Some("2026-09-01"),
    "unrotated",
    Some("API key not rotated for 90 days")
)]
#[case::rotated_91_days_ago(
    Some("2026-08-31"),
    "unrotated",
    Some("API key not rotated for 91 days")
)]
#[case::rotation_unknown(None, "unrotated", Some("API key rotation date unknown"))]
fn credentials_are_unrotated_from_the_threshold_or_when_unknown(
    #[case] rotated: Option<&str>,
    #[case] expected: &str,
    #[case] reason: Option<&str>,
) {
    let grant = GrantFacts {
        grant_type: GrantType::ApiKey,
        last_rotated_at: rotated.and_then(date),
        ..grant()
    };
    let (signals, reasons) = run(&grant, Some(&person()));
    assert_eq!(signals, expected);
    assert_eq!(reasons.first().map(String::as_str), reason);
}

#[test]
fn only_credentials_can_be_unrotated() {
    let grant = GrantFacts {
        grant_type: GrantType::Group,
        last_rotated_at: None,
        ..grant()
    };
    assert_eq!(run(&grant, Some(&person())).0, "");
}

#[test]
fn a_grant_matching_no_identity_is_orphaned() {
    let grant = GrantFacts {
        identity_ref: "X999",
        ..grant()
    };
    assert_eq!(
        run(&grant, None),
        (
            "orphaned".to_owned(),
            vec!["no identity X999 in the identities export".to_owned()]
        )
    );
}

#[rstest]
#[case::left_before(
    IdentityStatus::Terminated,
    Some("2026-08-31"),
    Some("identity E1 terminated 2026-08-31")
)]
#[case::left_on_the_as_of_day(
    IdentityStatus::Terminated,
    Some("2026-11-30"),
    Some("identity E1 terminated 2026-11-30")
)]
#[case::status_lags_behind_the_date(
    IdentityStatus::Active,
    Some("2026-11-30"),
    Some("identity E1 terminated 2026-11-30")
)]
#[case::leaving_later(IdentityStatus::Active, Some("2026-12-01"), None)]
#[case::terminated_without_date(
    IdentityStatus::Terminated,
    None,
    Some("identity E1 is terminated (no termination date)")
)]
#[case::disabled_is_not_terminated(IdentityStatus::Disabled, None, None)]
fn termination_cases(
    #[case] status: IdentityStatus,
    #[case] termination: Option<&str>,
    #[case] reason: Option<&str>,
) {
    let holder = Holder {
        status,
        termination_date: termination.and_then(date),
        ..person()
    };
    let (signals, reasons) = run(&grant(), Some(&holder));
    assert_eq!(signals, if reason.is_some() { "terminated" } else { "" });
    assert_eq!(reasons.first().map(String::as_str), reason);
}

#[rstest]
#[case::no_owner(Owner::Missing, Some("no owner recorded"))]
#[case::unknown_owner(
    Owner::NotFound("E404"),
    Some("owner E404 is not in the identities export")
)]
#[case::owner_left(
    Owner::Inactive { id: "E003", status: IdentityStatus::Terminated, termination_date: None },
    Some("owner E003 has left")
)]
#[case::owner_left_on_a_date(
    Owner::Inactive { id: "E0870", status: IdentityStatus::Terminated, termination_date: date("2026-06-30") },
    Some("owner E0870 has left (terminated 2026-06-30)")
)]
#[case::owner_disabled(
    Owner::Inactive { id: "E0261", status: IdentityStatus::Disabled, termination_date: None },
    Some("owner E0261 is disabled")
)]
#[case::owner_active(Owner::Active("E2"), None)]
fn non_human_identities_need_an_active_owner(
    #[case] owner: Owner<'static>,
    #[case] reason: Option<&str>,
) {
    let service = Holder {
        identity_id: "svc-x",
        kind: IdentityKind::Service,
        owner,
        ..person()
    };
    let (signals, reasons) = run(&grant(), Some(&service));
    assert_eq!(signals, if reason.is_some() { "no-owner" } else { "" });
    assert_eq!(reasons.first().map(String::as_str), reason);
}

#[test]
fn people_never_get_no_owner() {
    assert_eq!(run(&grant(), Some(&person())).0, "");
}

#[rstest]
#[case::expired_yesterday("2026-11-29", Some("expired 2026-11-29 (1 day ago)"))]
#[case::expires_on_the_as_of_day("2026-11-30", None)]
#[case::expires_later("2026-12-07", None)]
fn expiry(#[case] expires: &str, #[case] reason: Option<&str>) {
    let grant = GrantFacts {
        expires_at: date(expires),
        ..grant()
    };
    let (_, reasons) = run(&grant, Some(&person()));
    assert_eq!(reasons.first().map(String::as_str), reason);
}

#[rstest]
#[case::granted_today("2026-11-30", Some("granted today"))]
#[case::granted_29_days_ago("2026-11-01", Some("granted 29 days ago"))]
#[case::granted_30_days_ago("2026-10-31", None)]
#[case::granted_after_the_as_of_date(
    "2026-12-02",
    Some("granted 2026-12-02, after the as-of date")
)]
fn new_grants(#[case] granted: &str, #[case] reason: Option<&str>) {
    let grant = GrantFacts {
        granted_at: date(granted),
        ..grant()
    };
    let (_, reasons) = run(&grant, Some(&person()));
    assert_eq!(reasons.first().map(String::as_str), reason);
}

#[test]
fn signals_and_reasons_come_in_canonical_order() {
    let grant = GrantFacts {
        grant_type: GrantType::SshKey,
        privileged: true,
        granted_at: date("2026-11-20"),
        last_used_at: date("2026-01-01"),
        last_rotated_at: None,
        expires_at: date("2026-11-01"),
        ..grant()
    };
    let service = Holder {
        identity_id: "svc-x",
        kind: IdentityKind::Service,
        status: IdentityStatus::Terminated,
        termination_date: date("2026-10-01"),
        owner: Owner::Missing,
    };
    let (signals, reasons) = run(&grant, Some(&service));
    assert_eq!(
        signals,
        "terminated;dormant;unrotated;privileged;no-owner;expired;new"
    );
    assert_eq!(
        reasons,
        [
            "identity svc-x terminated 2026-10-01",
            "last used 333 days ago",
            "SSH key rotation date unknown",
            "privileged entitlement on github",
            "no owner recorded",
            "expired 2026-11-01 (29 days ago)",
            "granted 10 days ago",
        ]
    );
}

#[rstest]
#[case::nothing(&[], &[], Decision::Certify, "no revoke signal")]
#[case::only_new(&[Signal::New], &["granted 3 days ago"], Decision::Certify, "no revoke signal; recently granted")]
#[case::privileged(
    &[Signal::Unrotated, Signal::Privileged],
    &["API key rotation date unknown", "privileged entitlement on aws"],
    Decision::Certify,
    "no revoke signal; confirm the need (unrotated, privileged) in the justification"
)]
#[case::terminated_and_dormant(
    &[Signal::Terminated, Signal::Dormant, Signal::Privileged],
    &["identity E1 terminated 2026-08-31", "last used 120 days ago", "privileged entitlement on aws"],
    Decision::Revoke,
    "identity E1 terminated 2026-08-31; last used 120 days ago"
)]
#[case::expired(&[Signal::Expired], &["expired 2026-11-01 (29 days ago)"], Decision::Revoke, "expired 2026-11-01 (29 days ago)")]
#[case::orphaned(&[Signal::Orphaned], &["no identity X999 in the identities export"], Decision::Revoke, "no identity X999 in the identities export")]
fn recommendation_follows_the_revoke_signals(
    #[case] signals: &[Signal],
    #[case] reasons: &[&str],
    #[case] decision: Decision,
    #[case] reason: &str,
) {
    let signals: SignalSet = signals.iter().copied().collect();
    let reasons: Vec<String> = reasons.iter().map(|r| (*r).to_owned()).collect();
    assert_eq!(
        recommend(signals, &reasons, Rules::builtin()),
        (decision, reason.to_owned())
    );
}
