//! Reminders for the reviewers who still owe decisions (PRODUCT.md §8): per
//! reviewer with work left, a plain-text note of their open items grouped
//! by control, the due date and the exact commands to open their review.
//! Handed over by the user (no network); reviewers who are done get none.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use chrono::NaiveDate;
use rusqlite::Connection;

use super::catalog::{Catalog, compare_ids};
use super::lookup::Campaign;
use crate::model::Decision;
use crate::reviewers::{self, ReviewerError};
use crate::text::{for_display, shell_word};

/// One reviewer's reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// As `assigned_reviewer` holds it.
    pub reviewer: String,
    /// `Mia Manager (M1)`, or the name.
    pub label: String,
    /// Whether the name resolves to a known reviewer.
    pub known: bool,
    /// Items they still have to decide.
    pub left: u64,
    /// The file name to write it under (safe, unique among the reminders).
    pub file_name: String,
    pub text: String,
}

/// One open item as a reminder lists it.
#[derive(Debug, Clone)]
struct Open {
    id: i64,
    control: String,
    holder: String,
    system: String,
    entitlement: String,
    recommendation: Decision,
    /// A first review awaiting a second: by whom.
    first_review_by: Option<String>,
}

/// The reminders of every reviewer with work left, in reviewer order.
/// `workspace` is put into the commands when the workspace is not the
/// default one (`--workspace PATH`).
pub fn reminders(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
    workspace: Option<&str>,
) -> color_eyre::Result<Vec<Reminder>> {
    // The whole campaign in id order, grouped by reviewer here.
    let mut statement = conn.prepare_cached(&format!(
        "SELECT it.assigned_reviewer, it.id, it.control_id,
                coalesce(i.display_name || ' (' || i.identity_id || ')', g.identity_ref),
                g.system, g.entitlement, it.recommendation, e.reviewer
         FROM items it
         JOIN grants g ON g.id = it.grant_row
         LEFT JOIN identities i ON i.id = it.identity_row
         LEFT JOIN current_decisions cd ON cd.item_id = it.id
         LEFT JOIN pending_reviews p ON p.item_id = it.id
         LEFT JOIN decision_events e ON e.id = p.event_id
         WHERE {} AND cd.item_id IS NULL
         ORDER BY it.id",
        super::ranges::in_campaign(super::ranges::ITEMS_AS_IT, "?1")
    ))?;
    let mut by_reviewer: BTreeMap<String, Vec<Open>> = BTreeMap::new();
    let mut rows = statement.query([campaign.id])?;
    while let Some(row) = rows.next()? {
        let reviewer: String = row.get(0)?;
        by_reviewer.entry(reviewer).or_default().push(Open {
            id: row.get(1)?,
            control: row.get(2)?,
            holder: row.get(3)?,
            system: row.get(4)?,
            entitlement: row.get(5)?,
            recommendation: row.get(6)?,
            first_review_by: row.get(7)?,
        });
    }
    let mut used = HashSet::new();
    let mut reminders = Vec::new();
    for (reviewer, items) in by_reviewer {
        let (known, label, name) = match reviewers::resolve(conn, Some(campaign), &reviewer) {
            Ok(known) => (true, known.label(), known.name),
            Err(ReviewerError::Lookup(message)) => color_eyre::eyre::bail!(message),
            Err(_) => (false, reviewer.clone(), reviewer.clone()),
        };
        let own = reviewers::own_keys(conn, campaign.id, &name)?;
        let (waiting, mut todo): (Vec<Open>, Vec<Open>) = items.into_iter().partition(|item| {
            item.first_review_by
                .as_deref()
                .is_some_and(|by| own.contains(&reviewers::name::fold(by)))
        });
        if todo.is_empty() {
            continue;
        }
        todo.sort_by(|a, b| compare_ids(&a.control, &b.control).then(a.id.cmp(&b.id)));
        let file_name = file_name(&reviewer, &mut used);
        let page = Page {
            campaign,
            today,
            workspace,
            name: &name,
            label: &label,
            known,
        };
        reminders.push(Reminder {
            left: todo.len() as u64,
            text: page.render(&todo, &waiting),
            reviewer,
            label,
            known,
            file_name,
        });
    }
    Ok(reminders)
}

/// `mia@x.example.txt`: the reviewer's name with anything but letters,
/// digits, `.`, `_`, `@` and `-` replaced by `_`, made unique among the
/// `used` names (kept in lower case: file systems that ignore case would
/// write `M1.txt` and `m1.txt` over each other).
fn file_name(reviewer: &str, used: &mut HashSet<String>) -> String {
    let mut stem: String = reviewer
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if stem.trim_matches('.').is_empty() {
        stem = format!("reviewer{stem}");
    }
    if stem.starts_with('.') || stem.starts_with('-') {
        stem.insert(0, '_');
    }
    let mut name = format!("{stem}.txt");
    let mut n = 2;
    while !used.insert(name.to_ascii_lowercase()) {
        name = format!("{stem}-{n}.txt");
        n += 1;
    }
    name
}

/// What one reminder says besides its items.
struct Page<'a> {
    campaign: &'a Campaign,
    today: NaiveDate,
    workspace: Option<&'a str>,
    /// The name to give as `--reviewer`.
    name: &'a str,
    label: &'a str,
    known: bool,
}

impl Page<'_> {
    fn render(&self, todo: &[Open], waiting: &[Open]) -> String {
        let campaign = self.campaign;
        let id = campaign.id;
        let mut out = String::new();
        let period = campaign
            .period
            .as_deref()
            .map(|p| format!(" ({})", for_display(p)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "Access review reminder: campaign {id} \"{}\"{period}\n",
            for_display(&campaign.name)
        );
        let _ = writeln!(out, "To:   {}", for_display(self.label));
        let _ = writeln!(out, "Due:  {}", self.due());
        let _ = writeln!(
            out,
            "Left: {} to decide{}\n",
            crate::text::count(todo.len(), "item"),
            if waiting.is_empty() {
                String::new()
            } else {
                format!(" (and {} waiting for a second reviewer)", waiting.len())
            }
        );
        if !self.known {
            let _ = writeln!(
                out,
                "Note: {:?} is not a known reviewer of this workspace, so recert refuses decisions in that name. Register it first (recert reviewer add NAME) or ask for the items to be reassigned.\n",
                for_display(self.name)
            );
        }
        let recert = match self.workspace {
            Some(path) => format!("recert --workspace {}", shell_word(&for_display(path))),
            None => "recert".to_owned(),
        };
        let me = shell_word(&for_display(self.name)).into_owned();
        let _ = writeln!(out, "How to do it");
        let _ = writeln!(out, "  Open your review in the terminal:");
        let _ = writeln!(out, "    {recert} review {id} --reviewer {me}");
        let _ = writeln!(
            out,
            "  There, f and \"mine only\" show your items; n jumps to the next undecided one."
        );
        let _ = writeln!(out, "  Or list and decide them from the command line:");
        let _ = writeln!(out, "    {recert} items {id} --reviewer {me} --undecided");
        let _ = writeln!(
            out,
            "    {recert} decide {id} ITEM_ID... --certify|--revoke --justification TEXT --reviewer {me}"
        );
        let _ = writeln!(
            out,
            "  If someone else should review them, ask the campaign owner to reassign them\n  ({recert} reassign {id} --from {me} --to REVIEWER --reason TEXT).\n"
        );
        let _ = writeln!(out, "Your open items, by control");
        list(&mut out, todo);
        if !waiting.is_empty() {
            let _ = writeln!(
                out,
                "\nWaiting for a second, different reviewer (you made the first review)"
            );
            list(&mut out, waiting);
        }
        out
    }

    fn due(&self) -> String {
        let Some(due) = self.campaign.due.as_deref() else {
            return "no due date set".to_owned();
        };
        let Ok(date) = NaiveDate::parse_from_str(due, "%Y-%m-%d") else {
            return for_display(due).into_owned();
        };
        let days = (date - self.today).num_days();
        match days {
            0 => format!("{due} (today)"),
            1 => format!("{due} (tomorrow)"),
            d if d > 1 => format!("{due} (in {d} days)"),
            -1 => format!("{due} (yesterday: overdue)"),
            d => format!("{due} ({} days ago: overdue)", -d),
        }
    }
}

/// The items under a heading per control.
fn list(out: &mut String, items: &[Open]) {
    let catalog = Catalog::builtin();
    let mut control: Option<&str> = None;
    for item in items {
        if control != Some(item.control.as_str()) {
            let n = items.iter().filter(|i| i.control == item.control).count();
            let _ = writeln!(
                out,
                "\n  {} {} ({n})",
                for_display(&item.control),
                catalog.title(&item.control)
            );
            control = Some(item.control.as_str());
        }
        let first = item
            .first_review_by
            .as_deref()
            .map(|by| format!(" · first review by {}", for_display(by)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    #{} {} · {} · {} · recommended: {}{first}",
            item.id,
            for_display(&item.holder),
            for_display(&item.system),
            for_display(&item.entitlement),
            item.recommendation
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::file_name;

    #[test]
    fn file_names_are_safe_and_unique() {
        let mut used = HashSet::new();
        assert_eq!(file_name("M1", &mut used), "M1.txt");
        assert_eq!(file_name("m1", &mut used), "m1-2.txt");
        assert_eq!(file_name("../etc/passwd", &mut used), "_.._etc_passwd.txt");
        assert_eq!(file_name("Zoë Müller", &mut used), "Zo__M_ller.txt");
        assert_eq!(file_name("..", &mut used), "reviewer...txt");
        assert_eq!(file_name("-rf", &mut used), "_-rf.txt");
        // A reviewer whose own name is a name made unique before.
        assert_eq!(file_name("M1-2", &mut used), "M1-2-2.txt");
    }
}
