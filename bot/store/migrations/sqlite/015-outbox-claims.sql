-- A notice being sent is claimed by the process sending it, so that when several processes
-- share the library exactly one sends each. A claim older than the lease is free again: its
-- process stopped before it could say how the send went.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
