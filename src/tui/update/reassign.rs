//! Reassigning in the review (PRODUCT.md §8): `R` asks who takes the item
//! (or the marked items), the shell resolves the name, then asks why; the
//! reassignment is committed like a decision, and shown in the history.

use super::super::action::{Effect, Resolved};
use super::super::app::{App, Overlay, Selection};
use super::super::editor::Editor;
use super::overlay::edit;
use crate::campaign::policy;
use crate::tui::action::Action;

/// R on the control table.
pub fn start(app: &mut App) -> Option<Effect> {
    if app.is_signed_off() {
        app.error("the campaign is signed off and locked; assignments can no longer change");
        return None;
    }
    let target = if app.review.marks.is_empty() {
        let Some(id) = app.review.selected_id() else {
            app.info("no item here");
            return None;
        };
        Selection::Items(vec![id])
    } else {
        app.review.marks.clone()
    };
    app.info(
        "who takes them? an identity_id, e-mail or registered reviewer; Enter goes on, Esc cancels",
    );
    app.overlay = Some(Overlay::Reassign {
        target,
        editor: Editor::new(),
        to: None,
    });
    None
}

/// A key in the reassignment prompt.
pub fn prompt(
    app: &mut App,
    target: Selection,
    mut editor: Editor,
    to: Option<(String, String)>,
    action: &Action,
) -> Option<Effect> {
    match (action, to) {
        (Action::Back, _) => {
            app.info("cancelled; nothing was reassigned");
            None
        }
        (Action::Submit, None) => {
            let name = editor.text().trim().to_owned();
            if name.is_empty() {
                app.error("type who takes them (an identity_id, e-mail or registered reviewer), or Esc to cancel");
                app.overlay = Some(Overlay::Reassign {
                    target,
                    editor,
                    to: None,
                });
                return None;
            }
            Some(Effect::ResolveReviewer { target, name })
        }
        (Action::Submit, Some((name, label))) => {
            let reason = editor.text().trim().to_owned();
            if !policy::is_justified(Some(&reason)) {
                app.error("a reassignment needs a reason; type one, or Esc to cancel");
                app.overlay = Some(Overlay::Reassign {
                    target,
                    editor,
                    to: Some((name, label)),
                });
                return None;
            }
            Some(Effect::Reassign {
                target,
                to: name,
                label,
                reason,
            })
        }
        (other, to) => {
            edit(app, &mut editor, other);
            app.overlay = Some(Overlay::Reassign { target, editor, to });
            None
        }
    }
}

/// The shell resolved the name: ask why, or say why not and let it be fixed.
pub fn resolved(app: &mut App, resolved: Resolved) {
    let Resolved {
        target,
        typed,
        reviewer,
    } = resolved;
    match reviewer {
        Ok((name, label)) => {
            app.info(format!(
                "why do they go to {label}? Enter reassigns, Esc cancels"
            ));
            app.overlay = Some(Overlay::Reassign {
                target,
                editor: Editor::new(),
                to: Some((name, label)),
            });
        }
        Err(message) => {
            app.error(message);
            app.overlay = Some(Overlay::Reassign {
                target,
                editor: Editor::with_text(&typed),
                to: None,
            });
        }
    }
}
