//! Finding a campaign's items, one control's, or one reviewer's, by ranges
//! of ids. A campaign inserts its items in control order, then reviewer
//! order, so each control's items have consecutive ids, which
//! `control_stats` records (migration 0005), and so do each reviewer's items
//! of a control, which `reviewer_ranges` records (migration 0014): SQLite
//! then reads them in the table's own order, with no index over a million
//! items to keep up to date while creating a campaign.

use rusqlite::Connection;

/// What the item columns are called in a query.
#[derive(Debug, Clone, Copy)]
pub struct ItemColumns {
    pub campaign: &'static str,
    pub control: &'static str,
    pub id: &'static str,
}

/// `item_view`'s names.
pub const VIEW: ItemColumns = ItemColumns {
    campaign: "campaign_id",
    control: "control_id",
    id: "item_id",
};

/// `items` under the alias `it`.
pub const ITEMS_AS_IT: ItemColumns = ItemColumns {
    campaign: "it.campaign_id",
    control: "it.control_id",
    id: "it.id",
};

/// A condition selecting the items of control `control` of campaign
/// `campaign` (both SQL expressions, usually parameters such as `?1`).
///
/// `control_id` decides; the id range only narrows the search. The unary
/// `+` keeps SQLite from reading the campaign through another index instead
/// of the range. Every campaign has its ranges: creation records them, and
/// migration 0005 recorded those of older campaigns.
pub fn in_control(columns: ItemColumns, campaign: &str, control: &str) -> String {
    format!("+{}", in_range(columns, campaign, control, ""))
}

/// A condition selecting every item of campaign `campaign` (an SQL
/// expression): its controls' ranges together are one range of ids, read
/// in the table's own order.
pub fn in_campaign(columns: ItemColumns, campaign: &str) -> String {
    let ItemColumns {
        campaign: campaign_column,
        id,
        ..
    } = columns;
    format!(
        "+{campaign_column} = {campaign} AND {id} BETWEEN \
         (SELECT min(first_item) FROM control_stats WHERE campaign_id = {campaign}) AND \
         (SELECT max(last_item) FROM control_stats WHERE campaign_id = {campaign})"
    )
}

/// Like [`in_control`], for the items of the control assigned to one of
/// `reviewers` (see [`assigned_to`]): SQLite looks those up by id instead of
/// reading the whole control's range (one reviewer may hold a few of its
/// million items).
pub fn in_control_assigned_to(
    columns: ItemColumns,
    campaign: &str,
    control: &str,
    reviewers: &str,
) -> String {
    format!(
        "+{} AND {}",
        in_range(columns, campaign, control, "+"),
        assigned_to(columns, campaign, reviewers)
    )
}

/// A condition selecting the items of campaign `campaign` assigned to one
/// of `reviewers`, a JSON list of reviewer keys (both SQL expressions,
/// numbered parameters such as `?1`, `?3`: each is used several times).
///
/// A campaign inserts each reviewer's items of a control with consecutive
/// ids and `reviewer_ranges` records the runs by the reviewer each item was
/// created for (migration 0014); reassigned items, which keep that first
/// reviewer in `initial_reviewer`, are found through their own small index.
/// `assigned_reviewer` decides in both halves, which never overlap: the
/// first takes items created for one of `reviewers`, the second the others.
pub fn assigned_to(columns: ItemColumns, campaign: &str, reviewers: &str) -> String {
    let ItemColumns { id, .. } = columns;
    let listed = |column: &str| format!("{column} IN (SELECT value FROM json_each({reviewers}))");
    format!(
        "{id} IN (SELECT x.id FROM reviewer_ranges rr \
             CROSS JOIN items x ON x.id BETWEEN rr.first_item AND rr.last_item \
             WHERE rr.campaign_id = {campaign} AND {} \
               AND x.campaign_id = {campaign} AND {} \
               AND (x.initial_reviewer IS NULL OR {}) \
           UNION ALL \
           SELECT x.id FROM items x INDEXED BY items_reassigned \
             WHERE x.campaign_id = {campaign} AND x.initial_reviewer IS NOT NULL \
               AND {} AND NOT {})",
        listed("rr.reviewer"),
        listed("x.assigned_reviewer"),
        listed("x.initial_reviewer"),
        listed("x.assigned_reviewer"),
        listed("x.initial_reviewer"),
    )
}

/// Records the reviewer runs of campaign `campaign` in database `schema`
/// (`main`, or an attached packet) from its items in id order, replacing
/// any recorded before. Campaign creation records them as it inserts; this
/// is for items copied or written otherwise.
pub fn record_reviewer_ranges(
    conn: &Connection,
    schema: &str,
    campaign: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        &format!("DELETE FROM {schema}.reviewer_ranges WHERE campaign_id = ?1"),
        [campaign],
    )?;
    // One pass in id order: a window query numbering the runs took a
    // tenth of a second over a packet of 100,000 items.
    let mut select = conn.prepare(&format!(
        "SELECT id, coalesce(initial_reviewer, assigned_reviewer)
         FROM {schema}.items WHERE campaign_id = ?1 ORDER BY id"
    ))?;
    let mut runs: Vec<(String, i64, i64)> = Vec::new();
    let mut rows = select.query([campaign])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let reviewer = row.get_ref(1)?.as_str()?;
        match runs.last_mut() {
            Some((last, _, end)) if last == reviewer => *end = id,
            _ => runs.push((reviewer.to_owned(), id, id)),
        }
    }
    let mut insert = conn.prepare(&format!(
        "INSERT INTO {schema}.reviewer_ranges (campaign_id, reviewer, first_item, last_item)
         VALUES (?1, ?2, ?3, ?4)"
    ))?;
    for (reviewer, first, last) in &runs {
        insert.execute((campaign, reviewer, first, last))?;
    }
    Ok(())
}

/// `id_prefix` is `+` to keep SQLite from reading the range by id.
fn in_range(columns: ItemColumns, campaign: &str, control: &str, id_prefix: &str) -> String {
    let ItemColumns {
        campaign: campaign_column,
        control: control_column,
        id,
    } = columns;
    let bound = |column: &str| {
        format!(
            "(SELECT {column} FROM control_stats \
             WHERE campaign_id = {campaign} AND control_id = {control})"
        )
    };
    format!(
        "{campaign_column} = {campaign} AND {control_column} = {control} \
         AND {id_prefix}{id} BETWEEN {} AND {}",
        bound("first_item"),
        bound("last_item"),
    )
}

/// The campaign's control ids, unsorted, as `control_stats` records them.
pub fn control_ids(conn: &Connection, campaign: i64) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT control_id FROM control_stats WHERE campaign_id = ?1")?
        .query_map([campaign], |row| row.get(0))?
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Actor;
    use crate::campaign::{CampaignSpec, Reassignment, find_campaign, record_reassignment};
    use crate::test_support::{at, campaign_workspace, rows};
    use crate::workspace::Workspace;

    /// Three managers' teams and two system owners, with items under
    /// several controls (privileged, dormant, credentials, orphaned).
    fn workspace() -> Workspace {
        campaign_workspace(
            &[
                (
                    "identities.csv",
                    "identity_id,manager_id\nE1,M1\nE2,M1\nE3,M2\nE4,M2\nE5,M3\nE6,M3\n\
                     M1,\nM2,\nM3,\nO1,\nO2,\n",
                ),
                ("systems.csv", "system,owner_id\napp,O1\nvault,O2\n"),
                (
                    "entitlements.csv",
                    "identity_id,system,entitlement,type,privileged,last_used_at\n\
                     E1,app,user,role,false,2026-11-20\n\
                     E2,app,admin,role,true,2026-11-20\n\
                     E3,app,user,role,false,2026-01-02\n\
                     E4,vault,key,api_key,false,2026-11-20\n\
                     E5,app,user,role,false,2026-11-20\n\
                     E6,app,admin,role,true,2026-11-20\n\
                     E1,vault,key,api_key,false,2026-11-20\n\
                     ghost,app,user,role,false,2026-11-20\n\
                     E3,app,admin,role,true,2026-11-20\n\
                     E5,vault,reader,role,false,2025-01-01\n",
                ),
            ],
            &CampaignSpec {
                as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
                ..CampaignSpec::new("Q4")
            },
        )
    }

    fn reassign(ws: &mut Workspace, items: &[i64], to: &str) {
        let campaign = find_campaign(&ws.conn, "Q4").expect("campaign");
        let reassignment = Reassignment {
            items,
            assignee: to,
            reason: "cover",
        };
        record_reassignment(
            &mut ws.conn,
            &campaign,
            &reassignment,
            &Actor::fixed("u"),
            at(9),
        )
        .expect("reassign");
    }

    fn ranges(ws: &Workspace) -> Vec<(String, i64, i64)> {
        rows(
            &ws.conn,
            "SELECT reviewer, first_item, last_item FROM reviewer_ranges
             WHERE campaign_id = 1 ORDER BY first_item",
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
    }

    /// Every reviewer alone and every pair: the ranges and the reassigned
    /// items give exactly the items a plain query over the table gives.
    fn check_every_choice_of_reviewers(ws: &Workspace) {
        let names: Vec<String> = rows(
            &ws.conn,
            "SELECT DISTINCT assigned_reviewer FROM items UNION SELECT 'nobody' ORDER BY 1",
            |row| row.get(0),
        );
        let mut choices: Vec<Vec<&str>> = names.iter().map(|n| vec![n.as_str()]).collect();
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                choices.push(vec![a.as_str(), b.as_str()]);
            }
        }
        let through_ranges = format!(
            "SELECT it.id FROM items it WHERE {} ORDER BY it.id",
            assigned_to(ITEMS_AS_IT, "?1", "?2")
        );
        for choice in choices {
            let json = serde_json::to_string(&choice).expect("json");
            let expected: Vec<i64> = ws
                .conn
                .prepare(
                    "SELECT id FROM items WHERE campaign_id = ?1
                       AND assigned_reviewer IN (SELECT value FROM json_each(?2)) ORDER BY id",
                )
                .and_then(|mut s| s.query_map((1, &json), |r| r.get(0))?.collect())
                .expect("plain query");
            let found: Vec<i64> = ws
                .conn
                .prepare(&through_ranges)
                .and_then(|mut s| s.query_map((1, &json), |r| r.get(0))?.collect())
                .expect("through the ranges");
            assert_eq!(found, expected, "{choice:?}");
        }
    }

    #[test]
    fn a_reviewers_items_are_found_through_ranges_and_reassignments() {
        let mut ws = workspace();
        let created = ranges(&ws);
        assert!(created.len() >= 4, "{created:?}");
        // Recording the runs again from the items gives what creation recorded.
        record_reviewer_ranges(&ws.conn, "main", 1).expect("record");
        assert_eq!(ranges(&ws), created);
        check_every_choice_of_reviewers(&ws);
        // Away and on (M1 → M2 → O1), away and back (M2 → M3 → M2), to a
        // reviewer who held nothing, and a whole run away.
        let first_of = |reviewer: &str| -> i64 {
            created
                .iter()
                .find(|r| r.0 == reviewer)
                .map(|r| r.1)
                .expect("a run")
        };
        let (m1, m2) = (first_of("M1"), first_of("M2"));
        reassign(&mut ws, &[m1], "M2");
        reassign(&mut ws, &[m1], "O1");
        reassign(&mut ws, &[m2], "M3");
        reassign(&mut ws, &[m2], "M2");
        reassign(&mut ws, &[first_of("O1")], "O2");
        check_every_choice_of_reviewers(&ws);
        // The runs still name the reviewers the items were created for.
        record_reviewer_ranges(&ws.conn, "main", 1).expect("record");
        assert_eq!(ranges(&ws), created);
        check_every_choice_of_reviewers(&ws);
    }
}
