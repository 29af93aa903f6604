//! Moving through the control table: the cursor, the loaded window and the
//! keyset pages beyond it, marks, and the next undecided item.

use super::super::action::{Cursor, Effect, Loaded, Refreshed};
use super::super::app::{App, OVERLAP, Review, Selection};
use super::super::layout::table_rows;
use super::super::query::{Anchor, Key, Query};

/// Keeps the cursor row inside the visible part of the table.
pub fn keep_visible(review: &mut Review, size: (u16, u16)) {
    let height = table_rows(size);
    if review.cursor < review.top {
        review.top = review.cursor;
    } else if review.cursor >= review.top + height {
        review.top = review.cursor + 1 - height;
    }
    // Never leave blank rows under the last item while rows above are hidden.
    if review.top + height > review.rows.len() {
        review.top = review.rows.len().saturating_sub(height);
    }
}

/// Takes what another process changed: its counts, a sign-off, and the
/// window as it now reads, the cursor staying on its item.
pub fn refreshed(app: &mut App, refreshed: Refreshed) {
    let changed = app.controls != refreshed.controls;
    app.controls = refreshed.controls;
    app.remediation = refreshed.remediation;
    if refreshed.signed_off && !app.is_signed_off() {
        app.campaign.state = crate::campaign::CampaignState::SignedOff;
        app.error("another recert process signed the campaign off; it is locked now");
    } else if changed {
        app.info("another recert process decided items; counts and rows are up to date");
    }
    if let Some(page) = refreshed.page {
        let cursor = app
            .review
            .selected_id()
            .map_or(Cursor::Index(app.review.cursor), Cursor::Item);
        loaded(app, Loaded { page, cursor });
        app.review.detail = None;
    }
}

/// Takes a freshly loaded window, keeping the cursor's place on screen.
pub fn loaded(app: &mut App, loaded: Loaded) {
    let review = &mut app.review;
    let screen_row = review.cursor.saturating_sub(review.top);
    let old_cursor = review.cursor;
    review.rows = loaded.page.rows;
    review.at_start = loaded.page.at_start;
    review.at_end = loaded.page.at_end;
    let last = review.rows.len().saturating_sub(1);
    review.cursor = match loaded.cursor {
        Cursor::Index(index) => index,
        Cursor::FromEnd(n) => last.saturating_sub(n),
        Cursor::Item(id) => review
            .rows
            .iter()
            .position(|item| item.item_id == id)
            .unwrap_or(old_cursor),
    }
    .min(last);
    review.top = review.cursor.saturating_sub(screen_row);
    keep_visible(review, app.size);
}

fn key_at(review: &Review, index: usize) -> Option<Key> {
    review
        .rows
        .get(index)
        .map(|item| Key::of(item, review.query.sort))
}

/// Moves the cursor by `delta` rows, fetching the next window when it walks
/// off the loaded one.
pub fn move_by(app: &mut App, delta: isize) -> Option<Effect> {
    let review = &mut app.review;
    if review.rows.is_empty() {
        return None;
    }
    let target = review.cursor.checked_add_signed(delta);
    let len = review.rows.len();
    match target {
        Some(target) if target < len => {
            review.cursor = target;
            keep_visible(review, app.size);
            None
        }
        Some(target) => {
            if review.at_end {
                review.cursor = len - 1;
                keep_visible(review, app.size);
                return None;
            }
            // Keep some rows above the cursor so the screen does not jump.
            let keep_from = review.cursor.saturating_sub(OVERLAP);
            Some(Effect::Fetch {
                anchor: Anchor::From(key_at(review, keep_from)?),
                cursor: Cursor::Index(target - keep_from),
            })
        }
        None => {
            if review.at_start {
                review.cursor = 0;
                keep_visible(review, app.size);
                return None;
            }
            let keep_to = (review.cursor + OVERLAP).min(len - 1);
            let above = delta.unsigned_abs() - review.cursor;
            Some(Effect::Fetch {
                anchor: Anchor::UpTo(key_at(review, keep_to)?),
                cursor: Cursor::FromEnd(keep_to + above),
            })
        }
    }
}

pub fn first(app: &mut App) -> Option<Effect> {
    if app.review.at_start {
        app.review.cursor = 0;
        keep_visible(&mut app.review, app.size);
        return None;
    }
    Some(Effect::Fetch {
        anchor: Anchor::First,
        cursor: Cursor::Index(0),
    })
}

pub fn last(app: &mut App) -> Option<Effect> {
    if app.review.at_end {
        app.review.cursor = app.review.rows.len().saturating_sub(1);
        keep_visible(&mut app.review, app.size);
        return None;
    }
    Some(Effect::Fetch {
        anchor: Anchor::Last,
        cursor: Cursor::FromEnd(0),
    })
}

/// Moves to the first undecided row at or after `from`, asking the shell to
/// look beyond the window (and then from the top) when there is none.
pub fn next_undecided(app: &mut App, from: usize) -> Option<Effect> {
    let review = &mut app.review;
    if let Some(offset) = review
        .rows
        .iter()
        .skip(from)
        .position(|item| item.decision.is_none())
    {
        review.cursor = from + offset;
        keep_visible(review, app.size);
        return None;
    }
    let after = if review.at_end {
        None
    } else {
        review
            .rows
            .last()
            .map(|item| Key::of(item, review.query.sort))
    };
    Some(Effect::NextUndecided { after })
}

/// Replaces the query (search, filter, sort) and loads its first page.
#[allow(clippy::unnecessary_wraps)] // an effect, like every key handler
pub fn requery(app: &mut App, query: Query) -> Option<Effect> {
    if let Selection::Matching(marked) = &app.review.marks {
        if *marked != query {
            app.review.marks = Selection::default();
            app.info("the \"all matching\" marks were cleared because the view changed");
        }
    }
    app.review.query = query;
    Some(Effect::Fetch {
        anchor: Anchor::First,
        cursor: Cursor::Index(0),
    })
}

/// Space: marks or unmarks the cursor row, then moves down.
pub fn mark(app: &mut App) -> Option<Effect> {
    let review = &mut app.review;
    let id = review.selected().map(|item| item.item_id)?;
    match &mut review.marks {
        Selection::Matching(_) => {
            app.info("every matching item is marked; * unmarks them");
            return None;
        }
        Selection::Items(ids) => match ids.iter().position(|&m| m == id) {
            Some(at) => {
                ids.remove(at);
            }
            None => ids.push(id),
        },
    }
    review.anchor = Some(id);
    let described = review.marks.describe();
    app.info(described);
    move_by(app, 1)
}

/// V: marks every row from the last marked one to the cursor.
pub fn mark_range(app: &mut App) {
    let review = &mut app.review;
    let from = review
        .anchor
        .and_then(|id| review.rows.iter().position(|item| item.item_id == id));
    let Some(from) = from else {
        app.info("mark the first item of the range with Space, then press V on the last");
        return;
    };
    let (low, high) = (from.min(review.cursor), from.max(review.cursor));
    let Selection::Items(ids) = &mut review.marks else {
        app.info("every matching item is marked; * unmarks them");
        return;
    };
    for item in &review.rows[low..=high] {
        if !ids.contains(&item.item_id) {
            ids.push(item.item_id);
        }
    }
    let described = review.marks.describe();
    app.info(described);
}

/// *: marks every item matching the current view, or unmarks them again.
pub fn mark_all(app: &mut App) {
    let review = &mut app.review;
    if review.marks == Selection::Matching(review.query.clone()) {
        review.marks = Selection::default();
        app.info("marks cleared");
    } else {
        review.marks = Selection::Matching(review.query.clone());
        app.info("every item matching this view is marked; c, r or a decides them all");
    }
}

/// `p`: to the other item of one of the selected item's toxic
/// combinations (back where the last `p` came from, else the item's next
/// pair in turn, [`PairWalk`]): in the loaded rows if it is there, else the
/// window from it, under its own control and without the view's filter,
/// search and sort (which could hide it).
///
/// [`PairWalk`]: crate::tui::pair_walk::PairWalk
pub fn pair(app: &mut App) -> Option<Effect> {
    let Some(detail) = app.review.detail() else {
        app.info("reading the item; press p again in a moment");
        return None;
    };
    let from = detail.item;
    let others = crate::tui::pair_walk::other_items(&detail.conflicts);
    let Some(jump) = app.pair_walk.peek(from, &others) else {
        app.info("this item is not part of a toxic combination (no sod-conflict)");
        return None;
    };
    let other = others[jump.index];
    let rules: Vec<String> = detail
        .conflicts
        .iter()
        .filter(|c| c.item_id == other)
        .map(|c| format!("{:?}", c.rule))
        .collect();
    let rules = rules.join(" and ");
    let control = detail
        .conflicts
        .iter()
        .find(|c| c.item_id == other)
        .map(|c| c.control_id.clone())
        .unwrap_or_default();
    let message = if jump.back {
        format!("item #{other}: back to the other half of {rules}")
    } else if others.len() > 1 {
        format!(
            "item #{other}, pair {} of {}: the other half of {rules}; p goes back",
            jump.index + 1,
            others.len(),
        )
    } else {
        format!("item #{other}: the other half of {rules}; p goes back")
    };
    let shown = control == app.review.query.control;
    if let Some(index) = app.review.rows.iter().position(|i| i.item_id == other) {
        app.pair_walk.take(from, &others);
        app.review.cursor = index;
        keep_visible(&mut app.review, app.size);
        app.info(message);
        return None;
    }
    let plain = app.review.query == Query::for_control(&control);
    if !shown || !plain {
        let Some(index) = app.controls.iter().position(|c| c.control == control) else {
            app.error(format!(
                "item #{other} is under control {control}, which this campaign does not list"
            ));
            return None;
        };
        app.overview_cursor = index;
        app.review = Review {
            query: Query::for_control(&control),
            ..Review::default()
        };
    }
    app.pair_walk.take(from, &others);
    app.info(if plain && shown {
        message
    } else {
        format!("{message} (every item of {control} shown)")
    });
    Some(Effect::Fetch {
        anchor: Anchor::From(Key {
            value: None,
            id: other,
        }),
        cursor: Cursor::Item(other),
    })
}
