package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class FieldReaderTest {
  private static final Schema SOURCE = SchemaBuilder.struct().name("source")
      .field("snapshot", SchemaBuilder.string().optional().defaultValue("false").build())
      .field("table", Schema.OPTIONAL_STRING_SCHEMA)
      .build();
  private static final Schema OTHER = SchemaBuilder.struct().name("other")
      .field("table", Schema.OPTIONAL_STRING_SCHEMA)
      .build();

  @Test
  void aNullReadsAsNullOrAsTheDefaultAsAsked() {
    FieldReader snapshot = new FieldReader("snapshot");
    Struct streamed = new Struct(SOURCE).put("table", "orders");

    assertThat(snapshot.string(streamed)).isNull();
    assertThat(snapshot.stringOrDefault(streamed)).isEqualTo("false");
    assertThat(snapshot.stringOrDefault(new Struct(SOURCE).put("snapshot", "incremental"))).isEqualTo("incremental");
  }

  @Test
  void aSchemaWithoutTheFieldReadsAsNull() {
    FieldReader snapshot = new FieldReader("snapshot");

    assertThat(snapshot.stringOrDefault(new Struct(SOURCE))).isEqualTo("false");
    // The reader remembers the last schema's field: another schema is looked up again.
    assertThat(snapshot.stringOrDefault(new Struct(OTHER).put("table", "orders"))).isNull();
    assertThat(snapshot.string(new Struct(OTHER))).isNull();
  }
}
