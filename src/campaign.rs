//! Campaigns: finding them, their review items, and the decisions made on them.

pub mod decisions;
pub mod item;
pub mod lookup;

pub use decisions::{
    DecideError, DecisionEvent, DecisionRequest, GENESIS_HASH, Refusal, history, record_decisions,
};
pub use item::ItemRecord;
pub use lookup::{Campaign, CampaignState, find_campaign, list_campaigns};
