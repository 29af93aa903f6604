//! `recert verify`: check an evidence file's hash chain and signature.

use color_eyre::eyre::{Result, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The evidence CSV to check
    pub file: std::path::PathBuf,
    /// The public key to check the signature with
    #[arg(long, value_name = "FILE")]
    pub pubkey: Option<std::path::PathBuf>,
}

pub fn run(_context: &Context, _args: &Args) -> Result<()> {
    bail!("`recert verify` is not available yet")
}
