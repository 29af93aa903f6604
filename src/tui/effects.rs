//! Carrying out the reducer's effects against the workspace: paging, the
//! selected item's detail, noticing other processes' writes, and (in
//! `write`) bulk summaries, decisions and sign-off. Every failure becomes a
//! status-bar message.

mod links;
mod write;

use std::cell::RefCell;
use std::time::Duration;

use chrono::Local;
use rusqlite::Connection;

use super::action::{Action, Cursor, Effect, Loaded, Refreshed};
use super::app::{App, Detail, Screen, WINDOW};
use super::data::indexed::{self, Selected};
use super::data::{self, Page, Scope};
use super::index::cache::{Indexes, needs_index};
use super::query::{Anchor, Key};
use super::theme::Theme;
use crate::actor::Actor;
use crate::campaign::review_rules::ReviewRules;
use crate::campaign::{Campaign, history, reviewer_keys};

/// How long a write waits for another process's write lock before the TUI
/// gives the screen back (with the text kept for a retry), instead of
/// freezing for the workspace's whole busy timeout.
pub const BUSY_WAIT: Duration = Duration::from_millis(500);

/// The workspace side of the TUI.
pub struct Shell<'a> {
    conn: &'a mut Connection,
    campaign: Campaign,
    actor: Actor,
    scope: Scope,
    /// Which controls need a second reviewer (their counts move only then).
    review: ReviewRules,
    /// SQLite's data version when last looked at: it moves when another
    /// connection commits, and only then.
    data_version: Option<i64>,
    /// In-memory indexes of the controls opened, for search, sort and filters.
    pub(super) indexes: RefCell<Indexes>,
}

impl<'a> Shell<'a> {
    pub fn new(conn: &'a mut Connection, campaign: Campaign, actor: &Actor) -> Shell<'a> {
        // "Mine" is every assigned_reviewer value that names this reviewer.
        let keys = reviewer_keys(conn, &campaign, &actor.reviewer)
            .unwrap_or_else(|_| vec![actor.reviewer.clone()]);
        let own = crate::reviewers::own_keys(conn, campaign.id, &actor.reviewer)
            .unwrap_or_else(|_| vec![crate::reviewers::name::fold(&actor.reviewer)]);
        let scope = Scope::new(campaign.id, &keys, &own);
        let review = ReviewRules::of_campaign(conn, &campaign).unwrap_or_default();
        // Failing to set it only means waiting the longer default.
        let _ = conn.busy_timeout(BUSY_WAIT);
        let indexes = RefCell::new(Indexes::new(conn, campaign.id));
        Shell {
            indexes,
            conn,
            campaign,
            actor: actor.clone(),
            scope,
            review,
            data_version: None,
        }
    }

    /// The initial state: the campaign overview with its counts.
    pub fn app(&mut self, theme: Theme) -> color_eyre::Result<App> {
        let mut app = self.first_app(theme)?;
        self.finish_app(&mut app)?;
        Ok(app)
    }

    /// What the rest of the initial state adds once the first frame is on
    /// screen: a signed-off campaign's remediation counts, one query over
    /// every revocation (about 0.2 s for 100,000 of them).
    pub fn finish_app(&mut self, app: &mut App) -> color_eyre::Result<()> {
        app.remediation = self.remediation(&self.campaign)?;
        Ok(())
    }

    /// The initial state without [`Shell::finish_app`]'s part, for the
    /// first frame.
    pub fn first_app(&mut self, theme: Theme) -> color_eyre::Result<App> {
        let controls = data::control_counts(self.conn, &self.campaign, &self.actor.reviewer)?;
        self.changed();
        let mut app = App::new(
            self.campaign.clone(),
            &self.actor.reviewer,
            Local::now().date_naive(),
            controls,
            theme,
        );
        app.own_keys = self.scope.own_keys().to_vec();
        app.max_until_days = crate::campaign::timebox::max_days(self.conn, &self.campaign)?;
        app.packet = crate::packet::info::read(self.conn)?.map(|info| super::app::PacketBadge {
            id: info.id,
            sealed: info.is_sealed(),
        });
        Ok(app)
    }

    /// A signed-off campaign's revocations by state, as the last import left them.
    fn remediation(
        &self,
        campaign: &Campaign,
    ) -> rusqlite::Result<Option<crate::remediation::Counts>> {
        crate::remediation::counts(self.conn, campaign, Local::now().date_naive())
    }

    /// Whether another process committed to the workspace since the last
    /// look (`PRAGMA data_version`: one cheap read, no table touched).
    pub fn changed(&mut self) -> bool {
        let Ok(version) = self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get::<_, i64>(0))
        else {
            return false;
        };
        let changed = self.data_version.is_some_and(|seen| seen != version);
        self.data_version = Some(version);
        changed
    }

    pub fn apply(&mut self, app: &App, effect: Effect) -> Action {
        let result = match effect {
            Effect::Fetch { anchor, cursor } => self.fetch(app, &anchor, cursor),
            Effect::NextUndecided { after } => self.next_undecided(app, after.as_ref()),
            Effect::Prepare(pending) => self.prepare(pending),
            Effect::Record {
                pending,
                justification,
            } => return self.record(app, pending, justification),
            Effect::LoadSystems => self
                .indexes
                .borrow_mut()
                .get(self.conn, &app.review.query.control)
                .map(|index| Action::Systems(index.system_names())),
            Effect::SignOff { statement } => return self.sign_off(statement),
            Effect::LoadDetail(item) => Ok(self.detail(item)),
            Effect::Refresh => self.refresh(app),
            Effect::LoadAccounts => links::load(self.conn).map(Action::AccountsLoaded),
            Effect::Link { target, reason } => return self.link(target, reason),
            Effect::ResolveReviewer { target, name } => Ok(self.resolve_reviewer(target, name)),
            Effect::Reassign {
                target,
                to,
                label,
                reason,
            } => return self.reassign(app, &target, (&to, &label), &reason),
            Effect::LoadWarnings => {
                // The signer: who signed off, else who would sign off now.
                let signer = crate::evidence::signoff::load_sign_off(self.conn, self.campaign.id)
                    .ok()
                    .flatten()
                    .map_or_else(|| self.actor.reviewer.clone(), |s| s.reviewer);
                crate::campaign::independence::warnings(self.conn, &self.campaign, Some(&signer))
                    .map(|found| Action::Warnings(found.iter().map(ToString::to_string).collect()))
                    .map_err(|err| format!("reading the independence warnings: {err:#}"))
            }
        };
        result.unwrap_or_else(Action::Failed)
    }

    fn page(&self, app: &App, anchor: &Anchor) -> Result<Page, String> {
        let query = &app.review.query;
        // Whatever the reviewer does next in this control, its index will be ready.
        self.indexes.borrow_mut().prepare(&query.control);
        if needs_index(query) {
            return self.with_selection(query, |selected| {
                indexed::page(self.conn, selected, anchor, WINDOW)
            });
        }
        data::page(self.conn, &self.scope, query, anchor, WINDOW)
            .map_err(|err| format!("reading items: {err}"))
    }

    /// Runs `read` over the rows the control's index selects for `query`.
    pub(super) fn with_selection<T>(
        &self,
        query: &crate::tui::query::Query,
        read: impl FnOnce(&Selected<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, String> {
        let (index, positions) = self
            .indexes
            .borrow_mut()
            .select(self.conn, query, self.scope.mine_keys())
            .map_err(|err| format!("indexing the control: {err}"))?;
        read(&Selected::new(&index, &positions, query))
            .map_err(|err| format!("reading items: {err}"))
    }

    /// The window the table shows now, read again from where it starts.
    fn same_page(&self, app: &App) -> Result<Page, String> {
        let anchor = match app.review.rows.first() {
            Some(_) if app.review.at_start => Anchor::First,
            Some(first) => Anchor::From(Key::of(first, app.review.query.sort)),
            None => Anchor::First,
        };
        self.page(app, &anchor)
    }

    fn fetch(&self, app: &App, anchor: &Anchor, cursor: Cursor) -> Result<Action, String> {
        let page = self.page(app, anchor)?;
        Ok(Action::Loaded(Loaded { page, cursor }))
    }

    fn next_undecided(&self, app: &App, after: Option<&Key>) -> Result<Action, String> {
        let query = &app.review.query;
        let find = |after: Option<&Key>| {
            if needs_index(query) {
                return self.with_selection(query, |selected| {
                    indexed::next_undecided(self.conn, selected, after)
                });
            }
            data::next_undecided(self.conn, &self.scope, query, after)
                .map_err(|err| format!("looking for undecided items: {err}"))
        };
        // Look after the cursor, then once more from the top.
        let found = match find(after)? {
            Some(key) => Some(key),
            None if after.is_some() => find(None)?,
            None => None,
        };
        let Some(key) = found else {
            return Ok(Action::Notice(
                "every item in this view is decided".to_owned(),
            ));
        };
        let page = self.page(app, &Anchor::From(key))?;
        Ok(Action::Loaded(Loaded {
            page,
            cursor: Cursor::Index(0),
        }))
    }

    /// The reviewer typed for a reassignment, resolved in the campaign.
    fn resolve_reviewer(&self, target: super::app::Selection, name: String) -> Action {
        let reviewer = crate::reviewers::resolve(self.conn, Some(&self.campaign), &name)
            .map(|known| {
                let label = known.label();
                (known.name, label)
            })
            .map_err(|err| err.to_string());
        Action::ReviewerResolved(super::action::Resolved {
            target,
            typed: name,
            reviewer,
        })
    }

    fn detail(&self, item: i64) -> Action {
        let read = || -> rusqlite::Result<Detail> {
            let history = history(self.conn, item)?;
            let mut people = data::people(self.conn, self.campaign.id, item)?;
            let prior = crate::import::prior::for_item(self.conn, item)?;
            let conflicts = crate::campaign::conflicts::for_item(self.conn, item)?;
            // Earlier reviews name their reviewer by UPN: show the name.
            let reviewers: Vec<&str> = prior.iter().filter_map(|p| p.reviewer.as_deref()).collect();
            for (key, name) in data::names_by_key(self.conn, self.campaign.id, &reviewers)? {
                if !people.iter().any(|(known, _)| *known == key) {
                    people.push((key, name));
                }
            }
            Ok(Detail {
                item,
                history,
                people,
                prior,
                conflicts,
                error: None,
            })
        };
        Action::Detail(read().unwrap_or_else(|err| Detail {
            item,
            error: Some(format!("reading the history of item {item}: {err}")),
            ..Detail::default()
        }))
    }

    /// Counts, sign-off and the window as another process left them.
    fn refresh(&self, app: &App) -> Result<Action, String> {
        // Another process wrote: it may have reassigned or linked items.
        self.indexes.borrow_mut().forget();
        let controls = data::control_counts(self.conn, &self.campaign, &self.actor.reviewer)
            .map_err(|err| format!("reading the progress: {err}"))?;
        let signed_off = data::is_signed_off(self.conn, self.campaign.id)
            .map_err(|err| format!("reading the campaign: {err}"))?;
        let mut campaign = self.campaign.clone();
        if signed_off {
            campaign.state = crate::campaign::CampaignState::SignedOff;
        }
        let remediation = self
            .remediation(&campaign)
            .map_err(|err| format!("reading the remediation: {err}"))?;
        let page = match app.screen {
            Screen::Control => Some(self.same_page(app)?),
            Screen::Overview | Screen::SignOff | Screen::Accounts => None,
        };
        Ok(Action::Refreshed(Refreshed {
            controls,
            signed_off,
            page,
            remediation,
        }))
    }
}
