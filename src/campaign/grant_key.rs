//! The key that ties the same grant together across campaigns and
//! snapshots: system, entitlement and the holder's key as the export wrote
//! it, each trimmed and ASCII case-folded (`identity::keys::fold`), joined
//! by U+001F. Re-importing the same export gives every grant the same key;
//! an account renamed in its system is a new grant (README: the quarterly
//! cycle).

use sha2::{Digest, Sha256};

use crate::identity::keys::trim;

/// The separator between the three parts. Import refuses it in every cell,
/// so no system or entitlement can hold it and shift a part boundary.
const SEPARATOR: char = '\u{1f}';

/// The folded text of a grant's key, written into a reused buffer.
pub fn text_into(system: &str, entitlement: &str, account: &str, out: &mut String) {
    out.clear();
    for (index, part) in [system, entitlement, account].into_iter().enumerate() {
        if index > 0 {
            out.push(SEPARATOR);
        }
        let start = out.len();
        out.push_str(trim(part));
        out[start..].make_ascii_lowercase();
    }
}

/// The folded text of a grant's key.
pub fn text(system: &str, entitlement: &str, account: &str) -> String {
    let mut out = String::new();
    text_into(system, entitlement, account, &mut out);
    out
}

/// The stored form of a key: the first 16 bytes of the SHA-256 of its text
/// (`items.grant_key`). A collision would take about 2^64 grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrantKey(pub [u8; 16]);

impl GrantKey {
    pub fn of_text(text: &str) -> GrantKey {
        let digest = Sha256::digest(text.as_bytes());
        let mut key = [0_u8; 16];
        key.copy_from_slice(&digest[..16]);
        GrantKey(key)
    }

    pub fn of(system: &str, entitlement: &str, account: &str) -> GrantKey {
        GrantKey::of_text(&text(system, entitlement, account))
    }

    /// A key read back from `items.grant_key`; `None` for anything that is
    /// not 16 bytes (items of campaigns created before the key existed).
    pub fn from_stored(bytes: Option<&[u8]>) -> Option<GrantKey> {
        let bytes: [u8; 16] = bytes?.try_into().ok()?;
        Some(GrantKey(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_ignores_case_and_surrounding_blanks_only() {
        assert_eq!(
            text(" GitHub ", "Admin", "Jane.Doe@X.example"),
            "github\u{1f}admin\u{1f}jane.doe@x.example"
        );
        assert_eq!(
            GrantKey::of("github", "admin", "jane"),
            GrantKey::of("GITHUB", " admin", "Jane ")
        );
        assert_ne!(
            GrantKey::of("github", "admin", "jane"),
            GrantKey::of("github", "admin", "jane2"),
            "a renamed account is another grant"
        );
        // The parts cannot slide into each other.
        assert_ne!(GrantKey::of("ab", "c", "d"), GrantKey::of("a", "bc", "d"));
    }

    #[test]
    fn the_stored_key_is_the_sha256_prefix_of_the_text() {
        let key = GrantKey::of("aws", "admin", "bob");
        let digest = Sha256::digest("aws\u{1f}admin\u{1f}bob".as_bytes());
        assert_eq!(key.as_bytes(), &digest[..16]);
        assert_eq!(GrantKey::from_stored(Some(key.as_bytes())), Some(key));
        assert_eq!(GrantKey::from_stored(Some(&[1, 2, 3])), None);
        assert_eq!(GrantKey::from_stored(None), None);
    }
}
