-- 0002: decisions of earlier access reviews run in other tools.
--
-- Reviewers bring the history of the previous campaign (e.g. the Entra ID
-- access-review history report) so the review shows when a person's access
-- to a resource was last reviewed, by whom, and with what result. These rows
-- are evidence about the past, not current access: they never become grants
-- or review items, and no signal or recommendation depends on them.
CREATE TABLE prior_reviews (
    id            INTEGER PRIMARY KEY,
    import_id     INTEGER NOT NULL REFERENCES imports(id),
    -- The file the row came from, as for snapshots.
    format        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    line          INTEGER NOT NULL,
    -- The reviewed person as the file names them (UPN, name or object id),
    -- and the same text folded the way `holders::holder_key` folds it.
    principal_ref TEXT NOT NULL,
    principal_key TEXT NOT NULL,
    -- The group, application or role the review was about.
    resource      TEXT NOT NULL,
    review_name   TEXT,
    -- The result as the file wrote it, and normalised: NULL = not reviewed.
    result        TEXT NOT NULL,
    decision      TEXT CHECK (decision IN ('certify', 'revoke')),
    reviewed_at   TEXT,
    reviewer      TEXT,
    justification TEXT,
    attributes    TEXT CHECK (attributes IS NULL OR json_valid(attributes)),
    -- Importing the same file twice adds nothing.
    UNIQUE (sha256, line)
) STRICT;
CREATE INDEX prior_reviews_by_principal ON prior_reviews(principal_key, reviewed_at);
