-- A rollback commit gives a table the content of an earlier version: rollback_to names that version,
-- rollback_reason says why. Its watermark is the position the earlier version was applied up to.
ALTER TABLE coordinator_commits ADD COLUMN rollback_to bigint CHECK (rollback_to >= 0);
ALTER TABLE coordinator_commits ADD COLUMN rollback_reason text;
ALTER TABLE coordinator_commits ADD CHECK ((rollback_to IS NULL) = (rollback_reason IS NULL));
