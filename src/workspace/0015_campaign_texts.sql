-- Recommendation reasons that many of a campaign's items share, stored once.
-- A certification's reason depends on the item's signals alone ("no revoke
-- signal; confirm the need (privileged) in the justification"), a
-- carried-over one quotes one baseline decider and justification: a
-- million items hold a few dozen distinct ones, which made every row 20 to
-- 70 bytes longer. Such an item points at its text (`recommendation_text`)
-- and keeps '' in `recommendation_reason`; item_view gives the text either
-- way. Items of earlier campaigns keep theirs in the row.
CREATE TABLE campaign_texts (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    text        TEXT NOT NULL
) STRICT;

ALTER TABLE items ADD COLUMN recommendation_text INTEGER REFERENCES campaign_texts(id);

-- The view as migration 0010 made it, reading a shared reason through
-- `recommendation_text`.
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
