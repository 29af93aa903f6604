//! Carrying out the reducer's effects against the workspace: paging,
//! bulk summaries, recording decisions (committed before the screen shows
//! them) and sign-off. Every failure becomes a status-bar message.

use chrono::{Local, Utc};
use rusqlite::Connection;

use super::action::{Action, Cursor, Effect, Loaded, Saved};
use super::app::{App, BulkSummary, Pending, Target, Verdict, WINDOW};
use super::counts::{self, ControlCounts};
use super::data::{self, ItemState, Page, Scope};
use super::query::{Anchor, Key};
use super::theme::Theme;
use crate::actor::Actor;
use crate::campaign::{Campaign, DecisionRequest, history, record_decision_groups, reviewer_keys};
use crate::evidence::signoff::sign_off;
use crate::model::{Decision, DecisionAction, Signal, SignalSet};

/// The workspace side of the TUI.
pub struct Shell<'a> {
    conn: &'a mut Connection,
    campaign: Campaign,
    actor: Actor,
    scope: Scope,
}

impl<'a> Shell<'a> {
    pub fn new(conn: &'a mut Connection, campaign: Campaign, actor: &Actor) -> Shell<'a> {
        // "Mine" is every assigned_reviewer value that names this reviewer.
        let keys = reviewer_keys(conn, &campaign, &actor.reviewer)
            .unwrap_or_else(|_| vec![actor.reviewer.clone()]);
        let scope = Scope::new(campaign.id, &keys);
        Shell {
            conn,
            campaign,
            actor: actor.clone(),
            scope,
        }
    }

    /// The initial state: the campaign overview with its counts.
    pub fn app(&self, theme: Theme) -> color_eyre::Result<App> {
        let controls = data::control_counts(self.conn, &self.campaign, &self.actor.reviewer)?;
        Ok(App::new(
            self.campaign.clone(),
            &self.actor.reviewer,
            Local::now().date_naive(),
            controls,
            theme,
        ))
    }

    /// Loads the decision history of the selected item when it changed.
    pub fn sync_history(&mut self, app: &mut App) {
        let Some(id) = app.review.selected().map(|item| item.item_id) else {
            return;
        };
        if app.review.history.as_ref().is_some_and(|(h, _)| *h == id) {
            return;
        }
        let action = match history(self.conn, id) {
            Ok(events) => Action::History(id, events),
            Err(err) => Action::Failed(format!("reading the history of item {id}: {err}")),
        };
        super::update::update(app, action);
    }

    pub fn apply(&mut self, app: &App, effect: Effect) -> Action {
        let result = match effect {
            Effect::Fetch { anchor, cursor } => self.fetch(app, &anchor, cursor),
            Effect::NextUndecided { after } => self.next_undecided(app, after.as_ref()),
            Effect::Prepare(pending) => self.prepare(app, pending),
            Effect::Record {
                target,
                verdict,
                justification,
            } => self.record(app, &target, verdict, justification.as_deref()),
            Effect::LoadSystems => data::systems(self.conn, &self.scope, &app.review.query.control)
                .map(Action::Systems)
                .map_err(|err| err.to_string()),
            Effect::SignOff { statement } => self.sign_off(&statement),
        };
        result.unwrap_or_else(Action::Failed)
    }

    fn page(&self, app: &App, anchor: &Anchor) -> Result<Page, String> {
        data::page(self.conn, &self.scope, &app.review.query, anchor, WINDOW)
            .map_err(|err| format!("reading items: {err}"))
    }

    fn fetch(&self, app: &App, anchor: &Anchor, cursor: Cursor) -> Result<Action, String> {
        let page = self.page(app, anchor)?;
        Ok(Action::Loaded(Loaded { page, cursor }))
    }

    fn next_undecided(&self, app: &App, after: Option<&Key>) -> Result<Action, String> {
        let query = &app.review.query;
        let find = |after| {
            data::next_undecided(self.conn, &self.scope, query, after)
                .map_err(|err| format!("looking for undecided items: {err}"))
        };
        let (key, wrapped) = match find(after)? {
            Some(key) => (key, false),
            None if after.is_some() => match find(None)? {
                Some(key) => (key, true),
                None => {
                    return Ok(Action::Notice(
                        "every item in this view is decided".to_owned(),
                    ));
                }
            },
            None => {
                return Ok(Action::Notice(
                    "every item in this view is decided".to_owned(),
                ));
            }
        };
        let page = self.page(app, &Anchor::From(key))?;
        let _ = wrapped;
        Ok(Action::Loaded(Loaded {
            page,
            cursor: Cursor::Index(0),
        }))
    }

    fn ids(&self, target: &Target) -> Result<Vec<i64>, String> {
        match target {
            Target::Items(ids) => Ok(ids.clone()),
            Target::Matching(query) => data::matching_ids(self.conn, &self.scope, query)
                .map_err(|err| format!("listing the marked items: {err}")),
        }
    }

    fn states(&self, target: &Target) -> Result<Vec<ItemState>, String> {
        let ids = self.ids(target)?;
        data::item_states(self.conn, &self.scope, &ids)
            .map_err(|err| format!("reading the marked items: {err}"))
    }

    fn prepare(&self, _app: &App, pending: Pending) -> Result<Action, String> {
        let states = self.states(&pending.target)?;
        let mut summary = BulkSummary {
            items: states.len() as u64,
            ..BulkSummary::default()
        };
        let risk: SignalSet = Signal::ALL
            .iter()
            .copied()
            .filter(|s| s.is_risk())
            .collect();
        for state in &states {
            if state.before.decision.is_none() {
                summary.undecided += 1;
            }
            summary.own += u64::from(state.own);
            let signals = SignalSet::from_bits(state.signals);
            for signal in signals.iter() {
                summary.signals[signal as usize] += 1;
            }
            let decision = match pending.verdict {
                Verdict::Certify => Some(Decision::Certify),
                Verdict::Revoke => Some(Decision::Revoke),
                Verdict::Accept => Some(state.recommendation),
                Verdict::Undo => None,
            };
            match decision {
                Some(Decision::Revoke) => summary.needs_justification = true,
                Some(Decision::Certify) => {
                    summary.needs_justification |= signals.intersects(self.campaign.justify);
                    summary.certifies_risk |= signals.intersects(risk);
                }
                None => {}
            }
        }
        Ok(Action::BulkReady(pending, summary))
    }

    fn record(
        &mut self,
        app: &App,
        target: &Target,
        verdict: Verdict,
        justification: Option<&str>,
    ) -> Result<Action, String> {
        let states = self.states(target)?;
        let mut groups: Vec<(DecisionAction, Vec<&ItemState>)> = Vec::new();
        for state in &states {
            let action = match verdict {
                Verdict::Certify => DecisionAction::Certify,
                Verdict::Revoke => DecisionAction::Revoke,
                // Undoing an undecided item would only add noise to the log.
                Verdict::Undo if state.before.decision.is_none() => continue,
                Verdict::Undo => DecisionAction::Undo,
                Verdict::Accept => state.recommendation.into(),
            };
            match groups.iter_mut().find(|(a, _)| *a == action) {
                Some((_, items)) => items.push(state),
                None => groups.push((action, vec![state])),
            }
        }
        if groups.is_empty() {
            return Ok(Action::Notice(
                "none of the marked items is decided; nothing to undo".to_owned(),
            ));
        }
        let ids: Vec<Vec<i64>> = groups
            .iter()
            .map(|(_, items)| items.iter().map(|s| s.id).collect())
            .collect();
        let requests: Vec<DecisionRequest<'_>> = groups
            .iter()
            .zip(&ids)
            .map(|((action, _), ids)| DecisionRequest {
                items: ids,
                action: *action,
                justification,
                extras: crate::campaign::EventExtras::default(),
            })
            .collect();
        // One transaction for every group (an accept certifies some items
        // and revokes others); the clock is read at the moment of the commit.
        record_decision_groups(
            self.conn,
            &self.campaign,
            &requests,
            &self.actor,
            Utc::now(),
        )
        .map_err(|err| crate::locking::describe(&err))?;
        let mut controls: Vec<ControlCounts> = app.controls.clone();
        let mut done = Vec::new();
        for (action, items) in &groups {
            let before: Vec<counts::Before> = items.iter().map(|s| s.before.clone()).collect();
            counts::apply(&mut controls, &before, action.decision());
            done.push(describe(*action, items.len()));
        }
        let anchor = match app.review.rows.first() {
            Some(_) if app.review.at_start => Anchor::First,
            Some(first) => Anchor::From(Key::of(first, app.review.query.sort)),
            None => Anchor::First,
        };
        let page = self.page(app, &anchor)?;
        Ok(Action::Saved(Saved {
            summary: done.join(", "),
            action: groups.first().map_or(DecisionAction::Undo, |(a, _)| *a),
            at: Local::now().format("%H:%M:%S").to_string(),
            controls,
            page,
            advance: verdict != Verdict::Undo,
            bulk: !app.review.marks.is_empty(),
        }))
    }

    fn sign_off(&mut self, statement: &str) -> Result<Action, String> {
        let signed = sign_off(
            self.conn,
            &self.campaign,
            &self.actor,
            statement,
            Utc::now(),
        )
        .map_err(|err| err.to_string())?;
        self.campaign.state = crate::campaign::CampaignState::SignedOff;
        Ok(Action::SignedOff(format!(
            "Signed off by {} at {}: {} items, {} certified, {} revoked; the campaign is locked",
            signed.signer(),
            signed.signed_at,
            signed.items,
            signed.certified,
            signed.revoked
        )))
    }
}

fn describe(action: DecisionAction, n: usize) -> String {
    let verb = match action {
        DecisionAction::Certify => "certified",
        DecisionAction::Revoke => "revoked",
        DecisionAction::Undo => "undid",
        DecisionAction::Reassign => "reassigned",
    };
    format!("{verb} {n} item{}", if n == 1 { "" } else { "s" })
}
