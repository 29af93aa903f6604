//! Rendering the report as one self-contained HTML page: inline CSS and
//! SVG, no scripts, no network, every value HTML-escaped.

use std::fmt::Write as _;

use chrono::SecondsFormat;

use super::svg::{self, CERTIFIED, REVOKED};
use super::{EvidenceSource, REVOKED_SHOWN, Report};
use crate::text::for_display;

/// Escapes text for HTML element content and attribute values, after
/// removing control characters that have no business on a page.
pub fn escape(text: &str) -> String {
    let clean = for_display(text);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// [`escape`] keeping the text's line breaks (a sign-off statement is
/// kept whole, over several lines).
pub fn escape_lines(text: &str) -> String {
    text.lines().map(escape).collect::<Vec<_>>().join("<br>\n")
}

const STYLE: &str = "
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1b1b1b; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
.meta { color: #555; margin: 0 0 1rem; }
.banner { padding: .6rem .9rem; border-radius: 4px; font-weight: 600; }
.banner.signed { background: #e8f5e9; border: 1px solid CERTIFIED; }
.banner.open { background: #fff8e1; border: 1px solid #f9a825; }
.cards { display: flex; gap: .8rem; flex-wrap: wrap; margin: 1rem 0; }
.card { border: 1px solid #ddd; border-radius: 4px; padding: .5rem .9rem; min-width: 8rem; }
.card b { display: block; font-size: 1.5rem; }
.card.certified b { color: CERTIFIED; } .card.revoked b { color: REVOKED; } .card.undecided b { color: #616161; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e0e0e0; vertical-align: top; }
td { overflow-wrap: anywhere; }
th { white-space: nowrap; }
table.items { font-size: .85em; }
svg { max-width: 100%; height: auto; }
th { background: #f5f5f5; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code, .hash { font-family: ui-monospace, 'SFMono-Regular', Menlo, monospace; font-size: .85em; word-break: break-all; }
blockquote { margin: .5rem 0; padding: .5rem 1rem; border-left: 4px solid #90a4ae; background: #fafafa; }
svg text { font: 12px system-ui, sans-serif; fill: #1b1b1b; }
footer { margin-top: 2rem; color: #777; font-size: .85em; }
h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2, h3 { break-after: avoid; }
  table.items { font-size: 8pt; }
  tr, .card, svg, blockquote { break-inside: avoid; }
  .banner, .card, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
";

/// The whole page.
pub fn render(report: &Report) -> String {
    let campaign = &report.campaign;
    let mut page = String::with_capacity(64 * 1024);
    let name = escape(&campaign.name);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Access review report: {name}</title>\n<style>{}</style>\n</head>\n<body>\n",
        STYLE
            .replace("CERTIFIED", CERTIFIED)
            .replace("REVOKED", REVOKED)
    );
    let _ = write!(
        page,
        "<h1>Access review: {name}</h1>\n<p class=\"meta\">Campaign {} · period {} · as of {} · due {} · created by {} · report generated {}</p>\n",
        campaign.id,
        escape(campaign.period.as_deref().unwrap_or("—")),
        escape(&campaign.as_of),
        escape(campaign.due.as_deref().unwrap_or("—")),
        escape(&campaign.created_by),
        report
            .generated_at
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    let undecided = report.total() - report.certified() - report.revoked();
    match &report.signoff {
        Some(signoff) => {
            let _ = writeln!(
                page,
                "<p class=\"banner signed\">Signed off by {} on {}</p>",
                escape(&signoff.signer()),
                escape(&signoff.signed_at)
            );
        }
        None => {
            let _ = writeln!(
                page,
                "<p class=\"banner open\">Not signed off: {undecided} item(s) undecided. This is a draft.</p>"
            );
        }
    }
    let _ = writeln!(
        page,
        "<div class=\"cards\"><div class=\"card\"><b>{}</b>items</div><div class=\"card certified\"><b>{}</b>certified</div><div class=\"card revoked\"><b>{}</b>revoked</div><div class=\"card undecided\"><b>{undecided}</b>undecided</div></div>",
        report.total(),
        report.certified(),
        report.revoked()
    );
    // What an auditor asks for first, then the rest (PRODUCT.md §10).
    super::auditor::kept_section(&mut page, &report.auditor);
    super::auditor::time_boxed_section(&mut page, &report.auditor);
    super::finishing::closed_section(
        &mut page,
        &report.closed_out,
        report.closed_out_total,
        report.campaign.id,
    );
    super::auditor::remediation_section(&mut page, &report.auditor);
    super::finishing::warnings_section(&mut page, &report.warnings);
    super::auditor::reviewers_section(&mut page, &report.auditor);
    controls_section(&mut page, report);
    signals_section(&mut page, report);
    revoked_section(&mut page, report);
    signoff_section(&mut page, report);
    evidence_section(&mut page, report);
    page.push_str("<footer>Written by recert. Standard references name ISO/IEC 27002:2022 controls by number and short title only.</footer>\n</body>\n</html>\n");
    page
}

fn controls_section(page: &mut String, report: &Report) {
    page.push_str("<h2>Decisions per control</h2>\n");
    page.push_str(&svg::chart(&report.controls));
    page.push_str("\n<table>\n<tr><th>Control</th><th>Title</th><th class=\"n\">Items</th><th class=\"n\">Certified</th><th class=\"n\">Revoked</th><th class=\"n\">Undecided</th></tr>\n");
    for control in &report.controls {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&control.id),
            escape(&control.title),
            control.total,
            control.certified,
            control.revoked,
            control.undecided()
        );
    }
    let _ = writeln!(
        page,
        "<tr><th>All</th><th></th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr>\n</table>",
        report.total(),
        report.certified(),
        report.revoked(),
        report.total() - report.certified() - report.revoked()
    );
}

fn signals_section(page: &mut String, report: &Report) {
    page.push_str("<h2>Risk signals found</h2>\n");
    if report.signals.is_empty() {
        page.push_str("<p>No item carries a signal.</p>\n");
        return;
    }
    page.push_str("<table>\n<tr><th>Signal</th><th class=\"n\">Items</th></tr>\n");
    for (signal, count) in &report.signals {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td class=\"n\">{count}</td></tr>",
            signal.as_str()
        );
    }
    page.push_str("</table>\n");
}

fn revoked_section(page: &mut String, report: &Report) {
    let _ = writeln!(page, "<h2>Revoked access ({})</h2>", report.revoked_total);
    if report.revoked.is_empty() {
        page.push_str("<p>Nothing was revoked.</p>\n");
        return;
    }
    page.push_str("<table class=\"items\">\n<tr><th class=\"n\">Item</th><th>Control</th><th>Identity</th><th>System</th><th>Entitlement</th><th>Justification</th><th>Decided by</th><th>Decided at</th></tr>\n");
    for item in &report.revoked {
        let who = if item.identity_name.is_empty() {
            escape(&item.identity_id)
        } else {
            format!(
                "{} <br><small>{}</small>",
                escape(&item.identity_id),
                escape(&item.identity_name)
            )
        };
        let _ = writeln!(
            page,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{who}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            item.item_id,
            escape(&item.control_id),
            escape(&item.system),
            escape(&item.entitlement),
            escape(&item.justification),
            escape(&item.decided_by),
            escape(&item.decided_at)
        );
    }
    page.push_str("</table>\n");
    if report.revoked_total > report.revoked.len() as u64 {
        let _ = writeln!(
            page,
            "<p>The first {REVOKED_SHOWN} of {} revocations are shown; <code>recert export {} --revocations -o FILE</code> lists them all.</p>",
            report.revoked_total, report.campaign.id
        );
    }
}

fn signoff_section(page: &mut String, report: &Report) {
    page.push_str("<h2>Sign-off</h2>\n");
    let Some(signoff) = &report.signoff else {
        page.push_str("<p>The campaign is not signed off yet.</p>\n");
        return;
    };
    let _ = write!(
        page,
        "<blockquote class=\"statement\">{}</blockquote>\n<table>\n<tr><th>Signed off by</th><td>{}</td></tr>\n<tr><th>At</th><td>{}</td></tr>\n<tr><th>Final row_hash</th><td class=\"hash\">{}</td></tr>\n</table>\n",
        escape_lines(&signoff.statement),
        escape(&signoff.signer()),
        escape(&signoff.signed_at),
        escape(&signoff.final_hash)
    );
}

fn evidence_section(page: &mut String, report: &Report) {
    let source = match &report.evidence_source {
        EvidenceSource::Computed => format!(
            "the evidence file <code>recert export {} -o evidence.csv</code> writes (every export of this campaign is byte-identical)",
            report.campaign.id
        ),
        EvidenceSource::File(path) => format!("<code>{}</code>", escape(path)),
    };
    let _ = write!(
        page,
        "<h2>Evidence</h2>\n<table>\n<tr><th>SHA-256</th><td class=\"hash\">{}</td></tr>\n<tr><th>Of</th><td>{source}</td></tr>\n<tr><th>Last row_hash</th><td class=\"hash\">{}</td></tr>\n</table>\n<p>Check it with <code>sha256sum evidence.csv</code>, the signature with <code>minisign -Vm evidence.csv -p recert.pub</code> and the hash chain with <code>recert verify evidence.csv --pubkey recert.pub</code> or <code>python3 verify-chain.py evidence.csv</code>.</p>\n",
        report.evidence_sha256, report.last_row_hash
    );
}
