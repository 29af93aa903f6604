//! The recert binary: install error reporting, parse the command line, dispatch.

use std::process::ExitCode;

use clap::Parser;
use recert::output;

fn main() -> ExitCode {
    if let Err(err) = color_eyre::install() {
        output::note(&format!("cannot install the error handler: {err}"));
    }
    let cli = recert::cli::Cli::parse();
    match recert::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output has gone (`recert items | head -1`):
        // that ends the command normally, and there is no one to tell.
        Err(err) if output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // A plain message for people and scripts; the cause chain says
            // where, each cause once. Sanitised: it quotes names and paths
            // the user supplied.
            output::report_error(&err);
            ExitCode::FAILURE
        }
    }
}
