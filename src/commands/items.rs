//! `recert items`: list a campaign's review items as a table, JSON or CSV.

use std::io::{self, BufWriter, Write as _};

use chrono::NaiveDate;
use color_eyre::eyre::Result;
use serde_json::{Value, json};

use super::Context;
use super::table::{self, Column};
use crate::campaign::catalog::Catalog;
use crate::campaign::conflicts::Conflict;
use crate::campaign::{
    Campaign, ItemFilter, ItemRecord, find_campaign, for_each_item, reviewer_keys,
};
use crate::import::prior::LastReview;
use crate::model::{Decision, Signal, When};
use crate::text::neutralise_formula;

#[derive(Debug, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // one per flag of the CLI contract
pub struct Args {
    /// Campaign id or exact name (omitted with --packet)
    #[arg(required_unless_present = "packet")]
    pub campaign: Option<String>,
    /// List the items of a review packet instead of a workspace campaign
    #[arg(long, value_name = "FILE", conflicts_with = "campaign")]
    pub packet: Option<std::path::PathBuf>,
    /// Only items under this control, e.g. 5.17
    #[arg(long, value_name = "ID", value_parser = super::campaign::control)]
    pub control: Option<String>,
    /// Only items without a decision
    #[arg(long)]
    pub undecided: bool,
    /// Only items assigned to this reviewer (identity_id or email)
    #[arg(long, value_name = "R")]
    pub reviewer: Option<String>,
    /// Only items with this signal (repeatable: any of them)
    #[arg(long = "signal", value_name = "SIGNAL", ignore_case = true)]
    pub signals: Vec<Signal>,
    /// Print a JSON array
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV
    #[arg(long)]
    pub csv: bool,
    /// Show every column (signals and reviewer too) instead of fitting 80 columns
    #[arg(long, conflicts_with_all = ["json", "csv"])]
    pub wide: bool,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    match list(context, args) {
        // `recert items Q4 | head` closes the pipe early: the reader has what
        // it wanted, so that is no error to report.
        Err(err) if broken_pipe(&err) => Ok(()),
        result => result,
    }
}

/// Whether writing to stdout failed because its reader went away; the CSV
/// and JSON writers keep the io::Error inside their own error types.
fn broken_pipe(err: &color_eyre::eyre::Report) -> bool {
    let pipe = Some(io::ErrorKind::BrokenPipe);
    err.chain().any(|cause| {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            Some(io.kind()) == pipe
        } else if let Some(json) = cause.downcast_ref::<serde_json::Error>() {
            json.io_error_kind() == pipe
        } else if let Some(csv) = cause.downcast_ref::<csv::Error>() {
            matches!(csv.kind(), csv::ErrorKind::Io(io) if Some(io.kind()) == pipe)
        } else {
            false
        }
    })
}

fn list(context: &Context, args: &Args) -> Result<()> {
    let (workspace, campaign) = match (&args.packet, &args.campaign) {
        (Some(path), _) => {
            let packet = super::packet::open(path)?;
            (packet.workspace, packet.campaign)
        }
        (None, Some(key)) => {
            let workspace = context.open_workspace()?;
            let campaign = find_campaign(&workspace.conn, key)?;
            (workspace, campaign)
        }
        (None, None) => color_eyre::eyre::bail!("name a campaign, or a packet with --packet FILE"),
    };
    let mut filter = ItemFilter {
        control: args.control.clone(),
        undecided: args.undecided,
        signals: args.signals.iter().copied().collect(),
        ..ItemFilter::default()
    };
    if let Some(reviewer) = &args.reviewer {
        filter.reviewers = Some(reviewer_keys(&workspace.conn, &campaign, reviewer)?);
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let as_of = NaiveDate::parse_from_str(&campaign.as_of, "%Y-%m-%d").ok();
    if args.json {
        let earlier = crate::import::prior::for_campaign(&workspace.conn, campaign.id)?;
        let conflicts = crate::campaign::conflicts::for_campaign(&workspace.conn, campaign.id)?;
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
            let pairs = conflicts.get(&item.item_id).map_or(&[][..], Vec::as_slice);
            serde_json::to_writer(&mut out, &item_json(item, as_of, &reviews, pairs))?;
            Ok(())
        })?;
        out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
    } else if args.csv {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(CSV.map(|(header, _)| header))?;
        for_each_item(&workspace.conn, &campaign, &filter, |item| {
            writer.write_record(
                CSV.iter()
                    .map(|(_, cell)| neutralise_formula(&cell(item)).into_owned()),
            )?;
            Ok(())
        })?;
        writer.flush()?;
    } else {
        let layout = if args.wide { &WIDE } else { &NARROW };
        let mut count = 0_u64;
        writeln!(out, "{}", table::header(layout.columns))?;
        for_each_item(&workspace.conn, &campaign, &filter, |item| {
            count += 1;
            let cells = table_cells(item);
            let shown: Vec<&str> = layout.cells.iter().map(|&i| cells[i].as_str()).collect();
            writeln!(out, "{}", table::row(layout.columns, &shown))?;
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
pub fn item_json(
    item: &ItemRecord,
    as_of: Option<NaiveDate>,
    prior_reviews: &[LastReview],
    sod_conflicts: &[Conflict],
) -> Value {
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
        "awaiting_second_review": item.awaiting_second_review.map(Decision::as_str),
        "first_review_by": item.first_review_by,
        "delta": item.delta,
        "prior_decision": item.prior_decision(),
        "prior": item.prior,
        "carry_over": item.carry_over,
        "sod_conflicts": sod_conflicts,
    });
    if let (Value::Object(fields), Value::Object(more)) = (&mut value, more) {
        fields.extend(more);
    }
    value
}

/// A cell of `items --csv`: its header and how it is read from an item.
type CsvColumn = (&'static str, fn(&ItemRecord) -> String);

fn text(value: Option<&String>) -> String {
    value.cloned().unwrap_or_default()
}

/// The columns of `items --csv`, in order: one table, so the header and
/// the cells cannot disagree.
const CSV: [CsvColumn; 22] = [
    ("item_id", |i| i.item_id.to_string()),
    ("control_id", |i| i.control_id.clone()),
    ("identity_id", |i| i.identity_id.clone()),
    ("identity_name", |i| text(i.identity_name.as_ref())),
    ("identity_kind", |i| {
        i.identity_kind.map(|k| k.to_string()).unwrap_or_default()
    }),
    ("identity_status", |i| {
        i.identity_status.map(|s| s.to_string()).unwrap_or_default()
    }),
    ("system", |i| i.system.clone()),
    ("entitlement", |i| i.entitlement.clone()),
    ("entitlement_type", |i| i.entitlement_type.to_string()),
    ("privileged", |i| i.privileged.to_string()),
    ("signals", |i| i.signals.joined()),
    ("reasons", |i| i.reasons.join(" | ")),
    ("recommendation", |i| i.recommendation.to_string()),
    ("recommendation_reason", |i| i.recommendation_reason.clone()),
    ("assigned_reviewer", |i| i.assigned_reviewer.clone()),
    ("owner_id", |i| text(i.owner_id.as_ref())),
    ("last_used_at", |i| text(i.last_used_at.as_ref())),
    ("last_rotated_at", |i| text(i.last_rotated_at.as_ref())),
    ("decision", |i| {
        i.decision.map(|d| d.to_string()).unwrap_or_default()
    }),
    ("justification", |i| text(i.justification.as_ref())),
    ("decided_by", |i| i.decided_by().unwrap_or_default()),
    ("decided_at", |i| text(i.decided_at.as_ref())),
];

/// Which of [`table_cells`] a table shows, in which columns.
struct Layout {
    cells: &'static [usize],
    columns: &'static [Column],
}

/// The default table: 80 columns, without signals and reviewer.
const NARROW: Layout = Layout {
    cells: &[0, 1, 2, 3, 4, 6, 8],
    columns: &[
        Column::right("ITEM", 7),
        Column::left("CTRL", 5),
        Column::left("HOLDER", 16),
        Column::left("SYSTEM", 11),
        Column::left("ENTITLEMENT", 14),
        Column::left("REC", 7),
        Column::left("DECISION", 8),
    ],
};

/// `--wide`: every column.
const WIDE: Layout = Layout {
    cells: &[0, 1, 2, 3, 4, 5, 6, 7, 8],
    columns: &[
        Column::right("ITEM", 7),
        Column::left("CONTROL", 7),
        Column::left("HOLDER", 22),
        Column::left("SYSTEM", 14),
        Column::left("ENTITLEMENT", 24),
        Column::left("SIGNALS", 26),
        Column::left("REC", 7),
        Column::left("REVIEWER", 14),
        Column::left("DECISION", 8),
    ],
};

/// Every cell a table may show: item, control, holder, system,
/// entitlement, signals, recommendation, reviewer, decision.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_table_fits_80_columns_and_wide_shows_every_cell() {
        assert_eq!(table::width(NARROW.columns), table::TERMINAL_WIDTH);
        assert_eq!(NARROW.cells.len(), NARROW.columns.len());
        assert_eq!(WIDE.cells, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(WIDE.columns.len(), WIDE.cells.len());
    }
}
