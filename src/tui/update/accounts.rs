//! Keys of the accounts screen and its two prompts: moving through the
//! accounts and the persons each could be linked to, asking why before a
//! link or unlink is recorded, finding an account by name, and taking the
//! list as the shell read it.

use super::super::accounts::{AccountRow, LinkTarget};
use super::super::action::{Action, Effect};
use super::super::app::{App, Overlay, Pane, Screen};
use super::super::editor::Editor;
use super::super::layout::account_rows;
use super::overlay::edit;
use crate::text::for_display;

/// What every link says plainly: the open campaign froze its links.
pub const LATER_ONLY: &str =
    "links change campaigns created from now on; this campaign keeps the links it was created with";

/// Opens the screen from the overview and asks for the accounts.
pub fn open(app: &mut App) -> Effect {
    app.screen = Screen::Accounts;
    app.accounts.focus = Pane::Table;
    app.info(LATER_ONLY);
    Effect::LoadAccounts
}

/// Takes the accounts the shell read.
pub fn loaded(app: &mut App, rows: Vec<AccountRow>) {
    app.accounts.replace_rows(rows);
    keep_visible(app);
    let (unlinked, ambiguous, all) = app.accounts.counts();
    app.info(format!(
        "{} of {} without a person ({ambiguous} ambiguous); Enter links one, asking why",
        unlinked + ambiguous,
        crate::text::count(all as u64, "account"),
    ));
}

/// A link or unlink is recorded: the list as it now reads.
pub fn linked(app: &mut App, message: String, rows: Vec<AccountRow>) {
    app.accounts.replace_rows(rows);
    app.accounts.focus = Pane::Table;
    keep_visible(app);
    app.info(message);
}

/// The workspace did not take it: the prompt comes back with the reason.
pub fn not_linked(app: &mut App, target: LinkTarget, reason: &str, message: String) {
    app.overlay = Some(Overlay::LinkReason {
        target,
        editor: Editor::with_text(reason),
    });
    app.error(message);
}

pub fn screen(app: &mut App, action: &Action) -> Option<Effect> {
    let page = isize::try_from((account_rows(app.size) / 2).max(1)).unwrap_or(1);
    match action {
        Action::Down => step(app, 1),
        Action::Up => step(app, -1),
        Action::PageDown => step(app, page),
        Action::PageUp => step(app, -page),
        Action::First => step(app, isize::MIN),
        Action::Last => step(app, isize::MAX),
        Action::SwitchPane => {
            app.accounts.focus = match app.accounts.focus {
                Pane::Table => Pane::Detail,
                Pane::Detail => Pane::Table,
            };
        }
        Action::Open => ask_link(app),
        Action::Unlink => ask_unlink(app),
        Action::EveryAccount => {
            app.accounts.every = !app.accounts.every;
            app.accounts.refilter();
            keep_visible(app);
            app.info(if app.accounts.every {
                "every account, linked ones with their person and rule"
            } else {
                "accounts without a person only"
            });
        }
        Action::Search => {
            app.overlay = Some(Overlay::FindAccount {
                editor: Editor::with_text(&app.accounts.search),
            });
        }
        Action::Back | Action::Leave => {
            app.screen = Screen::Overview;
            app.info("Enter opens a control; ? lists every key");
        }
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        _ => {}
    }
    None
}

/// Moves the cursor through the accounts, or through the persons of the
/// one under it when they have the focus.
fn step(app: &mut App, delta: isize) {
    let accounts = &mut app.accounts;
    if accounts.focus == Pane::Detail {
        let last = accounts
            .selected()
            .map_or(0, |r| r.choices.len().saturating_sub(1));
        accounts.choice = moved(accounts.choice, delta, last);
        return;
    }
    let last = accounts.shown.len().saturating_sub(1);
    let cursor = moved(accounts.cursor, delta, last);
    if cursor != accounts.cursor {
        accounts.cursor = cursor;
        accounts.choice = 0;
    }
    keep_visible(app);
}

fn moved(at: usize, delta: isize, last: usize) -> usize {
    at.saturating_add_signed(delta).min(last)
}

/// Keeps the cursor row inside the visible part of the list.
pub fn keep_visible(app: &mut App) {
    let height = account_rows(app.size);
    let accounts = &mut app.accounts;
    if accounts.cursor < accounts.top {
        accounts.top = accounts.cursor;
    } else if accounts.cursor >= accounts.top + height {
        accounts.top = accounts.cursor + 1 - height;
    }
    if accounts.top + height > accounts.shown.len() {
        accounts.top = accounts.shown.len().saturating_sub(height);
    }
}

fn ask_link(app: &mut App) {
    let Some(row) = app.accounts.selected() else {
        app.info("no account to link");
        return;
    };
    let account = row.account.clone();
    let Some(choice) = app.accounts.chosen().cloned() else {
        let message = if row.is_linked() {
            format!("{} is linked already; u unlinks it", for_display(&account))
        } else {
            format!(
                "no person to suggest for {}; link it with recert link ACCOUNT PERSON --reason TEXT",
                for_display(&account)
            )
        };
        app.info(message);
        return;
    };
    app.overlay = Some(Overlay::LinkReason {
        target: LinkTarget {
            account,
            person: Some((choice.person_id, choice.label)),
        },
        editor: Editor::new(),
    });
}

fn ask_unlink(app: &mut App) {
    let Some(row) = app.accounts.selected() else {
        app.info("no account to unlink");
        return;
    };
    if !row.is_linked() {
        let message = format!(
            "{} is linked to nobody; Enter links it to the chosen person",
            for_display(&row.account)
        );
        app.info(message);
        return;
    }
    app.overlay = Some(Overlay::LinkReason {
        target: LinkTarget {
            account: row.account.clone(),
            person: None,
        },
        editor: Editor::new(),
    });
}

/// The reason prompt: Enter records the link with the reason, Esc leaves
/// without recording anything.
pub fn reason(
    app: &mut App,
    target: LinkTarget,
    mut editor: Editor,
    action: &Action,
) -> Option<Effect> {
    match action {
        Action::Submit if editor.text().trim().is_empty() => {
            app.error("say why: the reason is kept with the link for the auditor");
            app.overlay = Some(Overlay::LinkReason { target, editor });
            None
        }
        Action::Submit => Some(Effect::Link {
            target,
            reason: editor.text().trim().to_owned(),
        }),
        Action::Back => {
            app.info("cancelled; nothing was linked");
            None
        }
        other => {
            edit(app, &mut editor, other);
            app.overlay = Some(Overlay::LinkReason { target, editor });
            None
        }
    }
}

/// Finding an account: the list narrows as you type; Enter keeps the
/// search, Esc drops it.
pub fn find(app: &mut App, mut editor: Editor, action: &Action) -> Option<Effect> {
    match action {
        Action::Submit => {}
        Action::Back => app.accounts.search.clear(),
        other => {
            edit(app, &mut editor, other);
            editor.text().clone_into(&mut app.accounts.search);
            app.overlay = Some(Overlay::FindAccount { editor });
        }
    }
    app.accounts.refilter();
    keep_visible(app);
    None
}
