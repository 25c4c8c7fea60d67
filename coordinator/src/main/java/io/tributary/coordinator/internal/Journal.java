package io.tributary.coordinator.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.staging.TributaryException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of JSON records, one per line, each forced to disk before {@link #append}
 * returns. The first line is a header naming the format version.
 *
 * <p>Replay tolerates exactly one kind of damage: a last line that is incomplete or unreadable,
 * which is what a crash in the middle of an append leaves. It is dropped with a warning and cut off
 * so that the next append starts on a clean line (its writer never got an answer). Any other
 * unreadable line fails the replay, naming the file and line. The file is locked while open, so two
 * coordinators cannot share one.
 */
final class Journal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  static final String FORMAT_NAME = "tributary-coordinator-journal";
  static final int FORMAT_VERSION = 1;

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private Journal(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Opens the journal, creating it if absent, and hands every record to {@code replay} in order.
   * A record that {@code replay} rejects (with an unchecked exception) fails the open, naming its line.
   */
  static Journal open(Path file, Consumer<JsonNode> replay) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    boolean created = !Files.exists(file);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new TributaryException(TributaryException.ErrorCode.CONFIG_INVALID,
            "Coordinator journal " + file + " is in use by another coordinator; give each coordinator its own data-dir");
      }
      Journal journal = new Journal(file, channel, lock);
      long end = journal.replay(replay);
      if (end < channel.size()) {
        channel.truncate(end);
        channel.force(true);
      }
      channel.position(end);
      if (end == 0) {
        ObjectNode header = ApiCodec.MAPPER.createObjectNode();
        header.put("journal", FORMAT_NAME);
        header.put("format_version", FORMAT_VERSION);
        journal.append(header);
      }
      if (created) {
        forceDirectory(file.toAbsolutePath().getParent());
      }
      return journal;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  Path file() {
    return file;
  }

  /** Appends one record as a line and forces it to disk. */
  void append(JsonNode record) throws IOException {
    byte[] json = ApiCodec.MAPPER.writeValueAsBytes(record);
    ByteBuffer buffer = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    channel.force(true);
  }

  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      channel.close();
    }
  }

  /** Replays every line; returns the offset after the last good line. */
  private long replay(Consumer<JsonNode> replay) throws IOException {
    InputStream in = new BufferedInputStream(Channels.newInputStream(channel.position(0)), 1 << 16);
    ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
    long offset = 0;
    long lineStart = 0;
    long lineNumber = 0;
    Damage damage = null;
    boolean headerSeen = false;
    for (int b = in.read(); ; b = in.read()) {
      if (b != -1 && b != '\n') {
        line.write(b);
        offset++;
        continue;
      }
      boolean terminated = b == '\n';
      if (terminated) {
        offset++;
      }
      if (terminated || line.size() > 0) {
        lineNumber++;
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (damage != null && !text.isBlank()) {
          throw CoordinatorErrors.journalCorrupt(file, damage.line, damage.problem);
        }
        if (!terminated) {
          damage = new Damage(lineNumber, lineStart, "the line is incomplete");
        } else if (!text.isBlank() && damage == null) {
          JsonNode record = null;
          try {
            record = ApiCodec.MAPPER.readTree(text);
          } catch (JsonProcessingException e) {
            damage = new Damage(lineNumber, lineStart, "it is not JSON (" + e.getOriginalMessage() + ")");
          }
          if (record != null && !record.isObject()) {
            damage = new Damage(lineNumber, lineStart, "it is not a JSON object");
          } else if (record != null) {
            if (!headerSeen) {
              checkHeader(record, lineNumber);
              headerSeen = true;
            } else {
              try {
                replay.accept(record);
              } catch (IllegalArgumentException | IllegalStateException | TributaryException e) {
                throw CoordinatorErrors.journalCorrupt(file, lineNumber, e.getMessage());
              }
            }
          }
        }
        lineStart = offset;
      }
      if (b == -1) {
        break;
      }
    }
    if (damage != null) {
      LOG.warn("Ignoring the last record of coordinator journal {} (line {}): {}; a crash interrupted its write, and"
          + " the change it held was never acknowledged", file, damage.line, damage.problem);
      return damage.offset;
    }
    return headerSeen ? offset : 0;
  }

  private void checkHeader(JsonNode header, long lineNumber) {
    if (!FORMAT_NAME.equals(header.path("journal").asText())) {
      throw CoordinatorErrors.journalCorrupt(file, lineNumber, "it is not a coordinator journal header");
    }
    int version = header.path("format_version").asInt(-1);
    if (version != FORMAT_VERSION) {
      throw CoordinatorErrors.journalCorrupt(file, lineNumber,
          "format version " + version + " is not supported (this coordinator reads version " + FORMAT_VERSION + ")");
    }
  }

  private static void forceDirectory(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  private record Damage(long line, long offset, String problem) {}
}
