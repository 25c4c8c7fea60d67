package io.tributary.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.testing.S3Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The staging store on {@code s3a://} against a real S3 API server, with a local spool directory. */
class S3StagingStoreIT {
  private static final String BUCKET = "staging";
  // How s3a shows an object's response header as an extended attribute.
  private static final String SSE_HEADER = "header.x-amz-server-side-encryption";
  private static final TableId TABLE = TableId.parse("shop.public.orders");
  private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
      new Column("id", ColumnType.LONG, false),
      new Column("note", ColumnType.STRING, true)), List.of("id"));
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:15:30Z"), ZoneOffset.UTC);

  private static Path directory;
  private static S3Server server;

  @BeforeAll
  static void startServer() throws IOException {
    directory = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-data")), "s3-staging-");
    server = S3Server.builder(directory.resolve("s3")).initialBucket(BUCKET).discardDataOnClose().build();
    server.start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void writesPublishesListsReadsAndDeletesSegments() throws Exception {
    Path spool = directory.resolve("spool-roundtrip");
    StagingConfig config = config("roundtrip", spool);
    try (StagingStore store = StagingStore.open(config, CLOCK)) {
      assertThat(store.listSegments(TABLE)).isEmpty();
      assertThat(store.lastSequence(TABLE)).isEqualTo(-1);

      List<ChangeEvent> firstEvents = events(0, 600);
      List<ChangeEvent> secondEvents = events(600, 1000);
      SegmentInfo first = write(store, 1, firstEvents);
      SegmentInfo second = write(store, 2, secondEvents);

      assertThat(first.path().toString())
          .startsWith("s3a://" + BUCKET + "/roundtrip/shop/public.orders/2026-11-21/000000000001_");
      assertThat(store.listSegments(TABLE)).containsExactly(first.path(), second.path());
      assertThat(store.lastSequence(TABLE)).isEqualTo(2);
      assertThat(spooledSegments(spool)).isEmpty();
      try (FileSystem s3 = s3a()) {
        assertThat(s3.getFileStatus(new org.apache.hadoop.fs.Path(first.path())).getLen()).isEqualTo(first.bytes());
      }

      try (SegmentReader reader = store.openSegment(ManifestRecord.forSegment(first, 0))) {
        assertThat(reader.schema()).isEqualTo(SCHEMA);
        assertThat(reader.readAll()).containsExactlyElementsOf(firstEvents);
      }
      try (SegmentReader reader = store.openSegment(TABLE, second.path())) {
        assertThat(reader.readAll()).containsExactlyElementsOf(secondEvents);
      }

      assertThat(store.deleteSegment(first.path())).isTrue();
      assertThat(store.deleteSegment(first.path())).isFalse();
      assertThat(store.listSegments(TABLE)).containsExactly(second.path());
      assertThatThrownBy(() -> store.openSegment(ManifestRecord.forSegment(first, 0)))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SEGMENT_MISSING))
          .hasMessageContaining("is missing from staging");
    }
  }

  @Test
  void verifiesTheChecksumOfWhatItReads() throws Exception {
    try (StagingStore store = StagingStore.open(config("corrupt", directory.resolve("spool-corrupt")), CLOCK)) {
      SegmentInfo segment = write(store, 1, events(0, 100));
      ManifestRecord manifest = ManifestRecord.forSegment(segment, 0);
      // Flip one byte in the middle of the object, keeping its length.
      try (FileSystem s3 = s3a()) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(segment.path());
        byte[] bytes;
        try (InputStream in = s3.open(path)) {
          bytes = in.readAllBytes();
        }
        bytes[bytes.length / 2] ^= (byte) 0xFF;
        try (OutputStream out = s3.create(path, true)) {
          out.write(bytes);
        }
      }

      assertThatThrownBy(() -> store.openSegment(manifest))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SEGMENT_CORRUPT))
          .hasMessageContaining("its checksum is");
    }
  }

  /**
   * The second publish loses on the server's If-None-Match (HTTP 412), not on a client-side check.
   * No barrier test with concurrent publishers here: S3Mock 5.2.0 does not evaluate If-None-Match
   * atomically (concurrent conditional PUTs of one key all succeed), which real S3 does.
   */
  @Test
  void neverOverwritesAPublishedSegment() throws Exception {
    Path spool = directory.resolve("spool-overwrite");
    try (StagingStore store = StagingStore.open(config("overwrite", spool), CLOCK)) {
      SegmentInfo published = write(store, 1, events(0, 10));
      SegmentWriter again = store.newSegmentWriter(SCHEMA, 1);
      events(0, 10).forEach(again::append);

      assertThatThrownBy(again::finish)
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILURE))
          .hasMessageContaining("Segment " + published.path() + " already exists; segments are never overwritten")
          .hasCauseInstanceOf(RemoteFileChangedException.class)
          .cause().hasMessageContaining("412");
      assertThat(spooledSegments(spool)).isEmpty();
      try (SegmentReader reader = store.openSegment(ManifestRecord.forSegment(published, 0))) {
        assertThat(reader.readAll()).containsExactlyElementsOf(events(0, 10));
      }
    }
  }

  @Test
  void passesServerSideEncryptionSettingsThrough() throws Exception {
    Map<String, String> encrypted = new HashMap<>(server.s3aProperties());
    // s3a names SSE-S3 by its header value, AES256.
    encrypted.put("fs.s3a.encryption.algorithm", "AES256");
    StagingConfig config = new StagingConfig(URI.create("s3a://" + BUCKET + "/encrypted"),
        Optional.of(directory.resolve("spool-encrypted")), encrypted, StagingConfig.DEFAULT_RETENTION,
        StagingConfig.UnappliedPastRetention.RESYNC);
    try (StagingStore store = StagingStore.open(config, CLOCK);
        StagingStore plainStore = StagingStore.open(config("unencrypted", directory.resolve("spool-unencrypted")), CLOCK);
        FileSystem s3 = s3a()) {
      SegmentInfo segment = write(store, 1, events(0, 10));
      SegmentInfo plain = write(plainStore, 1, events(0, 10));

      assertThat(new String(s3.getXAttr(new org.apache.hadoop.fs.Path(segment.path()), SSE_HEADER),
          StandardCharsets.UTF_8)).isEqualTo("AES256");
      assertThat(s3.getXAttrs(new org.apache.hadoop.fs.Path(plain.path()))).doesNotContainKey(SSE_HEADER);
      try (SegmentReader reader = store.openSegment(ManifestRecord.forSegment(segment, 0))) {
        assertThat(reader.readAll()).hasSize(10);
      }
    }
  }

  private static StagingConfig config(String prefix, Path spool) {
    return new StagingConfig(URI.create("s3a://" + BUCKET + "/" + prefix), Optional.of(spool), server.s3aProperties(),
        StagingConfig.DEFAULT_RETENTION, StagingConfig.UnappliedPastRetention.RESYNC);
  }

  private static FileSystem s3a() throws IOException {
    Configuration conf = new Configuration();
    server.s3aProperties().forEach(conf::set);
    return FileSystem.newInstance(URI.create("s3a://" + BUCKET + "/"), conf);
  }

  private static SegmentInfo write(StagingStore store, long sequence, List<ChangeEvent> events) {
    SegmentWriter writer = store.newSegmentWriter(SCHEMA, sequence);
    events.forEach(writer::append);
    return writer.finish();
  }

  private static List<Path> spooledSegments(Path spool) {
    try (Stream<Path> files = Files.walk(spool)) {
      return files.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<ChangeEvent> events(int from, int to) {
    List<ChangeEvent> events = new ArrayList<>();
    for (int i = from; i < to; i++) {
      events.add(new ChangeEvent(TABLE, i % 4 == 3 ? Operation.DELETE : Operation.INSERT, SourcePosition.of(1, i),
          new Object[] {(long) i, "note " + i}, new BitSet(), 1_700_000_000_000L + i, Optional.empty(), 1_700_000_000_500L));
    }
    return events;
  }
}
