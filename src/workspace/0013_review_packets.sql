-- 0013: review packets (PRODUCT.md §9). A reviewer on another machine gets a
-- packet: an SQLite file with this same schema holding only their items of
-- one campaign, so every command and the TUI work on it unchanged. The
-- workspace records which packets it issued and which came back.

-- In a packet file: its one row, naming the campaign, the reviewer, the
-- fingerprint of the campaign's items and where the packet's own decision
-- chain starts (the last event copied from the workspace, and its hash).
-- Sealing fills the key id and the minisign signature of the decision log.
-- In a workspace this table stays empty.
CREATE TABLE packet (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    reviewer    TEXT NOT NULL,
    fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
    issued_at   TEXT NOT NULL,
    issued_by   TEXT NOT NULL,
    base_event  INTEGER NOT NULL,
    base_hash   TEXT NOT NULL CHECK (length(base_hash) = 64),
    sealed_at   TEXT,
    key_id      TEXT,
    signature   TEXT,
    CHECK ((sealed_at IS NULL) = (signature IS NULL) AND (key_id IS NULL) = (signature IS NULL))
) STRICT;

-- A packet's row never changes but once, when it is sealed.
CREATE TRIGGER packet_sealed_once
BEFORE UPDATE ON packet
WHEN OLD.signature IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the review packet is sealed');
END;

CREATE TRIGGER packet_not_deleted
BEFORE DELETE ON packet
BEGIN
    SELECT RAISE(ABORT, 'a review packet keeps its own row');
END;

-- A sealed packet takes no more decisions; a packet never takes
-- reassignments or manual links (those are the campaign owner's, in the
-- workspace).
CREATE TRIGGER packet_sealed_refuses_decisions
BEFORE INSERT ON decision_events
WHEN EXISTS (SELECT 1 FROM packet WHERE signature IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'the review packet is sealed');
END;

CREATE TRIGGER packet_refuses_reassignments
BEFORE INSERT ON decision_events
WHEN NEW.action = 'reassign' AND EXISTS (SELECT 1 FROM packet)
BEGIN
    SELECT RAISE(ABORT, 'a review packet records decisions only; reassign in the campaign''s workspace');
END;

CREATE TRIGGER packet_refuses_links
BEFORE INSERT ON link_events
WHEN EXISTS (SELECT 1 FROM packet)
BEGIN
    SELECT RAISE(ABORT, 'a review packet records decisions only; link accounts in the campaign''s workspace');
END;

-- In a workspace: every packet issued. `watermark` is the last decision
-- event id of the workspace when it was issued: a later event on one of
-- its items is a conflict at merge.
CREATE TABLE packets (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    reviewer    TEXT NOT NULL,
    fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
    file_name   TEXT NOT NULL,
    item_count  INTEGER NOT NULL CHECK (item_count >= 0),
    watermark   INTEGER NOT NULL,
    issued_at   TEXT NOT NULL,
    os_user     TEXT NOT NULL,
    host        TEXT NOT NULL
) STRICT;

CREATE INDEX packets_by_campaign ON packets(campaign_id, id);

-- The items each packet was issued with.
CREATE TABLE packet_items (
    packet_id INTEGER NOT NULL REFERENCES packets(id),
    item_id   INTEGER NOT NULL REFERENCES items(id),
    PRIMARY KEY (packet_id, item_id)
) STRICT, WITHOUT ROWID;

-- Each packet merged: the file's SHA-256, the key that sealed it, how many
-- items and decision events it brought, which events they became, and how
-- conflicts were settled (NULL when there were none).
CREATE TABLE packet_merges (
    packet_id   INTEGER PRIMARY KEY REFERENCES packets(id),
    sha256      TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    key_id      TEXT NOT NULL,
    items       INTEGER NOT NULL,
    decisions   INTEGER NOT NULL,
    skipped     INTEGER NOT NULL,
    prefer      TEXT CHECK (prefer IS NULL OR prefer = 'packet' OR prefer = 'workspace'),
    first_event INTEGER,
    last_event  INTEGER,
    merged_at   TEXT NOT NULL,
    os_user     TEXT NOT NULL,
    host        TEXT NOT NULL
) STRICT;

CREATE TRIGGER packets_append_only_update
BEFORE UPDATE ON packets
BEGIN
    SELECT RAISE(ABORT, 'issued packets are append-only');
END;

CREATE TRIGGER packets_append_only_delete
BEFORE DELETE ON packets
BEGIN
    SELECT RAISE(ABORT, 'issued packets are append-only');
END;

CREATE TRIGGER packet_merges_append_only_update
BEFORE UPDATE ON packet_merges
BEGIN
    SELECT RAISE(ABORT, 'merged packets are append-only');
END;

CREATE TRIGGER packet_merges_append_only_delete
BEFORE DELETE ON packet_merges
BEGIN
    SELECT RAISE(ABORT, 'merged packets are append-only');
END;
