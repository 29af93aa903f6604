//! `VERIFY.txt`: what is in the pack and the exact commands an auditor runs
//! to check each file with public tools (minisign, Python 3, sha256sum),
//! each with what it proves.

use std::fmt::Write as _;

use crate::campaign::Campaign;
use crate::evidence::addendum::WrittenAddendum;
use crate::evidence::export::EvidenceSummary;
use crate::evidence::format::Addendum;
use crate::evidence::sample::{Per, Sample};
use crate::evidence::signoff::SignOff;
use crate::text::for_display;

pub struct Facts<'a> {
    pub campaign: &'a Campaign,
    pub signoff: &'a SignOff,
    pub evidence: &'a EvidenceSummary,
    pub addenda: &'a [(Addendum, WrittenAddendum)],
    pub sample: &'a Sample,
    pub per: Option<Per>,
    pub key_id: String,
    /// Every CSV and SHA256SUMS signed with the key.
    pub signed: bool,
    /// `signoff.json` and its signature are in the pack.
    pub signoff_signed: bool,
}

pub fn render(facts: &Facts<'_>) -> String {
    let c = facts.campaign;
    let e = facts.evidence;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Evidence pack of campaign {} \"{}\" (period {}, as of {})\nSigned off by {} at {}.\n{} rows: {} certified, {} revoked; the evidence's last row_hash is\n  {}\nPublic key: recert.pub (key ID {}).\n",
        c.id,
        for_display(&c.name),
        for_display(c.period.as_deref().unwrap_or("-")),
        for_display(&c.as_of),
        for_display(&facts.signoff.signer()),
        for_display(&facts.signoff.signed_at),
        e.rows,
        e.certified,
        e.revoked,
        e.last_hash,
        facts.key_id
    );
    out.push_str(FILES);
    out.push_str("\nHOW TO CHECK IT (run in this directory; minisign: https://jedisct1.github.io/minisign/)\n\n");
    let mut steps = Steps(0);
    let mut say = |out: &mut String, commands: &[String], proves: &str| {
        steps.say(out, commands, proves);
    };
    if facts.signed {
        say(
            &mut out,
            &[
                "minisign -Vm SHA256SUMS -p recert.pub".into(),
                "sha256sum -c SHA256SUMS".into(),
            ],
            "every file of the pack is byte for byte what the key holder packed; nothing was added, changed or swapped since.",
        );
        say(
            &mut out,
            &["minisign -Vm evidence.csv -p recert.pub".into()],
            &format!(
                "evidence.csv is what the key holder signed; its trusted comment names the campaign, the sign-off, the counts and last_row_hash={}.",
                e.last_hash
            ),
        );
    } else {
        say(
            &mut out,
            &["sha256sum -c SHA256SUMS".into()],
            "the files are the ones listed (SHA256SUMS is not signed: no key was given when packing; step 2 ties the evidence to the signed sign-off).",
        );
    }
    if facts.signoff_signed {
        say(
            &mut out,
            &["minisign -Vm signoff.json -p recert.pub".into()],
            &format!(
                "the sign-off record (who, when, the statement, items={}, final_row_hash={}) was signed with the key at sign-off; with the chain check below it vouches for every row of evidence.csv.",
                e.rows, e.last_hash
            ),
        );
    }
    say(
        &mut out,
        &["python3 verify-chain.py evidence.csv".into()],
        &format!(
            "every row is chained to the one before (SHA-256 over prev_hash and each cell): no row was changed, inserted, moved or removed; it must print {} rows and last row_hash {}, as the signature's comment says.",
            e.rows, e.last_hash
        ),
    );
    for (kind, written) in facts.addenda {
        let file = format!("{}.csv", kind.name());
        let mut commands = vec![format!("python3 verify-chain.py {file}")];
        if facts.signed {
            commands.insert(0, format!("minisign -Vm {file} -p recert.pub"));
        }
        say(
            &mut out,
            &commands,
            &format!(
                "{file} ({} rows) is intact and continues the evidence: its first prev_hash must be the evidence's last row_hash {}.",
                written.rows, written.evidence_last_hash
            ),
        );
    }
    sample_step(&mut out, &mut steps, facts);
    out.push_str(SNAPSHOTS);
    out
}

/// Numbered steps: the commands, then what they prove.
struct Steps(u32);

impl Steps {
    fn say(&mut self, out: &mut String, commands: &[String], proves: &str) {
        self.0 += 1;
        let _ = writeln!(out, "{}. {}", self.0, commands.join("\n   "));
        let _ = writeln!(out, "   Proves: {proves}\n");
    }
}

/// The sample's check, and how to draw another.
fn sample_step(out: &mut String, steps: &mut Steps, facts: &Facts<'_>) {
    let e = facts.evidence;
    let per = match facts.per {
        None => String::new(),
        Some(Per::Control) => " --per control".to_owned(),
        Some(Per::Signal) => " --per signal".to_owned(),
    };
    steps.say(
        out,
        &["python3 sample.py evidence.csv --check sample.csv".into()],
        &format!(
            "sample.csv holds exactly the {} items the evidence itself selects: ranked by SHA-256(seed + item_id) within each stratum, with the seed {}{}. Nobody chose them.",
            facts.sample.picked.len(),
            for_display(&facts.sample.seed),
            if facts.sample.seed == e.last_hash {
                " (the evidence's last row_hash, fixed at sign-off)"
            } else {
                ""
            }
        ),
    );
    let _ = writeln!(
        out,
        "To draw a sample of your own from the same evidence, with a seed you choose:\n   python3 sample.py evidence.csv --size {}{per} --seed YOUR-TEXT\n",
        facts.sample.picked.len().max(1)
    );
}

const FILES: &str = "WHAT IS HERE
  evidence.csv         one hash-chained row per review item (README \"Evidence\")
  evidence.csv.minisig its minisign signature, when the pack was signed
  revocations.csv      the revoked access, the provisioning team's work list
  history.csv          every decision event in order, undos and reassignments included
  remediation.csv      each revocation and whether a later export shows it gone (chained addendum)
  sample.csv           a reproducible audit sample with each item's full context (chained addendum)
  snapshots.csv        the imported files the campaign was built from: name, SHA-256, rows, who, when
  report.html          the report: kept despite a risk signal first (print it, or open it in a browser)
  signoff.json         the signed sign-off record, when the pack reuses its signature
  recert.pub           the signer's public key
  verify-chain.py      re-checks a chain (Python 3 standard library)
  sample.py            re-derives the sample from evidence.csv alone
  SHA256SUMS           the SHA-256 of every file above (signed when the pack was signed)
";

const SNAPSHOTS: &str = "THE SOURCE FILES
   sha256sum <the export file the data owner kept>
   Proves: it is the file the campaign was built from when its SHA-256 is in snapshots.csv; each
   evidence row's source_sha256 names the entitlements file its grant came from.
";
