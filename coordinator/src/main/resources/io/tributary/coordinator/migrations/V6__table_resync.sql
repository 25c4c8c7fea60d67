-- A table's latest resync (id, state, reason, times, detail) as the API shows it; null if never resynced.
ALTER TABLE coordinator_tables ADD COLUMN resync jsonb;
