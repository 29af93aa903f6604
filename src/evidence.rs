//! Evidence an auditor receives: the hash-chained CSV export, sign-off,
//! minisign signatures, verification, the revocation list, the decision
//! history and the HTML report (PRODUCT.md §5).

pub mod addendum;
pub mod atomic;
pub mod export;
pub mod format;
pub mod history;
pub mod keypair;
pub mod keys;
pub mod order;
pub mod pack;
pub mod publish;
pub mod query_csv;
pub mod report;
pub mod revocations;
pub mod sample;
pub mod seal;
pub mod sign;
pub mod signoff;
pub mod signoff_log;
pub mod verify;

#[cfg(test)]
pub(crate) mod fixture;
