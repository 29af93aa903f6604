//! The evidence file's row hash chain (its columns are in `format.rs`).

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `row_hash`: lowercase hex SHA-256 of `prev_hash`, then each of the other
/// cells in column order, each preceded by the byte 0x1F. Cells are the
/// values as the CSV holds them once unquoted (a neutralised cell keeps its
/// leading `'`).
pub fn row_hash<I, S>(prev_hash: &str, cells: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    for cell in cells {
        hasher.update([0x1F]);
        hasher.update(cell.as_ref());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_covers_prev_hash_then_separated_cells() {
        // Computed independently: printf '%s\x1fa\x1f\x1fb' $GENESIS | sha256sum
        let expected = {
            let mut bytes = GENESIS.as_bytes().to_vec();
            bytes.extend_from_slice(b"\x1fa\x1f\x1fb");
            hex::encode(Sha256::digest(&bytes))
        };
        assert_eq!(row_hash(GENESIS, ["a", "", "b"]), expected);
    }

    #[test]
    fn moving_a_separator_changes_the_hash() {
        assert_ne!(row_hash(GENESIS, ["ab", ""]), row_hash(GENESIS, ["a", "b"]));
    }
}
