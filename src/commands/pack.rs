//! `recert pack CAMPAIGN -o DIR [--key KEY | --pubkey PUB] [--force]`: the
//! evidence pack of a signed-off campaign for its auditor (PRODUCT.md §10).

use std::fmt::Write as _;
use std::path::PathBuf;

use color_eyre::eyre::{Result, bail};

use super::Context;
use crate::campaign::find_campaign;
use crate::evidence::keys::{load_public_key, load_secret_key};
use crate::evidence::pack::{Options, Signing, write_pack};
use crate::evidence::sample::Per;
use crate::evidence::sample::write::Request;
use crate::output;
use crate::text::{count, for_display};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Campaign id or exact name (signed off)
    pub campaign: String,
    /// The directory to create (private, 0700)
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Secret key to sign the evidence, the addenda and SHA256SUMS with
    #[arg(long, value_name = "FILE", conflicts_with = "pubkey")]
    pub key: Option<PathBuf>,
    /// Without --key: the public key of the key that signed the sign-off, whose signature the pack reuses
    #[arg(long, value_name = "FILE")]
    pub pubkey: Option<PathBuf>,
    /// Replace an earlier pack in DIR
    #[arg(long)]
    pub force: bool,
    /// How many items the pack's sample holds
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub sample_size: u64,
    /// Strata of the pack's sample
    #[arg(long, value_enum, default_value = "control")]
    pub per: Per,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    // Load (and unlock) the key first: a wrong password writes nothing.
    let key = args.key.as_deref().map(load_secret_key).transpose()?;
    let public = args.pubkey.as_deref().map(load_public_key).transpose()?;
    let mut ws = context.open_workspace()?;
    let campaign = find_campaign(&ws.conn, &args.campaign)?;
    let signing = match (&key, &public) {
        (Some(key), _) => Signing::Key(key),
        (None, Some(public)) => Signing::SignOffOnly(public),
        (None, None) => bail!(
            "a pack must be signed: pass --key KEY to sign it, or --pubkey PUB of the key that signed the sign-off to reuse that signature (recert keygen makes a key)"
        ),
    };
    let now = chrono::Utc::now();
    // Exports imported since the last look are checked first.
    crate::remediation::refresh_now(&mut ws.conn, now.date_naive())?;
    let options = Options {
        dir: &args.output,
        signing,
        force: args.force,
        sample: Request {
            size: args.sample_size,
            per: Some(args.per),
            seed: None,
        },
        now,
    };
    let files = write_pack(&ws.conn, &campaign, &options)?;
    let mut out = format!(
        "wrote {}: the evidence pack of campaign {} ({}), {}; read VERIFY.txt in it\n",
        output::shown(&args.output),
        campaign.id,
        for_display(&campaign.name),
        count(files.len() + 1 + usize::from(key.is_some()), "file")
    );
    for file in &files {
        let _ = writeln!(out, "  {}", for_display(&file.name));
    }
    out.push_str("  SHA256SUMS\n");
    if key.is_some() {
        out.push_str("  SHA256SUMS.minisig\n");
    }
    output::print(&out)?;
    Ok(())
}
