//! `recert items`: list a campaign's review items as a table, JSON or CSV.

use std::io::{self, BufWriter, Write as _};

use chrono::NaiveDate;
use color_eyre::eyre::{Result, bail};
use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

use super::Context;
use crate::campaign::catalog::Catalog;
use crate::campaign::{
    Campaign, ItemFilter, ItemRecord, find_campaign, for_each_item, reviewer_keys,
};
use crate::import::prior::LastReview;
use crate::model::{Decision, Signal, When};
use crate::text::{for_display, neutralise_formula};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name
    pub campaign: String,
    /// Only items under this control, e.g. 5.17
    #[arg(long, value_name = "ID")]
    pub control: Option<String>,
    /// Only items without a decision
    #[arg(long)]
    pub undecided: bool,
    /// Only items assigned to this reviewer (identity_id or email)
    #[arg(long, value_name = "R")]
    pub reviewer: Option<String>,
    /// Only items with this signal (repeatable: any of them)
    #[arg(long = "signal", value_name = "SIGNAL")]
    pub signals: Vec<String>,
    /// Print a JSON array
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV
    #[arg(long)]
    pub csv: bool,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let workspace = context.open_workspace()?;
    let campaign = find_campaign(&workspace.conn, &args.campaign)?;
    let mut filter = ItemFilter {
        control: args.control.clone(),
        undecided: args.undecided,
        ..ItemFilter::default()
    };
    if let Some(control) = &args.control {
        if Catalog::builtin().get(control).is_none() {
            bail!(
                "unknown control {control:?}; controls in the catalog: {}",
                Catalog::builtin().ids()
            );
        }
    }
    for name in &args.signals {
        match Signal::parse(name) {
            Some(signal) => filter.signals.insert(signal),
            None => bail!(
                "--signal {name:?} is not a signal; expected one of {}",
                Signal::expected()
            ),
        }
    }
    if let Some(reviewer) = &args.reviewer {
        filter.reviewers = Some(reviewer_keys(&workspace.conn, &campaign, reviewer)?);
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let as_of = NaiveDate::parse_from_str(&campaign.as_of, "%Y-%m-%d").ok();
    if args.json {
        let earlier = crate::import::prior::for_campaign(&workspace.conn, campaign.id)?;
        let mut first = true;
        out.write_all(b"[")?;
        for_each_item(&workspace.conn, &campaign, &filter, |item| {
            out.write_all(if first { b"\n  " } else { b",\n  " })?;
            first = false;
            let reviews = item
                .holder_row
                .and_then(|row| earlier.get(&row))
                .map(|all| crate::import::prior::for_holder(all, &item.system, &item.entitlement))
                .unwrap_or_default();
            serde_json::to_writer(&mut out, &item_json(item, as_of, &reviews))?;
            Ok(())
        })?;
        out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
    } else if args.csv {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(CSV_COLUMNS)?;
        for_each_item(&workspace.conn, &campaign, &filter, |item| {
            let row = csv_row(item);
            writer.write_record(row.iter().map(|c| neutralise_formula(c).into_owned()))?;
            Ok(())
        })?;
        writer.flush()?;
    } else {
        let mut count = 0_u64;
        writeln!(out, "{}", table_row(&TABLE_HEADER.map(str::to_owned)))?;
        for_each_item(&workspace.conn, &campaign, &filter, |item| {
            count += 1;
            writeln!(out, "{}", table_row(&table_cells(item)))?;
            Ok(())
        })?;
        if count == 0 {
            writeln!(out, "{}", nothing_matches(&campaign, args))?;
        }
    }
    out.flush()?;
    Ok(())
}

fn nothing_matches(campaign: &Campaign, args: &Args) -> String {
    let filtered = args.control.is_some()
        || args.undecided
        || args.reviewer.is_some()
        || !args.signals.is_empty();
    if filtered {
        format!("No items of campaign {} match these filters.", campaign.id)
    } else {
        format!("Campaign {} has no items.", campaign.id)
    }
}

fn days_before(as_of: Option<NaiveDate>, value: Option<&str>) -> Option<i64> {
    let when = When::parse_stored(value?)?;
    Some((as_of? - when.date()).num_days())
}

/// The JSON object of one item: the fields of PRODUCT.md §3 first, then
/// the evidence a reviewer needs besides (owner, dates, ages, source), the
/// account and how it was linked to its person, and earlier reviews.
pub fn item_json(item: &ItemRecord, as_of: Option<NaiveDate>, prior_reviews: &[LastReview]) -> Value {
    let signals: Vec<&str> = item.signals.iter().map(Signal::as_str).collect();
    let mut value = json!({
        "item_id": item.item_id,
        "control_id": item.control_id,
        "identity_id": item.identity_id,
        "identity_name": item.identity_name,
        "identity_kind": item.identity_kind,
        "system": item.system,
        "entitlement": item.entitlement,
        "entitlement_type": item.entitlement_type,
        "privileged": item.privileged,
        "signals": signals,
        "reasons": item.reasons,
        "recommendation": item.recommendation.as_str(),
        "assigned_reviewer": item.assigned_reviewer,
        "decision": item.decision.map(Decision::as_str),
        "justification": item.justification,
        "decided_by": item.decided_by(),
        "decided_at": item.decided_at,
        "control_title": Catalog::builtin().title(&item.control_id),
        "recommendation_reason": item.recommendation_reason,
        "identity_status": item.identity_status,
        "identity_email": item.identity_email,
        "manager_id": item.manager_id,
        "owner_id": item.owner_id,
        "termination_date": item.termination_date,
        "system_owner": item.system_owner,
        "system_criticality": item.system_criticality,
        "granted_at": item.granted_at,
        "last_used_at": item.last_used_at,
        "last_used_days_ago": days_before(as_of, item.last_used_at.as_deref()),
        "last_rotated_at": item.last_rotated_at,
        "rotated_days_ago": days_before(as_of, item.last_rotated_at.as_deref()),
        "expires_at": item.expires_at,
        "source_file": item.source_file,
        "source_line": item.source_line,
    });
    // A second object: `json!` of them all at once exceeds the macro's
    // recursion limit. The keys keep this order (serde_json preserve_order).
    let more = json!({
        "account": item.account,
        "link_basis": item.link_basis,
        "person_id": item.person_id,
        "secondary_account": item.secondary_account,
        "kind_reason": item.kind_reason,
        "link_note": item.link_note,
        "prior_reviews": prior_reviews,
        "decision_basis": item.decision_basis,
        "valid_until": item.valid_until,
        "decided_key": item.decided_key,
    });
    if let (Value::Object(fields), Value::Object(more)) = (&mut value, more) {
        fields.extend(more);
    }
    value
}

const CSV_COLUMNS: [&str; 22] = [
    "item_id",
    "control_id",
    "identity_id",
    "identity_name",
    "identity_kind",
    "identity_status",
    "system",
    "entitlement",
    "entitlement_type",
    "privileged",
    "signals",
    "reasons",
    "recommendation",
    "recommendation_reason",
    "assigned_reviewer",
    "owner_id",
    "last_used_at",
    "last_rotated_at",
    "decision",
    "justification",
    "decided_by",
    "decided_at",
];

fn csv_row(item: &ItemRecord) -> [String; 22] {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    [
        item.item_id.to_string(),
        item.control_id.clone(),
        item.identity_id.clone(),
        text(&item.identity_name),
        text(&item.identity_kind),
        text(&item.identity_status),
        item.system.clone(),
        item.entitlement.clone(),
        item.entitlement_type.clone(),
        item.privileged.to_string(),
        item.signals.joined(),
        item.reasons.join(" | "),
        item.recommendation.as_str().to_owned(),
        item.recommendation_reason.clone(),
        item.assigned_reviewer.clone(),
        text(&item.owner_id),
        text(&item.last_used_at),
        text(&item.last_rotated_at),
        item.decision
            .map(|d| d.as_str().to_owned())
            .unwrap_or_default(),
        text(&item.justification),
        item.decided_by().unwrap_or_default(),
        text(&item.decided_at),
    ]
}

const TABLE_HEADER: [&str; 9] = [
    "ITEM",
    "CONTROL",
    "HOLDER",
    "SYSTEM",
    "ENTITLEMENT",
    "SIGNALS",
    "REC",
    "REVIEWER",
    "DECISION",
];
const TABLE_WIDTHS: [usize; 9] = [6, 7, 22, 14, 24, 26, 7, 14, 8];

fn table_cells(item: &ItemRecord) -> [String; 9] {
    let holder = match &item.identity_name {
        Some(name) if !name.is_empty() => format!("{} {}", item.identity_id, name),
        _ => item.identity_id.clone(),
    };
    [
        item.item_id.to_string(),
        item.control_id.clone(),
        holder,
        item.system.clone(),
        item.entitlement.clone(),
        item.signals.joined().replace(';', ","),
        item.recommendation.as_str().to_owned(),
        item.assigned_reviewer.clone(),
        item.decision.map_or("-", Decision::as_str).to_owned(),
    ]
}

/// Cells cleaned for the terminal and cut to their column width.
fn table_row(cells: &[String; 9]) -> String {
    let mut line = String::new();
    for (index, (cell, width)) in cells.iter().zip(TABLE_WIDTHS).enumerate() {
        if index > 0 {
            line.push_str("  ");
        }
        let cell = fit(&for_display(cell), width);
        if index == 0 {
            line.push_str(&" ".repeat(width - cell.1));
            line.push_str(&cell.0);
        } else if index + 1 == cells.len() {
            line.push_str(&cell.0);
        } else {
            line.push_str(&cell.0);
            line.push_str(&" ".repeat(width - cell.1));
        }
    }
    line
}

/// `text` cut to `width` terminal columns (with `…` when cut), and its width.
fn fit(text: &str, width: usize) -> (String, usize) {
    // Whole-string widths: an emoji ZWJ sequence is one glyph, not the sum of its parts.
    let total = text.width();
    if total <= width {
        return (text.to_owned(), total);
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if out.width() > width - 1 {
            out.pop();
            break;
        }
    }
    let used = out.width();
    out.push('…');
    (out, used + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_to_their_terminal_width() {
        assert_eq!(fit("github", 14), ("github".to_owned(), 6));
        assert_eq!(fit("Wang Fang (王芳)", 12), ("Wang Fang (…".to_owned(), 12));
        assert_eq!(fit("王芳王芳王芳", 6), ("王芳…".to_owned(), 5));
    }
}
