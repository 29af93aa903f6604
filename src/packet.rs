//! Review packets (PRODUCT.md §9): one reviewer's items of a campaign in a
//! file of their own, decided on another machine, sealed with the
//! reviewer's key and merged back into the campaign's workspace.
//!
//! A packet has the workspace's schema, so every command and the TUI work
//! on it as on a workspace; its `packet` table holds its one record.
//!
//! - `info`: the packet record, the packet's own decision chain and the
//!   text its seal signs;
//! - `fingerprint`: what ties a packet to its campaign;
//! - `create`: writing a packet from a workspace;
//! - `seal`: signing a packet's decision log;
//! - `merge`: checking a returned packet and appending its events;
//! - `list`: the packets a campaign issued and which came back.

pub mod create;
pub mod fingerprint;
pub mod info;
pub mod list;
pub mod merge;
pub mod seal;

pub use info::PacketInfo;

#[cfg(test)]
mod tests;
