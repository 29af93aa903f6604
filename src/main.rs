//! The recert binary: install error reporting, parse the command line, dispatch.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Err(err) = color_eyre::install() {
        eprintln!("recert: cannot install the error handler: {err}");
    }
    let cli = recert::cli::Cli::parse();
    match recert::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A plain message for people and scripts; the cause chain says
            // where, each cause once.
            let messages = recert::locking::messages(err.as_ref());
            eprintln!("recert: {}", messages.join("\n  caused by: "));
            ExitCode::FAILURE
        }
    }
}
