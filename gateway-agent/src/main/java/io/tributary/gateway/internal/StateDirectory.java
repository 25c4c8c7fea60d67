package io.tributary.gateway.internal;

import io.tributary.staging.TableId;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The gateway's own durable state: Debezium's committed offsets ({@code offsets.json}, written by
 * {@link DurableOffsetStore}), the snapshot epoch counter ({@code snapshot-epoch}), the tables an
 * incremental initial load has read whole ({@code initial-load-complete}) and, for binlog
 * sources, Debezium's schema history ({@code schema-history.jsonl}). Locked while
 * open, so that two gateway processes never share it.
 */
final class StateDirectory implements AutoCloseable {
  private static final String OFFSETS = "offsets.json";
  private static final String SNAPSHOT_EPOCH = "snapshot-epoch";
  private static final String INITIAL_LOAD = "initial-load-complete";

  private final Path directory;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private boolean closed;

  private StateDirectory(Path directory, FileChannel lockChannel, FileLock lock) {
    this.directory = directory;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens (creating) and locks the directory.
   *
   * @throws io.tributary.staging.TributaryException if another process holds it or it is unusable
   */
  public static StateDirectory open(Path directory) {
    FileChannel channel = null;
    try {
      Files.createDirectories(directory);
      channel = FileChannel.open(directory.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw GatewayErrors.stateDirectoryLocked(directory);
      }
      return new StateDirectory(directory, channel, lock);
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw GatewayErrors.stateDirectoryLocked(directory);
    } catch (IOException e) {
      closeQuietly(channel);
      throw GatewayErrors.stateDirectoryUnusable(directory, e);
    }
  }

  public Path path() {
    return directory;
  }

  /** The file the engine's offset store writes. */
  public Path offsetFile() {
    return directory.resolve(OFFSETS);
  }

  /** The committed offset of the named engine, read from disk. */
  public Optional<Map<String, Object>> committedOffset(String engineName) {
    try {
      return OffsetFile.committedOffset(offsetFile(), engineName);
    } catch (IOException | RuntimeException e) {
      throw GatewayErrors.offsetCommitFailed(offsetFile(), "it cannot be read (" + e.getMessage() + ")");
    }
  }

  /** Increments the snapshot epoch durably and returns the new value (the first is 1). */
  public synchronized long nextSnapshotEpoch() {
    Path file = directory.resolve(SNAPSHOT_EPOCH);
    try {
      long current;
      try {
        current = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
      } catch (NoSuchFileException e) {
        current = 0;
      }
      long next = current + 1;
      DurableFile.replace(file, (next + "\n").getBytes(StandardCharsets.US_ASCII));
      return next;
    } catch (IOException | NumberFormatException e) {
      throw GatewayErrors.stateDirectoryUnusable(directory, e);
    }
  }

  /** The tables an incremental initial load has read whole, one canonical name a line. */
  public synchronized Set<TableId> initiallyLoaded() {
    try {
      Set<TableId> loaded = new TreeSet<>();
      for (String line : Files.readAllLines(directory.resolve(INITIAL_LOAD), StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          loaded.add(TableId.parse(line.trim()));
        }
      }
      return loaded;
    } catch (NoSuchFileException e) {
      return new TreeSet<>();
    } catch (IOException | IllegalArgumentException e) {
      throw GatewayErrors.stateDirectoryUnusable(directory, e);
    }
  }

  /** Records durably that an incremental initial load has read {@code table} whole. */
  public synchronized void markInitiallyLoaded(TableId table) {
    Set<TableId> loaded = initiallyLoaded();
    if (!loaded.add(table)) {
      return;
    }
    StringBuilder text = new StringBuilder();
    loaded.forEach(each -> text.append(each.canonical()).append('\n'));
    try {
      DurableFile.replace(directory.resolve(INITIAL_LOAD), text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw GatewayErrors.stateDirectoryUnusable(directory, e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      lock.release();
    } catch (IOException e) {
      // Closing the channel below releases the lock as well.
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing was written through this channel; the lock dies with the process anyway.
    }
  }
}
