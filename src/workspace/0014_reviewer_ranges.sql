-- 0014: a reviewer's items are found by id ranges, not by an index.
--
-- A campaign inserts its items ordered by control, then reviewer, so each
-- reviewer's items of one control have consecutive ids; `reviewer_ranges`
-- records those runs, as `control_stats` records each control's (0005).
-- Maintaining `items_by_reviewer` was the largest single cost of creating a
-- campaign: on a million grants, 4.4 s with it against 3.1 s without.
--
-- A run belongs to the reviewer an item was created for: the first
-- reviewer, which a reassignment keeps in `initial_reviewer` (0009). The
-- items of reviewer R are those in R's runs still assigned to R, and the
-- reassigned items (a small partial index) created for someone else and
-- now assigned to R. `assigned_reviewer` always decides; a run only narrows
-- the search, so a run enclosing someone else's items would be slower,
-- never wrong.
--
-- Campaigns created before this migration get their runs from their items
-- in id order.

CREATE TABLE reviewer_ranges (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    reviewer    TEXT NOT NULL,
    first_item  INTEGER NOT NULL,
    last_item   INTEGER NOT NULL CHECK (last_item >= first_item)
) STRICT;

CREATE INDEX reviewer_ranges_by_reviewer ON reviewer_ranges(campaign_id, reviewer, first_item);

CREATE INDEX items_reassigned ON items(campaign_id, assigned_reviewer, id)
    WHERE initial_reviewer IS NOT NULL;

INSERT INTO reviewer_ranges (campaign_id, reviewer, first_item, last_item)
SELECT campaign_id, reviewer, min(id), max(id)
FROM (
    SELECT id, campaign_id, reviewer,
           sum(starts) OVER (PARTITION BY campaign_id ORDER BY id) AS run
    FROM (
        SELECT id, campaign_id, coalesce(initial_reviewer, assigned_reviewer) AS reviewer,
               coalesce(initial_reviewer, assigned_reviewer) IS NOT
                   lag(coalesce(initial_reviewer, assigned_reviewer))
                       OVER (PARTITION BY campaign_id ORDER BY id) AS starts
        FROM items
    )
)
GROUP BY campaign_id, run;

DROP INDEX items_by_reviewer;
