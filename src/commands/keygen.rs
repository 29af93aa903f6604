//! `recert keygen`: create a minisign key pair for signing evidence.

use std::path::PathBuf;

use color_eyre::eyre::Result;

use super::Context;
use crate::evidence::keys::{default_key_dir, generate, new_password};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory for recert.key and recert.pub [default: the platform config directory]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Do not protect the secret key with a password (automation hosts)
    #[arg(long)]
    pub no_password: bool,
}

pub fn run(_context: &Context, args: &Args) -> Result<()> {
    let dir = match &args.out {
        Some(dir) => dir.clone(),
        None => default_key_dir()?,
    };
    let password = if args.no_password {
        None
    } else {
        Some(new_password()?)
    };
    let files = generate(&dir, password)?;
    println!("secret key: {} (keep it private)", files.secret.display());
    println!(
        "public key: {} (give it to your auditors)",
        files.public.display()
    );
    println!(
        "sign evidence with: recert export CAMPAIGN -o evidence.csv --key {}",
        files.secret.display()
    );
    Ok(())
}
