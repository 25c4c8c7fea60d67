package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.StagingConfig;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.ConfigKey;
import io.tributary.staging.config.ConfigReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  private static final Path DATA = Path.of("/var/lib/tributary");

  private static final String MINIMAL = """
      source:
        name: shop
        host: db.internal
        database: shop
        user: tributary
        tables: [public.orders]
      kafka:
        bootstrap-servers: kafka:9092
      """;

  private static ConfigReader reader(String yaml) {
    return ConfigReader.fromYaml(yaml, "gateway.yaml", Map.of("PG_PASSWORD", "s3cret")::get);
  }

  @Test
  void defaults() {
    ConfigReader root = reader(MINIMAL);
    GatewayConfig config = GatewayConfig.from(root, DATA);
    root.throwIfInvalid();

    SourceConfig source = config.source();
    assertThat(source.name()).isEqualTo("shop");
    assertThat(source.connector()).isEqualTo(SourceConfig.Connector.POSTGRESQL);
    assertThat(source.port()).isEqualTo(5432);
    assertThat(source.password()).isEmpty();
    assertThat(source.tables()).containsExactly(new TableId("shop", "public", "orders"));
    assertThat(source.slotName()).isEqualTo("tributary_shop");
    assertThat(source.publicationName()).isEqualTo("tributary_shop");
    assertThat(source.snapshotMode()).isEqualTo("initial");
    assertThat(source.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(source.debezium()).isEmpty();

    assertThat(config.stateDirectory()).isEqualTo(DATA.resolve("gateway"));
    assertThat(config.segments()).isEqualTo(new SegmentPolicy(100_000, 64L * 1024 * 1024, Duration.ofSeconds(1)));
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.startupTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));

    KafkaConfig kafka = config.kafka();
    assertThat(kafka.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(kafka.topic()).isEqualTo("tributary.manifests");
    assertThat(kafka.topicPartitions()).isEqualTo(6);
    assertThat(kafka.topicReplicationFactor()).isEmpty();
    assertThat(kafka.topicRetention()).isEqualTo(Duration.ofDays(30));
    assertThat(kafka.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(kafka.publishTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(kafka.producer()).isEmpty();

    assertThat(config.staging().location()).isEqualTo(DATA.resolve("staging").toUri());
  }

  @Test
  void everyKey() {
    ConfigReader root = reader("""
        source:
          name: shop-eu
          connector: postgresql
          host: 10.0.0.5
          port: 6432
          database: shop
          user: tributary
          password: ${env:PG_PASSWORD}
          tables: [public.orders, sales.items]
          slot-name: my_slot
          publication-name: my_pub
          snapshot-mode: no_data
          connect-timeout: 3s
          debezium:
            column.mask.with.12.chars: public.orders.secret
        gateway:
          state-dir: /srv/gw
          segment:
            max-rows: 5000
            max-bytes: 1048576
            max-age: 250ms
          heartbeat-interval: 2s
          startup-timeout: 30s
          shutdown-timeout: 5s
        kafka:
          bootstrap-servers: k1:9092,k2:9092
          topic: shop.manifests
          topic-partitions: 12
          topic-replication-factor: 3
          topic-retention: 7d
          connect-timeout: 4s
          publish-timeout: 45s
          producer:
            security.protocol: SSL
        staging:
          location: s3a://bucket/prefix
          spool-dir: /srv/spool
        """);
    GatewayConfig config = GatewayConfig.from(root, DATA);
    root.throwIfInvalid();

    SourceConfig source = config.source();
    assertThat(source.name()).isEqualTo("shop-eu");
    assertThat(source.host()).isEqualTo("10.0.0.5");
    assertThat(source.port()).isEqualTo(6432);
    assertThat(source.address()).isEqualTo("10.0.0.5:6432");
    assertThat(source.database()).isEqualTo("shop");
    assertThat(source.user()).isEqualTo("tributary");
    assertThat(source.password().orElseThrow().reveal()).isEqualTo("s3cret");
    assertThat(source.tables()).containsExactly(
        new TableId("shop-eu", "public", "orders"), new TableId("shop-eu", "sales", "items"));
    assertThat(source.slotName()).isEqualTo("my_slot");
    assertThat(source.publicationName()).isEqualTo("my_pub");
    assertThat(source.snapshotMode()).isEqualTo("no_data");
    assertThat(source.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(source.debezium()).containsExactly(Map.entry("column.mask.with.12.chars", "public.orders.secret"));

    assertThat(config.stateDirectory()).isEqualTo(Path.of("/srv/gw"));
    assertThat(config.segments()).isEqualTo(new SegmentPolicy(5000, 1_048_576, Duration.ofMillis(250)));
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));

    KafkaConfig kafka = config.kafka();
    assertThat(kafka.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
    assertThat(kafka.topic()).isEqualTo("shop.manifests");
    assertThat(kafka.topicPartitions()).isEqualTo(12);
    assertThat(kafka.topicReplicationFactor()).contains((short) 3);
    assertThat(kafka.topicRetention()).isEqualTo(Duration.ofDays(7));
    assertThat(kafka.connectTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(kafka.publishTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(kafka.producer()).containsExactly(Map.entry("security.protocol", "SSL"));

    assertThat(config.staging().location()).isEqualTo(URI.create("s3a://bucket/prefix"));
    assertThat(config.staging().spoolDirectory()).contains(Path.of("/srv/spool"));
  }

  @Test
  void mariaDbSourcesNameTheirDatabasesInTheTablesAndDefaultToPort3306() {
    ConfigReader root = reader("""
        source:
          name: shop
          connector: mariadb
          host: db.internal
          user: tributary
          tables: [shop.orders, billing.invoices]
        kafka:
          bootstrap-servers: kafka:9092
        """);
    GatewayConfig config = GatewayConfig.from(root, DATA);
    root.throwIfInvalid();

    SourceConfig source = config.source();
    assertThat(source.connector()).isEqualTo(SourceConfig.Connector.MARIADB);
    assertThat(source.port()).isEqualTo(3306);
    assertThat(source.database()).isEmpty();
    assertThat(source.tables()).containsExactly(new TableId("shop", "shop", "orders"),
        new TableId("shop", "billing", "invoices"));
    assertThat(source.serverId()).isEqualTo(SourceConfig.defaultServerId("shop")).isBetween(5400L, 6399L);

    ConfigReader explicit = reader("""
        source:
          name: shop
          connector: MariaDB
          host: db.internal
          port: 3307
          server-id: 184054
          user: tributary
          tables: [shop.orders]
        kafka:
          bootstrap-servers: kafka:9092
        """);
    SourceConfig chosen = GatewayConfig.from(explicit, DATA).source();
    explicit.throwIfInvalid();
    assertThat(chosen.port()).isEqualTo(3307);
    assertThat(chosen.serverId()).isEqualTo(184054);

    ConfigReader wrong = reader("""
        source:
          name: shop
          connector: mariadb
          host: db.internal
          server-id: 0
          user: tributary
          tables: [orders]
          debezium:
            database.server.id: 7
        kafka:
          bootstrap-servers: kafka:9092
        """);
    GatewayConfig.from(wrong, DATA);
    assertThatThrownBy(wrong::throwIfInvalid)
        .hasMessageContaining("Invalid value 0 for 'source.server-id': must be at least 1")
        .hasMessageContaining("Invalid value orders for 'source.tables': each table must be written database.table")
        .hasMessageContaining("'source.debezium.database.server.id'")
        .hasMessageNotContaining("source.database'");
  }

  @Test
  void mySqlSourcesNameTheirDatabasesInTheTablesAndDefaultToPort3306() {
    ConfigReader root = reader("""
        source:
          name: shop
          connector: mysql
          host: db.internal
          user: tributary
          tables: [shop.orders, billing.invoices]
        kafka:
          bootstrap-servers: kafka:9092
        """);
    GatewayConfig config = GatewayConfig.from(root, DATA);
    root.throwIfInvalid();

    SourceConfig source = config.source();
    assertThat(source.connector()).isEqualTo(SourceConfig.Connector.MYSQL);
    assertThat(source.connector().readsBinlog()).isTrue();
    assertThat(source.port()).isEqualTo(3306);
    assertThat(source.database()).isEmpty();
    assertThat(source.tables()).containsExactly(new TableId("shop", "shop", "orders"),
        new TableId("shop", "billing", "invoices"));
    assertThat(source.serverId()).isEqualTo(SourceConfig.defaultServerId("shop"));

    ConfigReader wrong = reader("""
        source:
          name: shop
          connector: MySQL
          host: db.internal
          user: tributary
          tables: [shop.orders.extra]
          tls: disable
          debezium:
            database.include.list: shop
        kafka:
          bootstrap-servers: kafka:9092
        """);
    GatewayConfig.from(wrong, DATA);
    assertThatThrownBy(wrong::throwIfInvalid)
        .hasMessageContaining("Invalid value shop.orders.extra for 'source.tables': each table must be written"
            + " database.table")
        .hasMessageContaining("Invalid value disable for 'source.tls': applies to sqlserver only")
        .hasMessageContaining("'source.debezium.database.include.list': is set by the gateway itself")
        .hasMessageNotContaining("source.database'");
  }

  @Test
  void sqlServerSourcesNeedADatabaseAndDefaultToPort1433WithVerifiedTls() {
    ConfigReader root = reader("""
        source:
          name: erp
          connector: sqlserver
          host: mssql.internal
          database: erp
          user: capture
          password: ${env:PG_PASSWORD}
          tables: [dbo.orders, sales.items]
        kafka:
          bootstrap-servers: kafka:9092
        """);
    GatewayConfig config = GatewayConfig.from(root, DATA);
    root.throwIfInvalid();

    SourceConfig source = config.source();
    assertThat(source.connector()).isEqualTo(SourceConfig.Connector.SQLSERVER);
    assertThat(source.connector().readsBinlog()).isFalse();
    assertThat(source.port()).isEqualTo(1433);
    assertThat(source.database()).isEqualTo("erp");
    assertThat(source.tls()).isEqualTo(SourceConfig.Tls.VERIFY);
    assertThat(source.tables()).containsExactly(new TableId("erp", "dbo", "orders"), new TableId("erp", "sales", "items"));

    for (SourceConfig.Tls tls : SourceConfig.Tls.values()) {
      ConfigReader chosen = reader("""
          source:
            name: erp
            connector: SQLServer
            host: mssql.internal
            port: 14330
            database: erp
            user: capture
            tables: [dbo.orders]
            tls: %s
          kafka:
            bootstrap-servers: kafka:9092
          """.formatted(tls.configName()));
      SourceConfig parsed = GatewayConfig.from(chosen, DATA).source();
      chosen.throwIfInvalid();
      assertThat(parsed.tls()).isEqualTo(tls);
      assertThat(parsed.port()).isEqualTo(14330);
    }

    ConfigReader wrong = reader("""
        source:
          name: erp
          connector: sqlserver
          host: mssql.internal
          user: capture
          tables: [orders]
          tls: maybe
          debezium:
            database.names: other
            database.trustServerCertificate: "true"
        kafka:
          bootstrap-servers: kafka:9092
        """);
    GatewayConfig.from(wrong, DATA);
    assertThatThrownBy(wrong::throwIfInvalid)
        .hasMessageContaining("Missing value for 'source.database'")
        .hasMessageContaining("Invalid value orders for 'source.tables': each table must be written schema.table")
        .hasMessageContaining("Invalid value maybe for 'source.tls': must be verify, trust-server-certificate, strict"
            + " or disable")
        .hasMessageContaining("'source.debezium.database.names': is set by the gateway itself")
        .hasMessageContaining("'source.debezium.database.trustServerCertificate': is set by the gateway itself");
  }

  @Test
  void theManifestTopicKeepsManifestsAsLongAsStagingKeepsSegmentsUnlessToldOtherwise() {
    GatewayConfig config = GatewayConfig.from(reader(MINIMAL + """
        staging:
          retention: 14d
          unapplied-past-retention: keep
        """), DATA);
    assertThat(config.kafka().topicRetention()).isEqualTo(Duration.ofDays(14));
    assertThat(config.staging().unappliedPastRetention()).isEqualTo(StagingConfig.UnappliedPastRetention.KEEP);
  }

  @Test
  void everyKeyIsDocumentedWithADefaultAndADescription() {
    ConfigReader root = reader(MINIMAL);
    GatewayConfig.from(root, DATA);
    Map<String, ConfigKey> keys = root.keys().stream().collect(Collectors.toMap(ConfigKey::name, k -> k));
    assertThat(keys.keySet()).contains(
        "source.name", "source.connector", "source.host", "source.port", "source.database", "source.user",
        "source.password", "source.tables", "source.slot-name", "source.publication-name", "source.snapshot-mode",
        "source.connect-timeout", "source.debezium", "source.server-id", "source.tls",
        "gateway.state-dir", "gateway.segment.max-rows", "gateway.segment.max-bytes", "gateway.segment.max-age",
        "gateway.heartbeat-interval", "gateway.startup-timeout", "gateway.shutdown-timeout",
        "kafka.bootstrap-servers", "kafka.topic", "kafka.topic-partitions", "kafka.topic-replication-factor",
        "kafka.topic-retention", "kafka.connect-timeout", "kafka.publish-timeout", "kafka.producer",
        "staging.location", "staging.spool-dir", "staging.hadoop", "staging.retention", "staging.unapplied-past-retention");
    assertThat(keys.values()).allSatisfy(key -> assertThat(key.description()).isNotBlank());
    assertThat(keys.get("source.port").defaultValue()).isEqualTo("5432");
    assertThat(keys.get("gateway.segment.max-rows").defaultValue()).isEqualTo("100000");
    assertThat(keys.get("gateway.segment.max-bytes").defaultValue()).isEqualTo("67108864");
    assertThat(keys.get("gateway.segment.max-age").defaultValue()).isEqualTo("1s");
    assertThat(keys.get("gateway.heartbeat-interval").defaultValue()).isEqualTo("10s");
    assertThat(keys.get("kafka.topic").defaultValue()).isEqualTo("tributary.manifests");
    assertThat(keys.get("kafka.topic-partitions").defaultValue()).isEqualTo("6");
    assertThat(keys.get("kafka.topic-retention").defaultValue()).isEqualTo("30d");
    assertThat(keys.get("source.bootstrap-servers")).isNull();
    assertThat(keys.get("kafka.bootstrap-servers").defaultValue()).isEqualTo("(required)");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    ConfigReader root = reader("""
        source:
          name: "bad name"
          connector: oracle
          port: 70000
          tables: [orders, public.orders, public.orders]
          slot-name: Bad-Slot
          snapshot-mode: always
          password: hunter2-password
          debezium:
            slot.drop.on.stop: "true"
            lsn.flush.mode: connector_and_driver
        gateway:
          segment:
            max-rows: 0
            max-age: 5ms
        kafka:
          topic-partitions: 0
          producer:
            acks: "1"
        """);
    GatewayConfig.from(root, DATA);
    assertThatThrownBy(root::throwIfInvalid)
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageContaining("Invalid value bad name for 'source.name': use 1-64 letters, digits, '_' or '-'")
        .hasMessageContaining("Invalid value oracle for 'source.connector': must be postgresql, mysql, mariadb or"
            + " sqlserver")
        .hasMessageContaining("Missing value for 'source.host'")
        .hasMessageContaining("Missing value for 'source.database'")
        .hasMessageContaining("Missing value for 'source.user'")
        .hasMessageContaining("Invalid value 70000 for 'source.port': must be at most 65535")
        .hasMessageContaining("Invalid value orders for 'source.tables': each table must be written schema.table")
        .hasMessageContaining("Invalid value public.orders for 'source.tables': is listed twice")
        .hasMessageContaining("Invalid value Bad-Slot for 'source.slot-name'")
        .hasMessageContaining("Invalid value always for 'source.snapshot-mode'")
        .hasMessageContaining("'source.debezium.slot.drop.on.stop': is set by the gateway itself")
        .hasMessageContaining("'source.debezium.lsn.flush.mode': is set by the gateway itself")
        .hasMessageContaining("Invalid value 0 for 'gateway.segment.max-rows': must be at least 1")
        .hasMessageContaining("Invalid value 5ms for 'gateway.segment.max-age': must be at least 10ms")
        .hasMessageContaining("Missing value for 'kafka.bootstrap-servers'")
        .hasMessageContaining("Invalid value 0 for 'kafka.topic-partitions': must be at least 1")
        .hasMessageContaining("'kafka.producer.acks': is set by the gateway itself")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void unknownKeysAreReported() {
    ConfigReader root = reader(MINIMAL + "gateway:\n  segment:\n    max-rowz: 5\n");
    GatewayConfig.from(root, DATA);
    assertThatThrownBy(root::throwIfInvalid).hasMessageContaining("Unknown key 'gateway.segment.max-rowz'");
  }

  @Test
  void theDefaultSlotNameIsAValidReplicationName() {
    assertThat(SourceConfig.defaultReplicationName("Shop-EU")).isEqualTo("tributary_shop_eu");
  }

  @Test
  void columnSelectionsAreReadPerTableAndCheckedAgainstTheTables() {
    ConfigReader root = reader("""
        source:
          name: shop
          host: db
          database: shop
          user: u
          tables: [public.orders, public.users]
          columns:
            public.orders:
              exclude: [payload]
            public.users:
              include: [id, name]
        kafka:
          bootstrap-servers: 127.0.0.1:9092
        """);
    GatewayConfig config = GatewayConfig.from(root, DATA);
    root.throwIfInvalid();
    assertThat(config.source().columns()).containsOnlyKeys(TableId.parse("shop.public.orders"),
        TableId.parse("shop.public.users"));
    assertThat(config.source().columns().get(TableId.parse("shop.public.users")).include()).contains(List.of("id", "name"));

    ConfigReader wrong = reader("""
        source:
          name: shop
          host: db
          database: shop
          user: u
          tables: [public.orders]
          columns:
            public.orderz:
              exclude: [payload]
            public.orders:
              include: [id]
              exclude: [payload]
          debezium:
            column.exclude.list: public.orders.note
        """);
    GatewayConfig.from(wrong, DATA);
    assertThatThrownBy(wrong::throwIfInvalid)
        .hasMessageContaining("'source.columns.public.orderz': is not one of source.tables")
        .hasMessageContaining("'source.columns.public.orders': set include or exclude, not both")
        .hasMessageContaining("'source.debezium.column.exclude.list'");
  }

  @Test
  void recordsRefuseInconsistentValues() {
    assertThatThrownBy(() -> new SegmentPolicy(0, 1, Duration.ofSeconds(1))).hasMessageContaining("maxRows");
    assertThatThrownBy(() -> new SourceConfig("shop", SourceConfig.Connector.POSTGRESQL, "h", 5432, "d", "u",
        Optional.empty(), List.of(new TableId("other", "public", "t")), "s", "p", 1L, "initial", Duration.ofSeconds(1),
        Map.of(), Map.of(), SourceConfig.UnsupportedTypes.FAIL, SourceConfig.Tls.VERIFY))
        .hasMessageContaining("does not belong to source shop");
  }
}
