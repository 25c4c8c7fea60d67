-- Source-side prerequisites of a Tributary gateway capturing MariaDB (10.5 or later; binlog).
--
-- Server settings first ([mariadb] section of the server's configuration, then restart):
--   log_bin            = mariadb-bin
--   binlog_format      = ROW
--   binlog_row_image   = FULL
--   server_id          = <unique among the server and its replicas>
--   expire_logs_days   = 7      -- longer than the gateway may ever be stopped
--
-- Then run this file as an administrator (mariadb -u root -p < mariadb.sql). Replace the host
-- pattern, database and password: the names below match deploy/gateway/examples/mariadb.yaml.

CREATE USER 'tributary'@'%' IDENTIFIED BY 'change-me';

-- Reading the binary log (REPLICATION SLAVE), its files and position (BINLOG MONITOR, which was
-- REPLICATION CLIENT before 10.5), the snapshot's short global read lock (RELOAD) and the
-- databases' names (SHOW DATABASES): server-wide privileges, none of them a write.
GRANT REPLICATION SLAVE, BINLOG MONITOR, RELOAD, SHOW DATABASES ON *.* TO 'tributary'@'%';

-- Read access for the initial snapshot and resyncs, to the captured database only (or name the
-- tables: GRANT SELECT ON shop.customers TO ...).
GRANT SELECT ON shop.* TO 'tributary'@'%';
