//! `recert keygen`: create a minisign key pair for signing evidence.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory for recert.key and recert.pub [default: the platform config directory]
    #[arg(long, value_name = "DIR")]
    pub out: Option<std::path::PathBuf>,
    /// Do not protect the secret key with a password (automation hosts)
    #[arg(long)]
    pub no_password: bool,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert keygen` is not available yet")
}
