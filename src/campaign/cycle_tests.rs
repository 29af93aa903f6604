//! The quarterly cycle end to end through the code the CLI runs: a campaign
//! decided and signed off, exports re-imported, the next campaign compared
//! with it.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::actor::Actor;
use crate::campaign::baseline::BaselineChoice;
use crate::campaign::{
    CampaignSpec, DecisionRequest, EventExtras, ItemFilter, ItemRecord, create_campaign,
    find_campaign, for_each_item, record_decisions,
};
use crate::import::{ImportOptions, Progress, Source, import_sources};
use crate::model::{Decision, DecisionAction, Delta, Signal};
use crate::remediation::State;
use crate::test_support::campaign_workspace;
use crate::workspace::Workspace;

const IDENTITIES: &str = "identity_id,display_name,manager_id,status\n\
    M1,Mia Manager,,active\n\
    E1,Ann One,M1,active\n\
    E2,Bob Two,M1,active\n\
    E3,Cy Three,M1,active\n";

const HEADER: &str = "identity_id,system,entitlement,type,privileged,granted_at,last_used_at\n";
const KEPT: &str = "E1,app,user,role,false,2025-01-01,2026-11-20\n";
const ADMIN: &str = "E1,app,admin,role,false,2025-01-01,2026-11-20\n";
const ADMIN_PRIVILEGED: &str = "E1,app,admin,role,true,2025-01-01,2026-11-20\n";
const STALE_E2: &str = "E2,app,user,role,false,2025-01-01,2025-02-01\n";
const STALE_E3: &str = "E3,app,user,role,false,2025-01-01,2025-02-01\n";
const FRESH: &str = "E1,app,reports,role,false,2026-12-10,2026-12-20\n";

fn on(month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, 12, 0, 0)
        .single()
        .expect("time")
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn import(ws: &mut Workspace, grants: &[&str], when: DateTime<Utc>) {
    let text: String = std::iter::once(HEADER)
        .chain(grants.iter().copied())
        .collect();
    import_sources(
        &mut ws.conn,
        &[Source::Bytes("entitlements.csv", text.as_bytes())],
        &ImportOptions::default(),
        &Actor::fixed("u"),
        when,
        Progress::hidden(),
    )
    .expect("import");
    crate::remediation::refresh_now(&mut ws.conn, when.date_naive()).expect("refresh");
}

/// Campaign "Q3" over `grants`, as of 2026-11-30, every item decided as
/// recommended with a justification by M1.
fn decided_q3(grants: &[&str]) -> Workspace {
    let text: String = std::iter::once(HEADER)
        .chain(grants.iter().copied())
        .collect();
    let spec = CampaignSpec {
        as_of: NaiveDate::from_ymd_opt(2026, 11, 30),
        ..CampaignSpec::new("Q3")
    };
    let mut ws = campaign_workspace(
        &[("identities.csv", IDENTITIES), ("entitlements.csv", &text)],
        &spec,
    );
    for item in items(&ws, "Q3") {
        decide(
            &mut ws,
            "Q3",
            item.item_id,
            item.recommendation.into(),
            None,
        );
    }
    ws
}

fn decide(
    ws: &mut Workspace,
    campaign: &str,
    item: i64,
    action: DecisionAction,
    until: Option<&str>,
) {
    let campaign = find_campaign(&ws.conn, campaign).expect("campaign");
    record_decisions(
        &mut ws.conn,
        &campaign,
        &DecisionRequest {
            items: &[item],
            action,
            justification: Some("as reviewed"),
            extras: EventExtras {
                valid_until: until.map(str::to_owned),
                ..EventExtras::default()
            },
        },
        &Actor::fixed("M1"),
        on(12, 1),
    )
    .expect("decide");
}

fn sign_off(ws: &mut Workspace, campaign: &str) {
    let campaign = find_campaign(&ws.conn, campaign).expect("campaign");
    crate::evidence::signoff::sign_off(
        &mut ws.conn,
        &campaign,
        &Actor::fixed("CISO"),
        "done",
        on(12, 2),
    )
    .expect("sign off");
}

fn create(
    ws: &mut Workspace,
    name: &str,
    as_of: &str,
    baseline: BaselineChoice,
) -> color_eyre::Result<i64> {
    let spec = CampaignSpec {
        as_of: Some(date(as_of)),
        baseline,
        ..CampaignSpec::new(name)
    };
    create_campaign(&mut ws.conn, &spec, &Actor::fixed("u"), on(12, 28))
}

fn items(ws: &Workspace, campaign: &str) -> Vec<ItemRecord> {
    let campaign = find_campaign(&ws.conn, campaign).expect("campaign");
    let mut found = Vec::new();
    for_each_item(&ws.conn, &campaign, &ItemFilter::default(), |item| {
        found.push(item.clone());
        Ok(())
    })
    .expect("items");
    found
}

fn item<'a>(items: &'a [ItemRecord], holder: &str, entitlement: &str) -> &'a ItemRecord {
    items
        .iter()
        .find(|i| i.identity_id == holder && i.entitlement == entitlement)
        .unwrap_or_else(|| panic!("no item {holder} {entitlement}"))
}

#[test]
fn every_delta_and_the_revocation_signals_against_the_baseline() {
    let mut ws = decided_q3(&[KEPT, ADMIN, STALE_E2, STALE_E3]);
    let q3 = items(&ws, "Q3");
    assert_eq!(item(&q3, "E2", "user").decision, Some(Decision::Revoke));
    assert_eq!(item(&q3, "E1", "user").decision, Some(Decision::Certify));
    sign_off(&mut ws, "Q3");
    // December: E3's access is gone, E2's is not; then E3's is back, E1's
    // admin role became privileged and E1 got a new role.
    import(&mut ws, &[KEPT, ADMIN, STALE_E2], on(12, 10));
    import(
        &mut ws,
        &[KEPT, ADMIN_PRIVILEGED, STALE_E2, STALE_E3, FRESH],
        on(12, 20),
    );
    create(&mut ws, "Q4", "2026-12-31", BaselineChoice::Latest).expect("Q4");
    let q4 = items(&ws, "Q4");

    let kept = item(&q4, "E1", "user");
    assert_eq!(kept.delta, Some(Delta::Unchanged));
    assert_eq!(kept.prior_decision().as_deref(), Some("certify 1"));
    assert!(
        kept.carry_over,
        "unchanged, risk-free, certified: carried over"
    );
    assert_eq!(kept.recommendation, Decision::Certify);
    assert_eq!(
        kept.recommendation_reason,
        "certified in Q3 by M1: 'as reviewed'; unchanged"
    );

    let admin = item(&q4, "E1", "admin");
    assert_eq!(admin.delta, Some(Delta::Changed));
    assert!(!admin.carry_over, "changed: decided afresh");

    let e2 = item(&q4, "E2", "user");
    assert_eq!(e2.delta, Some(Delta::Regranted));
    assert_eq!(e2.prior_decision().as_deref(), Some("revoke 1"));
    assert!(
        e2.signals.contains(Signal::RevokedNotRemoved),
        "{:?}",
        e2.reasons
    );
    assert!(!e2.signals.contains(Signal::Regranted));
    assert_eq!(e2.recommendation, Decision::Revoke);
    let reason = e2.reasons.last().expect("reason");
    assert!(
        reason.starts_with("revoked in campaign \"Q3\" by M1, signed off 2026-12-02 (29 days"),
        "{reason}"
    );

    let e3 = item(&q4, "E3", "user");
    assert_eq!(e3.delta, Some(Delta::Regranted));
    assert!(e3.signals.contains(Signal::Regranted), "{:?}", e3.reasons);
    assert!(!e3.signals.contains(Signal::RevokedNotRemoved));
    assert!(
        e3.reasons
            .last()
            .expect("reason")
            .contains("gone from snapshot")
    );

    let fresh = item(&q4, "E1", "reports");
    assert_eq!(fresh.delta, Some(Delta::New));
    assert_eq!(fresh.prior, None);

    let campaign = find_campaign(&ws.conn, "Q3").expect("Q3");
    let report = crate::remediation::report(&ws.conn, &campaign, date("2026-12-31"))
        .expect("report")
        .expect("signed off");
    let state = |holder: &str| {
        report
            .revocations
            .iter()
            .find(|r| r.account == holder)
            .map(|r| r.status)
    };
    assert_eq!(state("E2"), Some(State::Pending));
    assert_eq!(state("E3"), Some(State::Reappeared));
    // The counts `status` and the import show agree with the listing,
    // within the SLA and past it (30 days after the sign-off).
    for today in ["2026-12-31", "2027-02-01"] {
        let listed = crate::remediation::report(&ws.conn, &campaign, date(today))
            .expect("report")
            .expect("signed off")
            .counts;
        let counted = crate::remediation::counts(&ws.conn, &campaign, date(today))
            .expect("counts")
            .expect("signed off");
        assert_eq!(counted, listed, "{today}");
        assert_eq!(
            counted.over_sla,
            u64::from(today == "2027-02-01"),
            "{today}"
        );
    }
}

#[test]
fn what_each_export_showed_is_kept_and_never_rewritten() {
    let mut ws = decided_q3(&[KEPT, STALE_E2]);
    sign_off(&mut ws, "Q3");
    import(&mut ws, &[KEPT], on(12, 10));
    let checks: i64 = ws
        .conn
        .query_row(
            "SELECT count(*) FROM remediation_checks WHERE present = 0",
            [],
            |row| row.get(0),
        )
        .expect("checks");
    assert_eq!(checks, 1);
    for sql in [
        "UPDATE remediation_checks SET present = 1",
        "DELETE FROM remediation_checks",
    ] {
        let err = ws.conn.execute(sql, []).expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    // Removing the protection shows in `recert verify`.
    ws.conn
        .execute_batch("DROP TRIGGER remediation_checks_append_only_delete")
        .expect("drop");
    let report = crate::integrity::verify_decision_log(&ws.conn).expect("verify");
    assert!(
        report.problems.iter().any(|p| p
            .to_string()
            .contains("remediation_checks_append_only_delete is missing")),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_reimport_of_the_same_export_leaves_every_grant_unchanged() {
    let mut ws = decided_q3(&[KEPT, ADMIN]);
    sign_off(&mut ws, "Q3");
    // The same rows, holders and systems in another letter case and padding.
    import(
        &mut ws,
        &["e1 , APP,User,role,false,2025-01-01,2026-11-20\n", ADMIN],
        on(12, 10),
    );
    create(&mut ws, "Q4", "2026-12-31", BaselineChoice::Latest).expect("Q4");
    let q4 = items(&ws, "Q4");
    assert!(
        q4.iter()
            .all(|i| i.delta == Some(Delta::Unchanged) && i.carry_over),
        "{:?}",
        q4.iter()
            .map(|i| (&i.entitlement, i.delta))
            .collect::<Vec<_>>()
    );
}

#[test]
fn risk_flagged_and_time_boxed_certifications_never_carry_over() {
    let mut ws = decided_q3(&[KEPT, ADMIN]);
    let q3 = items(&ws, "Q3");
    // The admin role was kept only until mid-December.
    decide(
        &mut ws,
        "Q3",
        item(&q3, "E1", "admin").item_id,
        DecisionAction::Certify,
        Some("2026-12-15"),
    );
    sign_off(&mut ws, "Q3");
    // By the end of March the user role is dormant: a risk signal.
    create(&mut ws, "Q1", "2027-03-31", BaselineChoice::Latest).expect("Q1");
    let q1 = items(&ws, "Q1");
    let user = item(&q1, "E1", "user");
    assert_eq!(user.delta, Some(Delta::Unchanged));
    assert!(user.signals.contains(Signal::Dormant));
    assert!(!user.carry_over, "a risk signal: decided afresh");
    let admin = item(&q1, "E1", "admin");
    assert!(!admin.carry_over, "time-boxed: never carried over");
    assert!(
        admin.signals.contains(Signal::ExceptionExpired),
        "{:?}",
        admin.reasons
    );
    assert_eq!(admin.recommendation, Decision::Revoke);
}

#[test]
fn an_exception_ending_on_the_as_of_date_has_not_expired() {
    let mut ws = decided_q3(&[KEPT]);
    let q3 = items(&ws, "Q3");
    decide(
        &mut ws,
        "Q3",
        q3[0].item_id,
        DecisionAction::Certify,
        Some("2026-12-31"),
    );
    sign_off(&mut ws, "Q3");
    create(&mut ws, "on the day", "2026-12-31", BaselineChoice::Latest).expect("campaign");
    let same_day = items(&ws, "on the day");
    assert!(
        !same_day[0].signals.contains(Signal::ExceptionExpired),
        "valid until D keeps access through D"
    );
    create(&mut ws, "day after", "2027-01-01", BaselineChoice::Latest).expect("campaign");
    let day_after = items(&ws, "day after");
    assert!(day_after[0].signals.contains(Signal::ExceptionExpired));
    assert_eq!(
        day_after[0].reasons.last().map(String::as_str),
        Some(
            "certified in campaign \"Q3\" by M1 until 2026-12-31, which ended 1 day before the as-of date"
        )
    );
}

#[test]
fn without_a_baseline_there_is_no_delta_but_revocations_are_still_flagged() {
    let mut ws = decided_q3(&[KEPT, STALE_E2]);
    sign_off(&mut ws, "Q3");
    create(&mut ws, "fresh", "2026-12-31", BaselineChoice::None).expect("campaign");
    let fresh = items(&ws, "fresh");
    assert!(
        fresh
            .iter()
            .all(|i| i.delta.is_none() && i.prior.is_none() && !i.carry_over)
    );
    let e2 = item(&fresh, "E2", "user");
    assert!(
        e2.signals.contains(Signal::RevokedNotRemoved),
        "{:?}",
        e2.reasons
    );
}

#[test]
fn a_baseline_that_is_not_signed_off_is_refused() {
    let mut ws = decided_q3(&[KEPT]);
    let err = create(
        &mut ws,
        "Q4",
        "2026-12-31",
        BaselineChoice::Campaign("Q3".to_owned()),
    )
    .expect_err("Q3 is open");
    assert_eq!(
        err.to_string(),
        "campaign 1 (Q3) is not signed off, so it cannot be the baseline: its decisions may still change. Sign it off first (recert signoff 1), name a signed-off campaign, or give --baseline none"
    );
    // With no signed-off campaign at all, the default is no baseline.
    create(&mut ws, "Q4", "2026-12-31", BaselineChoice::Latest).expect("Q4");
    assert!(items(&ws, "Q4").iter().all(|i| i.delta.is_none()));
}

#[test]
fn shared_recommendation_reasons_are_stored_once_and_read_in_full() {
    let mut ws = decided_q3(&[KEPT, ADMIN, STALE_E2, STALE_E3]);
    sign_off(&mut ws, "Q3");
    import(
        &mut ws,
        &[KEPT, ADMIN, STALE_E2, STALE_E3, FRESH],
        on(12, 10),
    );
    let q4 = create(&mut ws, "Q4", "2026-12-31", BaselineChoice::Latest).expect("Q4");
    let listed = items(&ws, "Q4");
    let carried = item(&listed, "E1", "user");
    assert!(carried.carry_over);
    assert_eq!(
        carried.recommendation_reason,
        "certified in Q3 by M1: 'as reviewed'; unchanged"
    );
    assert!(
        item(&listed, "E1", "reports")
            .recommendation_reason
            .starts_with("no revoke signal"),
        "{listed:?}"
    );
    // In the rows: certifications point at one stored text each, revocations
    // keep their own reason.
    let rows: Vec<(String, String, Option<i64>)> = ws
        .conn
        .prepare(
            "SELECT recommendation, recommendation_reason, recommendation_text
             FROM items WHERE campaign_id = ?1 ORDER BY id",
        )
        .expect("select")
        .query_map([q4], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows.len(), listed.len());
    for (recommendation, reason, text) in &rows {
        if recommendation == "certify" {
            assert!(reason.is_empty() && text.is_some(), "{rows:?}");
        } else {
            assert!(!reason.is_empty() && text.is_none(), "{rows:?}");
        }
    }
    let stored: i64 = ws
        .conn
        .query_row(
            "SELECT count(*) FROM campaign_texts WHERE campaign_id = ?1",
            [q4],
            |row| row.get(0),
        )
        .expect("count");
    let distinct: std::collections::HashSet<&str> = listed
        .iter()
        .filter(|i| i.recommendation == Decision::Certify)
        .map(|i| i.recommendation_reason.as_str())
        .collect();
    assert_eq!(usize::try_from(stored), Ok(distinct.len()), "{distinct:?}");
    assert!(listed.iter().any(|i| i.recommendation == Decision::Revoke));
}
