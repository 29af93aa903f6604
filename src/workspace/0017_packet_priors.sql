-- 0017: the baseline's decisions travel with a review packet.
--
-- A packet (PRODUCT.md §9) holds one campaign's items; the baseline's
-- items, decisions and events stay in the workspace, so item_view found no
-- prior decision in a packet and its reviewer saw less than a reviewer in
-- the workspace (§7: each item carries the baseline's decision and
-- justification). Packet creation copies what item_view shows of the
-- baseline's decision here, one row per packet item compared with one;
-- workspaces leave it empty, item_view reading the baseline itself there.
CREATE TABLE packet_priors (
    item_id                   INTEGER PRIMARY KEY REFERENCES items(id),
    -- The baseline's item, in the workspace the packet came from.
    prior_item                INTEGER NOT NULL,
    campaign_id               INTEGER NOT NULL,
    campaign_name             TEXT NOT NULL,
    decision                  TEXT CHECK (decision IS NULL OR decision = 'certify' OR decision = 'revoke'),
    justification             TEXT,
    decided_by_reviewer       TEXT,
    decided_at                TEXT,
    valid_until               TEXT,
    basis                     TEXT
) STRICT;

-- The view as migration 0016 made it, the prior decision read from
-- packet_priors where the baseline's items are not at hand.
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
    coalesce(it.prior_item, pp.prior_item) AS prior_item,
    coalesce(pit.campaign_id, pp.campaign_id) AS prior_campaign_id,
    coalesce(pc.name, pp.campaign_name) AS prior_campaign_name,
    coalesce(pcd.decision, pp.decision) AS prior_decision,
    CASE WHEN pp.item_id IS NULL THEN pe.justification ELSE pp.justification END
                             AS prior_justification,
    CASE WHEN pp.item_id IS NULL THEN pe.reviewer ELSE pp.decided_by_reviewer END
                             AS prior_decided_by_reviewer,
    CASE WHEN pp.item_id IS NULL THEN pe.decided_at ELSE pp.decided_at END
                             AS prior_decided_at,
    CASE WHEN pp.item_id IS NULL THEN pe.valid_until ELSE pp.valid_until END
                             AS prior_valid_until,
    CASE WHEN pp.item_id IS NULL THEN pe.basis ELSE pp.basis END
                             AS prior_basis
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
LEFT JOIN decision_events pe ON pe.id = pcd.event_id
LEFT JOIN packet_priors pp ON pp.item_id = it.id;
