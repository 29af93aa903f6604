//! `recert controls`: list the control catalog and its crosswalks.

use std::fmt::Write;

use color_eyre::eyre::Result;

use super::Context;
use crate::campaign::catalog::{Catalog, Control};
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the catalog as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(_context: &Context, args: &Args) -> Result<()> {
    let catalog = Catalog::builtin();
    if args.json {
        output::print_json(catalog.controls())?;
    } else {
        output::print(&render(catalog.controls()))?;
    }
    Ok(())
}

/// One block per control: number and title, our description, the crosswalks.
pub fn render(controls: &[Control]) -> String {
    let mut out = String::new();
    for (index, control) in controls.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}  {}", control.id, control.title);
        let _ = writeln!(out, "      {}", control.description);
        for (label, ids) in [
            ("NIST CSF 2.0", &control.nist_csf),
            ("SOC 2", &control.soc2),
            ("OWASP NHI", &control.owasp_nhi),
        ] {
            if !ids.is_empty() {
                let _ = writeln!(out, "      {label:<13} {}", ids.join(", "));
            }
        }
    }
    out
}
