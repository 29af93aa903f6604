//! The review TUI's state: everything the views read and `update` changes.

use chrono::NaiveDate;

use super::accounts::{Accounts, LinkTarget};
use super::counts::ControlCounts;
use super::editor::Editor;
use super::pair_walk::PairWalk;
use super::query::{Key, Query};
use super::theme::Theme;
use crate::campaign::policy::Verdict;
use crate::campaign::{Campaign, DecisionEvent, ItemRecord};
use crate::import::prior::LastReview;
use crate::model::Signal;

/// Rows loaded around the cursor; paging keeps at most this many in memory.
pub const WINDOW: usize = 200;
/// Rows kept from the old window when the cursor walks off its edge.
pub const OVERLAP: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Control,
    SignOff,
    /// Accounts no person matches (or more than one), to link by hand.
    Accounts,
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
    /// The keys the reviewer holds access under (`reviewers::own_keys`):
    /// their own access is refused before a prompt opens.
    pub own_keys: Vec<String>,
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
    pub accounts: Accounts,
    pub overlay: Option<Overlay>,
    pub status: Status,
    pub limits: Limits,
    /// The independence warnings, read when the sign-off screen opens.
    pub warnings: Option<Vec<String>>,
    pub quit: bool,
    /// A signed-off campaign's revocations by remediation state (§7).
    pub remediation: Option<crate::remediation::Counts>,
    /// The most days a time-boxed certification may run (the campaign's
    /// `[exceptions] max_days`), for checking an end date as it is typed.
    pub max_until_days: i64,
    /// When the review is of a review packet (PRODUCT.md §9): its number,
    /// and whether it is sealed (it then takes no more decisions).
    pub packet: Option<PacketBadge>,
    /// Where `p` goes among an item's toxic combinations.
    pub pair_walk: PairWalk,
}

/// What the overview says of a review packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketBadge {
    pub id: i64,
    pub sealed: bool,
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
    pub marks: Selection,
    /// The item a range mark starts from.
    pub anchor: Option<i64>,
    /// The selected item's history and people, once loaded.
    pub detail: Option<Detail>,
    /// The control's systems, for the filter menu (loaded on demand).
    pub systems: Option<Vec<String>>,
    /// A step through the systems asked for before they were loaded (true = forward).
    pub pending_system_step: Option<bool>,
}

impl Review {
    pub fn selected(&self) -> Option<&ItemRecord> {
        self.rows.get(self.cursor)
    }

    pub fn selected_id(&self) -> Option<i64> {
        self.selected().map(|item| item.item_id)
    }

    /// The selected item's detail, when it is loaded for that item.
    pub fn detail(&self) -> Option<&Detail> {
        let id = self.selected_id()?;
        self.detail.as_ref().filter(|d| d.item == id)
    }

    pub fn selected_key(&self) -> Option<Key> {
        self.selected().map(|item| Key::of(item, self.query.sort))
    }

    pub fn is_marked(&self, item: i64) -> bool {
        match &self.marks {
            Selection::Items(ids) => ids.contains(&item),
            Selection::Matching(query) => *query == self.query,
        }
    }
}

/// A set of items: the marks of a bulk decision, and what a decision applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Chosen one by one or as a range, in marking order.
    Items(Vec<i64>),
    /// Every item the query matches, however many.
    Matching(Query),
}

impl Default for Selection {
    fn default() -> Self {
        Selection::Items(Vec::new())
    }
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        matches!(self, Selection::Items(ids) if ids.is_empty())
    }

    /// A short description for the status bar.
    pub fn describe(&self) -> String {
        match self {
            Selection::Items(ids) => format!("{} marked", ids.len()),
            Selection::Matching(_) => "all matching marked".to_owned(),
        }
    }
}

/// A decision waiting for confirmation or a justification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub target: Selection,
    pub verdict: Verdict,
    /// Whether items that are already decided get the new decision too
    /// (a bulk decision skips them unless the reviewer includes them).
    pub include_decided: bool,
    /// The end of a time-boxed certification (access kept through that day).
    pub until: Option<NaiveDate>,
}

impl Pending {
    /// A decision on one item, the one the reviewer pointed at.
    pub fn item(id: i64, verdict: Verdict) -> Pending {
        Pending {
            target: Selection::Items(vec![id]),
            verdict,
            include_decided: true,
            until: None,
        }
    }
}

/// What deciding a set of items involves.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Impact {
    /// Items that would get a new decision.
    pub items: u64,
    /// How many of them carry each signal, in `Signal::ALL` order (signals
    /// no item carries are left out).
    pub signals: Vec<(Signal, u64)>,
    /// Whether the rules need a justification for this decision on these items.
    pub needs_justification: bool,
    /// Whether any item to be certified carries a risk signal.
    pub certifies_risk: bool,
}

/// One item decided against its recommendation, described for the confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Against {
    pub item: i64,
    /// Who holds what, e.g. `Wang Fang (E2) · crm · finance-reports`.
    pub what: String,
    /// Why the recommendation is what it is.
    pub reason: String,
    /// The rule asking for a justification, if one does.
    pub rule: Option<String>,
}

/// What the shell found out about a bulk target before asking to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BulkSummary {
    /// Items in the selection.
    pub items: u64,
    /// Of them, already decided.
    pub decided: u64,
    /// Marked items that are the reviewer's own access (the rules refuse them).
    pub own: u64,
    /// Deciding the items still undecided (for an undo: the decided ones).
    pub open: Impact,
    /// Deciding every item, the decided ones included.
    pub all: Impact,
    /// Set when one item is certified against a revoke recommendation.
    pub against: Option<Against>,
}

impl BulkSummary {
    /// What confirming `pending` would do.
    pub fn impact(&self, pending: &Pending) -> &Impact {
        if pending.include_decided {
            &self.all
        } else {
            &self.open
        }
    }
}

/// The selected item's decision history, the names of the people its
/// detail mentions (manager, owner, reviewer, system owner) and the
/// earlier reviews of its person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Detail {
    pub item: i64,
    pub history: Vec<DecisionEvent>,
    /// Identity id and display name.
    pub people: Vec<(String, String)>,
    /// Earlier reviews (Entra access-review history) of the person or
    /// account under any key, those of the item's own resource first.
    pub prior: Vec<LastReview>,
    /// The toxic combinations the item is one half of (PRODUCT.md §11).
    pub conflicts: Vec<crate::campaign::conflicts::Conflict>,
    /// Why the detail could not be read, if it could not.
    pub error: Option<String>,
}

impl Detail {
    /// The display name of the identity with this id, if imported.
    pub fn name(&self, id: &str) -> Option<&str> {
        self.people
            .iter()
            .find(|(key, _)| key == id)
            .map(|(_, name)| name.as_str())
    }
}

/// How far the detail pane and the help can scroll, as the view measured
/// them for the current item and terminal size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    pub detail: u16,
    pub help: u16,
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
    /// Why an account is (or is not) this person, before the link is recorded.
    LinkReason {
        target: LinkTarget,
        editor: Editor,
    },
    /// Finding an account by name on the accounts screen.
    FindAccount {
        editor: Editor,
    },
    /// Reassigning `target`: first who to (`to` is `None`), then why.
    Reassign {
        target: Selection,
        editor: Editor,
        /// The resolved reviewer's name and how it reads, once given.
        to: Option<(String, String)>,
    },
    /// The end date of a time-boxed certification; `back` is the
    /// justification prompt it was opened from (Tab), restored after it.
    Until {
        pending: Pending,
        editor: Editor,
        back: Option<(Editor, String)>,
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
    /// The message says what was just saved: a notice from the same
    /// decision (nothing left to decide) is added to it rather than
    /// replacing it. Any key ends this.
    pub after_save: bool,
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
            own_keys: vec![crate::reviewers::name::fold(reviewer)],
            today,
            theme,
            size: (80, 24),
            screen: Screen::Overview,
            controls,
            overview_cursor: 0,
            review: Review::default(),
            accounts: Accounts::default(),
            overlay: None,
            status: Status {
                message: "Enter opens a control; ? lists every key".to_owned(),
                tone: Tone::Info,
                last_save: None,
                after_save: false,
            },
            limits: Limits::default(),
            warnings: None,
            quit: false,
            remediation: None,
            max_until_days: crate::campaign::cycle_rules::CycleRules::default().max_exception_days,
            packet: None,
            pair_walk: PairWalk::default(),
        }
    }

    pub fn info(&mut self, message: impl Into<String>) {
        self.status.message = message.into();
        self.status.tone = Tone::Info;
        self.status.after_save = false;
    }

    pub fn error(&mut self, message: impl Into<String>) {
        self.status.message = message.into();
        self.status.tone = Tone::Error;
        self.status.after_save = false;
    }

    pub fn control(&self) -> Option<&ControlCounts> {
        self.controls
            .iter()
            .find(|c| c.control == self.review.query.control)
    }

    pub fn is_signed_off(&self) -> bool {
        self.campaign.state == crate::campaign::CampaignState::SignedOff
    }
}
