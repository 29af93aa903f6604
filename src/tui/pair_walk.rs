//! Where `p` goes among an item's toxic combinations: an item can be one
//! half of several (a payment creator who also approves and also
//! administers the vendor master), and each other half must be reachable.
//! From an item, `p` takes the other items in turn; on the item it just
//! arrived on, before the selection moved elsewhere, `p` first goes back.

use std::collections::HashMap;

use crate::campaign::conflicts::Conflict;

/// The turns `p` has taken, kept for the whole review (a jump may change
/// the control, which starts a new table).
#[derive(Debug, Default)]
pub struct PairWalk {
    /// How many times `p` has left each item for one of its pairs.
    turns: HashMap<i64, usize>,
    /// The item the last forward jump arrived on, and the one it left.
    arrived: Option<(i64, i64)>,
}

/// A jump `p` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Jump {
    /// Index into the item's pairs.
    pub index: usize,
    /// Back to the item the last jump came from.
    pub back: bool,
}

/// The other items of `conflicts`, each once in order of first mention
/// (one may complete several rules with the item): what `p` walks through.
pub fn other_items(conflicts: &[Conflict]) -> Vec<i64> {
    let mut others: Vec<i64> = Vec::new();
    for conflict in conflicts {
        if !others.contains(&conflict.item_id) {
            others.push(conflict.item_id);
        }
    }
    others
}

impl PairWalk {
    /// The selection is now on `item` (`None`: nothing selected yet, as
    /// while a jump's rows load): leaving the item `p` arrived on forgets
    /// the way back, so coming back to it by hand takes its own pairs.
    pub fn selected(&mut self, item: Option<i64>) {
        if matches!((item, self.arrived), (Some(item), Some((on, _))) if item != on) {
            self.arrived = None;
        }
    }

    /// Where `p` on `item`, whose other items are `pairs` (distinct), goes
    /// (`None` without pairs), and notes it.
    pub fn take(&mut self, item: i64, pairs: &[i64]) -> Option<Jump> {
        let jump = self.peek(item, pairs)?;
        if jump.back {
            // Back where it came from: the next `p` there takes its next pair.
            self.arrived = None;
        } else {
            self.turns.insert(item, jump.index + 1);
            self.arrived = Some((pairs[jump.index], item));
        }
        Some(jump)
    }

    /// Where `p` on `item` would go, without taking it.
    pub fn peek(&self, item: i64, pairs: &[i64]) -> Option<Jump> {
        if pairs.is_empty() {
            return None;
        }
        let back = self
            .arrived
            .filter(|&(on, _)| on == item)
            .and_then(|(_, from)| pairs.iter().position(|&p| p == from));
        if let Some(index) = back {
            return Some(Jump { index, back: true });
        }
        let turn = self.turns.get(&item).copied().unwrap_or(0);
        Some(Jump {
            index: turn % pairs.len(),
            back: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The item each `p` lands on, starting on `start`.
    fn walk(pairs: &HashMap<i64, Vec<i64>>, start: i64, presses: usize) -> Vec<i64> {
        let mut walk = PairWalk::default();
        let mut on = start;
        let mut seen = Vec::new();
        for _ in 0..presses {
            let of = &pairs[&on];
            let jump = walk.take(on, of).expect("a pair");
            on = of[jump.index];
            seen.push(on);
        }
        seen
    }

    #[test]
    fn one_pair_goes_there_and_back() {
        let pairs = HashMap::from([(1, vec![2]), (2, vec![1])]);
        assert_eq!(walk(&pairs, 1, 4), [2, 1, 2, 1]);
    }

    #[test]
    fn several_pairs_are_taken_in_turn_with_a_way_back_from_each() {
        // 1 conflicts with 2, 3 and 4; 2 also with 5.
        let pairs = HashMap::from([
            (1, vec![2, 3, 4]),
            (2, vec![5, 1]),
            (3, vec![1]),
            (4, vec![1]),
            (5, vec![2]),
        ]);
        assert_eq!(walk(&pairs, 1, 7), [2, 1, 3, 1, 4, 1, 2]);
    }

    #[test]
    fn leaving_the_item_p_arrived_on_forgets_the_way_back() {
        let mut walk = PairWalk::default();
        walk.take(1, &[2]);
        walk.selected(None);
        walk.selected(Some(2));
        assert!(
            walk.peek(2, &[3, 1]).is_some_and(|j| j.back),
            "still just arrived"
        );
        walk.selected(Some(4));
        walk.selected(Some(2));
        assert_eq!(
            walk.peek(2, &[3, 1]),
            Some(Jump {
                index: 0,
                back: false
            }),
            "back by hand: its own first pair"
        );
    }

    #[test]
    fn peek_tells_where_p_goes_without_taking_it() {
        let mut walk = PairWalk::default();
        assert_eq!(walk.peek(7, &[]), None);
        assert_eq!(walk.take(7, &[]), None);
        let first = Jump {
            index: 0,
            back: false,
        };
        assert_eq!(walk.peek(1, &[2, 3]), Some(first));
        assert_eq!(walk.peek(1, &[2, 3]), Some(first), "peeking takes no turn");
        walk.take(1, &[2, 3]);
        assert_eq!(
            walk.peek(2, &[9, 1]),
            Some(Jump {
                index: 1,
                back: true
            })
        );
        assert_eq!(
            walk.peek(1, &[2, 3]),
            Some(Jump {
                index: 1,
                back: false
            })
        );
    }
}
