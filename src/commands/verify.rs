//! `recert verify`: check an evidence file's or an addendum's hash chain
//! and signature, and that an addendum continues its evidence.

use std::fmt::Write as _;
use std::path::PathBuf;

use color_eyre::eyre::{Result, bail};

use super::Context;
use crate::evidence::keys::load_public_key;
use crate::evidence::sign::{TrustedFacts, signature_path};
use crate::evidence::verify::{Problem, Signature, Verification, verify_file};
use crate::output;
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The evidence CSV to check; without it, the workspace's own decision log and sign-offs are checked
    pub file: Option<PathBuf>,
    /// The signer's public key (recert.pub, or its base64 line) to check FILE.minisig, or without FILE every sign-off's signature, with
    #[arg(long, value_name = "FILE")]
    pub pubkey: Option<PathBuf>,
    /// For an addendum FILE: the campaign's evidence, to check the addendum continues its chain
    #[arg(long, value_name = "EVIDENCE", requires = "file")]
    pub evidence: Option<PathBuf>,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let public = args.pubkey.as_deref().map(load_public_key).transpose()?;
    let Some(path) = &args.file else {
        return super::verify_workspace::run(context, public.as_ref());
    };
    let mut result = verify_file(path, public.as_ref())?;
    let file = output::shown(path);
    let link = match (&args.evidence, result.addendum) {
        (None, _) => None,
        (Some(_), None) => bail!(
            "--evidence is for checking an addendum against its evidence, and {file} is not an addendum"
        ),
        (Some(evidence), Some(_)) => Some(check_link(&mut result, evidence, public.as_ref())?),
    };
    if !result.is_intact() {
        let mut message = format!("{file} is NOT intact");
        for problem in &result.problems {
            let _ = write!(message, "\n  {}", for_display(&problem.to_string()));
        }
        bail!(message);
    }
    let mut out = match result.addendum {
        None => format!(
            "{file}: intact: {} of campaign {} ({}); last row_hash {}\n",
            count(result.rows, "row"),
            for_display(result.campaign_id.as_deref().unwrap_or("-")),
            for_display(result.campaign_name.as_deref().unwrap_or("-")),
            result.last_hash
        ),
        Some(addendum) => {
            let start = match (&link, &result.first_prev_hash) {
                (Some(evidence), _) => format!(
                    "it continues {} (last row_hash {})",
                    output::shown(evidence.0.as_path()),
                    evidence.1
                ),
                (None, Some(first)) => format!(
                    "its first prev_hash {first} must be the evidence's last row_hash: pass --evidence EVIDENCE to check"
                ),
                (None, None) => "no rows".to_owned(),
            };
            format!(
                "{file}: intact: {} addendum, {} of campaign {}; last row_hash {}; {start}\n",
                addendum.name(),
                count(result.rows, "row"),
                for_display(result.campaign_id.as_deref().unwrap_or("-")),
                result.last_hash
            )
        }
    };
    match &result.signature {
        Signature::Good(comment) => {
            let _ = writeln!(out, "signature: good; {}", for_display(comment));
            if let Some(facts) =
                TrustedFacts::parse(comment).filter(|facts| facts.addendum.is_none())
            {
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

/// Checks the evidence an addendum names and that the addendum's chain
/// starts at its last row_hash; problems go into `result`. Returns the
/// evidence's path and last row_hash.
fn check_link(
    result: &mut Verification,
    evidence: &std::path::Path,
    public: Option<&minisign::PublicKey>,
) -> Result<(PathBuf, String)> {
    let checked = verify_file(evidence, public)?;
    let shown = output::shown(evidence);
    let problem = |what: String| Problem {
        line: None,
        item_id: None,
        what,
    };
    if checked.addendum.is_some() || checked.format.is_none() {
        result
            .problems
            .push(problem(format!("{shown} is not an evidence file")));
    } else if !checked.is_intact() {
        result.problems.push(problem(format!(
            "the evidence {shown} is NOT intact ({})",
            checked
                .problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    // Without rows, the signature's comment says where the addendum starts.
    let start = result
        .first_prev_hash
        .clone()
        .or_else(|| match &result.signature {
            Signature::Good(comment) => {
                TrustedFacts::parse(comment).and_then(|facts| facts.evidence_last_hash)
            }
            _ => None,
        });
    if let Some(start) = start {
        if start != checked.last_hash {
            result.problems.push(problem(format!(
                "the addendum does not continue {shown}: its chain starts at {start}, but the evidence ends with row_hash {}",
                checked.last_hash
            )));
        }
    }
    if let (Some(ours), Some(theirs)) = (&result.campaign_id, &checked.campaign_id) {
        if ours != theirs {
            result.problems.push(problem(format!(
                "the addendum is of campaign {ours}, but {shown} is the evidence of campaign {theirs}"
            )));
        }
    }
    Ok((evidence.to_path_buf(), checked.last_hash))
}
