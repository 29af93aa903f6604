//! The signature half of `recert verify FILE`: minisign's verdict turned
//! into a reason a person can act on (the wrong public key, a damaged
//! signature file, a file re-saved by an editor, an altered comment), and
//! the trusted comment compared with the file's end even without a key.

use std::path::Path;

use minisign::{PublicKey, SignatureBox};

use super::{Problem, Signature, Verification, problem};
use crate::evidence::sign::TrustedFacts;

/// Checks `text`, the `.minisig` of `file`, with `public`.
pub(super) fn with_key(
    public: &PublicKey,
    file: &Path,
    sig_path: &Path,
    text: &str,
    result: &mut Verification,
) -> Signature {
    let chain_intact = result.is_intact();
    let signature = match SignatureBox::from_string(text) {
        Ok(signature) => signature,
        Err(err) => {
            result.problems.push(damaged(sig_path, &err.to_string()));
            return Signature::Bad;
        }
    };
    let comment = signature.trusted_comment().ok();
    if signature.keynum() != public.keynum() {
        result.problems.push(problem(format!(
            "signature: {} was made with the key {}, but the public key given is {}: it is not the signer's public key (ask the signer for the recert.pub of the key that signed), or the signature was replaced by one made with another key",
            sig_path.display(),
            key_id(signature.keynum()),
            key_id(public.keynum())
        )));
        compare_unchecked(comment.as_deref(), UNVERIFIED, chain_intact, result);
        return Signature::Bad;
    }
    let verdict = std::fs::File::open(file)
        .map_err(|err| err.to_string())
        .and_then(|data| {
            minisign::verify(public, &signature, data, true, false, false)
                .map_err(|err| err.to_string())
        });
    match verdict {
        Ok(()) => {
            let Some(comment) = comment else {
                result.problems.push(problem(
                    "signature: the signature has no readable trusted comment".to_owned(),
                ));
                return Signature::Bad;
            };
            if chain_intact {
                compare(&comment, "the signature", result);
            }
            Signature::Good(comment)
        }
        // minisign checks the file's signature first, then the one over the
        // trusted comment: failing here, the file itself is as signed.
        Err(why) if why.contains("Comment signature") => {
            result.problems.push(problem(
                "signature: the file matches its signature, but the trusted comment was altered after signing: the campaign, signer, counts and last row_hash it names cannot be trusted; ask the signer for the .minisig they wrote".to_owned(),
            ));
            Signature::Bad
        }
        Err(why) if why.contains("Signature verification failed") => {
            let why = mismatch(file, sig_path, comment.as_deref(), chain_intact, result);
            compare_unchecked(comment.as_deref(), UNVERIFIED, chain_intact, result);
            result.problems.push(problem(why));
            Signature::Bad
        }
        Err(why) => {
            result.problems.push(problem(format!(
                "signature: {} cannot be checked: {why}",
                sig_path.display()
            )));
            Signature::Bad
        }
    }
}

/// Without a public key the signature cannot be checked, but its trusted
/// comment can be read: a file cut short by whole rows keeps a valid chain,
/// and only the comment's row count and last row_hash reveal it.
pub(super) fn without_key(sig_path: &Path, text: &str, result: &mut Verification) -> Signature {
    match SignatureBox::from_string(text) {
        Ok(signature) => {
            let source = format!(
                "{}'s trusted comment (read without --pubkey, so the signature itself was not checked)",
                sig_path.display()
            );
            match signature.trusted_comment() {
                Ok(comment) => {
                    let chain_intact = result.is_intact();
                    compare_unchecked(Some(&comment), &source, chain_intact, result);
                }
                Err(_) => result
                    .problems
                    .push(damaged(sig_path, "no trusted comment")),
            }
        }
        Err(err) => result.problems.push(damaged(sig_path, &err.to_string())),
    }
    Signature::NotChecked
}

fn damaged(sig_path: &Path, why: &str) -> Problem {
    problem(format!(
        "signature: {} is damaged: it is not a minisign signature ({why}); ask the signer for the .minisig they wrote",
        sig_path.display()
    ))
}

/// The signature over the file failed. Why, as far as the file can tell:
/// its rows changed (the chain or the comment's facts say where), its
/// bytes changed without a value changing (re-saved), or neither, so the
/// signature file is damaged or the file and its comment were replaced.
fn mismatch(
    file: &Path,
    sig_path: &Path,
    comment: Option<&str>,
    chain_intact: bool,
    result: &Verification,
) -> String {
    let facts_match = comment
        .and_then(TrustedFacts::parse)
        .is_some_and(|facts| facts.rows == result.rows && facts.last_hash == result.last_hash);
    if !chain_intact || !facts_match {
        return "signature: the signature does not match: the file was changed after signing (where is said above when the file can tell), or the signature is of another file".to_owned();
    }
    if written_by_recert(file) == Some(false) {
        return "signature: the signature does not match, yet every row is intact and the file ends as the signature's comment says: its bytes were changed without changing a value (line ends, quoting or encoding; e.g. opened and saved in an editor or spreadsheet); check the file exactly as it was exported".to_owned();
    }
    format!(
        "signature: the signature does not match, although the file is exactly as recert writes it and ends as the signature's comment says: {} was damaged after signing, or the file and that comment were both replaced (the comment cannot be trusted while the signature fails); ask the signer for the .minisig they wrote",
        sig_path.display()
    )
}

/// Whether the file's bytes are exactly what recert writes for its cells
/// (LF line ends, quotes only where needed); `None` when it cannot be read.
fn written_by_recert(file: &Path) -> Option<bool> {
    let bytes = std::fs::read(file).ok()?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::with_capacity(bytes.len()));
    for record in reader.byte_records() {
        writer.write_byte_record(&record.ok()?).ok()?;
    }
    Some(writer.into_inner().ok()? == bytes)
}

/// How an unverified comment is named in problems.
const UNVERIFIED: &str = "the signature's comment (unverified)";

/// Compares a comment that may be absent, when the chain was intact (a
/// broken chain stops early and its end means nothing).
fn compare_unchecked(
    comment: Option<&str>,
    source: &str,
    chain_intact: bool,
    result: &mut Verification,
) {
    if let Some(comment) = comment.filter(|_| chain_intact) {
        compare(comment, source, result);
    }
}

/// The comment's facts must describe the file's end: a file cut short after
/// its last intact row still has a valid chain, but not the signed last hash.
fn compare(comment: &str, source: &str, result: &mut Verification) {
    let Some(facts) = TrustedFacts::parse(comment) else {
        result.problems.push(problem(format!(
            "{source} was not written by recert: {comment:?}"
        )));
        return;
    };
    if facts.addendum != result.addendum {
        let what = |addendum: Option<crate::evidence::format::Addendum>| match addendum {
            Some(addendum) => format!("a {} addendum", addendum.name()),
            None => "evidence".to_owned(),
        };
        result.problems.push(problem(format!(
            "{source} is for {}, but the file is {}: the signature belongs to another file",
            what(facts.addendum),
            what(result.addendum)
        )));
        return;
    }
    if let (Some(first), Some(evidence)) = (&result.first_prev_hash, &facts.evidence_last_hash) {
        if first != evidence {
            result.problems.push(problem(format!(
                "the addendum's first prev_hash is {first}, but {source} says it continues evidence ending with {evidence}: its first rows were removed or the file was replaced"
            )));
        }
    }
    if let Some(format) = result.format.filter(|f| f.number() != facts.format) {
        result.problems.push(problem(format!(
            "the file has the evidence format {} header, but {source} says format {}: the header was rewritten",
            format.number(),
            facts.format
        )));
    }
    if facts.last_hash != result.last_hash || facts.rows != result.rows {
        result.problems.push(Problem {
            line: result.last_line,
            item_id: result.last_item.clone(),
            what: format!(
                "the file ends after {} with row_hash {}, but {source} says {} ending with {}: rows were removed from or added to the end",
                crate::text::count(result.rows, "row"),
                result.last_hash,
                crate::text::count(facts.rows, "row"),
                facts.last_hash
            ),
        });
    }
}

/// A key id as minisign prints it (`minisign -V` and the `.pub` comment).
fn key_id(keynum: &[u8]) -> String {
    let mut reversed = keynum.to_vec();
    reversed.reverse();
    hex::encode_upper(reversed)
}
