//! The evidence file's columns and where its row hash chain lives in them.

pub use crate::chain::{GENESIS, link as row_hash};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_end_with_the_two_hashes() {
        assert_eq!(COLUMNS[PREV_HASH], "prev_hash");
        assert_eq!(COLUMNS[ROW_HASH], "row_hash");
        assert_eq!(COLUMNS[ITEM_ID], "item_id");
        assert_eq!(COLUMNS[DECISION], "decision");
        assert_eq!(HASHED_CELLS, PREV_HASH);
    }
}
