-- 0004: recert itself keeps `current_decisions` and the decision counts of
-- `control_stats` up to date, set-based, in the same immediate transaction
-- that appends the decision events (`record_decisions`), instead of per-row
-- triggers.
--
-- Why: a trigger runs a sub-program per inserted event, with its own
-- allocations and statement journal, and the count triggers ran an UPDATE
-- with a subquery per event. Measured on a campaign of a million items,
-- appending 100,000 events in plain SQL took 1.28 s with the triggers,
-- 0.81 s without the two count triggers and 0.56 s also without the
-- projection trigger, while writing the same 100,000 projection rows in one
-- statement took 0.09 s. That per-row cost kept a 100,000-item bulk decision
-- above its 2 s target.
--
-- What stays: a decision is still all or nothing and durable before it is
-- reported, because the events, the projection and the counts commit together.
-- `recert verify` still compares `current_decisions` with the latest event of
-- every item, so a projection changed without an event is still found. The
-- append-only triggers and `signoffs_lock_decisions` (defence in depth
-- against writers other than recert) stay.
--
-- The projection and the counts of existing workspaces are already correct:
-- only the triggers go.

DROP TRIGGER decision_events_project;
DROP TRIGGER current_decisions_count_insert;
DROP TRIGGER current_decisions_count_delete;
