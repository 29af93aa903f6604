-- 0003: per-control counts kept up to date by the database, so opening or
-- summarising a campaign of a million items reads a few rows instead of
-- scanning every item and decision.

-- One row per control of a campaign. `total` and the signal counts are
-- frozen with the campaign; `certified` and `revoked` follow the current
-- decisions through the triggers below.
CREATE TABLE control_stats (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    control_id  TEXT NOT NULL,
    total       INTEGER NOT NULL,
    -- Items carrying each signal, by `Signal` bit position (0 = orphaned ... 7 = new).
    signal_0    INTEGER NOT NULL,
    signal_1    INTEGER NOT NULL,
    signal_2    INTEGER NOT NULL,
    signal_3    INTEGER NOT NULL,
    signal_4    INTEGER NOT NULL,
    signal_5    INTEGER NOT NULL,
    signal_6    INTEGER NOT NULL,
    signal_7    INTEGER NOT NULL,
    certified   INTEGER NOT NULL DEFAULT 0,
    revoked     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, control_id)
) STRICT, WITHOUT ROWID;

-- Campaigns created before this migration get their counts now.
INSERT INTO control_stats
SELECT it.campaign_id, it.control_id, count(*),
    sum((it.signal_mask & 1) <> 0), sum((it.signal_mask & 2) <> 0),
    sum((it.signal_mask & 4) <> 0), sum((it.signal_mask & 8) <> 0),
    sum((it.signal_mask & 16) <> 0), sum((it.signal_mask & 32) <> 0),
    sum((it.signal_mask & 64) <> 0), sum((it.signal_mask & 128) <> 0),
    coalesce(sum(cd.decision = 'certify'), 0), coalesce(sum(cd.decision = 'revoke'), 0)
FROM items it LEFT JOIN current_decisions cd ON cd.item_id = it.id
GROUP BY it.campaign_id, it.control_id;

-- The projection replaced a decision with INSERT OR REPLACE, whose implicit
-- delete fires no trigger; delete explicitly so the counts below see it.
DROP TRIGGER decision_events_project;
CREATE TRIGGER decision_events_project
AFTER INSERT ON decision_events
BEGIN
    DELETE FROM current_decisions WHERE item_id = NEW.item_id;
    INSERT INTO current_decisions (item_id, campaign_id, event_id, decision)
        SELECT NEW.item_id, NEW.campaign_id, NEW.id, NEW.action WHERE NEW.action <> 'undo';
END;

CREATE TRIGGER current_decisions_count_insert
AFTER INSERT ON current_decisions
BEGIN
    UPDATE control_stats
    SET certified = certified + (NEW.decision = 'certify'),
        revoked = revoked + (NEW.decision = 'revoke')
    WHERE campaign_id = NEW.campaign_id
      AND control_id = (SELECT control_id FROM items WHERE id = NEW.item_id);
END;

CREATE TRIGGER current_decisions_count_delete
AFTER DELETE ON current_decisions
BEGIN
    UPDATE control_stats
    SET certified = certified - (OLD.decision = 'certify'),
        revoked = revoked - (OLD.decision = 'revoke')
    WHERE campaign_id = OLD.campaign_id
      AND control_id = (SELECT control_id FROM items WHERE id = OLD.item_id);
END;
