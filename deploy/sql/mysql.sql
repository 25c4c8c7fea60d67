-- Source-side prerequisites of a Tributary gateway capturing MySQL (8.0 or later; binlog).
--
-- Server settings first ([mysqld] section of my.cnf; MySQL 8 has the first three by default):
--   log_bin                    = ON
--   binlog_format              = ROW
--   binlog_row_image           = FULL
--   binlog_row_value_options   = ''       -- not PARTIAL_JSON
--   binlog_expire_logs_seconds = 604800   -- longer than the gateway may ever be stopped
--   server_id                  = <unique among the server and its replicas>
--   gtid_mode = ON and enforce_gtid_consistency = ON are optional (resume by GTID set)
--
-- Then run this file as an administrator (mysql -u root -p < mysql.sql). Replace the host pattern,
-- database and password: the names below match deploy/gateway/examples/mysql.yaml.

CREATE USER 'tributary'@'%' IDENTIFIED BY 'change-me';

-- Reading the binary log (REPLICATION SLAVE), its files and position (REPLICATION CLIENT), the
-- snapshot's short global read lock (RELOAD) and the databases' names (SHOW DATABASES). Grant them
-- to the user itself: privileges held through a role that is not the user's default role are not
-- seen by the gateway's start-up checks.
GRANT REPLICATION SLAVE, REPLICATION CLIENT, RELOAD, SHOW DATABASES ON *.* TO 'tributary'@'%';

-- Read access for the initial snapshot and resyncs, to the captured database only.
GRANT SELECT ON shop.* TO 'tributary'@'%';
