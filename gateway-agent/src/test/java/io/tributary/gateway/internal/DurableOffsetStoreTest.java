package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableOffsetStoreTest {
  @TempDir
  Path directory;

  private static ByteBuffer utf8(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  private DurableOffsetStore open(Path file) {
    Map<String, String> properties = new HashMap<>();
    properties.put(DurableOffsetStore.FILE_PROPERTY, file.toString());
    WorkerConfig config = new io.debezium.embedded.EmbeddedWorkerConfig(properties);
    DurableOffsetStore store = new DurableOffsetStore();
    store.configure(config);
    store.start();
    return store;
  }

  @Test
  void committedOffsetsSurviveARestartAndLeaveNoTemporaryFile() throws Exception {
    Path file = directory.resolve("offsets.json");
    ByteBuffer key = utf8("[\"tributary-gateway-src\",{\"server\":\"src\"}]");
    DurableOffsetStore store = open(file);
    store.set(Map.of(key, utf8("{\"lsn\":1}")), null).get(5, TimeUnit.SECONDS);
    store.set(Map.of(key, utf8("{\"lsn\":2,\"lsn_commit\":2}")), null).get(5, TimeUnit.SECONDS);
    store.stop();

    DurableOffsetStore reopened = open(file);
    Map<ByteBuffer, ByteBuffer> read = reopened.get(List.of(key)).get(5, TimeUnit.SECONDS);
    assertThat(StandardCharsets.UTF_8.decode(read.get(key)).toString()).isEqualTo("{\"lsn\":2,\"lsn_commit\":2}");
    assertThat(reopened.connectorPartitions("tributary-gateway-src")).containsExactly(Map.of("server", "src"));
    assertThat(OffsetFile.committedOffset(file, "tributary-gateway-src"))
        .contains(Map.of("lsn", 2, "lsn_commit", 2));
    reopened.stop();
    try (var files = Files.list(directory)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("offsets.json");
    }
  }

  @Test
  void aMissingFileMeansNoOffsets() throws Exception {
    DurableOffsetStore store = open(directory.resolve("offsets.json"));
    assertThat(store.get(List.of(utf8("k"))).get(5, TimeUnit.SECONDS)).containsEntry(utf8("k"), null);
    store.stop();
  }

  @Test
  void anUnreadableFileStopsTheEngineInsteadOfStartingOver() throws Exception {
    Path file = directory.resolve("offsets.json");
    Files.writeString(file, "{\"format_version\":1,\"offs");
    assertThatThrownBy(() -> open(file))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("Cannot read the gateway's committed offsets from " + file);
  }
}
