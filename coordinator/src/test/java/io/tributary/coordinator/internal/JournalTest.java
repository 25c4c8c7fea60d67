package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  @TempDir
  Path directory;

  @Test
  void appendsAreReplayedInOrder() throws IOException {
    Path file = directory.resolve("journal.jsonl");
    try (Journal journal = Journal.open(file, record -> {})) {
      journal.append(record(1));
      journal.append(record(2));
    }
    assertThat(replay(file)).containsExactly(1, 2);
    assertThat(Files.readAllLines(file).get(0)).contains(Journal.FORMAT_NAME);
  }

  @Test
  void tornLastLineIsDroppedAndCutOff() throws IOException {
    Path file = directory.resolve("journal.jsonl");
    try (Journal journal = Journal.open(file, record -> {})) {
      journal.append(record(1));
    }
    long intact = Files.size(file);
    Files.writeString(file, "{\"n\":2,\"pad", StandardOpenOption.APPEND);

    List<Integer> replayed = new ArrayList<>();
    try (Journal journal = Journal.open(file, record -> replayed.add(record.get("n").asInt()))) {
      assertThat(replayed).containsExactly(1);
      assertThat(Files.size(file)).isEqualTo(intact);
      journal.append(record(3));
    }
    assertThat(replay(file)).containsExactly(1, 3);
  }

  @Test
  void unreadableLastLineIsDroppedEvenWithItsLineEnd() throws IOException {
    Path file = directory.resolve("journal.jsonl");
    try (Journal journal = Journal.open(file, record -> {})) {
      journal.append(record(1));
    }
    // A file system may leave zeros where the last write did not reach the disk.
    Files.write(file, new byte[] {0, 0, 0, '\n'}, StandardOpenOption.APPEND);

    assertThat(replay(file)).containsExactly(1);
  }

  @Test
  void corruptLineBeforeTheLastFailsNamingFileAndLine() throws IOException {
    Path file = directory.resolve("journal.jsonl");
    try (Journal journal = Journal.open(file, record -> {})) {
      journal.append(record(1));
    }
    Files.writeString(file, "not json\n" + "{\"n\":3}\n", StandardOpenOption.APPEND);

    assertThatThrownBy(() -> Journal.open(file, record -> {}))
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("line 3")
        .hasMessageContaining("not JSON");
  }

  @Test
  void recordTheReplayRejectsFailsNamingItsLine() throws IOException {
    Path file = directory.resolve("journal.jsonl");
    try (Journal journal = Journal.open(file, record -> {})) {
      journal.append(record(1));
      journal.append(record(2));
    }

    assertThatThrownBy(() -> Journal.open(file, record -> {
      if (record.get("n").asInt() == 2) {
        throw new IllegalStateException("version 7 of a.b.c ratified after version 3");
      }
    }))
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("line 3")
        .hasMessageContaining("version 7 of a.b.c ratified after version 3");
  }

  @Test
  void fileWithoutHeaderIsRefused() throws IOException {
    Path file = directory.resolve("journal.jsonl");
    Files.writeString(file, "{\"something\":\"else\"}\n");

    assertThatThrownBy(() -> Journal.open(file, record -> {}))
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining("line 1")
        .hasMessageContaining("not a coordinator journal");
  }

  @Test
  void tornHeaderIsRewritten() throws IOException {
    Path file = directory.resolve("journal.jsonl");
    Files.writeString(file, "{\"journal\":\"tribu");

    try (Journal journal = Journal.open(file, record -> {})) {
      journal.append(record(1));
    }
    assertThat(replay(file)).containsExactly(1);
  }

  @Test
  void secondOpenOfTheSameJournalIsRefused() throws IOException {
    Path file = directory.resolve("journal.jsonl");
    try (Journal journal = Journal.open(file, record -> {})) {
      assertThat(journal.file()).isEqualTo(file);
      assertThatThrownBy(() -> Journal.open(file, record -> {}))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
          .hasMessageContaining("in use by another coordinator");
    }
  }

  private static List<Integer> replay(Path file) throws IOException {
    List<Integer> replayed = new ArrayList<>();
    Journal journal = Journal.open(file, record -> replayed.add(record.get("n").asInt()));
    journal.close();
    return replayed;
  }

  private static JsonNode record(int n) {
    ObjectNode node = ApiCodec.MAPPER.createObjectNode();
    node.put("n", n);
    node.put("text", "é\u2028 \"quoted\"");
    return node;
  }
}
