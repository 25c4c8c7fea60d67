package io.tributary.applier.internal;

import io.delta.kernel.Snapshot;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.actions.SetTransaction;
import io.delta.kernel.internal.util.FileNames;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Finds the Delta version that committed a Kafka offset: the oldest commit whose transaction
 * version (the offset of its batch's last manifest) is at or above the offset. It reads the latest
 * commit files backwards; replays are of the last commits, so a short look-back suffices.
 */
final class TransactionLocator {
  private static final StructType TXN_ONLY = new StructType().add("txn", SetTransaction.FULL_SCHEMA);

  private TransactionLocator() {}

  static OptionalLong versionCovering(Engine engine, Snapshot snapshot, String appId, long offset, int lookBack) {
    String logPath = snapshot.getLogPath().toString();
    OptionalLong covering = OptionalLong.empty();
    long oldest = Math.max(0, snapshot.getVersion() - lookBack + 1);
    for (long version = snapshot.getVersion(); version >= oldest; version--) {
      FileStatus file;
      try {
        file = engine.getFileSystemClient().getFileStatus(FileNames.deltaFile(logPath, version));
      } catch (FileNotFoundException e) {
        // Cleaned up after a checkpoint: older versions cannot be told apart.
        return OptionalLong.empty();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Optional<Long> txn = transactionVersion(engine, file, appId);
      if (txn.isPresent() && txn.get() >= offset) {
        covering = OptionalLong.of(version);
      } else if (txn.isPresent()) {
        return covering;
      }
    }
    // Reached version 0: the oldest covering commit is known; stopped by the look-back: it may be older.
    return oldest == 0 ? covering : OptionalLong.empty();
  }

  private static Optional<Long> transactionVersion(Engine engine, FileStatus file, String appId) {
    try (CloseableIterator<ColumnarBatch> batches = engine.getJsonHandler()
        .readJsonFiles(Utils.singletonCloseableIterator(file), TXN_ONLY, Optional.empty())) {
      while (batches.hasNext()) {
        ColumnarBatch batch = batches.next();
        ColumnVector txn = batch.getColumnVector(0);
        for (int row = 0; row < batch.getSize(); row++) {
          SetTransaction action = SetTransaction.fromColumnVector(txn, row);
          if (action != null && action.getAppId().equals(appId)) {
            return Optional.of(action.getVersion());
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
