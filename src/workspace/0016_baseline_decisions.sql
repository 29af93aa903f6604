-- 0016: two things written once instead of a million times.
--
-- What a signed-off campaign decided about each grant, kept for the
-- campaigns that take it as their baseline (PRODUCT.md §7). Creating a
-- campaign read a million baseline items joined with their grants, current
-- decisions and decision events, two seconds of work each time; this is
-- one narrow row per item, written once at sign-off (after which the
-- decisions never change) and read in one scan. Campaigns signed off
-- before this migration get theirs when it runs.
CREATE TABLE baseline_decisions (
    item_id       INTEGER PRIMARY KEY REFERENCES items(id),
    campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
    -- items.grant_row: a later campaign looks its grants up in this order.
    grant_row     INTEGER NOT NULL REFERENCES grants(id),
    -- items.grant_key; computed from the grant for items of campaigns
    -- created before grant keys existed.
    grant_key     BLOB NOT NULL CHECK (length(grant_key) = 16),
    decision      TEXT NOT NULL CHECK (decision = 'certify' OR decision = 'revoke'),
    -- The grant as the campaign saw it: a later campaign calls it
    -- `changed` when these differ.
    privileged    INTEGER NOT NULL CHECK (privileged = 0 OR privileged = 1),
    type          TEXT NOT NULL,
    -- From the decision event: the end of a time-boxed certification, how
    -- the decision came about, who made it and (certifications only) why.
    valid_until   TEXT,
    basis         TEXT,
    decider       TEXT NOT NULL,
    justification TEXT
) STRICT;

CREATE TRIGGER baseline_decisions_final_update
BEFORE UPDATE ON baseline_decisions
BEGIN
    SELECT RAISE(ABORT, 'a signed-off campaign''s decisions are final');
END;
CREATE TRIGGER baseline_decisions_final_delete
BEFORE DELETE ON baseline_decisions
BEGIN
    SELECT RAISE(ABORT, 'a signed-off campaign''s decisions are final');
END;

-- A sentence many of a campaign's items add to their reasons (an outlier's
-- "held by 1 of 14 peers under manager X", shared by every outlier of that
-- team held by as many) is stored once in `campaign_texts`, as a JSON
-- string, and items point at it: 400,000 outliers of a million items made
-- the rows 25 MB longer. `reasons` keeps the item's own sentences;
-- item_view appends the shared one to the list.
ALTER TABLE items ADD COLUMN appended_text INTEGER REFERENCES campaign_texts(id);

-- The view as migration 0015 made it, with the shared sentence appended.
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
    CASE WHEN it.appended_text IS NULL THEN it.reasons
         ELSE rtrim(it.reasons, ']')
              || CASE WHEN length(rtrim(it.reasons, ']')) > 1 THEN ',' ELSE '' END
              || (SELECT t.text FROM campaign_texts t WHERE t.id = it.appended_text) || ']'
    END                      AS reasons,
    it.recommendation        AS recommendation,
    CASE WHEN it.recommendation_text IS NULL THEN it.recommendation_reason
         ELSE (SELECT t.text FROM campaign_texts t WHERE t.id = it.recommendation_text)
    END                      AS recommendation_reason,
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
