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
 * Finds the Delta version that recorded a transaction identifier, by reading the latest commit
 * files backwards; replays are usually of the last commits, so a short look-back suffices.
 */
final class TransactionLocator {
  private static final StructType TXN_ONLY = new StructType().add("txn", SetTransaction.FULL_SCHEMA);

  private TransactionLocator() {}

  static OptionalLong commitVersionOf(Engine engine, Snapshot snapshot, String appId, long txnVersion, int lookBack) {
    String logPath = snapshot.getLogPath().toString();
    for (long version = snapshot.getVersion(); version >= 0 && version > snapshot.getVersion() - lookBack; version--) {
      FileStatus file;
      try {
        file = engine.getFileSystemClient().getFileStatus(FileNames.deltaFile(logPath, version));
      } catch (FileNotFoundException e) {
        return OptionalLong.empty();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (holds(engine, file, appId, txnVersion)) {
        return OptionalLong.of(version);
      }
    }
    return OptionalLong.empty();
  }

  private static boolean holds(Engine engine, FileStatus file, String appId, long txnVersion) {
    try (CloseableIterator<ColumnarBatch> batches = engine.getJsonHandler()
        .readJsonFiles(Utils.singletonCloseableIterator(file), TXN_ONLY, Optional.empty())) {
      while (batches.hasNext()) {
        ColumnarBatch batch = batches.next();
        ColumnVector txn = batch.getColumnVector(0);
        for (int row = 0; row < batch.getSize(); row++) {
          if (!txn.isNullAt(row)) {
            SetTransaction action = SetTransaction.fromColumnVector(txn, row);
            if (action.getAppId().equals(appId) && action.getVersion() == txnVersion) {
              return true;
            }
          }
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
