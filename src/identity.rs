//! Who is this key? Identity correlation (PRODUCT.md §6).
//!
//! A *person* is an identity of an HR or canonical identities file (a
//! non-human identity among them); an *account* is a holder key of a
//! directory or application export: a UPN, a Google address, an Okta or
//! GitHub login, an AWS IAM user, an Azure object id. Import summaries,
//! campaign creation, reviewer assignment, `recert links` and the review
//! all ask this module which person a key belongs to, so they never
//! disagree.
//!
//! - `rows`: the current identity rows, persons first;
//! - `resolver`: the indexes and the link rules, strongest first;
//! - `links`: manual links, appended and hash-chained;
//! - `facts`: kinds, guests, pending invitations and MFA from exports;
//! - `candidates`: suggestions for an unlinked account, never applied alone;
//! - `config`: the rules file's `[correlation]` section;
//! - `keys`: how keys are folded, aliased and named.

pub mod accounts;
pub mod candidates;
pub mod config;
pub mod facts;
pub mod keys;
pub mod links;
pub mod report;
pub mod resolver;
pub mod rows;

pub use config::Correlation;
pub use resolver::{Link, LinkBasis, Resolver};
pub use rows::IdentityRow;
