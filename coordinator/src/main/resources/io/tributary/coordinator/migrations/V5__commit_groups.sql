-- A commit ratified with commits of other tables of its source, all or nothing, names its group:
-- the group's id, the source position up to which the group applies every change (cut), and how
-- many commits the group has. The columns are all set or all empty.
ALTER TABLE coordinator_commits ADD COLUMN group_id text;
ALTER TABLE coordinator_commits ADD COLUMN group_cut text;
ALTER TABLE coordinator_commits ADD COLUMN group_size integer CHECK (group_size >= 1);
ALTER TABLE coordinator_commits ADD CHECK ((group_id IS NULL) = (group_cut IS NULL) AND (group_id IS NULL) = (group_size IS NULL));
CREATE INDEX coordinator_commits_group ON coordinator_commits (group_id) WHERE group_id IS NOT NULL;
