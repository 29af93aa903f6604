//! One module per subcommand, each with its clap arguments and a `run`.

pub mod campaign;
pub mod close;
pub mod completions;
pub mod controls;
pub mod decide;
pub mod demo;
pub mod exceptions;
pub mod export;
pub mod formats;
pub mod import;
pub mod items;
pub mod keygen;
pub mod links;
pub mod man;
pub mod mapping;
pub mod pack;
pub mod packet;
pub mod reassign;
pub mod remediation;
pub mod remind;
pub mod report;
pub mod review;
pub mod reviewer;
pub mod rules;
pub mod sample;
pub mod signoff;
pub mod status;
pub mod table;
pub mod verify;
pub mod verify_workspace;

use std::path::{Path, PathBuf};

use color_eyre::eyre::Result;

use crate::cli::{Cli, Command};
use crate::workspace::{self, Workspace};

/// What every command may need besides its own arguments.
pub struct Context {
    workspace: Option<PathBuf>,
}

impl Context {
    pub fn new(workspace: Option<PathBuf>) -> Context {
        Context { workspace }
    }

    /// The workspace path given or the default one.
    pub fn workspace_path(&self) -> Result<PathBuf> {
        workspace::resolve_path(self.workspace.as_deref())
    }

    /// Whether the user named a workspace (flag or environment).
    pub fn explicit_workspace(&self) -> Option<&Path> {
        self.workspace.as_deref()
    }

    /// Opens the workspace, which must exist: every command but those that
    /// bring data in refuses to create one at a mistyped path.
    pub fn open_workspace(&self) -> Result<Workspace> {
        Workspace::open_existing(&self.workspace_path()?)
    }

    /// Opens the workspace, creating it if missing (import, campaign create).
    pub fn create_workspace(&self) -> Result<Workspace> {
        Workspace::open(&self.workspace_path()?)
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let path = workspace::resolve_path(cli.workspace.as_deref()).ok();
    // The one place a lock held too long by another process becomes a
    // clear message instead of SQLite's "database is locked", and any other
    // database error names the workspace and what to do.
    dispatch(cli).map_err(|err| {
        let err = crate::locking::explain(err, path.as_deref());
        workspace::explain_database_error(err, path.as_deref())
    })
}

fn dispatch(cli: Cli) -> Result<()> {
    let context = Context::new(cli.workspace);
    match cli.command {
        Command::Import(args) => import::run(&context, &args),
        Command::Formats(args) => formats::run(&context, &args),
        Command::Controls(args) => controls::run(&context, &args),
        Command::Campaign(command) => campaign::run(&context, command),
        Command::Status(args) => status::run(&context, &args),
        Command::Items(args) => items::run(&context, &args),
        Command::Decide(args) => decide::run(&context, &args),
        Command::Review(args) => review::run(&context, &args),
        Command::Signoff(args) => signoff::run(&context, &args),
        Command::Export(args) => export::run(&context, &args),
        Command::Verify(args) => verify::run(&context, &args),
        Command::Keygen(args) => keygen::run(&context, &args),
        Command::Mapping(command) => mapping::run(&context, &command),
        Command::Report(args) => report::run(&context, &args),
        Command::Demo(args) => demo::run(&context, &args),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
        Command::Link(args) => links::run_link(&context, &args),
        Command::Unlink(args) => links::run_unlink(&context, &args),
        Command::Links(args) => links::run_links(&context, &args),
        Command::Rules(command) => rules::run(&context, &command),
        Command::Reviewer(command) => reviewer::run(&context, &command),
        Command::Reassign(args) => reassign::run(&context, &args),
        Command::Remind(args) => remind::run(&context, &args),
        Command::Close(args) => close::run(&context, &args),
        Command::Remediation(args) => remediation::run(&context, &args),
        Command::Exceptions(args) => exceptions::run(&context, &args),
        Command::Sample(args) => sample::run(&context, &args),
        Command::Pack(args) => pack::run(&context, &args),
        Command::Packet(command) => packet::run(&context, &command),
    }
}
