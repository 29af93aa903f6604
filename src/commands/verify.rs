//! `recert verify`: check an evidence file's hash chain and signature.

use std::fmt::Write as _;
use std::path::PathBuf;

use color_eyre::eyre::{Result, bail};

use super::Context;
use crate::evidence::keys::load_public_key;
use crate::evidence::sign::{TrustedFacts, signature_path};
use crate::evidence::verify::{Signature, verify_file};
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The evidence CSV to check; without it, the workspace's own decision log is checked
    pub file: Option<PathBuf>,
    /// The signer's public key (recert.pub, or its base64 line) to check FILE.minisig with
    #[arg(long, value_name = "FILE", requires = "file")]
    pub pubkey: Option<PathBuf>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let Some(path) = &args.file else {
        return super::verify_workspace::run(context);
    };
    let public = args.pubkey.as_deref().map(load_public_key).transpose()?;
    let result = verify_file(path, public.as_ref())?;
    let file = path.display();
    if !result.is_intact() {
        let mut message = format!("{file} is NOT intact");
        for problem in &result.problems {
            let _ = write!(message, "\n  {}", for_display(&problem.to_string()));
        }
        bail!(message);
    }
    println!(
        "{file}: intact: {} of campaign {} ({}); last row_hash {}",
        count(result.rows, "row"),
        result.campaign_id.as_deref().unwrap_or("-"),
        for_display(result.campaign_name.as_deref().unwrap_or("-")),
        result.last_hash
    );
    match &result.signature {
        Signature::Good(comment) => {
            println!("signature: good; {}", for_display(comment));
            if let Some(facts) = TrustedFacts::parse(comment) {
                println!(
                    "signed off by {} at {}: {} certified, {} revoked",
                    for_display(&facts.signer),
                    for_display(&facts.signed_at),
                    facts.certified,
                    facts.revoked
                );
            }
        }
        Signature::NotChecked => println!(
            "signature: {} was NOT checked; its trusted comment matches the file's {} and last row_hash, but without the key anyone could have written it: pass --pubkey recert.pub to check the signature",
            signature_path(path).display(),
            crate::text::count(result.rows, "row")
        ),
        Signature::Absent | Signature::Bad => println!(
            "signature: none (unsigned; without a signature, rows cut from the end cannot be detected)"
        ),
    }
    Ok(())
}
