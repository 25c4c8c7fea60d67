package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.Snapshot;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.TableConfig;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.actions.Metadata;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.GenericRow;
import io.delta.kernel.internal.deletionvectors.Base85Codec;
import io.delta.kernel.internal.deletionvectors.DeletionVectorUtils;
import io.delta.kernel.internal.tablefeatures.TableFeatures;
import io.delta.kernel.types.StructType;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.CRC32;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.roaringbitmap.RoaringBitmap;

/**
 * Deletion vectors: rows of a data file marked deleted without rewriting the file (merge-on-read).
 * A batch that changes a few rows of a large file writes the positions of those rows in a small
 * file of its own, {@code deletion_vector_<uuid>.bin} in the table's directory, and replaces the
 * file's add action by one that points at it; readers skip the marked rows.
 *
 * <p>The formats are the Delta protocol's: a file holds a version byte ({@code 1}) and then, for each
 * vector, its size, the vector and its CRC-32, big-endian; a vector is the magic number
 * {@value #PORTABLE_MAGIC} and a 64-bit roaring bitmap in the portable format, little-endian. A
 * file's new vector holds its old one's positions too, and the remove of the old add action carries
 * the old vector, as the protocol requires.
 */
final class DeletionVectors {
  /** The table property that lets writers create deletion vectors. */
  static final String ENABLE = TableConfig.DELETION_VECTORS_CREATION_ENABLED.getKey();
  static final int PORTABLE_MAGIC = 1681511377;
  private static final byte FORMAT_VERSION = 1;
  private static final StructType ADD = AddFile.FULL_SCHEMA;

  private DeletionVectors() {}

  /**
   * Whether a batch may mark rows of {@code snapshot}'s files deleted: the table's protocol has the
   * {@code deletionVectors} feature, {@value #ENABLE} is on, and its change data feed is off (Kernel
   * refuses a commit that adds and removes data with it on).
   */
  static boolean writable(Snapshot snapshot) {
    SnapshotImpl table = (SnapshotImpl) snapshot;
    Metadata metadata = table.getMetadata();
    return table.getProtocol().supportsFeature(TableFeatures.DELETION_VECTORS_RW_FEATURE)
        && TableConfig.DELETION_VECTORS_CREATION_ENABLED.fromMetadata(metadata)
        && !TableConfig.CHANGE_DATA_FEED_ENABLED.fromMetadata(metadata);
  }

  /** Positions (0-based, within the file) of rows of {@code file} to mark deleted. */
  record Marks(DeltaFiles.ScanFile file, long[] positions) {
    Marks {
      requireNonNull(file, "file is null");
      requireNonNull(positions, "positions is null");
    }
  }

  /**
   * What marking wrote: the actions of the files marked and removed, the vector file's size (0 if
   * none was written), how many files were given a vector, and how many were removed and their bytes.
   */
  record Written(List<Row> actions, long bytes, long marked, long removed, long bytesRemoved) {}

  /**
   * Writes one vector file holding the new vector of every file of {@code marks} (its old positions
   * and the new ones) into the table at {@code tableLocation}, and returns for each marked file the
   * remove of its current add action and the add of the same file with its new vector. A file whose
   * every row would be marked is removed instead.
   */
  static Written mark(Engine engine, String tableLocation, List<Marks> marks, long removedAtMillis) {
    if (marks.isEmpty()) {
      return new Written(List.of(), 0, 0, 0, 0);
    }
    UUID uuid = UUID.randomUUID();
    String encoded = Base85Codec.encodeUUID(uuid);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<Row> actions = new ArrayList<>();
    long removed = 0;
    long bytesRemoved = 0;
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_VERSION);
      for (Marks mark : marks) {
        AddFile add = mark.file().add();
        TreeMap<Integer, RoaringBitmap> buckets = new TreeMap<>();
        add.getDeletionVector().ifPresent(old -> {
          for (long position : DeletionVectorUtils.loadNewDvAndBitmap(engine, tableLocation, old)._2.toArray()) {
            addTo(buckets, position);
          }
        });
        for (long position : mark.positions()) {
          addTo(buckets, position);
        }
        long cardinality = cardinality(buckets);
        if (add.getNumRecords().filter(records -> cardinality >= records).isPresent()) {
          actions.add(DataFileWriter.remove(mark.file(), removedAtMillis));
          removed++;
          bytesRemoved += add.getSize();
          continue;
        }
        byte[] vector = serialize(buckets);
        int offset = out.size();
        out.writeInt(vector.length);
        out.write(vector);
        CRC32 crc = new CRC32();
        crc.update(vector);
        out.writeInt((int) crc.getValue());
        DeletionVectorDescriptor descriptor = new DeletionVectorDescriptor(DeletionVectorDescriptor.UUID_DV_MARKER,
            encoded, Optional.of(offset), vector.length, cardinality);
        actions.add(DataFileWriter.remove(mark.file(), removedAtMillis));
        actions.add(SingleAction.createAddFileSingleAction(withVector(add, descriptor)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long marked = marks.size() - removed;
    if (marked == 0) {
      return new Written(actions, 0, 0, removed, bytesRemoved);
    }
    Path file = new Path(tableLocation, "deletion_vector_" + uuid + ".bin");
    try {
      FileSystem fileSystem = file.getFileSystem(WritingEngine.of(engine).hadoop());
      try (FSDataOutputStream out = fileSystem.create(file, false)) {
        bytes.writeTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write deletion vector file " + file + ": " + e.getMessage(), e);
    }
    return new Written(actions, bytes.size(), marked, removed, bytesRemoved);
  }

  /** The vector's bytes: the magic number and the buckets in the portable format, little-endian. */
  static byte[] serialize(TreeMap<Integer, RoaringBitmap> buckets) {
    int size = Integer.BYTES + Long.BYTES;
    for (RoaringBitmap bitmap : buckets.values()) {
      bitmap.runOptimize();
      size += Integer.BYTES + bitmap.serializedSizeInBytes();
    }
    ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(PORTABLE_MAGIC);
    buffer.putLong(buckets.size());
    buckets.forEach((high, bitmap) -> {
      buffer.putInt(high);
      bitmap.serialize(buffer);
    });
    return buffer.array();
  }

  /** Adds {@code position} to the bucket of its upper 32 bits. */
  static void addTo(TreeMap<Integer, RoaringBitmap> buckets, long position) {
    if (position < 0) {
      throw new IllegalArgumentException("A row position is >= 0: " + position);
    }
    buckets.computeIfAbsent((int) (position >>> 32), high -> new RoaringBitmap()).add((int) position);
  }

  private static long cardinality(TreeMap<Integer, RoaringBitmap> buckets) {
    long cardinality = 0;
    for (RoaringBitmap bitmap : buckets.values()) {
      cardinality += bitmap.getLongCardinality();
    }
    return cardinality;
  }

  /**
   * {@code add} with {@code vector}: the same file, size, tags and row ids, its statistics marked as
   * no longer tight (its minimum and maximum may be rows now deleted; its row count stays the file's).
   */
  private static Row withVector(AddFile add, DeletionVectorDescriptor vector) {
    Map<Integer, Object> values = new HashMap<>();
    values.put(ADD.indexOf("path"), add.getPath());
    values.put(ADD.indexOf("partitionValues"), add.getPartitionValues());
    values.put(ADD.indexOf("size"), add.getSize());
    values.put(ADD.indexOf("modificationTime"), add.getModificationTime());
    values.put(ADD.indexOf("dataChange"), true);
    values.put(ADD.indexOf("deletionVector"), vector.toRow());
    add.getStatsJson().ifPresent(stats -> values.put(ADD.indexOf("stats"), looseBounds(stats)));
    add.getTags().ifPresent(tags -> values.put(ADD.indexOf("tags"), tags));
    add.getBaseRowId().ifPresent(id -> values.put(ADD.indexOf("baseRowId"), id));
    add.getDefaultRowCommitVersion().ifPresent(version -> values.put(ADD.indexOf("defaultRowCommitVersion"), version));
    return new GenericRow(ADD, values);
  }

  /** {@code stats} (a JSON object) with {@code "tightBounds":false}. */
  static String looseBounds(String stats) {
    if (stats.contains("\"tightBounds\":")) {
      return stats.replace("\"tightBounds\":true", "\"tightBounds\":false");
    }
    int end = stats.lastIndexOf('}');
    if (end < 0) {
      return stats;
    }
    String body = stats.substring(0, end).trim();
    return body + (body.endsWith("{") ? "" : ",") + "\"tightBounds\":false}";
  }
}
