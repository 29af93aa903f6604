//! What can happen to the TUI (`Action`: keys and the results of effects) and
//! what it asks the shell to do (`Effect`).

use ratatui::crossterm::event::KeyEvent;

use super::accounts::{AccountRow, LinkTarget};
use super::app::{BulkSummary, Detail, Limits, Pending, Selection};
use super::counts::ControlCounts;
use super::data::Page;
use super::query::{Anchor, Key, Query, Sort};
use crate::campaign::policy::Verdict;
use crate::model::DecisionAction;

/// Everything `update` reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    // Keys, as the key table maps them.
    Up,
    Down,
    First,
    Last,
    PageDown,
    PageUp,
    Open,
    /// Esc: close, clear marks, or go back a screen.
    Back,
    /// q: back, or quit on the overview.
    Leave,
    Quit,
    SwitchPane,
    Decide(Verdict),
    /// R: hand the item, or the marked items, to another reviewer.
    Reassign,
    /// `t`: certify until a date (time-boxed).
    CertifyUntil,
    /// `p`: to the other item of the selected item's toxic combination.
    Pair,
    Mark,
    MarkRange,
    MarkAll,
    Search,
    Filter,
    Sort,
    NextUndecided,
    SignOff,
    /// The accounts screen (from the overview).
    Accounts,
    /// On the accounts screen: unlink the account under the cursor.
    Unlink,
    /// On the accounts screen: every account, or only those without a person.
    EveryAccount,
    Help,
    Submit,
    Confirm,
    /// In the bulk confirmation: also re-decide the items already decided (again: skip them).
    IncludeDecided,
    Previous,
    Next,
    ClearFilter,
    /// A key typed into a prompt.
    Input(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    // Results of effects, fed back by the shell.
    Loaded(Loaded),
    Saved(Saved),
    /// A decision or sign-off the workspace did not take; what was typed is kept.
    NotSaved(NotSaved),
    Failed(String),
    /// A neutral message for the status bar.
    Notice(String),
    BulkReady(Pending, BulkSummary),
    Systems(Vec<String>),
    /// The selected item's history and the names of the people it mentions.
    Detail(Detail),
    SignedOff(String),
    /// The accounts of the current view, read for the accounts screen.
    AccountsLoaded(Vec<AccountRow>),
    /// A link or unlink is recorded: what to say, and the accounts re-read.
    Linked {
        message: String,
        rows: Vec<AccountRow>,
    },
    /// A link the workspace did not take; the reason typed is kept.
    NotLinked {
        target: LinkTarget,
        reason: String,
        message: String,
    },
    /// The reviewer typed in the reassignment prompt, resolved or refused.
    ReviewerResolved(Resolved),
    /// The independence warnings of the campaign (for the sign-off screen).
    Warnings(Vec<String>),
    /// Another process changed the workspace (its data version moved).
    Changed,
    Refreshed(Refreshed),
    /// How far the detail pane and the help can scroll at the current size,
    /// as the view lays them out (the shell measures after each change).
    Measured(Limits),
}

impl Action {
    /// Whether the reviewer pressed or pasted something (rather than an
    /// effect reporting back or the terminal changing size).
    pub fn is_input(&self) -> bool {
        !matches!(
            self,
            Action::Resize(..)
                | Action::Loaded(_)
                | Action::Saved(_)
                | Action::NotSaved(_)
                | Action::Failed(_)
                | Action::Notice(_)
                | Action::BulkReady(..)
                | Action::Systems(_)
                | Action::Detail(_)
                | Action::AccountsLoaded(_)
                | Action::Linked { .. }
                | Action::NotLinked { .. }
                | Action::SignedOff(_)
                | Action::ReviewerResolved(_)
                | Action::Warnings(_)
                | Action::Changed
                | Action::Refreshed(_)
                | Action::Measured(_)
        )
    }
}

/// A reviewer name of the reassignment prompt, as the shell resolved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub target: Selection,
    /// What was typed, to give back when it is refused.
    pub typed: String,
    /// The name recorded and how it reads (`Mia Manager (M1)`), or why not.
    pub reviewer: Result<(String, String), String>,
}

/// A page the shell loaded for a `Fetch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub page: Page,
    pub cursor: Cursor,
}

/// Where the cursor goes in a freshly loaded window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// This index from the top (clamped).
    Index(usize),
    /// This many rows above the bottom.
    FromEnd(usize),
    /// On this item if loaded, else the same index as before.
    Item(i64),
}

/// A decision the shell has committed to the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// What was done, e.g. `certified 3 items`.
    pub summary: String,
    pub action: DecisionAction,
    /// Local time of the commit, for the status bar.
    pub at: String,
    /// The counts after the decision.
    pub controls: Vec<ControlCounts>,
    /// The current window, re-read from the workspace.
    pub page: Page,
    /// Whether to go on to the next undecided item.
    pub advance: bool,
    /// Whether the decision applied to the marks (which are then cleared).
    pub bulk: bool,
}

/// What the workspace did not save, to offer again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry {
    Decision {
        pending: Pending,
        justification: Option<String>,
    },
    SignOff {
        statement: String,
    },
}

/// A write the workspace refused or could not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSaved {
    pub retry: Retry,
    pub message: String,
    /// Another process held the write lock: trying again later can work.
    pub busy: bool,
}

/// The workspace as another process left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refreshed {
    pub controls: Vec<ControlCounts>,
    pub signed_off: bool,
    /// The current window re-read (on the control screen).
    pub page: Option<Page>,
    /// Revocations by remediation state, for a signed-off campaign.
    pub remediation: Option<crate::remediation::Counts>,
}

/// What `update` asks the shell to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Load a window of the current query.
    Fetch {
        anchor: Anchor,
        cursor: Cursor,
    },
    /// Load the window starting at the first undecided item after `after`,
    /// wrapping to the top once.
    NextUndecided {
        after: Option<Key>,
    },
    /// Count and inspect a bulk target before asking to confirm.
    Prepare(Pending),
    /// Commit a decision.
    Record {
        pending: Pending,
        justification: Option<String>,
    },
    LoadSystems,
    SignOff {
        statement: String,
    },
    /// Resolve the reviewer name typed for a reassignment.
    ResolveReviewer {
        target: Selection,
        name: String,
    },
    /// Commit a reassignment to `to` (a resolved reviewer's name).
    Reassign {
        target: Selection,
        to: String,
        label: String,
        reason: String,
    },
    /// Read the independence warnings (entering the sign-off screen).
    LoadWarnings,
    /// Read an item's decision history and the names of its people.
    LoadDetail(i64),
    /// Re-read counts, campaign state and the window after another process wrote.
    Refresh,
    /// Read the accounts of the current view for the accounts screen.
    LoadAccounts,
    /// Record a manual link (or unlink) with its reason, then re-read the accounts.
    Link {
        target: LinkTarget,
        reason: String,
    },
}

impl Effect {
    /// What to show while this effect runs, for the ones that can take
    /// long enough to be noticed: a sorted, searched or filtered view needs
    /// the control's index, and right after a control of a million items
    /// opens, its build may still be running (about a second), so the key
    /// is acknowledged on screen at once.
    pub fn working_message(&self, query: &Query) -> Option<&'static str> {
        let plain =
            query.sort == Sort::Item && query.search.trim().is_empty() && query.filter.is_empty();
        match self {
            Effect::Prepare(_) => Some("counting the marked items…"),
            Effect::Record { .. } => Some("saving…"),
            Effect::SignOff { .. } => Some("signing off…"),
            Effect::Reassign { .. } => Some("reassigning…"),
            Effect::ResolveReviewer { .. } => Some("looking up the reviewer…"),
            Effect::LoadWarnings => Some("checking the independence of the review…"),
            Effect::Fetch {
                anchor: Anchor::First | Anchor::Last,
                ..
            } if !plain => Some("reading items…"),
            Effect::NextUndecided { .. } => Some("looking for the next undecided item…"),
            Effect::LoadSystems => Some("listing the systems…"),
            Effect::LoadAccounts => Some("reading the accounts…"),
            Effect::Link { .. } => Some("linking…"),
            Effect::Fetch { .. } | Effect::LoadDetail(_) | Effect::Refresh => None,
        }
    }

    /// Whether the working message only covers the wait, giving the status
    /// bar back afterwards (reads), rather than standing until a result
    /// replaces it (writes).
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            Effect::Fetch { .. }
                | Effect::NextUndecided { .. }
                | Effect::LoadSystems
                | Effect::LoadDetail(_)
                | Effect::Refresh
                | Effect::LoadAccounts
                | Effect::ResolveReviewer { .. }
                | Effect::LoadWarnings
        )
    }
}
