//! `recert mapping init FILE`: print a starting mapping file for an export.

use std::path::PathBuf;

use color_eyre::eyre::{Result, bail};

use super::Context;
use crate::import::formats;
use crate::import::mapping::guess::mapping_for;
use crate::import::{Problems, open_csv};
use crate::text::for_display;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print a mapping file guessed from FILE's header and values, to check and correct
    Init(InitArgs),
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The export to write a mapping for
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// What the file lists [default: guessed from the header]
    #[arg(long, value_name = "KIND", value_parser = ["identities", "entitlements", "systems"])]
    pub kind: Option<String>,
}

pub fn run(_context: &Context, command: &Command) -> Result<()> {
    match command {
        Command::Init(args) => init(args),
    }
}

fn init(args: &InitArgs) -> Result<()> {
    let mut problems = Problems::default();
    let Some(file) = open_csv(&args.file, &mut problems) else {
        let listed: Vec<String> = problems.listed().iter().map(ToString::to_string).collect();
        bail!("cannot write a mapping: {}", listed.join("\n  "));
    };
    // A file recert already reads needs no mapping; say so, but still help.
    if let Some(format) = formats::detect(&file.header) {
        eprintln!(
            "note: {} is read without a mapping, as {}; a mapping is only needed for other layouts",
            for_display(&file.name),
            format.name
        );
    }
    let text = mapping_for(&file, args.kind.as_deref()).map_err(color_eyre::eyre::Error::msg)?;
    crate::output::print(&text)?;
    Ok(())
}
