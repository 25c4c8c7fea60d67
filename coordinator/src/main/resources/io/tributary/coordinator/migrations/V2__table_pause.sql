-- Operators may pause a table: while paused_reason is set, no commit of the table is ratified.
ALTER TABLE coordinator_tables ADD COLUMN paused_reason text;
