package io.tributary.gateway.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;

/**
 * The Debezium engine's offset store: a file in the gateway's state directory, replaced atomically
 * and forced to disk on every commit ({@link DurableFile}).
 *
 * <p>Why not Kafka Connect's {@code FileOffsetBackingStore}: it rewrites the file in place without
 * fsync, and on reading treats a truncated file ({@code EOFException}) as "no offsets", so a crash
 * during a commit silently restarts capture from scratch. Here a commit is acknowledged only once it
 * is durable, and an unreadable file stops the gateway instead of being ignored.
 *
 * <p>Instantiated by the engine by class name (property {@code offset.storage}); the file comes from
 * {@code offset.storage.file.filename}. Writes run on one named thread, in order.
 */
public final class DurableOffsetStore implements OffsetBackingStore {
  static final String FILE_PROPERTY = "offset.storage.file.filename";

  private Path file;
  private ExecutorService executor;
  private volatile Map<ByteBuffer, ByteBuffer> data = Map.of();

  public DurableOffsetStore() {}

  @Override
  public void configure(WorkerConfig config) {
    String name = config.getString(FILE_PROPERTY);
    if (name == null || name.isBlank()) {
      throw new ConnectException("DurableOffsetStore needs '" + FILE_PROPERTY + "'");
    }
    this.file = Path.of(name);
  }

  @Override
  public void start() {
    try {
      data = OffsetFile.read(file);
    } catch (IOException | RuntimeException e) {
      throw new ConnectException("Cannot read the gateway's committed offsets from " + file + ": " + e.getMessage()
          + ". The file is never written partially; restore it from a backup or, to capture from scratch,"
          + " remove the state directory together with the staged data", e);
    }
    executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tributary-offset-store");
      thread.setDaemon(true);
      return thread;
    });
  }

  @Override
  public void stop() {
    if (executor != null) {
      executor.shutdown();
      try {
        executor.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      executor.shutdownNow();
    }
  }

  @Override
  public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
    return executor.submit(() -> {
      Map<ByteBuffer, ByteBuffer> result = new HashMap<>();
      for (ByteBuffer key : keys) {
        result.put(key, data.get(key));
      }
      return result;
    });
  }

  @Override
  public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
    return executor.submit(() -> {
      Map<ByteBuffer, ByteBuffer> next = new HashMap<>(data);
      next.putAll(values);
      try {
        OffsetFile.write(file, next);
      } catch (IOException | RuntimeException e) {
        ConnectException failure = new ConnectException("Cannot commit offsets to " + file + ": " + e.getMessage(), e);
        if (callback != null) {
          callback.onCompletion(failure, null);
        }
        throw failure;
      }
      data = next;
      if (callback != null) {
        callback.onCompletion(null, null);
      }
      return null;
    });
  }

  @Override
  public Set<Map<String, Object>> connectorPartitions(String connectorName) {
    return OffsetFile.partitions(data, connectorName);
  }
}
