-- The event log shared by every coordinator over this store. recorded_at is the database's clock
-- when the row was inserted; readers that must not miss a row whose number was taken earlier but
-- committed later (the Delta export) read only rows recorded long enough ago.
CREATE TABLE coordinator_events (
  sequence     bigserial   PRIMARY KEY,
  at           timestamptz NOT NULL,
  type         text        NOT NULL,
  table_id     text,
  severity     text        NOT NULL,
  message      text        NOT NULL,
  details      jsonb       NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coordinator_events_by_table ON coordinator_events (table_id, sequence);
CREATE INDEX coordinator_events_by_time ON coordinator_events (recorded_at);
