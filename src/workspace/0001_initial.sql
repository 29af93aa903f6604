-- 0001: the first workspace schema.
--
-- Enumerations are checked with OR chains, not `IN (...)`: SQLite evaluates
-- an IN-list CHECK about three times slower per row, which alone made a
-- million-grant import miss its time budget.
--
-- Imported data lives in immutable snapshots: an import never updates or
-- deletes a row, it adds a snapshot and marks older snapshots of the same
-- kind and scope as no longer current. Campaigns point at snapshot rows, so
-- what a campaign reviewed stays exactly as it was however often the
-- exports are re-imported.

-- One row per `recert import` call; every file of that call shares it.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    imported_at TEXT NOT NULL,
    os_user     TEXT NOT NULL,
    host        TEXT NOT NULL
) STRICT;

-- One row per imported file.
CREATE TABLE snapshots (
    id         INTEGER PRIMARY KEY,
    import_id  INTEGER NOT NULL REFERENCES imports(id),
    kind       TEXT NOT NULL CHECK (kind = 'identities' OR kind = 'entitlements' OR kind = 'systems'),
    -- What a newer import of the same kind replaces: `canonical` for the
    -- canonical CSVs, or e.g. `aws:123456789012` for one AWS account's report.
    scope      TEXT NOT NULL,
    format     TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    row_count  INTEGER NOT NULL CHECK (row_count >= 0),
    -- 1 while this snapshot is part of the current view, 0 once superseded.
    current    INTEGER NOT NULL DEFAULT 1 CHECK (current = 0 OR current = 1)
) STRICT;
CREATE INDEX snapshots_current ON snapshots(kind, scope) WHERE current = 1;

CREATE TABLE identities (
    id               INTEGER PRIMARY KEY,
    snapshot_id      INTEGER NOT NULL REFERENCES snapshots(id),
    line             INTEGER NOT NULL,
    identity_id      TEXT NOT NULL,
    display_name     TEXT,
    email            TEXT,
    department       TEXT,
    kind             TEXT NOT NULL CHECK (kind = 'human' OR kind = 'service' OR kind = 'workload' OR kind = 'bot' OR kind = 'shared' OR kind = 'external'),
    status           TEXT NOT NULL CHECK (status = 'active' OR status = 'disabled' OR status = 'terminated'),
    manager_id       TEXT,
    owner_id         TEXT,
    termination_date TEXT,
    last_login_at    TEXT,
    -- Columns the file had beyond the canonical ones: a JSON object, or NULL.
    attributes       TEXT CHECK (attributes IS NULL OR json_valid(attributes)),
    UNIQUE (snapshot_id, identity_id)
) STRICT;

CREATE TABLE grants (
    id              INTEGER PRIMARY KEY,
    snapshot_id     INTEGER NOT NULL REFERENCES snapshots(id),
    line            INTEGER NOT NULL,
    -- The holder as the file names it: an identity_id, an email or a login.
    identity_ref    TEXT NOT NULL,
    system          TEXT NOT NULL,
    entitlement     TEXT NOT NULL,
    type            TEXT NOT NULL CHECK (type = 'role' OR type = 'group' OR type = 'permission' OR type = 'account' OR type = 'api_key' OR type = 'secret' OR type = 'certificate' OR type = 'ssh_key' OR type = 'password'),
    privileged      INTEGER NOT NULL CHECK (privileged = 0 OR privileged = 1),
    granted_at      TEXT,
    last_used_at    TEXT,
    last_rotated_at TEXT,
    expires_at      TEXT,
    -- JSON written by recert itself; not re-validated per row (a million-row table).
    attributes      TEXT
) STRICT;
CREATE INDEX grants_by_snapshot ON grants(snapshot_id);

CREATE TABLE systems (
    id          INTEGER PRIMARY KEY,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
    line        INTEGER NOT NULL,
    system      TEXT NOT NULL,
    owner_id    TEXT,
    criticality TEXT CHECK (criticality = 'low' OR criticality = 'medium' OR criticality = 'high' OR criticality = 'critical'),
    attributes  TEXT CHECK (attributes IS NULL OR json_valid(attributes)),
    UNIQUE (snapshot_id, system)
) STRICT;

-- A campaign freezes its settings: the rules it was created with are kept
-- verbatim so its signals and justification rules never drift.
CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    period           TEXT,
    as_of            TEXT NOT NULL,
    due              TEXT,
    default_reviewer TEXT,
    -- Bit set of signals whose certification needs a justification
    -- (bit positions as in `Signal::bit`).
    justify_mask     INTEGER NOT NULL,
    rules            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL
) STRICT;

-- The snapshots a campaign was built from (for evidence provenance).
CREATE TABLE campaign_snapshots (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
    PRIMARY KEY (campaign_id, snapshot_id)
) STRICT, WITHOUT ROWID;

-- One review item per grant in scope. Identity, grant and system details
-- are read through the immutable snapshot rows they point at.
CREATE TABLE items (
    id                    INTEGER PRIMARY KEY,
    campaign_id           INTEGER NOT NULL REFERENCES campaigns(id),
    control_id            TEXT NOT NULL,
    grant_row             INTEGER NOT NULL REFERENCES grants(id),
    -- NULL when the holder matches no identity (an orphaned grant).
    identity_row          INTEGER REFERENCES identities(id),
    system_row            INTEGER REFERENCES systems(id),
    -- Bit set of `Signal`s; `reasons` holds one sentence per set bit, in bit order.
    signal_mask           INTEGER NOT NULL,
    -- JSON written by recert itself; not re-validated per row (a million-row table).
    reasons               TEXT NOT NULL,
    recommendation        TEXT NOT NULL CHECK (recommendation = 'certify' OR recommendation = 'revoke'),
    recommendation_reason TEXT NOT NULL,
    assigned_reviewer     TEXT NOT NULL
) STRICT;
CREATE INDEX items_by_control ON items(campaign_id, control_id, id);
CREATE INDEX items_by_reviewer ON items(campaign_id, assigned_reviewer, id);

-- Decisions are appended, never updated: the current decision of an item is
-- its latest event. Each event is hash-chained to the campaign's previous one
-- so that editing the log behind recert's back is detectable.
CREATE TABLE decision_events (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
    item_id       INTEGER NOT NULL REFERENCES items(id),
    action        TEXT NOT NULL CHECK (action = 'certify' OR action = 'revoke' OR action = 'undo'),
    justification TEXT,
    reviewer      TEXT NOT NULL,
    os_user       TEXT NOT NULL,
    host          TEXT NOT NULL,
    decided_at    TEXT NOT NULL,
    prev_hash     TEXT NOT NULL CHECK (length(prev_hash) = 64),
    event_hash    TEXT NOT NULL CHECK (length(event_hash) = 64)
) STRICT;
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

-- The latest event per item, kept by the database itself so that filtering a
-- million items by decision state needs no scan of the event log.
CREATE TABLE current_decisions (
    item_id     INTEGER PRIMARY KEY REFERENCES items(id),
    campaign_id INTEGER NOT NULL,
    event_id    INTEGER NOT NULL REFERENCES decision_events(id),
    decision    TEXT NOT NULL CHECK (decision = 'certify' OR decision = 'revoke')
) STRICT;
CREATE INDEX current_decisions_by_campaign ON current_decisions(campaign_id, decision);

CREATE TRIGGER decision_events_project
AFTER INSERT ON decision_events
BEGIN
    DELETE FROM current_decisions WHERE item_id = NEW.item_id AND NEW.action = 'undo';
    INSERT OR REPLACE INTO current_decisions (item_id, campaign_id, event_id, decision)
        SELECT NEW.item_id, NEW.campaign_id, NEW.id, NEW.action WHERE NEW.action <> 'undo';
END;

-- A signed-off campaign is locked: decide refuses, evidence is final.
CREATE TABLE signoffs (
    campaign_id INTEGER PRIMARY KEY REFERENCES campaigns(id),
    reviewer    TEXT NOT NULL,
    os_user     TEXT NOT NULL,
    host        TEXT NOT NULL,
    signed_at   TEXT NOT NULL,
    statement   TEXT NOT NULL,
    -- row_hash of the last evidence row at sign-off.
    final_hash  TEXT NOT NULL CHECK (length(final_hash) = 64)
) STRICT;

CREATE TRIGGER signoffs_lock_decisions
BEFORE INSERT ON decision_events
WHEN EXISTS (SELECT 1 FROM signoffs WHERE campaign_id = NEW.campaign_id)
BEGIN
    SELECT RAISE(ABORT, 'campaign is signed off');
END;

-- Everything a reviewer, the CLI or the evidence export shows about an item.
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
    e.decided_at             AS decided_at
FROM items it
JOIN grants g ON g.id = it.grant_row
JOIN snapshots gs ON gs.id = g.snapshot_id
LEFT JOIN identities i ON i.id = it.identity_row
LEFT JOIN systems s ON s.id = it.system_row
LEFT JOIN current_decisions cd ON cd.item_id = it.id
LEFT JOIN decision_events e ON e.id = cd.event_id;
