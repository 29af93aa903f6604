-- 0012: toxic combinations (PRODUCT.md §11). A `[[sod]]` rule of the
-- campaign's rules names two sets of entitlements one person must not hold
-- together; each pair of items of one person (across all of their accounts)
-- that a rule forbids is one row, written when the campaign is created, so
-- the TUI and `recert items --json` show each item's other half. Whether a
-- conflict is resolved is not stored: it is, once either item's current
-- decision is a revocation.
CREATE TABLE item_conflicts (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    -- item_a < item_b
    item_a      INTEGER NOT NULL REFERENCES items(id),
    item_b      INTEGER NOT NULL REFERENCES items(id),
    -- The rule's name and description as the campaign's rules give them.
    rule        TEXT NOT NULL,
    description TEXT,
    CHECK (item_a < item_b),
    UNIQUE (item_a, item_b, rule)
) STRICT;
CREATE INDEX item_conflicts_by_b ON item_conflicts(item_b);
CREATE INDEX item_conflicts_by_campaign ON item_conflicts(campaign_id);
