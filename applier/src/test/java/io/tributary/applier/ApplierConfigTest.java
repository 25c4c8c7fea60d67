package io.tributary.applier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.coordinator.WriterId;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigKey;
import io.tributary.staging.config.ConfigReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApplierConfigTest {
  private static final Path DATA = Path.of("/var/lib/tributary");

  private static ConfigReader yaml(String text) {
    return ConfigReader.fromYaml(text, "test.yaml", Map.of("KAFKA", "k1:9092")::get);
  }

  @Test
  void defaults() {
    ConfigReader root = yaml("kafka: {bootstrap-servers: 'k:9092'}");

    ApplierConfig config = ApplierConfig.from(root, DATA);
    root.throwIfInvalid();

    assertThat(config.tablesLocation()).isEqualTo(URI.create("file:///var/lib/tributary/delta"));
    assertThat(config.groupId()).isEqualTo("tributary-appliers");
    assertThat(config.writerId().value()).endsWith("-" + ProcessHandle.current().pid());
    assertThat(config.batchMaxSegments()).isEqualTo(64);
    assertThat(config.batchMaxWait()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.batchBehindLag()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.leaseTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.applyThreads()).isEqualTo(4);
    assertThat(config.consumerProperties()).isEmpty();
    assertThat(config.bootstrapServers()).isEqualTo("k:9092");
    assertThat(config.topic()).isEqualTo("tributary.manifests");
    assertThat(config.staging().location()).isEqualTo(URI.create("file:///var/lib/tributary/staging"));
    assertThat(config.mode()).isEqualTo(ApplierConfig.Mode.CONTINUOUS);
    assertThat(config.triggeredTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(config.tables()).isEmpty();
    assertThat(config.tableOptions(new TableId("pg", "public", "orders"))).isEqualTo(TableOptions.DEFAULT);
  }

  @Test
  void everyKey() {
    ConfigReader root = yaml("""
        applier:
          tables-location: s3a://lake/delta
          group-id: appliers-eu
          writer-id: applier-0
          batch:
            max-segments: 8
            max-wait: 2s
            behind-lag: 30s
          lease-ttl: 1m
          apply-threads: 2
          mode: triggered
          triggered-timeout: 20m
          consumer:
            security.protocol: SSL
            max.poll.records: 100
          tables:
            "pg.public.events":
              mode: append
            "pg.public.links":
              key: all-columns
            "pg.public.customers":
              mode: scd1
              soft-delete: true
            "pg.public.prices":
              mode: SCD2
              key: primary
        kafka:
          bootstrap-servers: ${env:KAFKA}
          topic: manifests
        staging:
          location: /data/staging
        """);

    ApplierConfig config = ApplierConfig.from(root, DATA);
    root.throwIfInvalid();

    assertThat(config.tablesLocation()).isEqualTo(URI.create("s3a://lake/delta"));
    assertThat(config.groupId()).isEqualTo("appliers-eu");
    assertThat(config.writerId()).isEqualTo(new WriterId("applier-0"));
    assertThat(config.batchMaxSegments()).isEqualTo(8);
    assertThat(config.batchMaxWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.batchBehindLag()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.leaseTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.applyThreads()).isEqualTo(2);
    assertThat(config.mode()).isEqualTo(ApplierConfig.Mode.TRIGGERED);
    assertThat(config.triggeredTimeout()).isEqualTo(Duration.ofMinutes(20));
    assertThat(config.consumerProperties()).containsExactlyInAnyOrderEntriesOf(
        Map.of("security.protocol", "SSL", "max.poll.records", "100"));
    assertThat(config.bootstrapServers()).isEqualTo("k1:9092");
    assertThat(config.topic()).isEqualTo("manifests");
    assertThat(config.staging().location()).isEqualTo(URI.create("file:///data/staging"));
    assertThat(config.tableLocation(new TableId("pg", "public", "orders")))
        .isEqualTo(URI.create("s3a://lake/delta/pg/public/orders"));
    assertThat(config.tables()).containsOnlyKeys(TableId.parse("pg.public.events"), TableId.parse("pg.public.links"),
        TableId.parse("pg.public.customers"), TableId.parse("pg.public.prices"));
    assertThat(config.tableOptions(TableId.parse("pg.public.events")))
        .isEqualTo(new TableOptions(Optional.of(TableOptions.Mode.APPEND), TableOptions.Key.PRIMARY, false));
    assertThat(config.tableOptions(TableId.parse("pg.public.links")))
        .isEqualTo(new TableOptions(Optional.empty(), TableOptions.Key.ALL_COLUMNS, false));
    assertThat(config.tableOptions(TableId.parse("pg.public.customers")))
        .isEqualTo(new TableOptions(Optional.of(TableOptions.Mode.SCD1), TableOptions.Key.PRIMARY, true));
    assertThat(config.tableOptions(TableId.parse("pg.public.prices")))
        .isEqualTo(new TableOptions(Optional.of(TableOptions.Mode.SCD2), TableOptions.Key.PRIMARY, false));
    assertThat(config.tableOptions(TableId.parse("pg.public.orders"))).isEqualTo(TableOptions.DEFAULT);
  }

  @Test
  void everyProblemWithTableOptionsIsReportedAtOnce() {
    ConfigReader root = yaml("""
        kafka: {bootstrap-servers: 'k:9092'}
        applier:
          tables:
            "orders":
              mode: append
            "pg.public.a":
              mode: scd3
              key: some-columns
              soft-delete: maybe
            "pg.public.b":
              mode: scd2
              soft-delete: true
            "pg.public.c":
              mode: append
              key: all-columns
            "pg.public.d":
              mood: scd1
        """);

    ApplierConfig config = ApplierConfig.from(root, DATA);

    assertThatThrownBy(root::throwIfInvalid)
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("Invalid table 'orders' under 'applier.tables': expected \"<source>.<schema>.<table>\"")
        .hasMessageContaining("Invalid value scd3 for 'applier.tables.pg.public.a.mode': must be scd1, scd2 or append")
        .hasMessageContaining("Invalid value some-columns for 'applier.tables.pg.public.a.key': must be primary or"
            + " all-columns")
        .hasMessageContaining("Invalid value maybe for 'applier.tables.pg.public.a.soft-delete': must be true or false")
        .hasMessageContaining("Invalid value true for 'applier.tables.pg.public.b.soft-delete': applies to mode scd1"
            + " only")
        .hasMessageContaining("Invalid value all-columns for 'applier.tables.pg.public.c.key': applies to modes scd1"
            + " and scd2 only")
        .hasMessageContaining("Unknown key 'applier.tables.pg.public.d.mood'")
        .hasMessageNotContaining("'applier.tables.orders");
    assertThat(config.tableOptions(TableId.parse("pg.public.b")).softDelete()).isFalse();
  }

  @Test
  void everyKeyIsDocumented() {
    ConfigReader root = yaml("kafka: {bootstrap-servers: 'k:9092'}");
    ApplierConfig.from(root, DATA);

    assertThat(root.keys()).extracting(ConfigKey::name).contains(
        "applier.tables-location", "applier.group-id", "applier.writer-id", "applier.batch.max-segments",
        "applier.batch.max-wait", "applier.batch.behind-lag", "applier.lease-ttl", "applier.apply-threads", "applier.mode", "applier.triggered-timeout", "applier.consumer",
        "applier.tables.\"<source>.<schema>.<table>\".mode", "applier.tables.\"<source>.<schema>.<table>\".key",
        "applier.tables.\"<source>.<schema>.<table>\".soft-delete", "kafka.bootstrap-servers", "kafka.topic",
        "staging.location");
    assertThat(root.keys()).allSatisfy(key -> assertThat(key.description()).isNotBlank());
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    ConfigReader root = yaml("""
        applier:
          batch:
            max-segments: 0
            max-wait: soon
            behind-lag: -1s
          lease-ttl: 10ms
          mode: sometimes
          consumer:
            enable.auto.commit: true
            group.id: other
          tabels-location: /typo
        """);

    ApplierConfig.from(root, DATA);

    assertThatThrownBy(root::throwIfInvalid)
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("Invalid value 0 for 'applier.batch.max-segments': must be at least 1")
        .hasMessageContaining("Invalid value soon for 'applier.batch.max-wait'")
        .hasMessageContaining("'applier.batch.behind-lag'")
        .hasMessageContaining("Invalid value 10ms for 'applier.lease-ttl': must be at least 1s")
        .hasMessageContaining("Invalid value sometimes for 'applier.mode': must be continuous or triggered")
        .hasMessageContaining("'applier.consumer.enable.auto.commit': is set by the applier")
        .hasMessageContaining("'applier.consumer.group.id': is set by the applier")
        .hasMessageContaining("Missing value for 'kafka.bootstrap-servers'")
        .hasMessageContaining("Unknown key 'applier.tabels-location'");
  }

  @Test
  void tableLocationsEscapeUnusualNames() {
    ConfigReader root = yaml("kafka: {bootstrap-servers: 'k:9092'}\napplier: {tables-location: 'file:/lake'}");
    ApplierConfig config = ApplierConfig.from(root, DATA);

    assertThat(config.tableLocation(new TableId("pg", "my?schema", "t#1%")).toString())
        .isEqualTo("file:/lake/pg/my~3Fschema/t~231~25");
    assertThat(config.tableLocation(new TableId("pg", "dbo", "cdc$Ünï~")).toString())
        .isEqualTo("file:/lake/pg/dbo/cdc$~C3~9Cn~C3~AF~7E");
  }
}
