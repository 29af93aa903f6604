-- 0009: finishing a campaign on time (PRODUCT.md §8): known reviewers,
-- reassignment, close-out and a second review for privileged access.

-- Reviewers who are not persons of an imported identities file (a CISO,
-- an auditor, an external reviewer), and persons whose public key is
-- registered for review packets: `recert reviewer add NAME [--pubkey FILE]`.
-- Every reviewer name recert records must resolve to a person or to one of
-- these. Append-only: a reviewer's name and key never change under the
-- decisions already made.
CREATE TABLE reviewers (
    id         INTEGER PRIMARY KEY,
    -- The name as registered (invisible characters removed), and folded
    -- the way reviewer names are matched.
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    -- The minisign public key (its base64 line) and its key id, if given.
    public_key TEXT,
    key_id     TEXT,
    os_user    TEXT NOT NULL,
    host       TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    CHECK ((public_key IS NULL) = (key_id IS NULL))
) STRICT;

CREATE TRIGGER reviewers_append_only_update
BEFORE UPDATE ON reviewers
BEGIN
    SELECT RAISE(ABORT, 'registered reviewers are append-only');
END;
CREATE TRIGGER reviewers_append_only_delete
BEFORE DELETE ON reviewers
BEGIN
    SELECT RAISE(ABORT, 'registered reviewers are append-only');
END;

-- A `reassign` event hands an item to another reviewer: `assigned_reviewer`
-- then holds the latest assignee (so the reviewer index, "mine only" and
-- `status --reviewer` keep working unchanged), and `initial_reviewer` the
-- reviewer the campaign assigned, kept from the first reassignment on
-- (NULL while the item was never reassigned). `recert verify` re-derives
-- both from the events.
ALTER TABLE items ADD COLUMN initial_reviewer TEXT;

-- The first of two decisions on an item of a control whose rules ask for
-- a second, different reviewer: the item stays undecided (no row in
-- `current_decisions`, not counted) until a second reviewer agrees.
-- Disagreement removes the row again. Kept with the decision events in one
-- transaction, like `current_decisions`.
CREATE TABLE pending_reviews (
    item_id     INTEGER PRIMARY KEY REFERENCES items(id),
    campaign_id INTEGER NOT NULL,
    event_id    INTEGER NOT NULL REFERENCES decision_events(id),
    decision    TEXT NOT NULL CHECK (decision = 'certify' OR decision = 'revoke')
) STRICT;
CREATE INDEX pending_reviews_by_campaign ON pending_reviews(campaign_id, item_id);

-- For an item decided by two reviewers, the first reviewer's event (the
-- current decision's `event_id` is the second's); NULL otherwise.
ALTER TABLE current_decisions ADD COLUMN first_event_id INTEGER REFERENCES decision_events(id);

-- Close-out decisions (`recert close`) are few and looked for by `status`,
-- the report and the evidence checks: found without reading every event.
CREATE INDEX decision_events_close_out ON decision_events(campaign_id, id)
    WHERE basis = 'close-out';
