-- 0008: one person across every source (PRODUCT.md §6).
--
-- A person is an identity of an HR or canonical identities file; an
-- account is a holder key of a directory or application export. recert
-- links accounts to persons by rules every time it needs to (they are
-- data: the rules file's [correlation] section), so the workspace stores
-- only what people decided by hand, and what each campaign froze.

-- `recert link` / `recert unlink`: appended, hash-chained, never changed.
-- The latest event of an account beats every rule.
CREATE TABLE link_events (
    id          INTEGER PRIMARY KEY,
    -- The account as typed, and folded the way holder keys are matched.
    account     TEXT NOT NULL,
    account_key TEXT NOT NULL,
    -- The person's identity_id; NULL for an unlink.
    person_id   TEXT,
    reason      TEXT NOT NULL,
    reviewer    TEXT NOT NULL,
    os_user     TEXT NOT NULL,
    host        TEXT NOT NULL,
    linked_at   TEXT NOT NULL,
    prev_hash   TEXT NOT NULL CHECK (length(prev_hash) = 64),
    event_hash  TEXT NOT NULL CHECK (length(event_hash) = 64)
) STRICT;
CREATE INDEX link_events_by_account ON link_events(account_key, id);

CREATE TRIGGER link_events_append_only_update
BEFORE UPDATE ON link_events
BEGIN
    SELECT RAISE(ABORT, 'link events are append-only');
END;
CREATE TRIGGER link_events_append_only_delete
BEFORE DELETE ON link_events
BEGIN
    SELECT RAISE(ABORT, 'link events are append-only');
END;

-- The links a campaign was built with, frozen like everything it reviews:
-- one row per distinct account (and how it resolved) among its items.
CREATE TABLE campaign_links (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    -- The holder key, folded.
    account_key TEXT NOT NULL,
    -- The account's own row in a directory export, when it has one.
    account_row INTEGER REFERENCES identities(id),
    -- The person it is linked to; NULL when unlinked.
    person_row  INTEGER REFERENCES identities(id),
    -- Which rule (or `manual`) linked it; NULL when unlinked.
    basis       TEXT,
    -- 1 for a secondary (admin) account of the person.
    secondary   INTEGER NOT NULL DEFAULT 0 CHECK (secondary = 0 OR secondary = 1),
    -- A kind recognised from what the export says, and why, when it is
    -- not the identity row's own (a `svc-` account, a break-glass account).
    kind        TEXT,
    kind_reason TEXT,
    -- What the reviewer should know: a rehire sharing the key, the
    -- persons an ambiguous account matched, the manual link's reason.
    note        TEXT
) STRICT;
CREATE INDEX campaign_links_by_person ON campaign_links(campaign_id, person_row);

ALTER TABLE items ADD COLUMN link_row INTEGER REFERENCES campaign_links(id);
ALTER TABLE campaigns ADD COLUMN link_watermark INTEGER;

-- Earlier review decisions (prior_reviews) about each holder of a
-- campaign, resolved through the links when the campaign was created.
CREATE TABLE campaign_prior_reviews (
    campaign_id     INTEGER NOT NULL REFERENCES campaigns(id),
    -- The person, or the account's own row when it has no person.
    holder_row      INTEGER NOT NULL REFERENCES identities(id),
    prior_review_id INTEGER NOT NULL REFERENCES prior_reviews(id),
    PRIMARY KEY (campaign_id, holder_row, prior_review_id)
) STRICT, WITHOUT ROWID;

-- Settings of the workspace. `rules`: the rules file (`recert rules set`)
-- used wherever no --rules is given: campaign creation, linking in import
-- summaries and `recert links`, so the [correlation] section is not repeated.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The view as migration 0007 made it, with the link of each item.
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
    it.identity_row          AS holder_row
FROM items it
JOIN grants g ON g.id = it.grant_row
JOIN snapshots gs ON gs.id = g.snapshot_id
LEFT JOIN identities i ON i.id = it.identity_row
LEFT JOIN systems s ON s.id = it.system_row
LEFT JOIN current_decisions cd ON cd.item_id = it.id
LEFT JOIN decision_events e ON e.id = cd.event_id
LEFT JOIN campaign_links l ON l.id = it.link_row;
