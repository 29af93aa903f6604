-- 0006: sign-offs are logged where deleting or rewriting them shows, and
-- signed when a key is given.
--
-- Until now a sign-off was one row of `signoffs`. Anyone able to write the
-- workspace could DELETE it (reopening the campaign, with `recert verify`
-- still saying intact) or rewrite decisions and `final_hash` together, and
-- a later `export --key` would sign the forged evidence. Now:
--
-- * every sign-off is also appended to `signoff_log`, one hash chain over
--   all campaigns (like the decision log): the record recert signed off
--   (campaign, signer, time, statement, final row_hash, counts and the
--   campaign's decision chain head) as JSON, and, when a key was given at
--   sign-off or at a later `export --key`, the minisign signature of that
--   record and the key's id. A sign-off without its log entry, a log entry
--   without its sign-off, a gap or a broken link in the log all show in
--   `recert verify`; with `--pubkey` every signature is checked too, which
--   nobody without the secret key can forge;
-- * triggers make the log append-only and a sign-off final (no UPDATE or
--   DELETE), so that removing them is itself visible to `recert verify`.
--
-- Sign-offs made before this migration are logged by recert, unsigned, in
-- the migration's transaction (workspace.rs): SQL has no SHA-256.

CREATE TABLE signoff_log (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    record      TEXT NOT NULL CHECK (json_valid(record)),
    key_id      TEXT,
    signature   TEXT,
    logged_at   TEXT NOT NULL,
    prev_hash   TEXT NOT NULL CHECK (length(prev_hash) = 64),
    entry_hash  TEXT NOT NULL CHECK (length(entry_hash) = 64),
    CHECK ((key_id IS NULL) = (signature IS NULL))
) STRICT;
CREATE INDEX signoff_log_by_campaign ON signoff_log(campaign_id, id);

CREATE TRIGGER signoff_log_append_only_update
BEFORE UPDATE ON signoff_log
BEGIN
    SELECT RAISE(ABORT, 'the sign-off log is append-only');
END;
CREATE TRIGGER signoff_log_append_only_delete
BEFORE DELETE ON signoff_log
BEGIN
    SELECT RAISE(ABORT, 'the sign-off log is append-only');
END;

CREATE TRIGGER signoffs_final_update
BEFORE UPDATE ON signoffs
BEGIN
    SELECT RAISE(ABORT, 'a sign-off is final');
END;
CREATE TRIGGER signoffs_final_delete
BEFORE DELETE ON signoffs
BEGIN
    SELECT RAISE(ABORT, 'a sign-off is final');
END;
