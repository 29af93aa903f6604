//! `recert completions SHELL`: print a completion script for bash, zsh or fish.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;
use color_eyre::eyre::{Result, WrapErr};

use crate::cli::Cli;

/// The shells recert ships completions for (README "Install").
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    Bash,
    Zsh,
    Fish,
}

impl From<Target> for Shell {
    fn from(target: Target) -> Shell {
        match target {
            Target::Bash => Shell::Bash,
            Target::Zsh => Shell::Zsh,
            Target::Fish => Shell::Fish,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Target,
}

pub fn run(args: &Args) -> Result<()> {
    let script = script(args.shell);
    // Written whole, so a closed pipe is an error message, not a panic.
    std::io::stdout()
        .lock()
        .write_all(&script)
        .wrap_err("writing the completion script to stdout")
}

/// The completion script for `target`, completing every subcommand and option.
pub fn script(target: Target) -> Vec<u8> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(Shell::from(target), &mut command, "recert", &mut script);
    script
}
