package io.tributary.loadtests.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * Watches Delta tables as a reader would: every {@code interval} it lists each table's
 * {@code _delta_log} for new commit files, and for each new version reads the data files it adds
 * (only the sequence column) and records, for every sequence number not seen before, the moment the
 * listing found the version. That moment is at most one interval (plus the listing) after the commit
 * became visible: the resolution of the measurement. Rows of files rewritten by copy-on-write carry
 * sequence numbers seen before, and change nothing.
 */
public final class DeltaWatcher implements AutoCloseable {
  private static final Pattern COMMIT_FILE = Pattern.compile("\\d{20}\\.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Path> tables;
  private final String sequenceColumn;
  private final AtomicLongArray visibleNanos;
  private final Duration interval;
  private final Map<Path, Long> nextVersion = new HashMap<>();
  private final AtomicLong versions = new AtomicLong();
  private final AtomicLong filesRead = new AtomicLong();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final Thread thread;
  private final Configuration hadoop = new Configuration();
  private volatile boolean running = true;

  private DeltaWatcher(List<Path> tables, String sequenceColumn, int maxSequence, Duration interval) {
    this.tables = List.copyOf(tables);
    this.sequenceColumn = requireNonNull(sequenceColumn, "sequenceColumn is null");
    this.visibleNanos = new AtomicLongArray(maxSequence + 1);
    this.interval = requireNonNull(interval, "interval is null");
    hadoop.set(ReadSupport.PARQUET_READ_SCHEMA, "message projection { optional int64 " + sequenceColumn + "; }");
    this.thread = new Thread(this::watch, "delta-watcher");
    this.thread.setDaemon(true);
  }

  /**
   * Starts watching {@code tables} (their directories; a table not created yet is watched from its first
   * version on) for sequence numbers from 1 to {@code maxSequence}.
   */
  public static DeltaWatcher start(List<Path> tables, String sequenceColumn, int maxSequence, Duration interval) {
    DeltaWatcher watcher = new DeltaWatcher(tables, sequenceColumn, maxSequence, interval);
    watcher.thread.start();
    return watcher;
  }

  /** When the change of {@code sequence} was found visible ({@link System#nanoTime()}), 0 if not yet. */
  public long visibleNanos(long sequence) {
    return sequence < visibleNanos.length() ? visibleNanos.get((int) sequence) : 0;
  }

  /** Delta versions read so far, over all tables. */
  public long versions() {
    return versions.get();
  }

  public long filesRead() {
    return filesRead.get();
  }

  /** The error that stopped the watcher, if one did. */
  public RuntimeException failure() {
    return failure.get();
  }

  private void watch() {
    try {
      while (running) {
        long next = System.nanoTime() + interval.toNanos();
        for (Path table : tables) {
          poll(table);
        }
        long left = next - System.nanoTime();
        if (left > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
      }
    } catch (RuntimeException e) {
      failure.set(e);
    }
  }

  private void poll(Path table) {
    Path log = table.resolve("_delta_log");
    long seen = System.nanoTime();
    if (!Files.isDirectory(log)) {
      return;
    }
    long from = nextVersion.getOrDefault(table, 0L);
    List<Long> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(log)) {
      files.map(file -> file.getFileName().toString()).filter(name -> COMMIT_FILE.matcher(name).matches())
          .map(name -> Long.parseLong(name.substring(0, 20))).filter(version -> version >= from).forEach(found::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + log, e);
    }
    found.sort(null);
    long expected = from;
    for (long version : found) {
      if (version != expected) {
        // A version still being published: the later ones wait for it.
        return;
      }
      List<String> added;
      try {
        added = addedFiles(log.resolve(String.format("%020d.json", version)));
      } catch (IOException e) {
        // Not complete yet; read again at the next poll.
        return;
      }
      for (String file : added) {
        record(table.resolve(file), seen);
      }
      versions.incrementAndGet();
      expected = version + 1;
      nextVersion.put(table, expected);
    }
  }

  private static List<String> addedFiles(Path commit) throws IOException {
    List<String> added = new ArrayList<>();
    for (String line : Files.readAllLines(commit)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode add = JSON.readTree(line).get("add");
      if (add != null && add.hasNonNull("path")) {
        added.add(URI.create("x:/" + add.get("path").asText()).getPath().substring(1));
      }
    }
    return added;
  }

  private void record(Path dataFile, long seenNanos) {
    try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(),
        new org.apache.hadoop.fs.Path(dataFile.toUri())).withConf(hadoop).build()) {
      for (Group row = reader.read(); row != null; row = reader.read()) {
        if (row.getFieldRepetitionCount(sequenceColumn) == 0) {
          continue;
        }
        long sequence = row.getLong(sequenceColumn, 0);
        if (sequence > 0 && sequence < visibleNanos.length()) {
          visibleNanos.compareAndSet((int) sequence, 0, seenNanos);
        }
      }
      filesRead.incrementAndGet();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read data file " + dataFile, e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }
}
