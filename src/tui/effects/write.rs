//! The effects that write, and the bulk summary read before one: decisions
//! are committed before the screen shows them; a write another process
//! blocks comes back as `NotSaved`, with what was typed, to try again.

use chrono::{Local, Utc};

use super::Shell;
use crate::campaign::policy;
use crate::campaign::{DecisionRequest, Reassignment, record_decision_groups, record_reassignment};
use crate::evidence::signoff::sign_off;
use crate::locking::is_busy;
use crate::model::{Decision, DecisionAction, DecisionBasis, Signal, SignalSet};
use crate::tui::action::{Action, NotSaved, Retry, Saved};
use crate::tui::app::{App, BulkSummary, Impact, Pending, Selection};
use crate::tui::counts::{self, ControlCounts};
use crate::tui::data::{self, ItemState};

/// What the status bar says when another process holds the write lock.
const BUSY: &str =
    "the workspace is busy: another recert process is writing to it, so nothing was saved yet";

impl Shell<'_> {
    fn ids(&self, target: &Selection) -> Result<Vec<i64>, String> {
        match target {
            Selection::Items(ids) => Ok(ids.clone()),
            Selection::Matching(query) if crate::tui::index::cache::needs_index(query) => self
                .with_selection(query, |selected| {
                    crate::tui::data::indexed::matching_ids(self.conn, selected)
                }),
            Selection::Matching(query) => data::matching_ids(self.conn, &self.scope, query)
                .map_err(|err| format!("listing the marked items: {err}")),
        }
    }

    fn states(&self, target: &Selection) -> Result<Vec<ItemState>, String> {
        let ids = self.ids(target)?;
        data::item_states(self.conn, &self.scope, &ids)
            .map_err(|err| format!("reading the marked items: {err}"))
    }

    /// Counts a bulk target and what deciding it involves, with and
    /// without the items already decided.
    pub(super) fn prepare(&self, pending: Pending) -> Result<Action, String> {
        let states = self.states(&pending.target)?;
        let mut summary = BulkSummary {
            items: states.len() as u64,
            ..BulkSummary::default()
        };
        for state in &states {
            let decided = state.before.decision.is_some();
            summary.decided += u64::from(decided);
            summary.own += u64::from(state.own);
            let undo = pending.verdict == policy::Verdict::Undo;
            if undo && !decided {
                continue;
            }
            self.count(&pending, state, &mut summary.all);
            if undo || !decided {
                self.count(&pending, state, &mut summary.open);
            }
        }
        Ok(Action::BulkReady(pending, summary))
    }

    fn count(&self, pending: &Pending, state: &ItemState, impact: &mut Impact) {
        impact.items += 1;
        let signals = SignalSet::from_bits(state.signals);
        for signal in signals.iter() {
            match impact.signals.iter_mut().find(|(s, _)| *s == signal) {
                Some((_, n)) => *n += 1,
                None => impact.signals.push((signal, 1)),
            }
        }
        impact
            .signals
            .sort_by_key(|(s, _)| Signal::ALL.iter().position(|a| a == s));
        if let Some(decision) = pending.verdict.decision(state.recommendation) {
            let rule = policy::justification_rule(decision, signals, self.campaign.justify);
            impact.needs_justification |= rule.is_some();
            if decision == Decision::Certify {
                impact.certifies_risk |= signals.iter().any(Signal::is_risk);
            }
        }
    }

    /// Commits a decision on its items, skipping the decided ones unless
    /// asked to include them, in one transaction.
    pub(super) fn record(
        &mut self,
        app: &App,
        pending: Pending,
        justification: Option<String>,
    ) -> Action {
        match self.try_record(app, &pending, justification.as_deref()) {
            Ok(action) => action,
            Err((message, busy)) => Action::NotSaved(NotSaved {
                retry: Retry::Decision {
                    pending,
                    justification,
                },
                message,
                busy,
            }),
        }
    }

    fn try_record(
        &mut self,
        app: &App,
        pending: &Pending,
        justification: Option<&str>,
    ) -> Result<Action, (String, bool)> {
        let states = self.states(&pending.target).map_err(|m| (m, false))?;
        let groups = decision_groups(pending, &states);
        if groups.is_empty() {
            let message = if pending.verdict == policy::Verdict::Undo {
                "none of the marked items is decided; nothing to undo"
            } else {
                "every marked item is already decided; nothing was changed"
            };
            return Ok(Action::Notice(message.to_owned()));
        }
        let ids: Vec<Vec<i64>> = groups
            .iter()
            .map(|(_, _, items)| items.iter().map(|s| s.id).collect())
            .collect();
        let until = pending.until.map(|d| d.format("%Y-%m-%d").to_string());
        let requests: Vec<DecisionRequest<'_>> = groups
            .iter()
            .zip(&ids)
            .map(|((action, basis, _), ids)| DecisionRequest {
                items: ids,
                action: *action,
                justification,
                extras: crate::campaign::EventExtras {
                    basis: *basis,
                    valid_until: until.clone(),
                    ..crate::campaign::EventExtras::default()
                },
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
        .map_err(|err| {
            if is_busy(&err) {
                (BUSY.to_owned(), true)
            } else {
                (crate::locking::describe(&err), false)
            }
        })?;
        // Our own commit moved the data version: do not take it for another process's.
        self.changed();
        let mut controls: Vec<ControlCounts> = app.controls.clone();
        let mut done = Vec::new();
        for (action, _, items) in &groups {
            let before: Vec<counts::Before> = items.iter().map(|s| s.before.clone()).collect();
            counts::apply(&mut controls, &before, action.decision());
            done.push(describe(*action, items.len()));
        }
        // A control with second reviews moves its counts only when two
        // reviewers agree: read them from the workspace instead.
        let staged = states
            .iter()
            .any(|s| self.review.needs_second_review(&s.before.control));
        if staged {
            controls = data::control_counts(self.conn, &self.campaign, &self.actor.reviewer)
                .map_err(|err| (format!("reading the progress: {err}"), false))?;
            let ids: Vec<i64> = states.iter().map(|s| s.id).collect();
            let awaiting = data::item_states(self.conn, &self.scope, &ids)
                .map_err(|err| (format!("reading the items: {err}"), false))?
                .iter()
                .filter(|s| s.awaiting)
                .count();
            if awaiting > 0 {
                done.push(format!(
                    "{} a second review by a different reviewer",
                    if awaiting == 1 {
                        "1 awaits".to_owned()
                    } else {
                        format!("{awaiting} await")
                    }
                ));
            }
        }
        let page = self.same_page(app).map_err(|m| (m, false))?;
        Ok(Action::Saved(Saved {
            summary: done.join(", "),
            action: groups.first().map_or(DecisionAction::Undo, |(a, _, _)| *a),
            at: Local::now().format("%H:%M:%S").to_string(),
            controls,
            page,
            advance: pending.verdict != policy::Verdict::Undo,
            bulk: !app.review.marks.is_empty(),
        }))
    }

    pub(super) fn sign_off(&mut self, statement: String) -> Action {
        let signed = match sign_off(
            self.conn,
            &self.campaign,
            &self.actor,
            &statement,
            Utc::now(),
        ) {
            Ok(signed) => signed,
            Err(err) => {
                let busy = is_busy(&err);
                return Action::NotSaved(NotSaved {
                    retry: Retry::SignOff { statement },
                    message: if busy {
                        BUSY.to_owned()
                    } else {
                        crate::locking::describe(&err)
                    },
                    busy,
                });
            }
        };
        self.changed();
        self.campaign.state = crate::campaign::CampaignState::SignedOff;
        Action::SignedOff(format!(
            "Signed off by {} at {}: {} items, {} certified, {} revoked; the campaign is locked",
            signed.signer(),
            signed.signed_at,
            signed.items,
            signed.certified,
            signed.revoked
        ))
    }
}

impl Shell<'_> {
    /// Commits a reassignment of the target to `to`, then re-reads the
    /// counts ("mine" moves with it) and the window.
    pub(super) fn reassign(
        &mut self,
        app: &App,
        target: &Selection,
        (to, label): (&str, &str),
        reason: &str,
    ) -> Action {
        let ids = match self.ids(target) {
            Ok(ids) => ids,
            Err(message) => return Action::Failed(message),
        };
        // Reassigned items change the "mine" filter the indexes answer.
        self.indexes.borrow_mut().forget();
        let done = record_reassignment(
            self.conn,
            &self.campaign,
            &Reassignment {
                items: &ids,
                assignee: to,
                reason,
            },
            &self.actor,
            Utc::now(),
        );
        if let Err(err) = done {
            return Action::Failed(if is_busy(&err) {
                format!("{BUSY}; press R again to retry")
            } else {
                crate::locking::describe(&err)
            });
        }
        self.changed();
        let reread = data::control_counts(self.conn, &self.campaign, &self.actor.reviewer)
            .map_err(|err| format!("reading the progress: {err}"))
            .and_then(|controls| Ok((controls, self.same_page(app)?)));
        match reread {
            Ok((controls, page)) => Action::Saved(Saved {
                summary: format!(
                    "reassigned {} to {label}",
                    crate::text::count(ids.len(), "item")
                ),
                action: DecisionAction::Reassign,
                at: Local::now().format("%H:%M:%S").to_string(),
                controls,
                page,
                advance: false,
                bulk: !app.review.marks.is_empty(),
            }),
            Err(message) => Action::Failed(message),
        }
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

/// Items recorded together: one decision, one basis.
type Group<'a> = (DecisionAction, Option<DecisionBasis>, Vec<&'a ItemState>);

/// The items of a decision in groups of one decision and basis: accepting a
/// carried-over certification records basis carry-over (PRODUCT.md §7).
/// Undoing an undecided item would only add noise to the log; a bulk
/// decision leaves decided items (and their justifications) alone unless
/// the reviewer included them.
fn decision_groups<'a>(pending: &Pending, states: &'a [ItemState]) -> Vec<Group<'a>> {
    let mut groups: Vec<Group<'a>> = Vec::new();
    for state in states {
        let action = pending.verdict.action(state.recommendation);
        let basis = (pending.verdict == policy::Verdict::Accept
            && state.carry_over
            && action == DecisionAction::Certify)
            .then_some(DecisionBasis::CarryOver);
        let decided = state.before.decision.is_some();
        let skip = match action {
            DecisionAction::Undo => !decided && !state.awaiting,
            _ => decided && !pending.include_decided,
        };
        if skip {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(a, b, _)| *a == action && *b == basis)
        {
            Some((_, _, items)) => items.push(state),
            None => groups.push((action, basis, vec![state])),
        }
    }
    groups
}
