//! The one hash chain recert writes, for decision events and evidence rows:
//! each link is the lowercase hex SHA-256 of the previous link, then every
//! field preceded by the byte 0x1F (PRODUCT.md §5, scripts/verify-chain.py).

use std::fmt::{self, Write as _};

use sha2::{Digest, Sha256};

/// The previous hash of every chain's first link: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The byte before every field. recert refuses it inside any hashed field,
/// so no field can be re-split without changing the hash.
const SEPARATOR: u8 = 0x1F;

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// One link being hashed, field by field.
pub struct ChainHash(Sha256);

impl ChainHash {
    /// A link that follows `prev_hash` (the previous link, or [`GENESIS`]).
    pub fn after(prev_hash: &str) -> ChainHash {
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        ChainHash(hasher)
    }

    /// Adds one field as bytes.
    pub fn field(&mut self, bytes: impl AsRef<[u8]>) -> &mut ChainHash {
        self.0.update([SEPARATOR]);
        self.0.update(bytes);
        self
    }

    /// Adds one field as its display text (an id as its decimal digits),
    /// written straight into the hash: a bulk decision hashes a hundred
    /// thousand events, and a `String` per number showed in its profile.
    pub fn display(&mut self, value: impl fmt::Display) -> &mut ChainHash {
        self.0.update([SEPARATOR]);
        // Writing into a hash cannot fail: `Feed::write_str` always succeeds.
        let _ = write!(Feed(&mut self.0), "{value}");
        self
    }

    /// Replaces `out` with the link's lowercase hex, reusing its buffer.
    pub fn finish_into(self, out: &mut String) {
        out.clear();
        for byte in self.0.finalize() {
            out.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
            out.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
        }
    }

    pub fn finish(self) -> String {
        let mut out = String::with_capacity(64);
        self.finish_into(&mut out);
        out
    }
}

/// The link after `prev_hash` over `fields`, in order.
pub fn link<I, S>(prev_hash: &str, fields: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut hash = ChainHash::after(prev_hash);
    for field in fields {
        hash.field(field);
    }
    hash.finish()
}

/// Feeds formatted text into the hash without a buffer.
struct Feed<'a>(&'a mut Sha256);

impl fmt::Write for Feed<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0.update(text.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_covers_the_previous_hash_then_separated_fields() {
        // Computed independently: printf '%s\x1fa\x1f\x1fb' $GENESIS | sha256sum
        let expected = {
            let mut bytes = GENESIS.as_bytes().to_vec();
            bytes.extend_from_slice(b"\x1fa\x1f\x1fb");
            hex::encode(Sha256::digest(&bytes))
        };
        assert_eq!(link(GENESIS, ["a", "", "b"]), expected);
    }

    #[test]
    fn moving_a_separator_changes_the_link() {
        assert_ne!(link(GENESIS, ["ab", ""]), link(GENESIS, ["a", "b"]));
    }

    #[test]
    fn a_displayed_field_hashes_as_its_text() {
        let mut shown = ChainHash::after(GENESIS);
        shown.display(-42).display("x");
        assert_eq!(shown.finish(), link(GENESIS, ["-42", "x"]));
    }
}
