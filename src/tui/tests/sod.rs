//! Toxic combinations and outliers in the review (PRODUCT.md §11): the
//! detail pane names the other item of the pair and whether revoking has
//! resolved it, `p` jumps to it, and certifying either asks why.

use chrono::NaiveDate;

use super::*;
use crate::campaign::{CampaignSpec, find_campaign};
use crate::import::{ImportOptions, Progress, Source, import_sources};
use crate::tui::query::Query;

const IDENTITIES: &str = "identity_id,display_name,manager_id,department,status\n\
    M1,Mia Manager,,Finance,active\n\
    E1,Ann One,M1,Finance,active\n\
    E2,Bob Two,M1,Finance,active\n\
    E3,Cy Three,M1,Finance,active\n\
    E4,Di Four,M1,Finance,active\n\
    E5,Ed Five,M1,Finance,active\n\
    E6,Fay Six,M1,Finance,active\n";

/// Ann creates and approves payments; every report of Mia reads the wiki,
/// and only Ann administers the CRM.
const GRANTS: &str = "identity_id,system,entitlement,type,privileged,granted_at,last_used_at\n\
    E1,erp,Create Payment,role,false,2025-01-01,2026-11-20\n\
    E1,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E1,crm,admin,role,false,2025-01-01,2026-11-20\n\
    E1,erp,Approve Payment,role,false,2025-01-01,2026-11-20\n\
    E2,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E3,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E4,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E5,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E6,wiki,reader,group,false,2025-01-01,2026-11-20\n\
    E6,crm,user,role,false,2025-01-01,2026-11-20\n";

const RULES: &str = "[[sod]]\n\
    name = \"create and approve\"\n\
    description = \"one person pays themselves\"\n\
    a = [\"erp:create*\"]\n\
    b = [\"erp:approve*\"]\n\
    [outlier]\n\
    [[control]]\n\
    id = \"5.18\"\n";

fn harness() -> Harness {
    harness_with(RULES)
}

fn harness_with(rules: &str) -> Harness {
    let mut ws = Workspace::open_in_memory().expect("workspace");
    import_sources(
        &mut ws.conn,
        &[
            Source::Bytes("identities.csv", IDENTITIES.as_bytes()),
            Source::Bytes("entitlements.csv", GRANTS.as_bytes()),
        ],
        &ImportOptions::default(),
        &Actor::fixed("u"),
        chrono::Utc::now(),
        Progress::hidden(),
    )
    .expect("import");
    crate::campaign::rules::set_workspace_rules(&ws.conn, rules, "r.toml").expect("rules");
    crate::test_support::create(
        &mut ws,
        &CampaignSpec {
            as_of: NaiveDate::from_ymd_opt(2026, 11, 30),
            default_reviewer: Some(REVIEWER.to_owned()),
            ..CampaignSpec::new("Q4")
        },
    );
    let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
    let mut app = {
        let mut shell = Shell::new(&mut ws.conn, campaign, &Actor::fixed(REVIEWER));
        shell.app(Theme::plain()).expect("app")
    };
    app.today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
    Harness { ws, app }
}

fn item_of(h: &Harness, entitlement: &str) -> i64 {
    h.ws.conn
        .query_row(
            "SELECT item_id FROM item_view WHERE entitlement = ?1 AND identity_id = 'E1'",
            [entitlement],
            |row| row.get(0),
        )
        .expect("item")
}

#[test]
fn the_pair_is_reviewed_under_5_3_and_the_detail_names_the_other_item() {
    let mut h = harness();
    let ids: Vec<&str> = h.app.controls.iter().map(|c| c.control.as_str()).collect();
    assert_eq!(ids, ["5.3", "5.18"]);
    h.open("5.3");
    let create = item_of(&h, "Create Payment");
    let approve = item_of(&h, "Approve Payment");
    let rows: Vec<i64> = h.app.review.rows.iter().map(|r| r.item_id).collect();
    assert_eq!(rows, [create, approve]);
    h.select(create);
    let terminal = h.draw(120, 30);
    insta::assert_snapshot!("sod_pair_detail_120x30", terminal.backend());
    let text = screen_text(&terminal);
    assert!(
        text.contains(&format!(
            "#{approve} E1 · erp · Approve Payment (control 5.3) · create and approve (one person pays themselves) · open"
        )),
        "{text}"
    );
    assert!(
        text.contains("toxic combination \"create and approve\""),
        "{text}"
    );
}

#[test]
fn p_jumps_to_the_other_item_and_back() {
    let mut h = harness();
    h.open("5.3");
    let create = item_of(&h, "Create Payment");
    let approve = item_of(&h, "Approve Payment");
    h.select(create);
    h.press(Action::Pair);
    assert_eq!(h.app.review.selected_id(), Some(approve));
    assert!(
        h.app
            .status
            .message
            .contains("the other half of \"create and approve\""),
        "{}",
        h.app.status.message
    );
    // Its detail loads, and p goes back.
    assert_eq!(h.app.review.detail().map(|d| d.item), Some(approve));
    h.press(Action::Pair);
    assert_eq!(h.app.review.selected_id(), Some(create));
}

/// The rules with a second combination: Ann's Create Payment is one half
/// of two (with Approve Payment, and with the CRM's admin).
fn two_combinations() -> Harness {
    let rules = RULES.replace(
        "[outlier]",
        "[[sod]]\nname = \"create and administer\"\na = [\"erp:create*\"]\nb = [\"crm:admin\"]\n[outlier]",
    );
    harness_with(&rules)
}

#[test]
fn coming_back_by_hand_to_the_item_p_arrived_on_takes_its_own_pairs() {
    let mut h = two_combinations();
    h.open("5.3");
    let create = item_of(&h, "Create Payment");
    h.select(create);
    let others: Vec<i64> = h
        .app
        .review
        .detail()
        .expect("detail")
        .conflicts
        .iter()
        .map(|c| c.item_id)
        .collect();
    let (first, second) = (others[0], others[1]);
    // From the second pair's item to Create Payment...
    h.select(second);
    h.press(Action::Pair);
    assert_eq!(h.app.review.selected_id(), Some(create));
    // ... away and back by hand (j, k): p takes Create Payment's first
    // pair, not the way back to where the last p came from.
    h.press(Action::Down);
    assert_ne!(h.app.review.selected_id(), Some(create));
    h.press(Action::Up);
    assert_eq!(h.app.review.selected_id(), Some(create));
    h.press(Action::Pair);
    assert_eq!(
        h.app.review.selected_id(),
        Some(first),
        "{}",
        h.app.status.message
    );
}

#[test]
fn p_takes_each_of_several_pairs_in_turn_and_goes_back_between() {
    let mut h = two_combinations();
    h.open("5.3");
    let create = item_of(&h, "Create Payment");
    h.select(create);
    let pairs: Vec<(i64, String)> = h
        .app
        .review
        .detail()
        .expect("detail")
        .conflicts
        .iter()
        .map(|c| (c.item_id, c.rule.clone()))
        .collect();
    let [(first, first_rule), (second, _)] = &pairs[..] else {
        panic!("two pairs: {pairs:?}");
    };
    let (first, second) = (*first, *second);
    let mut items = vec![item_of(&h, "Approve Payment"), item_of(&h, "admin")];
    items.sort_unstable();
    let mut listed = vec![first, second];
    listed.sort_unstable();
    assert_eq!(listed, items, "both other halves are listed");
    let terminal = h.draw(120, 30);
    insta::assert_snapshot!("sod_two_pairs_detail_120x30", terminal.backend());
    // The pair whose entry the detail pane's "p jumps to it" ends (tall
    // enough that every entry is on screen, wrapped or not).
    let hinted = |h: &mut Harness| -> i64 {
        let text = screen_text(&h.draw(120, 45));
        let joined: Vec<&str> = text.lines().map(str::trim).collect();
        let joined = joined.join(" ");
        let hint = joined.find("p jumps to it").expect("a hint");
        [first, second]
            .into_iter()
            .filter_map(|id| {
                joined[..hint]
                    .rfind(&format!("#{id} E1 ·"))
                    .map(|at| (at, id))
            })
            .max()
            .map_or_else(|| panic!("no pair before the hint:\n{text}"), |(_, id)| id)
    };
    assert_eq!(hinted(&mut h), first);

    h.press(Action::Pair);
    assert_eq!(h.app.review.selected_id(), Some(first));
    assert!(
        h.app.status.message.contains(&format!(
            "item #{first}, pair 1 of 2: the other half of {first_rule:?}; p goes back"
        )),
        "{}",
        h.app.status.message
    );
    h.press(Action::Pair);
    assert_eq!(h.app.review.selected_id(), Some(create), "p goes back");
    assert!(
        h.app.status.message.contains("back to the other half"),
        "{}",
        h.app.status.message
    );
    // Back on Create Payment, the detail and p point at the second pair.
    assert_eq!(hinted(&mut h), second);
    h.press(Action::Pair);
    assert_eq!(h.app.review.selected_id(), Some(second));
    assert!(
        h.app.status.message.contains("pair 2 of 2"),
        "{}",
        h.app.status.message
    );
    h.press(Action::Pair);
    assert_eq!(h.app.review.selected_id(), Some(create));
    h.press(Action::Pair);
    assert_eq!(h.app.review.selected_id(), Some(first), "round again");
}

#[test]
fn p_clears_a_view_that_hides_the_other_item() {
    let mut h = harness();
    h.open("5.3");
    let create = item_of(&h, "Create Payment");
    let approve = item_of(&h, "Approve Payment");
    h.press(Action::Search);
    h.typed("create");
    h.press(Action::Submit);
    let rows: Vec<i64> = h.app.review.rows.iter().map(|r| r.item_id).collect();
    assert_eq!(rows, [create], "the search hides the other item");
    h.press(Action::Pair);
    assert_eq!(h.app.review.query, Query::for_control("5.3"));
    assert_eq!(h.app.review.selected_id(), Some(approve));
    assert!(
        h.app.status.message.contains("every item of 5.3 shown"),
        "{}",
        h.app.status.message
    );
}

#[test]
fn p_on_an_item_without_a_pair_says_so() {
    let mut h = harness();
    h.open("5.18");
    h.press(Action::Resize(120, 30));
    let before = h.app.review.selected_id();
    h.press(Action::Pair);
    assert_eq!(h.app.review.selected_id(), before);
    assert!(
        h.app
            .status
            .message
            .contains("not part of a toxic combination"),
        "{}",
        h.app.status.message
    );
}

#[test]
fn revoking_one_shows_the_other_resolved_and_certifying_asks_why() {
    let mut h = harness();
    h.open("5.3");
    let create = item_of(&h, "Create Payment");
    let approve = item_of(&h, "Approve Payment");
    h.select(approve);
    h.press(Action::Decide(Verdict::Certify));
    assert!(
        matches!(h.app.overlay, Some(Overlay::Justify { .. })),
        "certifying a toxic combination needs a justification"
    );
    h.press(Action::Back);
    crate::test_support::decide(
        &mut h.ws,
        "Q4",
        &[create],
        DecisionAction::Revoke,
        Some("keeps approving only"),
        REVIEWER,
    )
    .expect("revoke");
    h.press(Action::Changed);
    h.select(create);
    h.select(approve);
    let text = screen_text(&h.draw(120, 30));
    assert!(text.contains(&format!("resolved: #{create}")), "{text}");
    assert_eq!(h.decision(approve), None, "resolved, not decided");
}

#[test]
fn the_outlier_names_its_peers_and_manager() {
    let mut h = harness();
    h.open("5.18");
    let admin = item_of(&h, "admin");
    h.select(admin);
    let item = h.app.review.selected().expect("item");
    assert!(item.signals.contains(Signal::Outlier), "{:?}", item.signals);
    assert_eq!(
        item.reasons.last().map(String::as_str),
        Some("held by 0 of 5 peers under manager Mia Manager (M1)")
    );
    let reader = item_of(&h, "reader");
    h.select(reader);
    let item = h.app.review.selected().expect("item");
    assert!(
        !item.signals.contains(Signal::Outlier),
        "every peer reads the wiki"
    );
}
