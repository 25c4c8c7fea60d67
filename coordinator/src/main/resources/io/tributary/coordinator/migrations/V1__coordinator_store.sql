-- The coordinator's state: every registered table with its lease and latest ratified version, and
-- every ratified commit (the lineage of each table version). Runs with search_path set to the
-- store's schema. Never edit a migration once released: add V<n+1>__<description>.sql instead.

CREATE TABLE coordinator_tables (
  table_id          text        PRIMARY KEY,
  location          text        NOT NULL,
  key_columns       text[]      NOT NULL,
  version           bigint      NOT NULL CHECK (version >= -1),
  applied_position  text,
  epoch             bigint      NOT NULL CHECK (epoch >= 0),
  lease_holder      text,
  lease_expires_at  timestamptz,
  registered_at     timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  CHECK ((lease_holder IS NULL) = (lease_expires_at IS NULL))
);

CREATE TABLE coordinator_commits (
  table_id          text        NOT NULL REFERENCES coordinator_tables (table_id),
  version           bigint      NOT NULL CHECK (version >= 0),
  writer            text        NOT NULL,
  epoch             bigint      NOT NULL CHECK (epoch >= 0),
  watermark         text,
  segments          text[]      NOT NULL,
  rows_changed      bigint      NOT NULL CHECK (rows_changed >= 0),
  committed_at      timestamptz NOT NULL,
  published_commit  text        NOT NULL,
  staged_commit     text        NOT NULL,
  sha256            text        NOT NULL,
  size              bigint      NOT NULL CHECK (size >= 0),
  status            text        NOT NULL CHECK (status IN ('RATIFIED', 'PUBLISHED')),
  modification_time bigint,
  published_at      timestamptz,
  -- Besides the lock on the table's row that every change takes: one commit per version, ever.
  PRIMARY KEY (table_id, version),
  CHECK ((status = 'PUBLISHED') = (modification_time IS NOT NULL))
);

-- Read before every commit and at every start: only the few commits still being published.
CREATE INDEX coordinator_commits_unpublished ON coordinator_commits (table_id, version) WHERE status = 'RATIFIED';

-- Ratifications taken back because their log entry could not be published, kept for the audit trail.
CREATE TABLE coordinator_withdrawn_commits (
  id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  table_id          text        NOT NULL REFERENCES coordinator_tables (table_id),
  version           bigint      NOT NULL,
  writer            text        NOT NULL,
  epoch             bigint      NOT NULL,
  staged_commit     text        NOT NULL,
  sha256            text        NOT NULL,
  committed_at      timestamptz NOT NULL,
  reason            text        NOT NULL,
  withdrawn_at      timestamptz NOT NULL
);
