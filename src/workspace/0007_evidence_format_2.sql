-- 0007: what evidence format 2 (PRODUCT.md §5) and the second wave's
-- decisions need, while every campaign created before keeps its format.
--
-- A campaign created from now on records `evidence_format = 2`: its
-- evidence has the format-2 columns, and each of its decision events hashes
-- the fields below too. Campaigns that already exist stay format 1 for ever:
-- their evidence, their decision hashes and the signatures over both must
-- stay byte-identical and verifiable.

ALTER TABLE campaigns ADD COLUMN evidence_format INTEGER NOT NULL DEFAULT 1
    CHECK (evidence_format = 1 OR evidence_format = 2);

-- Counts of the signals added after the first eight (`Signal` bits 8 to 19).
ALTER TABLE control_stats ADD COLUMN signal_8 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_9 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_10 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_11 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_12 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_13 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_14 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_15 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_16 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_17 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_18 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE control_stats ADD COLUMN signal_19 INTEGER NOT NULL DEFAULT 0;

-- Decision events gain the action `reassign` and the fields of format 2.
-- SQLite cannot change a CHECK constraint in place, so the table is made
-- again: its rows wait in a temporary copy while the table is dropped and
-- created with the new columns after the first eleven. The view and the
-- triggers that name it are made again too. `current_decisions` keeps
-- pointing at the same event ids; its foreign keys are checked at commit.
PRAGMA defer_foreign_keys = ON;
DROP VIEW item_view;

CREATE TEMP TABLE decision_events_copy AS SELECT * FROM decision_events;
DROP TABLE decision_events;

CREATE TABLE decision_events (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
    item_id       INTEGER NOT NULL REFERENCES items(id),
    action        TEXT NOT NULL CHECK (action = 'certify' OR action = 'revoke' OR action = 'undo' OR action = 'reassign'),
    justification TEXT,
    reviewer      TEXT NOT NULL,
    os_user       TEXT NOT NULL,
    host          TEXT NOT NULL,
    decided_at    TEXT NOT NULL,
    prev_hash     TEXT NOT NULL CHECK (length(prev_hash) = 64),
    event_hash    TEXT NOT NULL CHECK (length(event_hash) = 64),
    -- Format 2 only (NULL in the events of format-1 campaigns), each hashed:
    -- how the decision came about (evidence `decision_basis`),
    basis         TEXT CHECK (basis IS NULL OR basis = 'reviewer' OR basis = 'close-out' OR basis = 'carry-over'),
    -- the end date of a time-boxed certification,
    valid_until   TEXT,
    -- the reviewer a `reassign` event hands the item to,
    assignee      TEXT,
    -- 1 or 2 for a control whose items need a second, different reviewer,
    stage         INTEGER CHECK (stage IS NULL OR stage = 1 OR stage = 2),
    -- and, for a decision merged from a review packet, the key id of the
    -- reviewer's key that sealed it and the packet's SHA-256.
    decided_key   TEXT,
    packet_sha256 TEXT CHECK (packet_sha256 IS NULL OR length(packet_sha256) = 64)
) STRICT;

-- Putting the rows back satisfies `current_decisions`' references again
-- before the commit checks them.
INSERT INTO decision_events (id, campaign_id, item_id, action, justification, reviewer,
    os_user, host, decided_at, prev_hash, event_hash)
SELECT id, campaign_id, item_id, action, justification, reviewer, os_user, host, decided_at,
    prev_hash, event_hash
FROM temp.decision_events_copy ORDER BY id;
DROP TABLE temp.decision_events_copy;

CREATE INDEX decision_events_by_item ON decision_events(item_id, id);
CREATE INDEX decision_events_by_campaign ON decision_events(campaign_id, id);

CREATE TRIGGER decision_events_append_only_update
BEFORE UPDATE ON decision_events
BEGIN
    SELECT RAISE(ABORT, 'decision events are append-only');
END;
CREATE TRIGGER decision_events_append_only_delete
BEFORE DELETE ON decision_events
BEGIN
    SELECT RAISE(ABORT, 'decision events are append-only');
END;
CREATE TRIGGER signoffs_lock_decisions
BEFORE INSERT ON decision_events
WHEN EXISTS (SELECT 1 FROM signoffs WHERE campaign_id = NEW.campaign_id)
BEGIN
    SELECT RAISE(ABORT, 'campaign is signed off');
END;

-- The view as migration 0001 made it, plus the format-2 facts of the
-- current decision and the holder's key as the export wrote it.
CREATE VIEW item_view AS
SELECT
    it.id                    AS item_id,
    it.campaign_id           AS campaign_id,
    it.control_id            AS control_id,
    coalesce(i.identity_id, g.identity_ref) AS identity_id,
    i.display_name           AS identity_name,
    i.kind                   AS identity_kind,
    i.status                 AS identity_status,
    i.email                  AS identity_email,
    i.department             AS department,
    i.manager_id             AS manager_id,
    i.owner_id               AS owner_id,
    i.termination_date       AS termination_date,
    i.last_login_at          AS last_login_at,
    i.attributes             AS identity_attributes,
    g.system                 AS system,
    g.entitlement            AS entitlement,
    g.type                   AS entitlement_type,
    g.privileged             AS privileged,
    g.granted_at             AS granted_at,
    g.last_used_at           AS last_used_at,
    g.last_rotated_at        AS last_rotated_at,
    g.expires_at             AS expires_at,
    g.attributes             AS grant_attributes,
    s.owner_id               AS system_owner,
    s.criticality            AS system_criticality,
    gs.sha256                AS source_sha256,
    gs.file_name             AS source_file,
    g.line                   AS source_line,
    it.signal_mask           AS signal_mask,
    it.reasons               AS reasons,
    it.recommendation        AS recommendation,
    it.recommendation_reason AS recommendation_reason,
    it.assigned_reviewer     AS assigned_reviewer,
    cd.decision              AS decision,
    e.justification          AS justification,
    e.reviewer               AS decided_by_reviewer,
    e.os_user                AS decided_by_os_user,
    e.host                   AS decided_by_host,
    e.decided_at             AS decided_at,
    g.identity_ref           AS account,
    e.basis                  AS decision_basis,
    e.valid_until            AS valid_until,
    e.decided_key            AS decided_key
FROM items it
JOIN grants g ON g.id = it.grant_row
JOIN snapshots gs ON gs.id = g.snapshot_id
LEFT JOIN identities i ON i.id = it.identity_row
LEFT JOIN systems s ON s.id = it.system_row
LEFT JOIN current_decisions cd ON cd.item_id = it.id
LEFT JOIN decision_events e ON e.id = cd.event_id;
