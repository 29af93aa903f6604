-- 0010: the quarterly cycle (PRODUCT.md §7): each campaign compared with a
-- baseline campaign, revocations followed until a later export shows them
-- gone, and certifications that end on a date.
--
-- The grant key that ties campaigns together is the grant's system,
-- entitlement and holder key as the export wrote it, each trimmed and ASCII
-- case-folded (`identity::keys::fold`). An item stores the first 16 bytes of
-- the SHA-256 of that text (the three parts joined by U+001F, which no
-- imported cell holds), so a new campaign finds its baseline's item for the
-- same grant through a hash map of a million small keys instead of a query
-- per item. Items of campaigns created before this migration have no key;
-- recert computes theirs from their grant rows when it needs them.

ALTER TABLE items ADD COLUMN grant_key BLOB;
-- The baseline campaign's item for the same grant, if it had one.
ALTER TABLE items ADD COLUMN prior_item INTEGER REFERENCES items(id);
-- NULL when the campaign has no baseline.
ALTER TABLE items ADD COLUMN delta TEXT
    CHECK (delta IS NULL OR delta = 'new' OR delta = 'unchanged' OR delta = 'changed' OR delta = 'regranted');
-- 1 when the item is recommended for certification because the baseline
-- certified the unchanged grant (accepting it records basis `carry-over`).
ALTER TABLE items ADD COLUMN carry_over INTEGER NOT NULL DEFAULT 0
    CHECK (carry_over = 0 OR carry_over = 1);

-- The campaign a campaign was compared with; NULL for none.
ALTER TABLE campaigns ADD COLUMN baseline_id INTEGER REFERENCES campaigns(id);

-- Time-boxed certifications are few among millions of events: a partial
-- index finds them without scanning every decision.
CREATE INDEX decision_events_time_boxed ON decision_events(valid_until)
    WHERE valid_until IS NOT NULL;

-- Remediation: one row per signed-off campaign whose revocations are
-- followed. `last_snapshot` is the newest snapshot at sign-off: a snapshot
-- with a larger id was imported after it (ids grow with every import, and
-- imports and sign-offs each hold the write lock, so this is exact where
-- timestamps of the same second would not be). `checked_through` is the
-- newest snapshot already compared with the campaign's revocations.
CREATE TABLE remediation_campaigns (
    campaign_id     INTEGER PRIMARY KEY REFERENCES campaigns(id),
    last_snapshot   INTEGER NOT NULL,
    checked_through INTEGER NOT NULL,
    -- 0 until the campaign's revoked items are listed in `remediation`
    -- (campaigns signed off before this migration: at the next refresh).
    tracked         INTEGER NOT NULL DEFAULT 0 CHECK (tracked = 0 OR tracked = 1)
) STRICT;

-- One row per revoked item of a signed-off campaign: the scope of the
-- snapshot its grant came from (only a later export of that scope can show
-- it gone) and its grant key as text (folded system, entitlement and
-- account joined by U+001F), compared with the rows of later snapshots.
CREATE TABLE remediation (
    item_id     INTEGER PRIMARY KEY REFERENCES items(id),
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    scope       TEXT NOT NULL,
    grant_key   TEXT NOT NULL
) STRICT;
CREATE INDEX remediation_by_campaign ON remediation(campaign_id, scope);

-- What each later snapshot of the scope showed: the grant still there
-- (present = 1) or gone. Appended after every import, never changed: the
-- history an auditor reads ("removed as of snapshot 12, file, SHA-256, time").
CREATE TABLE remediation_checks (
    item_id     INTEGER NOT NULL REFERENCES remediation(item_id),
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
    present     INTEGER NOT NULL CHECK (present = 0 OR present = 1),
    PRIMARY KEY (item_id, snapshot_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER remediation_checks_append_only_update
BEFORE UPDATE ON remediation_checks
BEGIN
    SELECT RAISE(ABORT, 'remediation checks are append-only');
END;
CREATE TRIGGER remediation_checks_append_only_delete
BEFORE DELETE ON remediation_checks
BEGIN
    SELECT RAISE(ABORT, 'remediation checks are append-only');
END;

-- Campaigns signed off before this migration: the newest snapshot imported
-- no later than the second of their sign-off (imports store whole seconds).
INSERT INTO remediation_campaigns (campaign_id, last_snapshot, checked_through)
SELECT so.campaign_id, coalesce(
    (SELECT max(sn.id) FROM snapshots sn JOIN imports im ON im.id = sn.import_id
     WHERE substr(im.imported_at, 1, 19) <= substr(so.signed_at, 1, 19)), 0),
    0
FROM signoffs so;
UPDATE remediation_campaigns SET checked_through = last_snapshot;

-- The view as migration 0008 made it, with the baseline's decision on the
-- same grant (`prior_*`), the item's delta and whether it carries over.
DROP VIEW item_view;
CREATE VIEW item_view AS
SELECT
    it.id                    AS item_id,
    it.campaign_id           AS campaign_id,
    it.control_id            AS control_id,
    coalesce(i.identity_id, g.identity_ref) AS identity_id,
    i.display_name           AS identity_name,
    coalesce(l.kind, i.kind) AS identity_kind,
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
    e.decided_key            AS decided_key,
    l.basis                  AS link_basis,
    CASE WHEN l.person_row IS NOT NULL THEN i.identity_id END AS person_id,
    l.secondary              AS secondary_account,
    l.kind_reason            AS kind_reason,
    l.note                   AS link_note,
    l.account_row            AS account_row,
    it.identity_row          AS holder_row,
    it.delta                 AS delta,
    it.carry_over            AS carry_over,
    it.prior_item            AS prior_item,
    pit.campaign_id          AS prior_campaign_id,
    pc.name                  AS prior_campaign_name,
    pcd.decision             AS prior_decision,
    pe.justification         AS prior_justification,
    pe.reviewer              AS prior_decided_by_reviewer,
    pe.decided_at            AS prior_decided_at,
    pe.valid_until           AS prior_valid_until,
    pe.basis                 AS prior_basis
FROM items it
JOIN grants g ON g.id = it.grant_row
JOIN snapshots gs ON gs.id = g.snapshot_id
LEFT JOIN identities i ON i.id = it.identity_row
LEFT JOIN systems s ON s.id = it.system_row
LEFT JOIN current_decisions cd ON cd.item_id = it.id
LEFT JOIN decision_events e ON e.id = cd.event_id
LEFT JOIN campaign_links l ON l.id = it.link_row
LEFT JOIN items pit ON pit.id = it.prior_item
LEFT JOIN campaigns pc ON pc.id = pit.campaign_id
LEFT JOIN current_decisions pcd ON pcd.item_id = it.prior_item
LEFT JOIN decision_events pe ON pe.id = pcd.event_id;
