//! The report's sections an auditor reads first (PRODUCT.md §10): every
//! certified item that carried a risk signal, grouped by signal, with its
//! justification and decider; time-boxed certifications; remediation
//! state; and per-reviewer figures. Gathered and rendered here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate};
use rusqlite::Connection;

use super::html::escape;
use crate::campaign::{Campaign, ranges};
use crate::model::{Signal, SignalSet};
use crate::remediation::Counts;

/// How many kept items the page lists per signal; the evidence has all.
pub const KEPT_SHOWN: usize = 500;

/// One certified item as these sections list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptItem {
    pub item_id: i64,
    pub identity: String,
    pub access: String,
    pub justification: String,
    pub decided_by: String,
    pub valid_until: String,
}

/// A reviewer's figures: items assigned, decided by them, and the median
/// seconds between two of their consecutive decisions.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewerFigures {
    pub reviewer: String,
    pub assigned: u64,
    pub decided: u64,
    pub median_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sections {
    /// Per risk signal (canonical order): its certified items (first
    /// [`KEPT_SHOWN`]) and how many there are.
    pub kept: Vec<(Signal, Vec<KeptItem>, u64)>,
    pub time_boxed: Vec<KeptItem>,
    /// `None` before sign-off: remediation follows a signed-off campaign.
    pub remediation: Option<Counts>,
    pub reviewers: Vec<ReviewerFigures>,
}

const DECIDER: &str =
    "decided_by_reviewer || ' (' || coalesce(decided_by_os_user, 'unknown') || '@'
    || coalesce(decided_by_host, 'unknown') || ')'";

pub fn gather(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
) -> color_eyre::Result<Sections> {
    let risk: u32 = Signal::ALL
        .iter()
        .filter(|s| s.is_risk())
        .map(|s| s.bit())
        .sum();
    let mut statement = conn.prepare_cached(&format!(
        "SELECT item_id, signal_mask, identity_id || coalesce(' ' || identity_name, ''),
             system || ': ' || entitlement, coalesce(justification, ''), {DECIDER},
             coalesce(valid_until, '')
         FROM item_view WHERE {} AND decision = 'certify'
             AND (signal_mask & ?2 != 0 OR valid_until IS NOT NULL)
         ORDER BY item_id",
        ranges::in_campaign(ranges::VIEW, "?1")
    ))?;
    let mut kept: BTreeMap<usize, (Vec<KeptItem>, u64)> = BTreeMap::new();
    let mut time_boxed = Vec::new();
    let mut rows = statement.query((campaign.id, risk))?;
    while let Some(row) = rows.next()? {
        let item = KeptItem {
            item_id: row.get(0)?,
            identity: row.get(2)?,
            access: row.get(3)?,
            justification: row.get(4)?,
            decided_by: row.get(5)?,
            valid_until: row.get(6)?,
        };
        for signal in SignalSet::from_bits(row.get(1)?)
            .iter()
            .filter(|s| s.is_risk())
        {
            let at = Signal::ALL.iter().position(|s| *s == signal).unwrap_or(0);
            let entry = kept.entry(at).or_default();
            if entry.0.len() < KEPT_SHOWN {
                entry.0.push(item.clone());
            }
            entry.1 += 1;
        }
        if !item.valid_until.is_empty() {
            time_boxed.push(item);
        }
    }
    time_boxed.sort_by(|a, b| {
        a.valid_until
            .cmp(&b.valid_until)
            .then(a.item_id.cmp(&b.item_id))
    });
    let remediation = crate::remediation::report(conn, campaign, today)?.map(|r| r.counts);
    Ok(Sections {
        kept: kept
            .into_iter()
            .map(|(at, (items, total))| (Signal::ALL[at], items, total))
            .collect(),
        time_boxed,
        remediation,
        reviewers: reviewers(conn, campaign.id)?,
    })
}

fn reviewers(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<ReviewerFigures>> {
    let mut figures: BTreeMap<String, ReviewerFigures> = BTreeMap::new();
    let blank = |name: &str| ReviewerFigures {
        reviewer: name.to_owned(),
        assigned: 0,
        decided: 0,
        median_seconds: None,
    };
    // The campaign in id order, counted here by reviewer.
    let mut statement = conn.prepare_cached(&format!(
        "SELECT it.assigned_reviewer FROM items it WHERE {}",
        ranges::in_campaign(ranges::ITEMS_AS_IT, "?1")
    ))?;
    let mut rows = statement.query([campaign])?;
    while let Some(row) = rows.next()? {
        let name = row.get_ref(0)?.as_str()?;
        if let Some(known) = figures.get_mut(name) {
            known.assigned += 1;
        } else {
            let mut first = blank(name);
            first.assigned = 1;
            figures.insert(name.to_owned(), first);
        }
    }
    let mut statement = conn.prepare_cached(&format!(
        "SELECT decided_by_reviewer, count(*) FROM item_view
         WHERE {} AND decision IS NOT NULL GROUP BY 1",
        ranges::in_campaign(ranges::VIEW, "?1")
    ))?;
    for row in statement.query_map([campaign], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
        let (name, n) = row?;
        figures
            .entry(name.clone())
            .or_insert_with(|| blank(&name))
            .decided = n;
    }
    let mut statement = conn.prepare_cached(
        "SELECT reviewer, decided_at FROM decision_events
         WHERE campaign_id = ?1 AND action IN ('certify', 'revoke') ORDER BY reviewer, decided_at, id",
    )?;
    let mut times: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in statement.query_map([campaign], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (name, at) = row?;
        if let Ok(at) = DateTime::parse_from_rfc3339(&at) {
            times.entry(name).or_default().push(at.timestamp_millis());
        }
    }
    for (name, at) in times {
        let gaps: Vec<i64> = at.windows(2).map(|w| w[1] - w[0]).collect();
        figures
            .entry(name.clone())
            .or_insert_with(|| blank(&name))
            .median_seconds = median(gaps);
    }
    Ok(figures.into_values().collect())
}

/// The median of `values` (milliseconds), in seconds.
pub fn median(mut values: Vec<i64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    #[allow(clippy::cast_precision_loss)] // milliseconds between two decisions
    let ms = if values.len() % 2 == 0 {
        (values[mid - 1] + values[mid]) as f64 / 2.0
    } else {
        values[mid] as f64
    };
    Some(ms / 1000.0)
}

fn items_table(page: &mut String, items: &[KeptItem], until: bool) {
    page.push_str("<table class=\"items\">\n<tr><th class=\"n\">Item</th><th>Identity</th><th>Access</th><th>Justification</th><th>Decided by</th>");
    if until {
        page.push_str("<th>Until</th>");
    }
    page.push_str("</tr>\n");
    for item in items {
        let _ = write!(
            page,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            item.item_id,
            escape(&item.identity),
            escape(&item.access),
            escape(&item.justification),
            escape(&item.decided_by)
        );
        if until {
            let _ = write!(page, "<td>{}</td>", escape(&item.valid_until));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</table>\n");
}

/// "Kept despite a risk signal": the first section of the page.
pub fn kept_section(page: &mut String, sections: &Sections) {
    let total: u64 = sections.kept.iter().map(|(_, _, n)| n).sum();
    page.push_str("<h2 id=\"kept\">Kept despite a risk signal</h2>\n");
    if sections.kept.is_empty() {
        page.push_str("<p>No certified item carries a risk signal.</p>\n");
        return;
    }
    page.push_str("<p>Every certified item that carried a risk signal, with the justification the reviewer gave, grouped by signal (an item with two signals is listed under each).</p>\n");
    let bars: Vec<(String, u64)> = sections
        .kept
        .iter()
        .map(|(s, _, n)| (s.as_str().to_owned(), *n))
        .collect();
    page.push_str(&bar_chart(&bars, total.max(1), "#ef6c00"));
    for (signal, items, count) in &sections.kept {
        let _ = writeln!(page, "<h3>{} ({count})</h3>", signal.as_str());
        items_table(page, items, false);
        if *count > items.len() as u64 {
            let _ = writeln!(
                page,
                "<p>The first {KEPT_SHOWN} of {count} are shown; the evidence lists all (signals column).</p>"
            );
        }
    }
}

pub fn time_boxed_section(page: &mut String, sections: &Sections) {
    let _ = writeln!(
        page,
        "<h2>Time-boxed certifications ({})</h2>",
        sections.time_boxed.len()
    );
    if sections.time_boxed.is_empty() {
        page.push_str("<p>No certification is limited in time.</p>\n");
        return;
    }
    page.push_str(
        "<p>Access kept until a date, soonest end first (evidence <code>valid_until</code>).</p>\n",
    );
    items_table(page, &sections.time_boxed, true);
}

pub fn remediation_section(page: &mut String, sections: &Sections) {
    page.push_str("<h2>Remediation</h2>\n");
    let Some(c) = &sections.remediation else {
        page.push_str("<p>Revocations are followed once the campaign is signed off.</p>\n");
        return;
    };
    if c.total() == 0 {
        page.push_str("<p>Nothing was revoked, so nothing is to be removed.</p>\n");
        return;
    }
    let bars = [
        ("removed".to_owned(), c.removed),
        ("pending".to_owned(), c.pending),
        ("not re-checked".to_owned(), c.not_rechecked),
        ("reappeared".to_owned(), c.reappeared),
    ];
    page.push_str(&bar_chart(&bars, c.total(), "#1565c0"));
    let _ = writeln!(
        page,
        "<p>{} revocations: {} removed, {} pending ({} over the SLA), {} not re-checked, {} reappeared. <code>remediation.csv</code> (<code>recert export CAMPAIGN --remediation</code>) names the export that shows each.</p>",
        c.total(),
        c.removed,
        c.pending,
        c.over_sla,
        c.not_rechecked,
        c.reappeared
    );
}

pub fn reviewers_section(page: &mut String, sections: &Sections) {
    page.push_str("<h2>Reviewers</h2>\n<table>\n<tr><th>Reviewer</th><th class=\"n\">Items assigned</th><th class=\"n\">Decided</th><th class=\"n\">Median seconds per decision</th></tr>\n");
    for r in &sections.reviewers {
        let median = r
            .median_seconds
            .map_or_else(|| "—".to_owned(), |s| format!("{s:.1}"));
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{median}</td></tr>",
            escape(&r.reviewer),
            r.assigned,
            r.decided
        );
    }
    page.push_str("</table>\n");
}

/// Horizontal bars, one per `(label, count)`, scaled to `total`.
fn bar_chart(bars: &[(String, u64)], total: u64, colour: &str) -> String {
    let row = 22;
    let height = row * bars.len() + 4;
    let mut svg = format!(
        "<svg class=\"bars\" role=\"img\" viewBox=\"0 0 640 {height}\" width=\"640\" height=\"{height}\">\n"
    );
    for (n, (label, count)) in bars.iter().enumerate() {
        let y = n * row + 2;
        let width =
            u32::try_from(u128::from(*count) * 420 / u128::from(total.max(1))).unwrap_or(420);
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"160\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\">{count}</text>",
            y + 13,
            escape(label),
            166 + width,
            y + 13
        );
    }
    svg.push_str("</svg>\n");
    svg
}
