//! The report shows what an auditor checks, escaped and self-contained.

use super::*;
use crate::actor::Actor;
use crate::evidence::fixture;
use crate::evidence::signoff::sign_off;

fn signed_report() -> (Report, Vec<u8>) {
    let mut ws = fixture::workspace();
    fixture::decide_all(&mut ws);
    let campaign = fixture::campaign(&ws);
    sign_off(
        &mut ws.conn,
        &campaign,
        &Actor::fixed("CISO <Ann>"),
        "All items reviewed & correct.",
        fixture::at(10),
    )
    .expect("sign off");
    let campaign = fixture::campaign(&ws);
    let mut bytes = Vec::new();
    write_evidence(&ws.conn, &campaign, &mut bytes).expect("export");
    let report = gather(&ws.conn, &campaign, None, fixture::at(11)).expect("report");
    (report, bytes)
}

#[test]
fn totals_per_control_are_in_control_order() {
    let (report, _) = signed_report();
    let rows: Vec<(&str, u64, u64, u64)> = report
        .controls
        .iter()
        .map(|c| (c.id.as_str(), c.total, c.certified, c.revoked))
        .collect();
    assert_eq!(
        rows,
        [
            ("5.16", 2, 0, 2),
            ("5.17", 1, 1, 0),
            ("5.18", 1, 1, 0),
            ("8.2", 1, 1, 0)
        ]
    );
    assert_eq!(report.controls[0].title, "Identity management");
    assert_eq!(report.revoked_total, 2);
}

#[test]
fn the_page_shows_totals_revocations_signer_and_the_evidence_hash() {
    let (report, bytes) = signed_report();
    let page = html::render(&report);
    assert!(page.contains("<b>5</b>items"));
    assert!(page.contains("<b>3</b>certified"));
    assert!(page.contains("<b>2</b>revoked"));
    assert!(
        page.contains(
            "Signed off by CISO &lt;Ann&gt; (tester@testhost) on 2026-12-01T10:00:00.000Z"
        )
    );
    assert!(page.contains("All items reviewed &amp; correct."));
    assert!(page.contains(&hex::encode(Sha256::digest(&bytes))));
    assert!(page.contains("<td>ghost</td><td>crm</td><td>@admins</td><td>=orphaned, remove</td>"));
    assert!(page.contains("<tr><td>orphaned</td><td class=\"n\">1</td></tr>"));
    assert!(page.contains("<svg role=\"img\""));
}

#[test]
fn the_page_escapes_data_and_loads_nothing_from_anywhere() {
    let (report, _) = signed_report();
    let page = html::render(&report);
    let hostile = "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)";
    assert!(page.contains(hostile), "imported text is shown escaped");
    let rest = page.replace(hostile, "");
    for forbidden in [
        "http:", "https:", "<script", "src=", "href=", "url(", "@import",
    ] {
        assert!(!rest.contains(forbidden), "{forbidden} in the page");
    }
    assert!(page.contains("@media print"));
}

#[test]
fn a_draft_says_so_and_a_wrong_evidence_file_is_refused() {
    let mut ws = fixture::workspace();
    fixture::decide(&mut ws, &[1], crate::model::DecisionAction::Certify, "ok");
    let campaign = fixture::campaign(&ws);
    let report = gather(&ws.conn, &campaign, None, fixture::at(11)).expect("report");
    let page = html::render(&report);
    assert!(page.contains("Not signed off: 4 item(s) undecided"));
    let dir = tempfile::tempdir().expect("dir");
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "x\n").expect("write");
    let err = gather(&ws.conn, &campaign, Some(&other), fixture::at(11)).expect_err("wrong file");
    assert!(
        err.to_string().contains("is not this campaign's evidence"),
        "{err}"
    );
}

#[test]
fn kept_despite_a_risk_signal_comes_first_grouped_by_signal() {
    let (report, _) = signed_report();
    let kept: Vec<(&str, Vec<i64>, u64)> = report
        .auditor
        .kept
        .iter()
        .map(|(s, items, n)| (s.as_str(), items.iter().map(|i| i.item_id).collect(), *n))
        .collect();
    // Item 4 carries no signal; 1 and 2 were revoked.
    assert_eq!(
        kept,
        [("unrotated", vec![3], 1), ("privileged", vec![5], 1)]
    );
    assert_eq!(report.auditor.kept[0].1[0].justification, "still needed");
    assert!(report.auditor.kept[0].1[0].decided_by.starts_with("M1 ("));
    let page = html::render(&report);
    let first = page.find("<h2").expect("a section");
    assert!(page[first..].starts_with("<h2 id=\"kept\">Kept despite a risk signal</h2>"));
    let order: Vec<usize> = [
        "Kept despite a risk signal",
        "Time-boxed certifications",
        "Close-out decisions",
        "<h2>Remediation",
        "<h2>Independence",
        "<h2>Reviewers",
        "Decisions per control",
    ]
    .iter()
    .map(|h| page.find(h).unwrap_or_else(|| panic!("{h} missing")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(page.contains("@page { size: A4"));
    // Per reviewer: M1 decided all five, one after another.
    let m1 = report
        .auditor
        .reviewers
        .iter()
        .find(|r| r.reviewer == "M1")
        .expect("M1");
    assert_eq!(m1.decided, 5);
    assert!(m1.median_seconds.is_some());
}

#[test]
fn the_median_is_the_middle_or_the_mean_of_the_two_middles() {
    use super::auditor::median;
    assert_eq!(median(vec![]), None);
    assert_eq!(median(vec![3000, 1000, 2000]), Some(2.0));
    assert_eq!(median(vec![4000, 1000, 2000, 3000]), Some(2.5));
}
