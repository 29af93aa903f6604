//! A revocation's remediation state, folded from what each later snapshot
//! of its scope showed: `not-rechecked` (no such snapshot yet), `pending`
//! (the latest still holds the grant), `removed` (gone) or `reappeared`
//! (gone from one snapshot, back in a later one).

/// Where a revocation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Removed,
    Pending,
    NotRechecked,
    Reappeared,
}

impl State {
    pub const ALL: [State; 4] = [
        State::Removed,
        State::Pending,
        State::NotRechecked,
        State::Reappeared,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Removed => "removed",
            State::Pending => "pending",
            State::NotRechecked => "not-rechecked",
            State::Reappeared => "reappeared",
        }
    }
}

/// A revocation's state and the snapshot that shows it: for `removed` the
/// first snapshot of the latest run without the grant, for `pending` the
/// latest snapshot still holding it, for `reappeared` the snapshot it came
/// back in; none for `not-rechecked`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub state: State,
    pub snapshot: Option<i64>,
}

impl Default for Status {
    fn default() -> Self {
        Status {
            state: State::NotRechecked,
            snapshot: None,
        }
    }
}

impl Status {
    /// The status after one more check, in snapshot order.
    #[must_use]
    pub fn after(self, snapshot: i64, present: bool) -> Status {
        let state = match (self.state, present) {
            (State::NotRechecked | State::Pending, true) => State::Pending,
            (State::Removed | State::Reappeared, true) => State::Reappeared,
            (_, false) => State::Removed,
        };
        let snapshot = match (self.state, state) {
            // The same run goes on: keep the snapshot that started it.
            (State::Removed, State::Removed) | (State::Reappeared, State::Reappeared) => {
                self.snapshot
            }
            _ => Some(snapshot),
        };
        Status { state, snapshot }
    }

    /// Folds checks given in snapshot order.
    pub fn of(checks: impl IntoIterator<Item = (i64, bool)>) -> Status {
        checks
            .into_iter()
            .fold(Status::default(), |status, (snapshot, present)| {
                status.after(snapshot, present)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: State, snapshot: Option<i64>) -> Status {
        Status { state, snapshot }
    }

    #[test]
    fn every_state_and_the_snapshot_that_shows_it() {
        assert_eq!(Status::of([]), status(State::NotRechecked, None));
        assert_eq!(
            Status::of([(5, true), (7, true)]),
            status(State::Pending, Some(7)),
            "pending names the latest snapshot still holding it"
        );
        assert_eq!(
            Status::of([(5, true), (7, false), (9, false)]),
            status(State::Removed, Some(7)),
            "removed names the first snapshot without it"
        );
        assert_eq!(
            Status::of([(7, false), (9, true), (11, true)]),
            status(State::Reappeared, Some(9)),
            "reappeared names the snapshot it came back in"
        );
        assert_eq!(
            Status::of([(7, false), (9, true), (11, false)]),
            status(State::Removed, Some(11)),
            "gone again: removed as of the latest removal"
        );
    }
}
