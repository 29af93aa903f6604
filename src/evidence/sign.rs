//! minisign signatures of evidence files and the trusted comment that binds
//! a signature to a campaign's sign-off.

use std::fs::File;
use std::path::{Path, PathBuf};

use color_eyre::eyre::{Result, WrapErr, eyre};
use minisign::{PublicKey, SignatureBox};

use super::export::EvidenceSummary;
use super::format::Addendum;
use super::keys::SigningKey;
use super::signoff::SignOff;
use crate::campaign::Campaign;
use crate::text::for_display;

/// `FILE.minisig`, where a signed export puts the signature of `FILE`.
pub fn signature_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".minisig");
    PathBuf::from(name)
}

/// The longest trusted comment minisign reads back: its verifier reads the
/// line `trusted comment: …` into 8192 bytes, with the prefix (17 bytes), the
/// line break and the terminating NUL; its signer refuses a longer one.
pub const TRUSTED_COMMENT_MAX: usize = 8192 - 17 - 2;

/// The one-line trusted comment: campaign, (format 2) the sign-off
/// statement, signer, sign-off time, counts per decision and the last
/// row_hash. The fixed `key=value` tail comes last so that
/// [`TrustedFacts::parse`] reads it back whatever the names hold; the
/// statement is made one line and shortened with `…` where the whole
/// comment would outgrow what minisign reads.
pub fn trusted_comment(
    campaign: &Campaign,
    signoff: &SignOff,
    summary: &EvidenceSummary,
) -> String {
    // Format-1 evidence keeps the comment it always had, so re-signing an
    // old campaign's evidence gives the same trusted comment.
    let (format, with_statement) = match campaign.evidence_format {
        0 | 1 => (String::new(), false),
        n => (format!("format {n}; "), true),
    };
    let rest = format!(
        "signed off by {:?} at {}; rows={} certified={} revoked={} undecided={} last_row_hash={}",
        one_line(&signoff.signer()),
        signoff.signed_at,
        summary.rows,
        summary.certified,
        summary.revoked,
        summary.undecided,
        summary.last_hash,
    );
    let head = format!(
        "recert evidence; {format}campaign {} {:?}; ",
        campaign.id,
        one_line(&campaign.name)
    );
    if !with_statement {
        return format!("{head}{rest}");
    }
    let room = TRUSTED_COMMENT_MAX.saturating_sub(head.len() + rest.len() + "statement ; ".len());
    format!(
        "{head}statement {}; {rest}",
        quoted_within(&statement_line(&signoff.statement), room)
    )
}

/// The trusted comment of an addendum: the same facts as the evidence's,
/// the evidence's last row_hash the addendum continues, and `counts`, the
/// kind's own `key=value` figures (space-separated, no spaces inside).
/// [`TrustedFacts::parse`] reads it back.
pub fn addendum_comment(
    kind: Addendum,
    campaign: &Campaign,
    signoff: &SignOff,
    evidence_last_hash: &str,
    rows: u64,
    counts: &str,
    last_hash: &str,
) -> String {
    format!(
        "recert {} addendum; campaign {} {:?}; evidence last_row_hash={evidence_last_hash}; signed off by {:?} at {}; rows={rows} {counts} last_row_hash={last_hash}",
        kind.name(),
        campaign.id,
        one_line(&campaign.name),
        one_line(&signoff.signer()),
        signoff.signed_at,
    )
}

/// Text safe for a minisign comment: one line, bounded length.
fn one_line(text: &str) -> String {
    for_display(text).chars().take(200).collect()
}

/// A statement as one line: its lines trimmed and joined with ` / `.
fn statement_line(statement: &str) -> String {
    let lines: Vec<String> = statement
        .lines()
        .map(|line| for_display(line).trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect();
    lines.join(" / ")
}

/// `text` quoted (`{:?}`) in at most `room` bytes, cut with `…` if need be.
fn quoted_within(text: &str, room: usize) -> String {
    let quoted = format!("{text:?}");
    if quoted.len() <= room {
        return quoted;
    }
    let mut chars: Vec<char> = text.chars().collect();
    // Each character quotes to at most a few bytes: cut by the overshoot,
    // then a character at a time until it fits.
    let over = quoted.len() - room;
    chars.truncate(chars.len().saturating_sub(over / 6));
    loop {
        let cut: String = chars.iter().collect();
        // At a word where one is near, so the last word reads whole.
        let cut = match cut.rsplit_once(' ') {
            Some((words, tail)) if tail.chars().count() < 20 => words,
            _ => cut.as_str(),
        }
        .trim_end();
        let quoted = format!("{:?}", format!("{cut}…"));
        if quoted.len() <= room || chars.is_empty() {
            return quoted;
        }
        chars.pop();
    }
}

/// What a trusted comment says about the file it signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedFacts {
    /// The addendum the comment signs; `None` for evidence.
    pub addendum: Option<Addendum>,
    /// For an addendum: the last row_hash of the evidence it continues.
    pub evidence_last_hash: Option<String>,
    /// The evidence format the comment names (1 when it names none).
    pub format: u8,
    /// `reviewer (os_user@host)` of the sign-off, as the comment names it.
    pub signer: String,
    pub signed_at: String,
    pub rows: u64,
    pub certified: u64,
    pub revoked: u64,
    pub last_hash: String,
}

impl TrustedFacts {
    /// Reads the `key=value` tail of a recert trusted comment; `None` when
    /// the comment was not written by recert.
    pub fn parse(comment: &str) -> Option<TrustedFacts> {
        let addendum = if comment.starts_with("recert evidence; ") {
            None
        } else {
            Some(Addendum::ALL.into_iter().find(|kind| {
                comment
                    .strip_prefix("recert ")
                    .and_then(|rest| rest.strip_prefix(kind.name()))
                    .is_some_and(|rest| rest.starts_with(" addendum; "))
            })?)
        };
        let tail_at = comment.rfind("; rows=")?;
        let tail = &comment[tail_at + 2..];
        // `signed off by "SIGNER" at TIME` sits right before the tail.
        let head = &comment[..tail_at];
        let by_at = head.rfind("; signed off by ")?;
        let by = &head[by_at + "; signed off by ".len()..];
        // An addendum names the evidence's last row_hash right before.
        let evidence_last_hash = if addendum.is_some() {
            let before = &head[..by_at];
            let hash = before.get(before.len().checked_sub(64)?..)?;
            before[..before.len() - 64]
                .ends_with("; evidence last_row_hash=")
                .then(|| hash.to_owned())
        } else {
            None
        };
        if addendum.is_some() && evidence_last_hash.is_none() {
            return None;
        }
        let (quoted, signed_at) = by.rsplit_once(" at ")?;
        let signer = quoted
            .strip_prefix('"')?
            .strip_suffix('"')?
            .replace("\\\"", "\"")
            .replace("\\\\", "\\");
        let format = comment
            .strip_prefix("recert evidence; format ")
            .and_then(|rest| rest.split_once(';'))
            .map_or(Some(1), |(number, _)| number.parse().ok())?;
        let mut facts = TrustedFacts {
            addendum,
            evidence_last_hash,
            // Addenda have no evidence format of their own.
            format: if addendum.is_some() { 0 } else { format },
            signer,
            signed_at: signed_at.to_owned(),
            rows: 0,
            certified: 0,
            revoked: 0,
            last_hash: String::new(),
        };
        for pair in tail.split(' ') {
            let (key, value) = pair.split_once('=')?;
            match key {
                "rows" => facts.rows = value.parse().ok()?,
                "certified" => facts.certified = value.parse().ok()?,
                "revoked" => facts.revoked = value.parse().ok()?,
                "last_row_hash" => value.clone_into(&mut facts.last_hash),
                _ => {}
            }
        }
        (facts.last_hash.len() == 64).then_some(facts)
    }
}

/// Signs the file at `path` (read back from disk, so the signature covers
/// exactly the bytes an auditor receives) and returns the `.minisig` text.
pub fn sign_file(key: &SigningKey, path: &Path, trusted_comment: &str) -> Result<String> {
    let file =
        File::open(path).wrap_err_with(|| format!("reading {} to sign it", path.display()))?;
    let signature = minisign::sign(
        Some(&key.public),
        &key.secret,
        file,
        Some(trusted_comment),
        Some("signature from recert secret key"),
    )
    .map_err(|err| eyre!("signing {}: {err}", path.display()))?;
    Ok(signature.into_string())
}

/// Why a signature check failed, with the trusted comment as the signature
/// file states it (unverified), to help explain what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSignature {
    pub why: String,
    pub claimed_comment: Option<String>,
}

/// Checks `signature` (the `.minisig` text) of the file at `path`; returns
/// the trusted comment when the signature is good.
pub fn check_signature(
    public: &PublicKey,
    path: &Path,
    signature: &str,
) -> Result<String, BadSignature> {
    let signature = SignatureBox::from_string(signature).map_err(|err| BadSignature {
        why: format!("the signature file is not a minisign signature ({err})"),
        claimed_comment: None,
    })?;
    let claimed_comment = signature.trusted_comment().ok();
    let file = File::open(path).map_err(|err| BadSignature {
        why: format!("reading {}: {err}", path.display()),
        claimed_comment: None,
    })?;
    minisign::verify(public, &signature, file, true, false, false).map_err(|err| BadSignature {
        why: format!(
            "the signature does not match: the file was changed after signing, the signature was replaced, or the public key is not the signer's ({err})"
        ),
        claimed_comment: claimed_comment.clone(),
    })?;
    claimed_comment.ok_or_else(|| BadSignature {
        why: "the signature has no readable trusted comment".to_owned(),
        claimed_comment: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_comment(name: &str) -> String {
        sample_comment_of(name, 1)
    }

    fn sample_comment_of(name: &str, evidence_format: u8) -> String {
        sample_comment_with(name, evidence_format, "ok")
    }

    fn sample_comment_with(name: &str, evidence_format: u8, statement: &str) -> String {
        let campaign = Campaign {
            id: 7,
            name: name.to_owned(),
            period: None,
            as_of: "2026-11-30".to_owned(),
            due: None,
            default_reviewer: None,
            justify: crate::model::SignalSet::EMPTY,
            created_at: String::new(),
            created_by: String::new(),
            state: crate::campaign::CampaignState::SignedOff,
            evidence_format,
        };
        let signoff = SignOff {
            campaign_id: 7,
            reviewer: "CISO".to_owned(),
            os_user: "ann".to_owned(),
            host: "jump1".to_owned(),
            signed_at: "2026-12-01T10:00:00.000Z".to_owned(),
            statement: statement.to_owned(),
            final_hash: "f".repeat(64),
            items: 3,
            certified: 2,
            revoked: 1,
        };
        let summary = EvidenceSummary {
            rows: 3,
            certified: 2,
            revoked: 1,
            undecided: 0,
            last_hash: "f".repeat(64),
        };
        trusted_comment(&campaign, &signoff, &summary)
    }

    #[test]
    fn the_trusted_comment_names_everything_and_reads_back() {
        let comment = sample_comment("Q4 review");
        assert_eq!(
            comment,
            format!(
                "recert evidence; campaign 7 \"Q4 review\"; signed off by \"CISO (ann@jump1)\" at 2026-12-01T10:00:00.000Z; rows=3 certified=2 revoked=1 undecided=0 last_row_hash={}",
                "f".repeat(64)
            )
        );
        let facts = TrustedFacts::parse(&comment).expect("facts");
        assert_eq!((facts.rows, facts.certified, facts.revoked), (3, 2, 1));
        assert_eq!(facts.signer, "CISO (ann@jump1)");
        assert_eq!(facts.signed_at, "2026-12-01T10:00:00.000Z");
        assert_eq!(facts.format, 1);
    }

    #[test]
    fn a_format_2_comment_names_its_format_and_a_name_cannot_fake_it() {
        let comment = sample_comment_of("Q4", 2);
        assert!(comment.starts_with("recert evidence; format 2; campaign 7 \"Q4\"; "));
        assert_eq!(TrustedFacts::parse(&comment).expect("facts").format, 2);
        let faked = sample_comment("x\"; format 2; y");
        assert_eq!(TrustedFacts::parse(&faked).expect("facts").format, 1);
    }

    #[test]
    fn a_format_2_comment_carries_the_statement_which_cannot_forge_the_facts() {
        let hostile =
            "All reviewed.\nok\"; signed off by \"Mallory\" at 2020-01-01; rows=1 last_row_hash=00";
        let comment = sample_comment_with("Q4", 2, hostile);
        assert!(!comment.contains('\n'));
        assert!(
            comment.starts_with("recert evidence; format 2; campaign 7 \"Q4\"; statement \"All reviewed. / ok\\\"; signed off by"),
            "{comment}"
        );
        let facts = TrustedFacts::parse(&comment).expect("facts");
        assert_eq!(facts.signer, "CISO (ann@jump1)");
        assert_eq!((facts.rows, facts.format), (3, 2));
        assert_eq!(facts.last_hash, "f".repeat(64));
        // Format 1 keeps the comment it always had: no statement.
        assert!(!sample_comment_with("Q4", 1, hostile).contains("statement"));
    }

    #[test]
    fn a_long_statement_is_cut_to_what_minisign_reads() {
        let comment = sample_comment_with("Q4", 2, &"word ".repeat(5000));
        assert!(comment.len() <= TRUSTED_COMMENT_MAX);
        assert!(
            comment.len() > TRUSTED_COMMENT_MAX - 10,
            "{}",
            comment.len()
        );
        assert!(comment.contains("word…\"; signed off by"), "{comment}");
        assert_eq!(TrustedFacts::parse(&comment).expect("facts").rows, 3);
    }

    #[test]
    fn a_hostile_campaign_name_cannot_forge_the_facts() {
        let comment = sample_comment("x; rows=1 last_row_hash=0\nnext line");
        assert!(!comment.contains('\n'));
        let facts = TrustedFacts::parse(&comment).expect("facts");
        assert_eq!(facts.rows, 3);
        assert_eq!(facts.last_hash, "f".repeat(64));
    }

    #[test]
    fn a_file_signature_verifies_and_detects_a_change() {
        let dir = tempfile::tempdir().expect("dir");
        let files = super::super::keys::generate(dir.path(), None).expect("keys");
        let key = super::super::keys::load_secret_key(&files.secret).expect("key");
        let data = dir.path().join("e.csv");
        std::fs::write(&data, "a,b\n").expect("write");
        let signature = sign_file(&key, &data, "recert evidence; hello").expect("sign");
        assert_eq!(
            check_signature(&key.public, &data, &signature),
            Ok("recert evidence; hello".to_owned())
        );
        std::fs::write(&data, "a,c\n").expect("tamper");
        assert!(check_signature(&key.public, &data, &signature).is_err());
    }
}
