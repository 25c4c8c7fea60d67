package io.tributary.coordinator.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.tributary.staging.LocalPermissions;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Copies ratified staged commits to their place in the Delta log, never overwriting: a local
 * ({@code file:}) target is created as a hard link to a fully written and forced temporary file, which
 * fails atomically if the target exists; other file systems use Hadoop's
 * {@code create(path, overwrite=false)}. Thread-safe.
 */
public final class DeltaLogPublisher implements AutoCloseable {
  private final Configuration hadoop;
  private final Map<String, FileSystem> fileSystems = new ConcurrentHashMap<>();
  private final Engine engine;

  public DeltaLogPublisher(Map<String, String> hadoopProperties) {
    this.hadoop = LocalPermissions.hadoopConfiguration(hadoopProperties);
    this.engine = DefaultEngine.create(hadoop);
  }

  /** A Delta Kernel engine over the same file systems, for the commits the coordinator makes itself. */
  public Engine engine() {
    return engine;
  }

  /** The size and SHA-256 of a file. */
  public record Content(long size, String sha256) {
    public Content {
      requireNonNull(sha256, "sha256 is null");
    }
  }

  /** What publishing found. */
  public sealed interface Outcome {
    /** The target holds the ratified content (written now or found already in place). */
    record Published(long size, long modificationTime) implements Outcome {}

    /** The target exists with other content: the version was taken outside the coordinator. */
    record TargetDiffers(String sha256) implements Outcome {}

    /** Neither the staged file nor the target exists: the commit cannot be published any more. */
    record StagedMissing() implements Outcome {}
  }

  /**
   * Reads a file to learn its size and digest.
   *
   * @throws NoSuchFileException if it does not exist
   */
  public Content inspect(URI file) throws IOException {
    try (InputStream in = open(file)) {
      return digest(in);
    }
  }

  /**
   * Publishes {@code staged} as {@code target} unless the target exists; an existing target holding
   * {@code expectedSha256} counts as published, so calling this again after a crash is harmless.
   */
  public Outcome publish(URI staged, URI target, String expectedSha256) throws IOException {
    boolean created;
    try {
      created = isLocal(target) ? publishLocal(Path.of(staged), Path.of(target)) : publishHadoop(staged, target);
    } catch (NoSuchFileException e) {
      if (!exists(target)) {
        return new Outcome.StagedMissing();
      }
      created = false;
    }
    if (!created) {
      Content existing = inspect(target);
      if (!existing.sha256().equals(expectedSha256)) {
        return new Outcome.TargetDiffers(existing.sha256());
      }
    }
    return new Outcome.Published(size(target), modificationTime(target));
  }

  /** Deletes a staged commit once its content is published; returns whether it existed. */
  public boolean delete(URI staged) throws IOException {
    if (isLocal(staged)) {
      Path path = Path.of(staged);
      // Hadoop's local file system may have left a checksum file beside it.
      Files.deleteIfExists(path.resolveSibling("." + path.getFileName() + ".crc"));
      return Files.deleteIfExists(path);
    }
    return fileSystem(staged).delete(new org.apache.hadoop.fs.Path(staged), false);
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (FileSystem fs : fileSystems.values()) {
      try {
        fs.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    fileSystems.clear();
    if (failure != null) {
      throw failure;
    }
  }

  /** Returns whether the target was created by this call. */
  private static boolean publishLocal(Path staged, Path target) throws IOException {
    if (Files.exists(target)) {
      return false;
    }
    Path temporary = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.copy(staged, temporary);
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        // A hard link is created atomically and never replaces an existing file; rename would.
        Files.createLink(target, temporary);
      } catch (FileAlreadyExistsException e) {
        return false;
      }
      try (FileChannel directory = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
        directory.force(true);
      }
      return true;
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private boolean publishHadoop(URI staged, URI target) throws IOException {
    FileSystem fs = fileSystem(target);
    org.apache.hadoop.fs.Path targetPath = new org.apache.hadoop.fs.Path(target);
    if (fs.exists(targetPath)) {
      return false;
    }
    try (InputStream in = open(staged)) {
      OutputStream out;
      try {
        out = fs.create(targetPath, false);
      } catch (org.apache.hadoop.fs.FileAlreadyExistsException | FileAlreadyExistsException e) {
        return false;
      }
      try (out) {
        in.transferTo(out);
      } catch (IOException e) {
        // We created the target: do not leave a partial log entry that would later look like a
        // conflicting commit (object stores never show partial objects, other file systems may).
        try {
          fs.delete(targetPath, false);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      return true;
    }
  }

  private InputStream open(URI file) throws IOException {
    if (isLocal(file)) {
      return Files.newInputStream(Path.of(file));
    }
    try {
      return fileSystem(file).open(new org.apache.hadoop.fs.Path(file));
    } catch (FileNotFoundException e) {
      NoSuchFileException missing = new NoSuchFileException(file.toString());
      missing.initCause(e);
      throw missing;
    }
  }

  /** Whether a file exists. */
  public boolean exists(URI file) throws IOException {
    return isLocal(file) ? Files.exists(Path.of(file)) : fileSystem(file).exists(new org.apache.hadoop.fs.Path(file));
  }

  private long size(URI file) throws IOException {
    return isLocal(file) ? Files.size(Path.of(file))
        : fileSystem(file).getFileStatus(new org.apache.hadoop.fs.Path(file)).getLen();
  }

  private long modificationTime(URI file) throws IOException {
    return isLocal(file) ? Files.getLastModifiedTime(Path.of(file)).toMillis()
        : fileSystem(file).getFileStatus(new org.apache.hadoop.fs.Path(file)).getModificationTime();
  }

  private FileSystem fileSystem(URI file) throws IOException {
    String key = file.getScheme() + "://" + (file.getAuthority() == null ? "" : file.getAuthority());
    FileSystem fs = fileSystems.get(key);
    if (fs == null) {
      FileSystem created = FileSystem.newInstance(file, hadoop);
      fs = fileSystems.putIfAbsent(key, created);
      if (fs == null) {
        fs = created;
      } else {
        created.close();
      }
    }
    return fs;
  }

  private static boolean isLocal(URI file) {
    return "file".equals(file.getScheme());
  }

  private static Content digest(InputStream in) throws IOException {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
    long size;
    try (DigestInputStream digesting = new DigestInputStream(in, sha256)) {
      size = digesting.transferTo(OutputStream.nullOutputStream());
    }
    return new Content(size, HexFormat.of().formatHex(sha256.digest()));
  }
}
