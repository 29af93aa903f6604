//! Per-control progress counts, cached for the whole session and kept up to
//! date from the decisions the TUI records, so no keystroke counts a million rows.

use crate::model::{Decision, Signal};

/// Progress of one control, for all items and for the reviewer's own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ControlCounts {
    pub control: String,
    pub title: String,
    pub total: u64,
    pub decided: u64,
    pub certified: u64,
    pub revoked: u64,
    pub mine_total: u64,
    pub mine_decided: u64,
    /// Items carrying each signal, in `Signal::ALL` order.
    pub signals: [u64; Signal::COUNT],
}

impl ControlCounts {
    pub fn undecided(&self) -> u64 {
        self.total - self.decided
    }

    pub fn signal(&self, signal: Signal) -> u64 {
        self.signals[signal as usize]
    }
}

/// Totals over every control.
pub fn totals(controls: &[ControlCounts]) -> ControlCounts {
    let mut sum = ControlCounts {
        control: "all".to_owned(),
        title: "All controls".to_owned(),
        ..ControlCounts::default()
    };
    for c in controls {
        sum.total += c.total;
        sum.decided += c.decided;
        sum.certified += c.certified;
        sum.revoked += c.revoked;
        sum.mine_total += c.mine_total;
        sum.mine_decided += c.mine_decided;
        for (total, n) in sum.signals.iter_mut().zip(c.signals) {
            *total += n;
        }
    }
    sum
}

/// One item's state just before a decision is recorded on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Before {
    pub control: String,
    pub decision: Option<Decision>,
    pub mine: bool,
}

/// Moves the counts of the items in `before` to their new decision
/// (`None` = undone).
pub fn apply(controls: &mut [ControlCounts], before: &[Before], after: Option<Decision>) {
    for item in before {
        let Some(counts) = controls.iter_mut().find(|c| c.control == item.control) else {
            continue;
        };
        match item.decision {
            Some(Decision::Certify) => counts.certified = counts.certified.saturating_sub(1),
            Some(Decision::Revoke) => counts.revoked = counts.revoked.saturating_sub(1),
            None => {}
        }
        match after {
            Some(Decision::Certify) => counts.certified += 1,
            Some(Decision::Revoke) => counts.revoked += 1,
            None => {}
        }
        let was = u64::from(item.decision.is_some());
        let now = u64::from(after.is_some());
        counts.decided = counts.decided + now - was;
        if item.mine {
            counts.mine_decided = counts.mine_decided + now - was;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control(id: &str, total: u64, decided: u64, certified: u64) -> ControlCounts {
        ControlCounts {
            control: id.to_owned(),
            total,
            decided,
            certified,
            mine_total: total,
            mine_decided: decided,
            ..ControlCounts::default()
        }
    }

    #[test]
    fn decisions_move_counts_between_states() {
        let mut controls = vec![control("5.18", 3, 1, 1)];
        let certified = Before {
            control: "5.18".into(),
            decision: Some(Decision::Certify),
            mine: true,
        };
        let open = Before {
            control: "5.18".into(),
            decision: None,
            mine: false,
        };
        apply(&mut controls, &[certified, open], Some(Decision::Revoke));
        let c = &controls[0];
        assert_eq!((c.decided, c.certified, c.revoked), (2, 0, 2));
        assert_eq!(c.mine_decided, 1, "only the reviewer's item counts as mine");
        let revoked = Before {
            control: "5.18".into(),
            decision: Some(Decision::Revoke),
            mine: true,
        };
        apply(&mut controls, &[revoked], None);
        assert_eq!((controls[0].decided, controls[0].revoked), (1, 1));
    }
}
