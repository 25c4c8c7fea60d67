package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.coordinator.CoordinatorEvent;
import io.tributary.coordinator.EventQuery;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log of one coordinator on its local disk: a JSON line per event in one file per UTC day
 * ({@code events-2026-11-21.jsonl}), files past the retention deleted at start and at each new day,
 * and the latest events kept in memory for queries. Events are written through at once but not
 * forced to disk one by one: a power failure may lose the last events, never a commit (commits are in
 * the store). A line torn by a crash is skipped when the log is read back.
 */
public final class FileEventLog implements EventLog {
  private static final Logger LOG = LoggerFactory.getLogger(FileEventLog.class);
  private static final String PREFIX = "events-";
  private static final String SUFFIX = ".jsonl";

  private final Path directory;
  private final Clock clock;
  private final Duration retention;
  private final int memoryCapacity;
  private final Deque<CoordinatorEvent> recent = new ArrayDeque<>();
  private final AtomicLong writeFailures = new AtomicLong();
  private long lastSequence;
  private LocalDate openDay;
  private FileChannel open;

  private FileEventLog(Path directory, Clock clock, Duration retention, int memoryCapacity) {
    this.directory = directory;
    this.clock = clock;
    this.retention = retention;
    this.memoryCapacity = memoryCapacity;
  }

  /**
   * Opens the log in {@code directory}, deleting day files older than {@code retention} and
   * reading the latest {@code memoryCapacity} events back.
   *
   * @throws TributaryException {@code STORAGE_FAILURE} if the directory cannot be read or written
   */
  public static FileEventLog open(Path directory, Clock clock, Duration retention, int memoryCapacity) {
    requireNonNull(directory, "directory is null");
    requireNonNull(clock, "clock is null");
    requireNonNull(retention, "retention is null");
    if (memoryCapacity < 1) {
      throw new IllegalArgumentException("memoryCapacity must be >= 1: " + memoryCapacity);
    }
    FileEventLog log = new FileEventLog(directory, clock, retention, memoryCapacity);
    try {
      Files.createDirectories(directory);
      log.deleteExpired();
      log.readBack();
    } catch (IOException | UncheckedIOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE,
          "Cannot open the coordinator's event log in " + directory + ": " + e.getMessage(), e);
    }
    return log;
  }

  @Override
  public synchronized CoordinatorEvent append(CoordinatorEvent.Report report) {
    CoordinatorEvent event = report.numbered(++lastSequence);
    recent.addLast(event);
    if (recent.size() > memoryCapacity) {
      recent.removeFirst();
    }
    try {
      channelFor(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC))
          .write(ByteBuffer.wrap((ApiCodec.toJson(event) + "\n").getBytes(StandardCharsets.UTF_8)));
    } catch (IOException | RuntimeException e) {
      if (writeFailures.getAndIncrement() == 0) {
        LOG.error("Cannot write event {} to the event log in {}; it stays in memory only: {}", event.sequence(),
            directory, e.toString());
      }
    }
    return event;
  }

  @Override
  public synchronized List<CoordinatorEvent> query(EventQuery query) {
    List<CoordinatorEvent> found = new ArrayList<>();
    for (Iterator<CoordinatorEvent> newest = recent.descendingIterator(); newest.hasNext() && found.size() < query.limit(); ) {
      CoordinatorEvent event = newest.next();
      if (event.sequence() <= query.afterSequence()) {
        break;
      }
      if (query.matches(event)) {
        found.add(event);
      }
    }
    return found;
  }

  @Override
  public synchronized List<CoordinatorEvent> after(long sequence, int limit) {
    if (!recent.isEmpty() && recent.peekFirst().sequence() <= sequence + 1) {
      List<CoordinatorEvent> found = new ArrayList<>();
      for (CoordinatorEvent event : recent) {
        if (event.sequence() > sequence && found.size() < limit) {
          found.add(event);
        }
      }
      return found;
    }
    // Older than what is kept in memory: read the day files.
    List<CoordinatorEvent> found = new ArrayList<>();
    try {
      for (Path file : dayFiles()) {
        for (CoordinatorEvent event : read(file)) {
          if (event.sequence() > sequence && found.size() < limit) {
            found.add(event);
          }
        }
        if (found.size() >= limit) {
          break;
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE,
          "Cannot read the event log in " + directory + ": " + e.getMessage(), e);
    }
    return found;
  }

  @Override
  public synchronized long lastSequence() {
    return lastSequence;
  }

  /** Events that could not be written to disk since the log was opened (they stay in memory). */
  @Override
  public long writeFailures() {
    return writeFailures.get();
  }

  @Override
  public synchronized void close() {
    closeOpenFile();
  }

  private FileChannel channelFor(LocalDate day) throws IOException {
    if (open != null && day.equals(openDay)) {
      return open;
    }
    closeOpenFile();
    Path file = directory.resolve(PREFIX + day + SUFFIX);
    boolean torn = endsTorn(file);
    open = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    openDay = day;
    if (torn) {
      open.write(ByteBuffer.wrap(new byte[] {'\n'}));
    }
    deleteExpired();
    return open;
  }

  /** A crash may have cut the last line short; the next event starts on a line of its own. */
  private static boolean endsTorn(Path file) throws IOException {
    if (!Files.exists(file)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == 0) {
        return false;
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      channel.read(last, size - 1);
      return last.get(0) != '\n';
    }
  }

  private void closeOpenFile() {
    if (open == null) {
      return;
    }
    try (FileChannel closing = open) {
      closing.force(true);
    } catch (IOException e) {
      LOG.warn("Cannot close event log file of {}: {}", openDay, e.toString());
    }
    open = null;
  }

  private void deleteExpired() throws IOException {
    LocalDate oldestKept = LocalDate.ofInstant(clock.instant().minus(retention), ZoneOffset.UTC);
    for (Path file : dayFiles()) {
      LocalDate day = day(file);
      if (day != null && day.isBefore(oldestKept) && !day.equals(openDay)) {
        Files.deleteIfExists(file);
        LOG.info("Deleted event log file {}, older than the retention of {}", file.getFileName(), retention);
      }
    }
  }

  private void readBack() throws IOException {
    List<Path> files = dayFiles();
    Deque<CoordinatorEvent> newestFirst = new ArrayDeque<>();
    for (int i = files.size() - 1; i >= 0 && newestFirst.size() < memoryCapacity; i--) {
      List<CoordinatorEvent> events = read(files.get(i));
      for (int j = events.size() - 1; j >= 0 && newestFirst.size() < memoryCapacity; j--) {
        newestFirst.addLast(events.get(j));
      }
      if (i == files.size() - 1 && !events.isEmpty()) {
        lastSequence = events.get(events.size() - 1).sequence();
      }
    }
    newestFirst.descendingIterator().forEachRemaining(recent::addLast);
    if (!recent.isEmpty()) {
      lastSequence = Math.max(lastSequence, recent.peekLast().sequence());
    }
  }

  private List<CoordinatorEvent> read(Path file) throws IOException {
    List<CoordinatorEvent> events = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        try {
          JsonNode node = ApiCodec.MAPPER.readTree(line);
          events.add(ApiCodec.event(node));
        } catch (IOException | IllegalArgumentException e) {
          LOG.warn("Skipping unreadable line {} of event log file {} (torn by a crash?): {}", number, file, e.getMessage());
        }
      }
    }
    return events;
  }

  private List<Path> dayFiles() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> day(file) != null).sorted().toList();
    }
  }

  private static LocalDate day(Path file) {
    String name = file.getFileName().toString();
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
      return null;
    }
    try {
      return LocalDate.parse(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
