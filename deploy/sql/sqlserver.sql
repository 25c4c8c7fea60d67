-- Source-side prerequisites of a Tributary gateway capturing SQL Server (2017 or later; CDC).
--
-- SQL Server Agent must run: its capture job copies changes from the transaction log into the
-- change tables the gateway reads (containers: MSSQL_AGENT_ENABLED=true; Linux hosts:
-- mssql-conf set sqlagent.enabled true). Run this file with sqlcmd as a member of sysadmin.
-- Replace the database, tables and password: the names below match
-- deploy/gateway/examples/sqlserver.yaml.

USE erp;
GO

-- Change data capture on the database (sysadmin) and on each captured table (db_owner). The role
-- named in @role_name gates reading the table's changes: only its members see them.
EXEC sys.sp_cdc_enable_db;
GO
CREATE ROLE tributary_cdc;
GO
EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'orders', @role_name = N'tributary_cdc';
EXEC sys.sp_cdc_enable_table @source_schema = N'sales', @source_name = N'order_lines', @role_name = N'tributary_cdc';
GO

-- The capture login and its user: reads the captured tables (initial snapshot, resyncs) and, through
-- the gating role, their change tables; no db_owner.
CREATE LOGIN tributary WITH PASSWORD = 'change-me-1A!';
GO
CREATE USER tributary FOR LOGIN tributary;
ALTER ROLE tributary_cdc ADD MEMBER tributary;
GRANT SELECT ON dbo.orders TO tributary;
GRANT SELECT ON sales.order_lines TO tributary;
-- The CDC functions and metadata the connector reads live in the cdc schema.
GRANT SELECT ON SCHEMA::cdc TO tributary;
GRANT EXECUTE ON SCHEMA::cdc TO tributary;
-- Optional: lets the start-up checks see whether SQL Server Agent runs.
-- USE master; GRANT VIEW SERVER STATE TO tributary;
GO

-- Changes older than the cleanup job's retention (three days by default) are removed: a gateway
-- stopped for longer has lost changes and refuses to resume. Keep them longer (in minutes):
-- EXEC sys.sp_cdc_change_job @job_type = N'cleanup', @retention = 10080;
