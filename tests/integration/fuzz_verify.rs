//! Property tests of `verify` on arbitrary and mutated evidence files: it
//! never panics, a signed file passes only byte for byte, and an unsigned one
//! passes only when its rows are an untouched prefix of the real evidence
//! (rows cut from the end are what only a signature, or without the key its
//! trusted comment, can reveal). 64 cases by
//! default; `PROPTEST_CASES=10000 cargo test --test integration fuzz_verify`.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use recert::evidence::keys::load_public_key;
use recert::evidence::sign::signature_path;
use recert::evidence::verify::verify_file;

use crate::decide_faults::campaign_of;
use crate::evidence_faults::keygen;
use crate::fuzz_import::{Mutation, apply, config, mutation};
use crate::support::Scratch;

/// Signed evidence of a signed-off six-item campaign, made once and kept
/// in memory: a static is never dropped, so it must not own a temporary
/// directory (that one would outlive every test run).
struct Signed {
    evidence: Vec<u8>,
    signature: Vec<u8>,
    public_key: Vec<u8>,
}

fn signed() -> &'static Signed {
    static SIGNED: OnceLock<Signed> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let scratch = Scratch::new();
        let items: Vec<String> = campaign_of(&scratch, 6)
            .iter()
            .map(i64::to_string)
            .collect();
        scratch
            .recert()
            .args(["decide", "Q4"])
            .args(&items)
            .args([
                "--revoke",
                "--reviewer",
                "R",
                "--justification",
                "=left, \"really\"",
            ])
            .assert()
            .success();
        let keys = keygen(&scratch);
        let evidence = scratch.dir.path().join("evidence.csv");
        scratch
            .recert()
            .args([
                "signoff",
                "Q4",
                "--reviewer",
                "CISO",
                "--statement",
                "done",
                "--key",
            ])
            .arg(keys.join("recert.key"))
            .arg("-o")
            .arg(&evidence)
            .assert()
            .success();
        Signed {
            evidence: std::fs::read(&evidence).expect("evidence"),
            signature: std::fs::read(signature_path(&evidence)).expect("signature"),
            public_key: std::fs::read(keys.join("recert.pub")).expect("public key"),
        }
    })
}

fn records(bytes: &[u8]) -> Option<Vec<csv::StringRecord>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .collect::<Result<_, _>>()
        .ok()
}

/// Writes `bytes` (and the signature when `signed`) and verifies them.
fn verify(dir: &Path, bytes: &[u8], signed: bool) -> recert::evidence::verify::Verification {
    verify_with(dir, bytes, signed, signed)
}

/// Writes `bytes`, the signature when `signature`, and verifies them with
/// the public key when `key`.
fn verify_with(
    dir: &Path,
    bytes: &[u8],
    signature: bool,
    key: bool,
) -> recert::evidence::verify::Verification {
    let file = dir.join("evidence.csv");
    std::fs::write(&file, bytes).expect("write");
    if signature {
        std::fs::write(signature_path(&file), &self::signed().signature).expect("sig");
    }
    let public = if key {
        let public = dir.join("recert.pub");
        std::fs::write(&public, &self::signed().public_key).expect("public key");
        Some(load_public_key(&public).expect("public key"))
    } else {
        None
    };
    verify_file(&file, public.as_ref()).expect("verify reads the file")
}

fn mutated(mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = signed().evidence.clone();
    for mutation in mutations {
        apply(&mut bytes, mutation);
    }
    bytes
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_are_never_intact_evidence(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let result = verify(dir.path(), &bytes, false);
        prop_assert!(!result.is_intact() || result.rows == 0, "{result:?}");
    }

    #[test]
    fn signed_evidence_passes_only_byte_for_byte(mutations in prop::collection::vec(mutation(), 1..4)) {
        let bytes = mutated(&mutations);
        let dir = tempfile::tempdir().expect("tempdir");
        let result = verify(dir.path(), &bytes, true);
        if result.is_intact() {
            prop_assert_eq!(&bytes, &signed().evidence);
        }
    }

    #[test]
    fn signed_evidence_checked_without_the_key_passes_only_with_every_signed_row(
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let bytes = mutated(&mutations);
        let dir = tempfile::tempdir().expect("tempdir");
        let result = verify_with(dir.path(), &bytes, true, false);
        if result.is_intact() {
            // Without the key the bytes may differ (line ends, quoting), but
            // never the rows: the comment's count and last row_hash pin them.
            prop_assert_eq!(records(&bytes), records(&signed().evidence));
        }
    }

    #[test]
    fn rows_cut_from_the_end_of_signed_evidence_are_found_without_the_key(cut in 1_usize..7) {
        let original = &signed().evidence;
        let text = String::from_utf8_lossy(original);
        let lines: Vec<&str> = text.lines().collect();
        let kept = lines.len().saturating_sub(cut).max(1);
        let bytes = format!("{}\n", lines[..kept].join("\n")).into_bytes();
        let dir = tempfile::tempdir().expect("tempdir");
        let result = verify_with(dir.path(), &bytes, true, false);
        prop_assert!(!result.is_intact(), "{:?}", result);
        let unsigned = verify_with(tempfile::tempdir().expect("tempdir").path(), &bytes, false, false);
        prop_assert!(unsigned.is_intact(), "an untouched prefix is a valid chain: {:?}", unsigned);
    }

    #[test]
    fn unsigned_evidence_passes_only_as_an_untouched_prefix(mutations in prop::collection::vec(mutation(), 1..4)) {
        let bytes = mutated(&mutations);
        let dir = tempfile::tempdir().expect("tempdir");
        let result = verify(dir.path(), &bytes, false);
        if result.is_intact() {
            let original = records(&signed().evidence).expect("original parses");
            let found = records(&bytes);
            prop_assert!(found.is_some(), "intact but not CSV");
            let found = found.unwrap_or_default();
            prop_assert!(!found.is_empty(), "intact without a header");
            prop_assert_eq!(&found[..], &original[..found.len()], "intact but changed");
        }
    }
}
