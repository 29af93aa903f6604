-- 0011: find an identity by its id or e-mail, ignoring ASCII case, through
-- an index (trimmed, as the lookups compare them). The review's detail pane names the manager, owner and reviewers
-- of every item the cursor lands on; without these indexes each lookup
-- scanned every identity (about 0.4 s at 100,000 identities, on every
-- cursor move). Identities are a tenth of the grants, so building them
-- costs little at import.

-- A lookup says `id IN (SELECT id ... UNION ALL SELECT id ...)`: SQLite
-- does not combine the two indexes for an `OR` of both columns.
CREATE INDEX identities_by_folded_id ON identities(lower(trim(identity_id)));
CREATE INDEX identities_by_folded_email ON identities(lower(trim(email))) WHERE email IS NOT NULL;
