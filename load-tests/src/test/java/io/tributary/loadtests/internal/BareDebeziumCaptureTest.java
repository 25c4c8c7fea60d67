package io.tributary.loadtests.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class BareDebeziumCaptureTest {
  private static final Schema ENVELOPE = SchemaBuilder.struct()
      .field("after", SchemaBuilder.struct().name("row").optional()
          .field("id", Schema.INT64_SCHEMA)
          .field("name", Schema.OPTIONAL_STRING_SCHEMA)
          .field("payload", Schema.OPTIONAL_BYTES_SCHEMA)
          .field("amount", Decimal.builder(2).optional().build())
          .build())
      .field("op", Schema.STRING_SCHEMA)
      .build();

  @Test
  void readingFoldsInEveryValueOfNestedStructs() {
    long folded = BareDebeziumCapture.fold(change("ada", new byte[] {1, 2}, "12.50"));

    assertThat(BareDebeziumCapture.fold(change("ada", new byte[] {1, 2}, "12.50"))).as("equal values")
        .isEqualTo(folded);
    assertThat(BareDebeziumCapture.fold(change("ado", new byte[] {1, 2}, "12.50"))).as("a text").isNotEqualTo(folded);
    assertThat(BareDebeziumCapture.fold(change("ada", new byte[] {1, 3}, "12.50"))).as("bytes").isNotEqualTo(folded);
    assertThat(BareDebeziumCapture.fold(change("ada", new byte[] {1, 2}, "12.51"))).as("a decimal")
        .isNotEqualTo(folded);
    assertThat(BareDebeziumCapture.fold(change(null, null, null))).as("nulls").isNotEqualTo(folded);
    assertThat(BareDebeziumCapture.fold(null)).isZero();
  }

  private static Struct change(String name, byte[] payload, String amount) {
    Struct after = new Struct(ENVELOPE.field("after").schema())
        .put("id", 7L)
        .put("name", name)
        .put("payload", payload)
        .put("amount", amount == null ? null : new BigDecimal(amount));
    return new Struct(ENVELOPE).put("after", after).put("op", "c");
  }
}
