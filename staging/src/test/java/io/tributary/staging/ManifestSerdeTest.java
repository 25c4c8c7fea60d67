package io.tributary.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.TributaryException.ErrorCode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManifestSerdeTest {
  private static final ManifestRecord RECORD = new ManifestRecord(1, ManifestRecord.Kind.SEGMENT,
      TableId.parse("shop.public.orders"), 7, URI.create("file:/staging/shop/public.orders/2026-11-21/000000000007_a_b.parquet"),
      120, 4096, "crc32c:0badf00d", SourcePosition.of(1, 10, 11, 0), SourcePosition.of(1, 10, 99, 0), "abc123", 1_700_000_000_000L, Optional.empty());

  @Test
  void roundTrips() {
    assertThat(ManifestSerde.deserialize(ManifestSerde.serialize(RECORD))).isEqualTo(RECORD);
    assertThat(new String(ManifestSerde.key(RECORD.tableId()), StandardCharsets.UTF_8)).isEqualTo("shop.public.orders");
  }

  @Test
  void roundTripsCommitGroups() {
    ManifestRecord.Group group = new ManifestRecord.Group("7d0c", SourcePosition.of(1, 10, 120, 0), 3);
    ManifestRecord grouped = ManifestRecord.forSegment(RECORD.segment().orElseThrow(), RECORD.createdAtMillis(), group);
    assertThat(ManifestSerde.deserialize(ManifestSerde.serialize(grouped))).isEqualTo(grouped);
    assertThat(grouped.group()).contains(group);
    assertThat(new String(ManifestSerde.sourceKey("shop"), StandardCharsets.UTF_8)).isEqualTo("shop");
  }

  @Test
  void roundTripsThePositionFormatAndIgnoresOneItDoesNotKnow() {
    ManifestRecord named = RECORD.withPositionFormat(PositionFormat.BINLOG);
    byte[] bytes = ManifestSerde.serialize(named);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"position_format\":\"binlog\"");
    assertThat(ManifestSerde.deserialize(bytes)).isEqualTo(named);
    assertThat(RECORD.positionFormat()).isEmpty();
    byte[] unknown = new String(bytes, StandardCharsets.UTF_8).replace("\"binlog\"", "\"oracle_scn\"")
        .getBytes(StandardCharsets.UTF_8);
    assertThat(ManifestSerde.deserialize(unknown)).isEqualTo(RECORD);
  }

  @Test
  void refusesAGroupWhoseCutIsBeforeTheSegment() {
    ManifestRecord.Group early = new ManifestRecord.Group("7d0c", SourcePosition.of(1, 10, 50, 0), 2);
    assertThatThrownBy(() -> ManifestRecord.forSegment(RECORD.segment().orElseThrow(), 0, early))
        .hasMessageContaining("is after the cut");
    String json = new String(ManifestSerde.serialize(RECORD), StandardCharsets.UTF_8)
        .replace("}", ",\"group\":{\"id\":\"g\",\"cut\":\"" + SourcePosition.of(2).value() + "\",\"size\":0}}");
    assertThatThrownBy(() -> ManifestSerde.deserialize(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID))
        .hasMessageContaining("size 0");
  }

  @Test
  void refusesGarbageWithAClearError() {
    assertThatThrownBy(() -> ManifestSerde.deserialize("not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID))
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> ManifestSerde.deserialize("{\"format_version\":1}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("field 'kind' is missing");
    assertThatThrownBy(() -> ManifestSerde.deserialize(new byte[0])).hasMessageContaining("empty value");
  }

  @Test
  void refusesNewerFormatVersions() {
    String json = new String(ManifestSerde.serialize(RECORD), StandardCharsets.UTF_8).replace("\"format_version\":1", "\"format_version\":2");
    assertThatThrownBy(() -> ManifestSerde.deserialize(json.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("Unsupported manifest format version 2");
  }
}
