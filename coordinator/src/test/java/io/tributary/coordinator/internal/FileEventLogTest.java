package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.CoordinatorEvent.Severity;
import io.tributary.coordinator.CoordinatorEvent.Type;
import io.tributary.coordinator.EventQuery;
import io.tributary.coordinator.TestClock;
import io.tributary.staging.TableId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileEventLogTest {
  private static final TableId ORDERS = TableId.parse("pg.public.orders");
  private static final TableId USERS = TableId.parse("pg.public.users");

  @TempDir
  Path directory;

  private final TestClock clock = new TestClock(Instant.parse("2026-11-21T23:59:00Z"));

  private CoordinatorEvent.Report report(Type type, TableId table, String message) {
    return new CoordinatorEvent.Report(clock.instant(), type, Optional.of(table), Severity.INFO, message, Map.of("k", "v"));
  }

  @Test
  void numbersEventsAndAnswersQueriesNewestFirst() {
    try (FileEventLog log = FileEventLog.open(directory, clock, Duration.ofDays(7), 100)) {
      assertThat(log.append(report(Type.COMMIT, ORDERS, "one")).sequence()).isEqualTo(1);
      clock.advance(Duration.ofMinutes(1));
      log.append(report(Type.LEASE_ACQUIRED, USERS, "two"));
      clock.advance(Duration.ofMinutes(1));
      log.append(report(Type.COMMIT, USERS, "three"));

      assertThat(log.query(EventQuery.latest())).extracting(CoordinatorEvent::message).containsExactly("three", "two", "one");
      assertThat(log.query(EventQuery.latest().withTable(USERS))).extracting(CoordinatorEvent::message)
          .containsExactly("three", "two");
      assertThat(log.query(EventQuery.latest().withTypes(Set.of(Type.COMMIT)))).extracting(CoordinatorEvent::message)
          .containsExactly("three", "one");
      assertThat(log.query(EventQuery.latest().withLimit(1))).extracting(CoordinatorEvent::message).containsExactly("three");
      assertThat(log.query(EventQuery.latest().after(1))).extracting(CoordinatorEvent::sequence).containsExactly(3L, 2L);
      EventQuery window = new EventQuery(Optional.empty(), Set.of(), Optional.of(Instant.parse("2026-11-22T00:00:00Z")),
          Optional.of(Instant.parse("2026-11-22T00:01:00Z")), 0, 10);
      assertThat(log.query(window)).extracting(CoordinatorEvent::message).containsExactly("two");
      assertThat(log.lastSequence()).isEqualTo(3);
    }
  }

  @Test
  void readsItsEventsBackAcrossDaysAndSkipsALineTornByACrash() throws Exception {
    try (FileEventLog log = FileEventLog.open(directory, clock, Duration.ofDays(7), 100)) {
      log.append(report(Type.COMMIT, ORDERS, "before midnight"));
      clock.advance(Duration.ofMinutes(2));
      log.append(report(Type.COMMIT, ORDERS, "after midnight"));
    }
    assertThat(directory.resolve("events-2026-11-21.jsonl")).exists();
    Path today = directory.resolve("events-2026-11-22.jsonl");
    Files.writeString(today, "{\"sequence\": 3, \"at\": \"2026-11-", StandardOpenOption.APPEND);

    try (FileEventLog log = FileEventLog.open(directory, clock, Duration.ofDays(7), 100)) {
      assertThat(log.query(EventQuery.latest())).extracting(CoordinatorEvent::message)
          .containsExactly("after midnight", "before midnight");
      assertThat(log.query(EventQuery.latest()).get(0).details()).isEqualTo(Map.of("k", "v"));
      assertThat(log.append(report(Type.ERROR, USERS, "next")).sequence()).isEqualTo(3);
    }
    try (FileEventLog log = FileEventLog.open(directory, clock, Duration.ofDays(7), 100)) {
      assertThat(log.query(EventQuery.latest())).extracting(CoordinatorEvent::message)
          .containsExactly("next", "after midnight", "before midnight");
    }
  }

  @Test
  void keepsTheLatestInMemoryAndReadsOlderOnesFromDisk() {
    try (FileEventLog log = FileEventLog.open(directory, clock, Duration.ofDays(7), 3)) {
      for (int i = 1; i <= 10; i++) {
        log.append(report(Type.COMMIT, ORDERS, "event " + i));
      }
      assertThat(log.query(EventQuery.latest())).extracting(CoordinatorEvent::sequence).containsExactly(10L, 9L, 8L);
      assertThat(log.after(0, 4)).extracting(CoordinatorEvent::sequence).containsExactly(1L, 2L, 3L, 4L);
      assertThat(log.after(7, 100)).extracting(CoordinatorEvent::sequence).containsExactly(8L, 9L, 10L);
    }
    try (FileEventLog reopened = FileEventLog.open(directory, clock, Duration.ofDays(7), 3)) {
      assertThat(reopened.lastSequence()).isEqualTo(10);
      assertThat(reopened.query(EventQuery.latest())).extracting(CoordinatorEvent::sequence).containsExactly(10L, 9L, 8L);
    }
  }

  @Test
  void deletesDayFilesPastTheRetention() throws Exception {
    Files.writeString(directory.resolve("events-2026-11-01.jsonl"), "");
    Files.writeString(directory.resolve("events-2026-11-20.jsonl"), "");
    Files.writeString(directory.resolve("notes.txt"), "kept");
    try (FileEventLog log = FileEventLog.open(directory, clock, Duration.ofDays(7), 10)) {
      assertThat(log.lastSequence()).isZero();
    }
    try (var files = Files.list(directory)) {
      assertThat(files.map(file -> file.getFileName().toString()).sorted().toList())
          .isEqualTo(List.of("events-2026-11-20.jsonl", "notes.txt"));
    }
  }
}
