//! `recert exceptions [--expiring DAYS] [--json]`: the time-boxed
//! certifications of every campaign, soonest end first (PRODUCT.md §7).

use std::fmt::Write as _;

use color_eyre::eyre::Result;

use super::Context;
use super::table::{self, Column};
use crate::campaign::exceptions::{TimeBoxed, list};
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only those ending within DAYS days from today (those already ended too)
    #[arg(long, value_name = "DAYS")]
    pub expiring: Option<u32>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let workspace = context.open_workspace()?;
    let today = chrono::Utc::now().date_naive();
    let found = list(&workspace.conn, today, args.expiring)?;
    if args.json {
        output::print_json(&found)?;
    } else {
        output::print(&render(&found, args.expiring))?;
    }
    Ok(())
}

const COLUMNS: [Column; 7] = [
    Column::right("CAMP", 4),
    Column::right("ITEM", 7),
    Column::left("UNTIL", 10),
    Column::left("LEFT", 11),
    Column::left("HOLDER", 14),
    Column::left("SYSTEM", 10),
    Column::left("ENTITLEMENT", 12),
];

/// `12 days`, `ends today`, `ended 3 days ago`.
fn left(days: i64) -> String {
    match days {
        0 => "ends today".to_owned(),
        1 => "1 day".to_owned(),
        d if d > 1 => format!("{d} days"),
        -1 => "ended 1d ago".to_owned(),
        d => format!("ended {}d ago", -d),
    }
}

fn render(found: &[TimeBoxed], expiring: Option<u32>) -> String {
    let mut out = String::new();
    if found.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            match expiring {
                Some(days) => format!(
                    "No time-boxed certification ends within {days} days (recert decide --certify --until DATE makes one)."
                ),
                None =>
                    "No time-boxed certifications (recert decide --certify --until DATE makes one)."
                        .to_owned(),
            }
        );
        return out;
    }
    let _ = writeln!(out, "{}", table::header(&COLUMNS));
    for exception in found {
        let holder = match &exception.identity_name {
            Some(name) if !name.is_empty() => format!("{} {name}", exception.identity_id),
            _ => exception.identity_id.clone(),
        };
        let cells = [
            exception.campaign_id.to_string(),
            exception.item_id.to_string(),
            exception.valid_until.to_string(),
            left(exception.days_left),
            holder,
            exception.system.clone(),
            exception.entitlement.clone(),
        ];
        let _ = writeln!(out, "{}", table::row(&COLUMNS, &cells));
    }
    let ended = found.iter().filter(|e| e.expired).count();
    let _ = writeln!(
        out,
        "{}; {ended} ended. Access is kept through the UNTIL day; a later campaign flags an ended one with exception-expired.",
        crate::text::count(found.len(), "time-boxed certification")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_fits_80_columns_and_days_read_as_words() {
        assert_eq!(table::width(&COLUMNS), table::TERMINAL_WIDTH);
        assert_eq!(left(0), "ends today");
        assert_eq!(left(12), "12 days");
        assert_eq!(left(-3), "ended 3d ago");
    }
}
