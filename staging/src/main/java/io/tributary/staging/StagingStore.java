package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.internal.ChecksummingOutputFile;
import io.tributary.staging.internal.SegmentFormat;
import io.tributary.staging.internal.TableSchemaCodec;
import io.tributary.staging.internal.ValueBuffers;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;

/**
 * The staging area: where segments are written, published, read back and eventually deleted.
 * Works on any Hadoop file system; local directories ({@code file:}) are the default.
 *
 * <p>Layout: {@code <root>/<source>/<schema>.<table>/<yyyy-MM-dd>/<sequence>_<first>_<last>.parquet},
 * where the day is the UTC day the segment was opened and {@code first}/{@code last} are the source
 * positions it covers, so retention and replay need no index. Segments are never modified once
 * visible. Thread-safe.
 */
public final class StagingStore implements AutoCloseable {
  /**
   * {@code <sequence>_<first>_<last>.parquet}, positions written compactly (each component without
   * its leading zeros; older segments have them); {@code <sequence>_<last>.parquet} where both would
   * not fit in a file name.
   */
  /**
   * The directory under the staging root where corrupt segments are moved aside, as
   * {@code .corrupt/<source>/<table>/<day>/<segment>}: no source name holds a dot, and the
   * retention never looks there.
   */
  public static final String QUARANTINE = ".corrupt";
  private static final Pattern SEGMENT_NAME =
      Pattern.compile("(\\d{12})(?:_([0-9a-f-]+))?_([0-9a-f-]+)\\.parquet");
  /** The longest file name most file systems and object stores take, in bytes. */
  private static final int MAX_NAME = 255;
  private static final int CHECKSUM_BUFFER = 1 << 16;
  // Hadoop's create option (and path capability) for a create that the store itself refuses when
  // the object exists; s3a implements it with If-None-Match.
  private static final String CONDITIONAL_OVERWRITE = "fs.option.create.conditional.overwrite";
  private static final String S3A_BUFFER_DIR = "fs.s3a.buffer.dir";
  /**
   * Idle value arrays kept for the segments' next column chunks: a few segments' worth of arrays,
   * which grow to about a page (256 KiB) each.
   */
  private static final long IDLE_VALUE_BYTES = 16L * 1024 * 1024;
  private static final int MAX_VALUE_ARRAY_BYTES = 1024 * 1024;

  private final StagingConfig config;
  private final Clock clock;
  private final Configuration hadoop;
  private final FileSystem fileSystem;
  private final Path root;
  private final java.nio.file.Path spool;
  private final boolean localRoot;
  private final ValueBuffers valueBuffers = new ValueBuffers(IDLE_VALUE_BYTES, MAX_VALUE_ARRAY_BYTES);

  private StagingStore(StagingConfig config, Clock clock) throws IOException {
    this.config = config;
    this.clock = clock;
    this.spool = config.effectiveSpoolDirectory();
    // s3a buffers uploads on local disk, by default under /tmp: keep them beside the spool files.
    Map<String, String> properties = new HashMap<>();
    properties.put(S3A_BUFFER_DIR, spool.resolve("s3a").toString());
    properties.putAll(config.hadoopProperties());
    this.hadoop = LocalPermissions.hadoopConfiguration(properties);
    this.root = new Path(config.location());
    this.fileSystem = FileSystem.newInstance(config.location(), hadoop);
    this.localRoot = "file".equals(config.location().getScheme());
    LocalPermissions.createDirectories(spool);
    if (localRoot) {
      LocalPermissions.createDirectories(java.nio.file.Path.of(config.location()));
    }
  }

  /**
   * Opens the staging area described by {@code config}, creating local directories as needed.
   *
   * @throws TributaryException with {@link ErrorCode#STORAGE_FAILURE} if it cannot be reached
   */
  public static StagingStore open(StagingConfig config, Clock clock) {
    requireNonNull(config, "config is null");
    requireNonNull(clock, "clock is null");
    try {
      return new StagingStore(config, clock);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE,
          "Cannot open staging location " + config.location() + ": " + e.getMessage(), e);
    }
  }

  public StagingConfig config() {
    return config;
  }

  /** The value arrays the store's segment writers share. */
  ValueBuffers valueBuffers() {
    return valueBuffers;
  }

  /** A writer for a new segment of {@code schema}'s table, numbered {@code sequence}. */
  public SegmentWriter newSegmentWriter(TableSchema schema, long sequence) {
    java.nio.file.Path spoolFile = spool.resolve(schema.tableId().canonical() + "-" + sequence + "-" + UUID.randomUUID() + ".parquet");
    return new SegmentWriter(this, schema, sequence, LocalDate.now(clock.withZone(ZoneOffset.UTC)), spoolFile, hadoop);
  }

  /** The directory holding every segment of a table. */
  public URI tableDirectory(TableId tableId) {
    return new Path(new Path(root, tableId.source()), tableId.qualifiedName()).toUri();
  }

  /** The final path of a segment. */
  public URI segmentPath(TableId tableId, LocalDate day, long sequence, SourcePosition first, SourcePosition last) {
    String name = String.format("%012d_%s_%s.parquet", sequence, compact(first), compact(last));
    if (name.length() > MAX_NAME) {
      name = String.format("%012d_%s.parquet", sequence, compact(last));
    }
    return new Path(new Path(new Path(tableDirectory(tableId)), day.toString()), name).toUri();
  }

  /** Makes a finished spool file visible under the segment's final path, never overwriting. */
  SegmentInfo publish(java.nio.file.Path spoolFile, SegmentInfo segment) {
    try {
      if (localRoot) {
        java.nio.file.Path target = java.nio.file.Path.of(segment.path());
        LocalPermissions.createDirectories(target.getParent());
        LocalPermissions.restrictFile(spoolFile);
        // A hard link is atomic and fails if the target exists, unlike rename.
        Files.createLink(target, spoolFile);
        Files.delete(spoolFile);
        forceDirectory(target.getParent());
      } else {
        upload(spoolFile, new Path(segment.path()));
        Files.delete(spoolFile);
      }
      return segment;
    } catch (FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException | RemoteFileChangedException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE,
          "Segment " + segment.path() + " already exists; segments are never overwritten", e);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE,
          "Cannot publish segment " + segment.path() + " of " + segment.tableId() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Copies a spool file to a remote file system, failing if the target exists. The object becomes
   * visible, whole, when the stream closes. On S3 the upload is conditional (If-None-Match), so
   * the store decides and a concurrent writer of the same path loses with HTTP 412
   * ({@link RemoteFileChangedException}). Where conditional writes are switched off
   * ({@code fs.s3a.create.conditional.enabled=false}, for S3 API servers without them), only an
   * existence check guards the path: a table's segments are written by the one gateway that owns
   * its source, so two writers of one segment path do not happen in practice.
   */
  private void upload(java.nio.file.Path spoolFile, Path target) throws IOException {
    FSDataOutputStreamBuilder<?, ?> create = fileSystem.createFile(target).overwrite(false).recursive();
    if (fileSystem.hasPathCapability(target, CONDITIONAL_OVERWRITE)) {
      create.must(CONDITIONAL_OVERWRITE, true);
    }
    try (FSDataOutputStream out = create.build()) {
      Files.copy(spoolFile, out);
    }
  }

  private static void forceDirectory(java.nio.file.Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /**
   * Opens the segment a manifest announces, after checking that its size, checksum and schema are
   * the ones announced.
   *
   * @throws TributaryException with {@link ErrorCode#SEGMENT_CORRUPT} if they are not, or
   *     {@link ErrorCode#SEGMENT_MISSING} if it is not in staging, or {@link ErrorCode#STORAGE_FAILURE} if
   *     the file cannot be read
   */
  public SegmentReader openSegment(ManifestRecord manifest) {
    String what = "Segment " + manifest.segmentPath() + " of " + manifest.tableId() + " (sequence " + manifest.sequence() + ")";
    return open(manifest.tableId(), manifest.segmentPath(), what, Optional.of(manifest));
  }

  /**
   * Opens a staged segment of {@code tableId} by its path, without its manifest: what a replay after
   * a rollback reads. Its format version and table are checked; its whole-file checksum, which only
   * the manifest carries, is not.
   *
   * @throws TributaryException with {@link ErrorCode#SEGMENT_CORRUPT} if it is not a segment of the
   *     table, {@link ErrorCode#SEGMENT_MISSING} if it is not in staging, or
   *     {@link ErrorCode#STORAGE_FAILURE} if it cannot be read
   */
  public SegmentReader openSegment(TableId tableId, URI segment) {
    return open(tableId, segment, "Segment " + segment + " of " + tableId, Optional.empty());
  }

  private SegmentReader open(TableId tableId, URI path, String what, Optional<ManifestRecord> manifest) {
    Path file = new Path(path);
    try {
      if (manifest.isPresent()) {
        verifyChecksum(manifest.get(), file);
      }
      ParquetFileReader reader;
      InputFile input = HadoopInputFile.fromPath(file, hadoop);
      // Read options from the store's configuration: the default ones parse Hadoop's default resources anew every time.
      ParquetReadOptions options = HadoopReadOptions.builder(hadoop, file).build();
      try {
        reader = ParquetFileReader.open(input, options);
      } catch (IOException | RuntimeException e) {
        if (!unreadableFooter(e)) {
          throw e;
        }
        throw corrupt(what, "its Parquet footer cannot be read (" + e.getMessage() + ")", e);
      }
      try {
        return new SegmentReader(path, checkedSchema(reader, tableId, what, manifest), reader, input, options);
      } catch (RuntimeException e) {
        try {
          reader.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    } catch (FileNotFoundException e) {
      throw new TributaryException(ErrorCode.SEGMENT_MISSING, "Segment " + path + " of " + tableId + " is missing from staging", e);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE,
          "Cannot read segment " + path + " of " + tableId + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether parquet-java refused a footer rather than the store failing to deliver it: its checks of
   * the magic number and footer length throw runtime exceptions, a footer ending early an
   * {@link EOFException}, and one that does not decode an exception caused by Thrift's decoder.
   */
  private static boolean unreadableFooter(Exception e) {
    if (e instanceof RuntimeException) {
      return true;
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof EOFException || cause.getClass().getName().contains(".thrift.")) {
        return true;
      }
    }
    return false;
  }

  /** The schema in a segment's footer, after checking that its format, table and fingerprint are the ones expected. */
  private static TableSchema checkedSchema(ParquetFileReader reader, TableId tableId, String what,
      Optional<ManifestRecord> manifest) {
    Map<String, String> footer = reader.getFooter().getFileMetaData().getKeyValueMetaData();
    String version = footer.get(SegmentFormat.META_FORMAT_VERSION);
    if (!Integer.toString(SegmentFormat.FORMAT_VERSION).equals(version)) {
      throw corrupt(what, "segment format version " + version + " is not supported (expected " + SegmentFormat.FORMAT_VERSION + ")");
    }
    TableSchema schema;
    try {
      schema = TableSchemaCodec.fromJson(footer.get(SegmentFormat.META_SCHEMA));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw corrupt(what, "its schema cannot be read: " + e.getMessage());
    }
    if (!schema.tableId().equals(tableId)) {
      throw corrupt(what, "it holds rows of " + schema.tableId());
    }
    if (manifest.isPresent() && !schema.fingerprint().equals(manifest.get().schemaFingerprint())) {
      throw corrupt(what, "its schema fingerprint " + schema.fingerprint() + " differs from the announced "
          + manifest.get().schemaFingerprint());
    }
    return schema;
  }

  private void verifyChecksum(ManifestRecord manifest, Path file) throws IOException {
    CRC32C crc = new CRC32C();
    long length = 0;
    byte[] buffer = new byte[CHECKSUM_BUFFER];
    try (InputStream in = fileSystem.open(file)) {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        crc.update(buffer, 0, read);
        length += read;
      }
    }
    if (length != manifest.bytes()) {
      throw corrupt(manifest, "it has " + length + " bytes, the manifest announced " + manifest.bytes());
    }
    String checksum = ChecksummingOutputFile.formatChecksum(crc.getValue());
    if (!checksum.equals(manifest.checksum())) {
      throw corrupt(manifest, "its checksum is " + checksum + ", the manifest announced " + manifest.checksum());
    }
  }

  private static TributaryException corrupt(ManifestRecord manifest, String problem) {
    return corrupt("Segment " + manifest.segmentPath() + " of " + manifest.tableId() + " (sequence " + manifest.sequence()
        + ")", problem);
  }

  private static TributaryException corrupt(String segment, String problem) {
    return corrupt(segment, problem, null);
  }

  private static TributaryException corrupt(String segment, String problem, Throwable cause) {
    return new TributaryException(ErrorCode.SEGMENT_CORRUPT, segment + " is corrupt: " + problem
        + ". It will not be applied; resync the table or restore the file.", cause);
  }

  /** Every staged segment of a table, oldest sequence first. */
  public List<URI> listSegments(TableId tableId) {
    List<URI> segments = segmentsUnder(new Path(tableDirectory(tableId)), tableId);
    segments.sort((a, b) -> Long.compare(sequenceOf(a), sequenceOf(b)));
    return segments;
  }

  private List<URI> segmentsUnder(Path directory, TableId tableId) {
    List<URI> segments = new ArrayList<>();
    try {
      if (!fileSystem.exists(directory)) {
        return segments;
      }
      RemoteIterator<LocatedFileStatus> files = fileSystem.listFiles(directory, true);
      while (files.hasNext()) {
        FileStatus status = files.next();
        if (SEGMENT_NAME.matcher(status.getPath().getName()).matches()) {
          segments.add(status.getPath().toUri());
        }
      }
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot list segments of " + tableId + ": " + e.getMessage(), e);
    }
    return segments;
  }

  /**
   * The highest segment sequence staged for the table, or -1 if it has none; segments moved aside
   * as corrupt count, so that their numbers are never given to new segments.
   */
  public long lastSequence(TableId tableId) {
    long last = -1;
    for (Path directory : List.of(new Path(tableDirectory(tableId)), new Path(quarantineDirectory(tableId)))) {
      for (URI segment : segmentsUnder(directory, tableId)) {
        last = Math.max(last, sequenceOf(segment));
      }
    }
    return last;
  }

  /** Where {@link #quarantine} moves a segment of the table. */
  public URI quarantinePath(URI segment) {
    Path path = new Path(segment);
    Path day = path.getParent();
    Path table = day.getParent();
    Path source = table.getParent();
    return new Path(new Path(new Path(new Path(new Path(root, QUARANTINE), source.getName()), table.getName()),
        day.getName()), path.getName()).toUri();
  }

  /**
   * Moves a segment that failed its checks aside to {@link #quarantinePath}, where no applier or
   * retention reads it and an operator can inspect it, and returns its new path.
   *
   * @throws TributaryException with {@link ErrorCode#SEGMENT_MISSING} if it is no longer staged,
   *     or {@link ErrorCode#STORAGE_FAILURE} if it cannot be moved
   */
  public URI quarantine(URI segment) {
    Path source = new Path(segment);
    Path target = new Path(quarantinePath(segment));
    try {
      fileSystem.mkdirs(target.getParent());
      if (!fileSystem.rename(source, target)) {
        if (!fileSystem.exists(source)) {
          throw noLongerStaged(segment, null);
        }
        throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot move segment " + segment + " aside to " + target
            + " (a file may already be there)");
      }
      return target.toUri();
    } catch (FileNotFoundException e) {
      throw noLongerStaged(segment, e);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot move segment " + segment + " aside to " + target
          + ": " + e.getMessage(), e);
    }
  }

  private static TributaryException noLongerStaged(URI segment, Throwable cause) {
    return new TributaryException(ErrorCode.SEGMENT_MISSING, "Cannot move segment " + segment
        + " aside: it is no longer staged", cause);
  }

  private URI quarantineDirectory(TableId tableId) {
    return new Path(new Path(new Path(root, QUARANTINE), tableId.source()), tableId.qualifiedName()).toUri();
  }

  /** The sequence number encoded in a segment's file name. */
  public static long sequenceOf(URI segment) {
    Matcher matcher = SEGMENT_NAME.matcher(new Path(segment).getName());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("Not a segment file name: " + segment);
    }
    return Long.parseLong(matcher.group(1));
  }

  /** The position of the last change in a segment, encoded in its file name. */
  public static SourcePosition lastPositionOf(URI segment) {
    Matcher matcher = SEGMENT_NAME.matcher(new Path(segment).getName());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("Not a segment file name: " + segment);
    }
    return expand(matcher.group(3));
  }

  /** A position as a segment name writes it: each component without its leading zeros. */
  static String compact(SourcePosition position) {
    StringBuilder text = new StringBuilder();
    for (String component : position.value().split("-")) {
      if (!text.isEmpty()) {
        text.append('-');
      }
      int start = 0;
      while (start < component.length() - 1 && component.charAt(start) == '0') {
        start++;
      }
      text.append(component, start, component.length());
    }
    return text.toString();
  }

  /** The position a segment name wrote with {@link #compact}, or in full. */
  static SourcePosition expand(String written) {
    StringBuilder text = new StringBuilder();
    for (String component : written.split("-")) {
      if (component.isEmpty() || component.length() > 16) {
        throw new IllegalArgumentException("Not a position in a segment name: " + written);
      }
      if (!text.isEmpty()) {
        text.append('-');
      }
      text.append("0".repeat(16 - component.length())).append(component);
    }
    return new SourcePosition(text.toString());
  }

  /** The day a segment was staged on: the name of its directory. */
  public static LocalDate dayOf(URI segment) {
    Path parent = new Path(segment).getParent();
    try {
      return LocalDate.parse(parent.getName());
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("Segment " + segment + " is not in a day directory (yyyy-MM-dd)", e);
    }
  }

  /** Deletes a segment; used only by retention. Returns whether it existed. */
  public boolean deleteSegment(URI segment) {
    try {
      return fileSystem.delete(new Path(segment), false);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot delete segment " + segment + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      fileSystem.close();
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.STORAGE_FAILURE, "Cannot close staging file system " + config.location(), e);
    }
  }
}
