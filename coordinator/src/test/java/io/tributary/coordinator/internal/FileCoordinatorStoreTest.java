package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.coordinator.Epoch;
import io.tributary.coordinator.TableRegistration;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded file store, plus what only a journal can get wrong. */
class FileCoordinatorStoreTest extends CoordinatorStoreContractTest {
  @TempDir
  Path directory;

  @Override
  CoordinatorStore newStore() {
    return FileCoordinatorStore.open(directory.resolve("store"));
  }

  @Override
  CoordinatorStore reopen(CoordinatorStore previous) {
    previous.close();
    return FileCoordinatorStore.open(directory.resolve("store"));
  }

  @Test
  void tornLastJournalLineIsIgnored() throws IOException {
    Path journalDirectory = directory.resolve("torn");
    try (FileCoordinatorStore store = FileCoordinatorStore.open(journalDirectory)) {
      store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
      store.acquireLease(TABLE, A, T0, T0.plusSeconds(30));
    }
    Path journal = journalDirectory.resolve(FileCoordinatorStore.JOURNAL_FILE);
    Files.writeString(journal, "{\"type\":\"lease_acquired\",\"at\":\"2026-11-01T10:00:00Z\",\"table_id\":\"pg1.pu",
        StandardOpenOption.APPEND);

    try (FileCoordinatorStore store = FileCoordinatorStore.open(journalDirectory)) {
      assertThat(store.table(TABLE).orElseThrow().epoch()).isEqualTo(new Epoch(1));
      store.acquireLease(TABLE, B, T0, T0.plusSeconds(30));
    }
    try (FileCoordinatorStore store = FileCoordinatorStore.open(journalDirectory)) {
      assertThat(store.table(TABLE).orElseThrow().leaseHolder()).contains(B);
    }
  }

  @Test
  void journalThatDoesNotAddUpFailsStartup() throws IOException {
    Path journalDirectory = directory.resolve("inconsistent");
    try (FileCoordinatorStore store = FileCoordinatorStore.open(journalDirectory)) {
      store.register(new TableRegistration(TABLE, location("t"), List.of("id")), T0);
    }
    Path journal = journalDirectory.resolve(FileCoordinatorStore.JOURNAL_FILE);
    Files.writeString(journal, "{\"type\":\"lease_acquired\",\"at\":\"2026-11-01T10:00:00Z\",\"table_id\":\"pg1.public.orders\","
        + "\"writer\":\"w\",\"epoch\":5,\"expires_at\":\"2026-11-01T10:00:30Z\"}\n", StandardOpenOption.APPEND);

    assertThatThrownBy(() -> FileCoordinatorStore.open(journalDirectory))
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining(journal.toString())
        .hasMessageContaining("line 3")
        .hasMessageContaining("acquired at epoch 5, expected 1");
  }

  @Test
  void secondStoreOnTheSameJournalIsRefused() {
    assertThatThrownBy(() -> FileCoordinatorStore.open(directory.resolve("store")))
        .isInstanceOf(TributaryException.class)
        .hasMessageContaining(directory.resolve("store").resolve(FileCoordinatorStore.JOURNAL_FILE).toString())
        .hasMessageContaining("is in use by another coordinator");
  }
}
