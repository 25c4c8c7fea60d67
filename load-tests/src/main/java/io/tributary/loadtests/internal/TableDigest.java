package io.tributary.loadtests.internal;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.tributary.applier.internal.DeltaFiles;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * A Delta table's rows reduced to a key and a 64-bit hash of every value of the row, read through
 * Delta Kernel, in key order: two tables hold the same rows when their digests are equal. Small
 * enough to hold a few million rows in memory.
 *
 * @param version the table version read
 * @param keys the rows' keys (column 0), ascending
 * @param hashes each row's hash, in the order of {@code keys}
 */
public record TableDigest(long version, long[] keys, long[] hashes) {
  /** Reads the latest version of the table at {@code location}; its first column is its bigint key. */
  public static TableDigest of(URI location) {
    Engine engine = DefaultEngine.create(new Configuration());
    Snapshot snapshot = TableManager.loadSnapshot(location.toString()).build(engine);
    Scan scan = snapshot.getScanBuilder().build();
    Row scanState = scan.getScanState(engine);
    List<long[]> pairs = new ArrayList<>();
    DeltaFiles.forEachFile(engine, scan, file -> DeltaFiles.forEachRow(engine, scanState, file.scanRow(),
        row -> pairs.add(new long[] {(Long) row[0], hash(row)})));
    pairs.sort((a, b) -> Long.compare(a[0], b[0]));
    long[] keys = new long[pairs.size()];
    long[] hashes = new long[pairs.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = pairs.get(i)[0];
      hashes[i] = pairs.get(i)[1];
    }
    return new TableDigest(snapshot.getVersion(), keys, hashes);
  }

  public int rows() {
    return keys.length;
  }

  /**
   * How this table differs from {@code other}, in words; empty when both hold the same rows. Names
   * at most a few of the keys that differ.
   */
  public List<String> differences(TableDigest other, String name, String otherName) {
    List<String> problems = new ArrayList<>();
    if (rows() != other.rows()) {
      problems.add(name + " holds " + rows() + " rows, " + otherName + " " + other.rows());
    }
    List<Long> onlyHere = new ArrayList<>();
    List<Long> onlyThere = new ArrayList<>();
    List<Long> unequal = new ArrayList<>();
    long[] counts = new long[3];
    int i = 0;
    int j = 0;
    while (i < keys.length || j < other.keys.length) {
      if (j >= other.keys.length || (i < keys.length && keys[i] < other.keys[j])) {
        note(onlyHere, keys[i++], counts, 0);
      } else if (i >= keys.length || other.keys[j] < keys[i]) {
        note(onlyThere, other.keys[j++], counts, 1);
      } else {
        if (hashes[i] != other.hashes[j]) {
          note(unequal, keys[i], counts, 2);
        }
        i++;
        j++;
      }
    }
    if (counts[0] > 0) {
      problems.add(counts[0] + " keys only in " + name + " (e.g. " + onlyHere + ")");
    }
    if (counts[1] > 0) {
      problems.add(counts[1] + " keys only in " + otherName + " (e.g. " + onlyThere + ")");
    }
    if (counts[2] > 0) {
      problems.add(counts[2] + " rows with other values (e.g. keys " + unequal + ")");
    }
    return problems;
  }

  private static void note(List<Long> examples, long key, long[] counts, int which) {
    counts[which]++;
    if (examples.size() < 5) {
      examples.add(key);
    }
  }

  /** FNV-1a over each value's text, with a separator and a marker for null. */
  static long hash(Object[] row) {
    long hash = 0xcbf29ce484222325L;
    for (Object value : row) {
      String text = value == null ? "\u0000null" : value instanceof byte[] bytes ? Arrays.toString(bytes) : value.toString();
      for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
        hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
      }
      hash = (hash ^ 0x1f) * 0x100000001b3L;
    }
    return hash;
  }
}
