//! What the control table shows: filter, search and sort, and the keyset key
//! that pages through them. Pure data; `data.rs` turns it into SQL.

use crate::campaign::ItemRecord;
use crate::model::{Delta, IdentityKind, Signal};

/// Which decision state to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecisionFilter {
    #[default]
    Any,
    Undecided,
    Certified,
    Revoked,
}

impl DecisionFilter {
    pub const ALL: [DecisionFilter; 4] = [
        DecisionFilter::Any,
        DecisionFilter::Undecided,
        DecisionFilter::Certified,
        DecisionFilter::Revoked,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DecisionFilter::Any => "any",
            DecisionFilter::Undecided => "undecided",
            DecisionFilter::Certified => "certified",
            DecisionFilter::Revoked => "revoked",
        }
    }
}

/// Which holders to show: a kind, or the orphaned grants (no identity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindFilter {
    Kind(IdentityKind),
    Orphaned,
}

impl KindFilter {
    pub fn label(self) -> &'static str {
        match self {
            KindFilter::Kind(kind) => kind.as_str(),
            KindFilter::Orphaned => "orphaned (no identity)",
        }
    }

    /// Every choice in menu order.
    pub fn all() -> Vec<KindFilter> {
        IdentityKind::ALL
            .iter()
            .copied()
            .map(KindFilter::Kind)
            .chain([KindFilter::Orphaned])
            .collect()
    }
}

/// The filters of the `f` menu.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub decision: DecisionFilter,
    pub signal: Option<Signal>,
    pub system: Option<String>,
    pub kind: Option<KindFilter>,
    /// How the grant compares with the baseline campaign's.
    pub delta: Option<Delta>,
    /// Only the items assigned to the reviewer.
    pub mine: bool,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// A short description for the screen, e.g. `undecided, dormant, mine`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.decision != DecisionFilter::Any {
            parts.push(self.decision.label().to_owned());
        }
        if let Some(signal) = self.signal {
            parts.push(signal.as_str().to_owned());
        }
        if let Some(system) = &self.system {
            parts.push(format!("system {system}"));
        }
        if let Some(kind) = self.kind {
            parts.push(kind.label().to_owned());
        }
        if let Some(delta) = self.delta {
            parts.push(delta.as_str().to_owned());
        }
        if self.mine {
            parts.push("mine".to_owned());
        }
        parts.join(", ")
    }
}

/// The order of the control table. Every order ends with the item id so a
/// position is a unique key for keyset paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Item,
    Identity,
    System,
    Entitlement,
}

impl Sort {
    pub fn label(self) -> &'static str {
        match self {
            Sort::Item => "item",
            Sort::Identity => "identity",
            Sort::System => "system",
            Sort::Entitlement => "entitlement",
        }
    }

    #[must_use]
    pub fn next(self) -> Sort {
        match self {
            Sort::Item => Sort::Identity,
            Sort::Identity => Sort::System,
            Sort::System => Sort::Entitlement,
            Sort::Entitlement => Sort::Item,
        }
    }

    /// The `item_view` column sorted on before the id, if any.
    pub fn column(self) -> Option<&'static str> {
        match self {
            Sort::Item => None,
            Sort::Identity => Some("identity_id"),
            Sort::System => Some("system"),
            Sort::Entitlement => Some("entitlement"),
        }
    }
}

/// Everything that decides which items the table lists and in what order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub control: String,
    pub filter: Filter,
    /// Case-insensitive text looked for in identity, name, account, system and entitlement.
    pub search: String,
    pub sort: Sort,
}

impl Query {
    pub fn for_control(control: &str) -> Query {
        Query {
            control: control.to_owned(),
            ..Query::default()
        }
    }
}

/// A row's position in a query's order: the sort value, then the item id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub value: Option<String>,
    pub id: i64,
}

impl Key {
    pub fn of(item: &ItemRecord, sort: Sort) -> Key {
        let value = match sort {
            Sort::Item => None,
            Sort::Identity => Some(item.identity_id.clone()),
            Sort::System => Some(item.system.clone()),
            Sort::Entitlement => Some(item.entitlement.clone()),
        };
        Key {
            value,
            id: item.item_id,
        }
    }
}

/// Where a page of the table starts or ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    First,
    Last,
    /// Rows from this key on (inclusive), forwards.
    From(Key),
    /// Rows up to this key (inclusive), backwards; returned in table order.
    UpTo(Key),
}
