-- Source-side prerequisites of a Tributary gateway capturing PostgreSQL (10 or later; pgoutput).
--
-- Server settings first (postgresql.conf, then restart the server):
--   wal_level = logical
--   max_replication_slots = <slots in use + 1>    -- one slot per gateway (source.slot-name)
--   max_wal_senders = <senders in use + 1>
-- and let the capture user connect for replication in pg_hba.conf, e.g.
--   host  shop  tributary  10.0.0.0/8  scram-sha-256
--   (no "replication" line is needed: logical replication connects to the database itself)
--
-- Then run this file as a superuser, or as the owner of the tables, connected to the source
-- database (psql -d shop -f postgresql.sql). Replace the database, tables and password: the names
-- below match deploy/gateway/examples/postgresql.yaml. The capture user gets no ownership and no
-- superuser rights: it reads the captured tables and streams from its own replication slot.

-- The capture user: may log in and stream changes (REPLICATION), nothing else by itself.
CREATE ROLE tributary WITH LOGIN REPLICATION PASSWORD 'change-me';

-- Read access for the initial snapshot and resyncs, to exactly the captured tables.
GRANT CONNECT ON DATABASE shop TO tributary;
GRANT USAGE ON SCHEMA public TO tributary;
GRANT SELECT ON public.customers, public.orders TO tributary;

-- The publication the gateway streams, naming exactly the captured tables (the gateway's default
-- name is tributary_<source.name>; set source.publication-name to use another). Created here, the
-- capture user needs no ownership of the tables: Debezium only creates or alters a publication that
-- is missing or names other tables. Add a table to the gateway's source.tables and to the
-- publication together: ALTER PUBLICATION tributary_shop ADD TABLE public.payments;
CREATE PUBLICATION tributary_shop FOR TABLE public.customers, public.orders;

-- Tables without a primary key need full row images for their updates and deletes, and full row
-- images also carry unchanged TOAST values (long text, json, arrays) in every update:
-- ALTER TABLE public.orders REPLICA IDENTITY FULL;

-- The replication slot (tributary_<source.name>) is created by the gateway on its first start.
-- A slot holds WAL until the gateway confirms it: drop the slot of a gateway you retire, e.g.
-- SELECT pg_drop_replication_slot('tributary_shop');
