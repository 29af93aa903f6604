//! Evidence an auditor receives: the hash-chained CSV export, sign-off,
//! minisign signatures, verification, the revocation list, the decision
//! history and the HTML report (PRODUCT.md §5).

pub mod chain;
pub mod export;
pub mod order;
pub mod signoff;
pub mod titles;

#[cfg(test)]
pub(crate) mod fixture;
