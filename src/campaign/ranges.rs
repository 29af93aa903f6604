//! Finding one control's items of a campaign. A campaign inserts its items
//! in control order, so each control's items have consecutive ids, and
//! `control_stats` records that range (migration 0005): SQLite then reads
//! them in the table's own order, with no index on a million items to keep.

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
/// `+` keeps SQLite from reading the whole campaign through the reviewer
/// index instead of the range. Every campaign has its ranges: creation
/// records them, and migration 0005 recorded those of older campaigns.
pub fn in_control(columns: ItemColumns, campaign: &str, control: &str) -> String {
    format!("+{}", in_range(columns, campaign, control))
}

/// Like [`in_control`] for a query that also names the assigned reviewer:
/// SQLite may then use the reviewer index together with the id range.
pub fn in_control_for_reviewer(columns: ItemColumns, campaign: &str, control: &str) -> String {
    in_range(columns, campaign, control)
}

fn in_range(columns: ItemColumns, campaign: &str, control: &str) -> String {
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
        "{campaign_column} = {campaign} AND {control_column} = {control} AND {id} BETWEEN {} AND {}",
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
