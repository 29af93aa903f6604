//! `recert rules`: the workspace's default rules file (thresholds, signals,
//! controls and the [correlation] section), used wherever no --rules is given.

use std::path::PathBuf;

use color_eyre::eyre::{Result, WrapErr};

use super::Context;
use crate::campaign::rules::{self, Rules};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the rules in force (the workspace's, else the built-in ones)
    Show,
    /// Check a rules file and make it the workspace's default
    Set {
        /// The rules file (the form of `recert rules show`)
        file: PathBuf,
    },
    /// Go back to the built-in rules
    Reset,
}

pub fn run(context: &Context, command: &Command) -> Result<()> {
    match command {
        Command::Show => {
            let workspace = context.open_workspace()?;
            let (text, _) = rules::workspace_rules(&workspace.conn)?;
            let newline = if text.ends_with('\n') { "" } else { "\n" };
            crate::output::print(&format!("{text}{newline}"))?;
        }
        Command::Set { file } => {
            let text = std::fs::read_to_string(file)
                .wrap_err_with(|| format!("reading rules file {}", file.display()))?;
            Rules::parse(&text, &file.display().to_string())?;
            let workspace = context.open_workspace()?;
            rules::set_workspace_rules(&workspace.conn, &text, &file.display().to_string())?;
            crate::output::print(&format!(
                "The workspace now uses the rules of {} wherever no --rules is given (new campaigns, links, import summaries).\n",
                crate::text::for_display(&file.display().to_string())
            ))?;
        }
        Command::Reset => {
            let workspace = context.open_workspace()?;
            workspace
                .conn
                .execute("DELETE FROM settings WHERE key = 'rules'", [])?;
            crate::output::print("The workspace now uses the built-in rules.\n")?;
        }
    }
    Ok(())
}
