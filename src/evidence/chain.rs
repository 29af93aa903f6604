//! The evidence file's columns and its row hash chain.

use sha2::{Digest, Sha256};

/// The evidence columns, in file order (PRODUCT.md §5).
pub const COLUMNS: [&str; 25] = [
    "campaign_id",
    "campaign_name",
    "period",
    "as_of",
    "control_id",
    "control_title",
    "item_id",
    "identity_id",
    "identity_name",
    "identity_kind",
    "identity_status",
    "system",
    "entitlement",
    "entitlement_type",
    "privileged",
    "signals",
    "recommendation",
    "assigned_reviewer",
    "decision",
    "justification",
    "decided_by",
    "decided_at",
    "source_sha256",
    "prev_hash",
    "row_hash",
];

/// How many cells a row has before `prev_hash`: the cells the hash covers.
pub const HASHED_CELLS: usize = 23;
/// Index of `prev_hash` and `row_hash` in a row.
pub const PREV_HASH: usize = 23;
pub const ROW_HASH: usize = 24;
/// Index of `item_id`, which verify names when a row is bad.
pub const ITEM_ID: usize = 6;
pub const CAMPAIGN_ID: usize = 0;
pub const DECISION: usize = 18;

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

    #[test]
    fn columns_end_with_the_two_hashes() {
        assert_eq!(COLUMNS[PREV_HASH], "prev_hash");
        assert_eq!(COLUMNS[ROW_HASH], "row_hash");
        assert_eq!(COLUMNS[ITEM_ID], "item_id");
        assert_eq!(COLUMNS[DECISION], "decision");
        assert_eq!(HASHED_CELLS, PREV_HASH);
    }
}
