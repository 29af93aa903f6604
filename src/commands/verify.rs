//! `recert verify`: check an evidence file's hash chain and signature.

use std::fmt::Write as _;
use std::path::PathBuf;

use color_eyre::eyre::{Result, bail};

use super::Context;
use crate::evidence::keys::load_public_key;
use crate::evidence::sign::{TrustedFacts, signature_path};
use crate::evidence::verify::{Signature, verify_file};
use crate::output;
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The evidence CSV to check; without it, the workspace's own decision log and sign-offs are checked
    pub file: Option<PathBuf>,
    /// The signer's public key (recert.pub, or its base64 line) to check FILE.minisig, or without FILE every sign-off's signature, with
    #[arg(long, value_name = "FILE")]
    pub pubkey: Option<PathBuf>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let public = args.pubkey.as_deref().map(load_public_key).transpose()?;
    let Some(path) = &args.file else {
        return super::verify_workspace::run(context, public.as_ref());
    };
    let result = verify_file(path, public.as_ref())?;
    let file = output::shown(path);
    if !result.is_intact() {
        let mut message = format!("{file} is NOT intact");
        for problem in &result.problems {
            let _ = write!(message, "\n  {}", for_display(&problem.to_string()));
        }
        bail!(message);
    }
    let mut out = format!(
        "{file}: intact: {} of campaign {} ({}); last row_hash {}\n",
        count(result.rows, "row"),
        for_display(result.campaign_id.as_deref().unwrap_or("-")),
        for_display(result.campaign_name.as_deref().unwrap_or("-")),
        result.last_hash
    );
    match &result.signature {
        Signature::Good(comment) => {
            let _ = writeln!(out, "signature: good; {}", for_display(comment));
            if let Some(facts) = TrustedFacts::parse(comment) {
                let _ = writeln!(
                    out,
                    "signed off by {} at {}: {} certified, {} revoked",
                    for_display(&facts.signer),
                    for_display(&facts.signed_at),
                    facts.certified,
                    facts.revoked
                );
            }
        }
        Signature::NotChecked => {
            let _ = writeln!(
                out,
                "signature: {} was NOT checked; its trusted comment matches the file's {} and last row_hash, but without the key anyone could have written it: pass --pubkey recert.pub to check the signature",
                output::shown(&signature_path(path)),
                count(result.rows, "row")
            );
        }
        Signature::Absent | Signature::Bad => out.push_str(
            "signature: none (unsigned; without a signature, rows cut from the end cannot be detected)\n",
        ),
    }
    output::print(&out)?;
    Ok(())
}
