//! Campaigns: the control catalog and rules, building review items with their
//! signals and reviewers, finding campaigns, their progress, and the
//! decisions made on them.

pub mod accept;
pub mod assign;
pub mod baseline;
pub mod by_reviewer;
pub mod catalog;
pub mod closeout;
mod compute;
pub mod conflicts;
pub mod create;
pub mod cycle;
pub mod cycle_rules;
pub mod decisions;
pub mod earlier;
pub mod exceptions;
pub mod freeze;
pub mod grant_key;
mod grant_names;
pub mod independence;
pub mod item;
mod item_rows;
pub mod listing;
pub mod lookup;
mod outliers;
pub mod past;
mod peer_pass;
pub mod peers;
pub mod policy;
pub mod progress;
pub mod ranges;
pub mod reminders;
mod resolve;
pub mod review_rules;
pub mod reviewer;
pub mod rules;
pub mod signals;
pub mod systems;
#[cfg(test)]
mod test_company;
pub mod timebox;

pub use catalog::{Catalog, Control};
pub use create::{CampaignSpec, create_campaign, create_campaign_reporting};
pub use decisions::reassign::{Reassignment, record_reassignment};
pub use decisions::{
    DecideError, DecisionEvent, DecisionRequest, EventExtras, Refusal, history,
    record_decision_groups, record_decisions,
};
pub use freeze::Frozen;
pub use item::{ItemRecord, PriorDecision};
pub use listing::{ItemFilter, for_each_item};
pub use lookup::{
    Campaign, CampaignState, find_campaign, find_campaign_or_only_open, list_campaigns,
};
pub use progress::{ControlProgress, campaign_progress};
pub use reviewer::reviewer_keys;
