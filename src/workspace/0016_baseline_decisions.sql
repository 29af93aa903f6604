-- 0016: what a signed-off campaign decided about each grant, kept for the
-- campaigns that take it as their baseline (PRODUCT.md §7). Creating a
-- campaign read a million baseline items joined with their grants, current
-- decisions and decision events, two seconds of work each time; this is
-- one narrow row per item, written once at sign-off (after which the
-- decisions never change) and read in one scan. Campaigns signed off
-- before this migration get theirs when it runs.
CREATE TABLE baseline_decisions (
    item_id       INTEGER PRIMARY KEY REFERENCES items(id),
    campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
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
