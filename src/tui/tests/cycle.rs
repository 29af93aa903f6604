//! The review of a campaign with a baseline (PRODUCT.md §7): the Before
//! column and the detail pane's earlier decision, the filter by change,
//! accepting a carried-over certification, `t` and Tab for a time-boxed
//! certification, and remediation on a signed-off campaign's overview.

use chrono::{Days, NaiveDate, TimeZone, Utc};

use super::*;
use crate::campaign::{CampaignSpec, find_campaign};
use crate::import::{ImportOptions, Progress, Source, import_sources};

const IDENTITIES: &str = "identity_id,display_name,manager_id,status,termination_date\n\
    M1,Mia Manager,,active,\n\
    E1,Ann One,M1,active,\n\
    E2,Bob Two,M1,active,\n\
    E3,Cy Leaver,M1,terminated,2026-10-01\n";

const Q3: &str = "identity_id,system,entitlement,type,privileged,granted_at,last_used_at\n\
    E1,crm,user,role,false,2025-01-01,2026-11-20\n\
    E1,crm,admin,role,true,2025-01-01,2026-11-20\n\
    E2,crm,user,role,false,2025-01-01,2025-01-15\n\
    E3,crm,user,role,false,2025-01-01,2026-09-20\n";

/// Q3's grants again, with a new one.
const Q4: &str = "identity_id,system,entitlement,type,privileged,granted_at,last_used_at\n\
    E1,crm,user,role,false,2025-01-01,2026-11-20\n\
    E1,crm,admin,role,true,2025-01-01,2026-11-20\n\
    E2,crm,user,role,false,2025-01-01,2025-01-15\n\
    E3,crm,user,role,false,2025-01-01,2026-09-20\n\
    E2,wiki,reader,group,false,2026-11-25,2026-11-28\n";

/// Campaign "Q3" decided as recommended by M1 and signed off, the grants
/// exported again, and campaign "Q4" compared with it; the harness opens
/// `campaign`.
fn harness(campaign: &str) -> Harness {
    let spec = CampaignSpec {
        as_of: NaiveDate::from_ymd_opt(2026, 11, 30),
        default_reviewer: Some(REVIEWER.to_owned()),
        ..CampaignSpec::new("Q3")
    };
    let mut ws = crate::test_support::campaign_workspace(
        &[("identities.csv", IDENTITIES), ("entitlements.csv", Q3)],
        &spec,
    );
    let recommended: Vec<(i64, Decision)> = crate::test_support::rows(
        &ws.conn,
        "SELECT id, recommendation FROM items WHERE campaign_id = 1 ORDER BY id",
        |row| Ok((row.get(0)?, row.get(1)?)),
    );
    for (item, decision) in recommended {
        crate::test_support::decide(
            &mut ws,
            "Q3",
            &[item],
            decision.into(),
            Some("as reviewed"),
            REVIEWER,
        )
        .expect("decide");
    }
    let q3 = find_campaign(&ws.conn, "Q3").expect("Q3");
    let when = Utc
        .with_ymd_and_hms(2026, 12, 1, 10, 0, 0)
        .single()
        .expect("time");
    crate::evidence::signoff::sign_off(&mut ws.conn, &q3, &Actor::fixed("CISO"), "done", when)
        .expect("sign off");
    import_sources(
        &mut ws.conn,
        &[Source::Bytes("entitlements.csv", Q4.as_bytes())],
        &ImportOptions::default(),
        &Actor::fixed("u"),
        when,
        Progress::hidden(),
    )
    .expect("import");
    crate::remediation::refresh_now(&mut ws.conn, when.date_naive()).expect("refresh");
    crate::test_support::create(
        &mut ws,
        &CampaignSpec {
            as_of: NaiveDate::from_ymd_opt(2026, 11, 30),
            default_reviewer: Some(REVIEWER.to_owned()),
            ..CampaignSpec::new("Q4")
        },
    );
    let campaign = find_campaign(&ws.conn, campaign).expect("campaign");
    let mut app = {
        let mut shell = Shell::new(&mut ws.conn, campaign, &Actor::fixed(REVIEWER));
        shell.app(Theme::plain()).expect("app")
    };
    // Fixed for the screens; time-boxed tests use the clock the shell checks with.
    app.today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
    Harness { ws, app }
}

fn item_of(h: &Harness, holder: &str, entitlement: &str) -> i64 {
    h.app
        .review
        .rows
        .iter()
        .find(|r| r.identity_id == holder && r.entitlement == entitlement)
        .map_or_else(
            || panic!("{holder} {entitlement} not loaded"),
            |r| r.item_id,
        )
}

fn basis(h: &Harness, item: i64) -> Option<String> {
    h.ws.conn
        .query_row(
            "SELECT basis FROM decision_events WHERE item_id = ?1 ORDER BY id DESC LIMIT 1",
            [item],
            |row| row.get(0),
        )
        .expect("event")
}

#[rstest]
fn the_table_and_detail_show_the_baseline(#[values((80, 24), (120, 40))] size: (u16, u16)) {
    let mut h = harness("Q4");
    h.open("5.18");
    let user = item_of(&h, "E1", "user");
    h.select(user);
    let terminal = h.draw(size.0, size.1);
    insta::assert_snapshot!(
        format!("baseline_{}x{}", size.0, size.1),
        terminal.backend()
    );
    let text = screen_text(&terminal);
    assert!(text.contains("Before"), "{text}");
    assert!(text.contains("same ✓"), "{text}");
    assert!(text.contains("new"), "{text}");
    if size.1 >= 40 {
        assert!(
            text.contains("certified in Q3 by M1: 'as reviewed'; unchanged"),
            "{text}"
        );
    }
}

#[test]
fn accepting_a_carried_over_certification_records_that_basis() {
    let mut h = harness("Q4");
    h.open("5.18");
    let user = item_of(&h, "E1", "user");
    let reader = item_of(&h, "E2", "reader");
    h.select(user);
    h.press(Action::Decide(Verdict::Accept));
    assert_eq!(h.decision(user).as_deref(), Some("certify"));
    assert_eq!(basis(&h, user).as_deref(), Some("carry-over"));
    h.select(reader);
    h.press(Action::Decide(Verdict::Accept));
    assert_eq!(
        basis(&h, reader).as_deref(),
        Some("reviewer"),
        "not carried over"
    );
    // Certifying a carried-over item with c is the reviewer's own decision.
    h.press(Action::First);
    h.select(user);
    h.press(Action::Decide(Verdict::Certify));
    assert_eq!(basis(&h, user).as_deref(), Some("reviewer"));
}

#[test]
fn the_filter_shows_the_items_of_one_change() {
    let mut h = harness("Q4");
    h.open("5.18");
    h.press(Action::Filter);
    h.keys(std::iter::repeat_n(Action::Down, 4));
    h.press(Action::Next);
    assert_eq!(
        h.app.review.query.filter.delta,
        Some(crate::model::Delta::New)
    );
    assert_eq!(ids(&h.app), [item_of(&h, "E2", "reader")]);
    h.press(Action::Next);
    assert_eq!(
        h.app.review.query.filter.delta,
        Some(crate::model::Delta::Unchanged)
    );
    assert!(h.app.review.rows.iter().all(|r| r.identity_id == "E1"));
}

#[test]
fn t_asks_for_an_end_date_then_why_and_records_both() {
    let mut h = harness("Q4");
    let today = Utc::now().date_naive();
    h.app.today = today;
    h.open("5.18");
    let user = item_of(&h, "E1", "user");
    h.select(user);
    h.press(Action::CertifyUntil);
    assert!(matches!(h.app.overlay, Some(Overlay::Until { .. })));
    h.typed("2027-13-01");
    h.press(Action::Submit);
    assert!(
        matches!(h.app.overlay, Some(Overlay::Until { .. })),
        "a bad date stays"
    );
    assert_eq!(h.app.status.tone, Tone::Error);
    assert!(
        h.app.status.message.contains("not a date"),
        "{}",
        h.app.status.message
    );
    // Beyond the rules' 180 days.
    h.app.overlay = None;
    h.press(Action::CertifyUntil);
    h.typed(&(today + Days::new(181)).to_string());
    h.press(Action::Submit);
    assert!(
        h.app.status.message.contains("more than 180 days"),
        "{}",
        h.app.status.message
    );
    h.app.overlay = None;
    let until = today + Days::new(30);
    h.press(Action::CertifyUntil);
    h.typed(&until.to_string());
    h.press(Action::Submit);
    match &h.app.overlay {
        Some(Overlay::Justify { pending, why, .. }) => {
            assert_eq!(pending.until, Some(until));
            assert!(
                why.starts_with(&format!("Keep the access until {until}")),
                "{why}"
            );
        }
        other => panic!("expected the justification prompt, got {other:?}"),
    }
    assert_eq!(h.events(), 4, "nothing saved before the justification");
    h.typed("contract ends then");
    h.press(Action::Submit);
    let stored: Option<String> =
        h.ws.conn
            .query_row(
                "SELECT valid_until FROM item_view WHERE item_id = ?1",
                [user],
                |row| row.get(0),
            )
            .expect("item");
    assert_eq!(stored, Some(until.to_string()));
}

#[test]
fn t_is_refused_for_a_leaver_at_once() {
    let mut h = harness("Q4");
    h.open("5.16");
    let leaver = item_of(&h, "E3", "user");
    h.select(leaver);
    h.press(Action::CertifyUntil);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.status.tone, Tone::Error);
    assert!(
        h.app.status.message.contains("never for terminated access"),
        "{}",
        h.app.status.message
    );
}

#[test]
fn tab_in_a_certification_sets_an_end_date_and_esc_keeps_the_justification() {
    let mut h = harness("Q4");
    h.app.today = Utc::now().date_naive();
    h.open("8.2");
    let admin = item_of(&h, "E1", "admin");
    h.select(admin);
    h.press(Action::Decide(Verdict::Certify));
    h.typed("needed for the migration");
    h.press(Action::SwitchPane);
    assert!(matches!(h.app.overlay, Some(Overlay::Until { .. })));
    h.press(Action::Back);
    match &h.app.overlay {
        Some(Overlay::Justify {
            editor, pending, ..
        }) => {
            assert_eq!(editor.text(), "needed for the migration");
            assert_eq!(pending.until, None);
        }
        other => panic!("expected the justification back, got {other:?}"),
    }
    h.press(Action::SwitchPane);
    let until = h.app.today + Days::new(10);
    h.typed(&until.to_string());
    h.press(Action::Submit);
    match &h.app.overlay {
        Some(Overlay::Justify {
            editor, pending, ..
        }) => {
            assert_eq!(
                editor.text(),
                "needed for the migration",
                "the text typed is kept"
            );
            assert_eq!(pending.until, Some(until));
        }
        other => panic!("expected the justification, got {other:?}"),
    }
    h.press(Action::Submit);
    assert_eq!(h.decision(admin).as_deref(), Some("certify"));
}

#[test]
fn a_signed_off_campaign_shows_its_remediation_on_the_overview() {
    let mut h = harness("Q3");
    let counts = h.app.remediation.expect("signed off: remediation counts");
    assert_eq!((counts.pending, counts.removed), (2, 0), "{counts:?}");
    let text = screen_text(&h.draw(80, 24));
    assert!(
        text.contains("Remediation 0 removed · 2 pending · 0 not re-checked · 0 reappeared"),
        "{text}"
    );
}

/// The reviewer of a packet of Q4 (PRODUCT.md §9) sees the baseline as a
/// reviewer in the workspace does: the Before column and the detail
/// pane's earlier decision, though Q3's items stayed behind.
#[test]
fn a_packet_shows_the_baseline_as_the_workspace_does() {
    let mut h = harness("Q4");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("m1.packet");
    let q4 = find_campaign(&h.ws.conn, "Q4").expect("Q4");
    let when = Utc
        .with_ymd_and_hms(2026, 12, 2, 9, 0, 0)
        .single()
        .expect("time");
    crate::packet::create::create(
        &mut h.ws,
        &q4,
        REVIEWER,
        &path,
        &Actor::fixed("owner"),
        when,
    )
    .expect("packet");
    let mut packet = Workspace::open_packet(&path).expect("open packet");
    let in_packet: i64 = packet
        .conn
        .query_row(
            "SELECT count(*) FROM items WHERE campaign_id <> ?1",
            [q4.id],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(in_packet, 0, "Q3's items stay behind");
    let mut app = {
        let campaign = find_campaign(&packet.conn, "Q4").expect("Q4 in the packet");
        let mut shell = Shell::new(&mut packet.conn, campaign, &Actor::fixed(REVIEWER));
        shell.app(Theme::plain()).expect("app")
    };
    app.today = h.app.today;
    let mut from_packet = Harness { ws: packet, app };
    let shown = |h: &mut Harness| {
        h.open("5.18");
        let user = item_of(h, "E1", "user");
        h.select(user);
        let text = screen_text(&h.draw(120, 40));
        // The table and the detail pane, without the status and key bars.
        let lines: Vec<String> = text.lines().skip(1).take(36).map(str::to_owned).collect();
        lines.join("\n")
    };
    let workspace = shown(&mut h);
    let packet = shown(&mut from_packet);
    assert!(
        packet.contains("Before     certify in Q3 (1) by M1 at "),
        "{packet}"
    );
    assert!(packet.contains(": 'as reviewed'"), "{packet}");
    assert_eq!(packet, workspace);
}
