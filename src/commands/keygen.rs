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
    let files = generate(&dir, password.as_deref())?;
    let secret = crate::output::shown(&files.secret);
    // Only a signed-off campaign's evidence is signed: say so, rather than
    // suggest an export that fails until then.
    crate::output::print(&format!(
        "secret key: {secret} (keep it private)\n\
         public key: {} (give it to your auditors)\n\
         sign a campaign's evidence as you sign it off: recert signoff CAMPAIGN --key {secret} -o evidence.csv\n\
         or, once it is signed off: recert export CAMPAIGN -o evidence.csv --key {secret}\n",
        crate::output::shown(&files.public),
    ))?;
    Ok(())
}
