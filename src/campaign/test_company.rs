//! The demo's company loaded as campaign creation loads it, for tests of
//! the computation over its items (threads, outliers).

use std::collections::HashSet;

use chrono::NaiveDate;

use super::catalog::compare_ids;
use super::compute::{Computed, compute_on_threads};
use super::cycle::Cycle;
use super::earlier::EarlierReviews;
use super::freeze::{ItemContext, Scope};
use super::rules::Rules;
use super::systems::Systems;
use crate::actor::Actor;
use crate::identity::Resolver;
use crate::workspace::Workspace;

/// The demo's workspace and what a campaign over it is computed from.
pub(super) struct Company {
    ws: Workspace,
    rules: Rules,
    resolver: Resolver,
    systems: Systems,
    earlier: EarlierReviews,
    cycle: Cycle,
    _dir: tempfile::TempDir,
}

impl Company {
    /// The demo's company: canonical files and the exports of the same
    /// people, linked through the workspace rules' second domain; its
    /// rules hold a `[[sod]]` rule and turn outliers on.
    pub fn demo() -> Company {
        let dir = tempfile::tempdir().expect("dir");
        let mut ws = Workspace::open(&dir.path().join("ws.db")).expect("workspace");
        crate::commands::demo::build(&mut ws.conn, &Actor::fixed("r")).expect("demo");
        let (_, rules) = super::rules::workspace_rules(&ws.conn).expect("rules");
        let resolver = Resolver::load(&ws.conn, rules.correlation.clone(), Self::as_of(), None)
            .expect("resolver");
        let systems = Systems::load_current(&ws.conn, &resolver).expect("systems");
        let earlier = EarlierReviews::load(&ws.conn, &resolver).expect("earlier");
        Company {
            ws,
            rules,
            resolver,
            systems,
            earlier,
            cycle: Cycle::default(),
            _dir: dir,
        }
    }

    pub fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
    }

    pub fn context(&self) -> ItemContext<'_> {
        ItemContext {
            resolver: &self.resolver,
            systems: &self.systems,
            earlier: &self.earlier,
            cycle: &self.cycle,
            rules: &self.rules,
            as_of: Self::as_of(),
            default_reviewer: "iam-team",
            creator: "r",
        }
    }

    /// The rules' controls in the order items are numbered.
    pub fn controls(&self) -> Vec<&str> {
        let mut controls: Vec<&str> = self.rules.control_ids().collect();
        controls.sort_by(|a, b| compare_ids(a, b));
        controls.dedup();
        controls
    }

    /// The items of every current grant, computed on `threads` threads.
    pub fn compute(&self, threads: usize) -> Computed {
        let scope = Scope {
            controls: HashSet::new(),
            systems: HashSet::new(),
            kinds: &[],
        };
        let context = self.context();
        compute_on_threads(&self.ws.conn, &scope, &context, &self.controls(), |_| {
            threads
        })
        .expect("compute")
    }
}
