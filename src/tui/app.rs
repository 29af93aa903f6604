//! The review TUI's state: everything the views read and `update` changes.

use chrono::NaiveDate;

use super::counts::ControlCounts;
use super::editor::Editor;
use super::query::{Key, Query};
use super::theme::Theme;
use crate::campaign::{Campaign, DecisionEvent, ItemRecord};
use crate::model::{Decision, SignalSet};

/// Rows loaded around the cursor; paging keeps at most this many in memory.
pub const WINDOW: usize = 200;
/// Rows kept from the old window when the cursor walks off its edge.
pub const OVERLAP: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Control,
    SignOff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Table,
    Detail,
}

/// The whole TUI state.
#[derive(Debug)]
pub struct App {
    pub campaign: Campaign,
    pub reviewer: String,
    /// The day the review is open, for "days left"; given by the shell.
    pub today: NaiveDate,
    pub theme: Theme,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub screen: Screen,
    pub controls: Vec<ControlCounts>,
    /// Selected control on the overview.
    pub overview_cursor: usize,
    pub review: Review,
    pub overlay: Option<Overlay>,
    pub status: Status,
    pub quit: bool,
}

/// The open control's table and detail pane.
#[derive(Debug, Default)]
pub struct Review {
    pub query: Query,
    /// The loaded window of the query.
    pub rows: Vec<ItemRecord>,
    pub at_start: bool,
    pub at_end: bool,
    pub cursor: usize,
    /// First visible row of the window.
    pub top: usize,
    pub focus: Pane,
    pub detail_scroll: u16,
    pub marks: Marks,
    /// The item a range mark starts from.
    pub anchor: Option<i64>,
    /// The decision history of the selected item, once loaded.
    pub history: Option<(i64, Vec<DecisionEvent>)>,
    /// The control's systems, for the filter menu (loaded on demand).
    pub systems: Option<Vec<String>>,
    /// A step through the systems asked for before they were loaded (true = forward).
    pub pending_system_step: Option<bool>,
}

impl Review {
    pub fn selected(&self) -> Option<&ItemRecord> {
        self.rows.get(self.cursor)
    }

    pub fn selected_key(&self) -> Option<Key> {
        self.selected().map(|item| Key::of(item, self.query.sort))
    }

    pub fn is_marked(&self, item: i64) -> bool {
        match &self.marks {
            Marks::Items(ids) => ids.contains(&item),
            Marks::Matching(query) => *query == self.query,
        }
    }
}

/// Which items a bulk decision applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marks {
    /// Marked one by one or as a range, in marking order.
    Items(Vec<i64>),
    /// Every item the query matches, however many.
    Matching(Query),
}

impl Default for Marks {
    fn default() -> Self {
        Marks::Items(Vec::new())
    }
}

impl Marks {
    pub fn is_empty(&self) -> bool {
        matches!(self, Marks::Items(ids) if ids.is_empty())
    }

    /// A short description for the status bar.
    pub fn describe(&self) -> String {
        match self {
            Marks::Items(ids) => format!("{} marked", ids.len()),
            Marks::Matching(_) => "all matching marked".to_owned(),
        }
    }
}

/// What a decision key does: a decision, or follow the recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Certify,
    Revoke,
    Accept,
    Undo,
}

impl Verdict {
    pub fn verb(self) -> &'static str {
        match self {
            Verdict::Certify => "certify",
            Verdict::Revoke => "revoke",
            Verdict::Accept => "accept the recommendation for",
            Verdict::Undo => "undo the decision of",
        }
    }
}

/// The items a decision applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Items(Vec<i64>),
    Matching(Query),
}

/// A decision waiting for confirmation or a justification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub target: Target,
    pub verdict: Verdict,
}

/// What the shell found out about a bulk target before asking to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BulkSummary {
    pub items: u64,
    pub undecided: u64,
    /// Items per signal, in `Signal::ALL` order.
    pub signals: [u64; crate::model::Signal::COUNT],
    /// Whether the rules need a justification for this decision on these items.
    pub needs_justification: bool,
    /// Whether any item to be certified carries a risk signal.
    pub certifies_risk: bool,
    /// Marked items that are the reviewer's own access (the rules refuse them).
    pub own: u64,
}

/// A modal layer over the screen; it takes the keys while open.
#[derive(Debug)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    /// `why` says which rule asks for the justification.
    Justify {
        pending: Pending,
        editor: Editor,
        why: String,
    },
    Search {
        editor: Editor,
        before: String,
    },
    Confirm {
        pending: Pending,
        summary: BulkSummary,
    },
    Filter {
        cursor: usize,
    },
    Statement {
        editor: Editor,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
}

/// The status bar's message and the time of the last save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub message: String,
    pub tone: Tone,
    pub last_save: Option<String>,
}

impl App {
    pub fn new(
        campaign: Campaign,
        reviewer: &str,
        today: NaiveDate,
        controls: Vec<ControlCounts>,
        theme: Theme,
    ) -> App {
        App {
            campaign,
            reviewer: reviewer.to_owned(),
            today,
            theme,
            size: (80, 24),
            screen: Screen::Overview,
            controls,
            overview_cursor: 0,
            review: Review::default(),
            overlay: None,
            status: Status {
                message: "Enter opens a control; ? lists every key".to_owned(),
                tone: Tone::Info,
                last_save: None,
            },
            quit: false,
        }
    }

    pub fn info(&mut self, message: impl Into<String>) {
        self.status.message = message.into();
        self.status.tone = Tone::Info;
    }

    pub fn error(&mut self, message: impl Into<String>) {
        self.status.message = message.into();
        self.status.tone = Tone::Error;
    }

    pub fn control(&self) -> Option<&ControlCounts> {
        self.controls
            .iter()
            .find(|c| c.control == self.review.query.control)
    }

    pub fn is_signed_off(&self) -> bool {
        self.campaign.state == crate::campaign::CampaignState::SignedOff
    }

    /// Whether the rules need a justification to give `decision` on an item with `signals`.
    pub fn needs_justification(&self, decision: Decision, signals: SignalSet) -> bool {
        match decision {
            Decision::Revoke => true,
            Decision::Certify => signals.intersects(self.campaign.justify),
        }
    }
}
