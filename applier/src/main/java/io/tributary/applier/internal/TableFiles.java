package io.tributary.applier.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.util.ColumnMapping;
import io.delta.kernel.types.StructField;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableSchema;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The live data files of a table version, each with its size, row count and the range of the table's
 * first key column, read from the statistics Kernel writes into every add action ({@code minValues},
 * {@code maxValues}, under the column's physical name). This is what the applier lays files out by:
 * a batch reads the files whose range may hold one of its keys, writes its rows between the ranges
 * of the files it leaves alone, and compaction finds small and overlapping files.
 *
 * <p>A file without usable statistics (none written, a key type without min/max such as boolean or
 * binary, or a key column whose type was widened since) has no range: it may hold any key.
 * Timestamps in statistics are cut to milliseconds, so a maximum is widened by 999 microseconds.
 */
final class TableFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One live data file; {@code rows} are the rows it holds for the table, {@code marked} the rows its
   * deletion vector marks deleted besides; {@code min} and {@code max} are empty when its key range is
   * unknown.
   */
  record DataFile(DeltaFiles.ScanFile scanFile, long size, long rows, long marked, Optional<Object> min,
      Optional<Object> max) {
    /** A file without a deletion vector. */
    DataFile(DeltaFiles.ScanFile scanFile, long size, long rows, Optional<Object> min, Optional<Object> max) {
      this(scanFile, size, rows, 0, min, max);
    }

    /** Whether its deletion vector marks at least a quarter of its rows, worth a rewrite to drop them. */
    boolean mostlyMarked() {
      return marked > 0 && rows >= 0 && marked * 4 >= rows + marked;
    }
    String path() {
      return scanFile.add().getPath();
    }

    boolean hasRange() {
      return min.isPresent() && max.isPresent();
    }

    /** Whether one of {@code sorted} (first key components, ascending, no nulls) may be in this file. */
    boolean mayHoldAny(List<Object> sorted) {
      if (!hasRange()) {
        return !sorted.isEmpty();
      }
      int at = bound(sorted, min.get(), false);
      return at < sorted.size() && compare(sorted.get(at), max.get()) <= 0;
    }

    /**
     * Whether one of {@code sorted} lies strictly between this file's minimum and maximum, so that a
     * file written beside this one holding it would overlap it. A value equal to either end only shares
     * a boundary, as the versions of an SCD type 2 key or the rows of a composite key's first value
     * may; compaction does not count that as overlap either. False without a known range.
     */
    boolean spansAny(List<Object> sorted) {
      if (!hasRange()) {
        return false;
      }
      int at = bound(sorted, min.get(), true);
      return at < sorted.size() && compare(sorted.get(at), max.get()) < 0;
    }
  }

  /** Orders files with a range by their minimum, then maximum; files without one come last. */
  static final Comparator<DataFile> BY_RANGE = (left, right) -> {
    if (!left.hasRange() || !right.hasRange()) {
      return Boolean.compare(!left.hasRange(), !right.hasRange());
    }
    int byMin = compare(left.min().get(), right.min().get());
    return byMin != 0 ? byMin : compare(left.max().get(), right.max().get());
  };

  private TableFiles() {}

  /**
   * Every live file of {@code scan} (a scan of {@code snapshot}, whose layout is {@code layout}) with its
   * range on the first key column; without {@code ranges}, no file has one.
   */
  static List<DataFile> list(Engine engine, Snapshot snapshot, Scan scan, TableSchema layout, boolean ranges) {
    Optional<KeyStatistics> statistics = ranges ? KeyStatistics.of(snapshot, layout) : Optional.empty();
    List<DataFile> files = new ArrayList<>();
    DeltaFiles.forEachFile(engine, scan, file -> {
      long marked = file.add().getDeletionVector().map(DeletionVectorDescriptor::getCardinality).orElse(0L);
      long rows = DeltaFiles.liveRows(file.add()).orElse(-1L);
      Optional<Object> min = Optional.empty();
      Optional<Object> max = Optional.empty();
      if (statistics.isPresent() && file.add().getStatsJson().isPresent()) {
        JsonNode stats = parse(file.add().getStatsJson().get());
        min = statistics.get().value(stats.path("minValues"), false);
        max = statistics.get().value(stats.path("maxValues"), true);
      }
      files.add(new DataFile(file, file.add().getSize(), rows, marked, min, max));
    });
    return files;
  }

  /** Whether one of {@code keys} has a null first component, which no file's range can exclude. */
  static boolean anyNullFirst(Iterable<RowKey> keys) {
    for (RowKey key : keys) {
      if (key.value(0) == null) {
        return true;
      }
    }
    return false;
  }

  /** The first key component of each key, ascending in the order of {@link #compare}, nulls left out. */
  static List<Object> firstComponents(Iterable<RowKey> keys) {
    List<Object> values = new ArrayList<>();
    for (RowKey key : keys) {
      if (key.value(0) != null) {
        values.add(key.value(0));
      }
    }
    values.sort(TableFiles::compare);
    return values;
  }

  /**
   * Compares key values in the order of the statistics: strings by code point (Parquet's minimum and
   * maximum are in UTF-8 byte order, which differs from {@link String#compareTo} for characters
   * beyond U+FFFF), everything else as {@link RowKey#compareValues} does.
   */
  static int compare(Object left, Object right) {
    if (left instanceof String a && right instanceof String b) {
      int i = 0;
      int j = 0;
      while (i < a.length() && j < b.length()) {
        int x = a.codePointAt(i);
        int y = b.codePointAt(j);
        if (x != y) {
          return Integer.compare(x, y);
        }
        i += Character.charCount(x);
        j += Character.charCount(y);
      }
      return Boolean.compare(i < a.length(), j < b.length());
    }
    return RowKey.compareValues(left, right);
  }

  /** The index of the first of {@code sorted} at or above {@code value} ({@code strictly}: above it). */
  static int bound(List<Object> sorted, Object value, boolean strictly) {
    int low = 0;
    int high = sorted.size();
    while (low < high) {
      int middle = (low + high) >>> 1;
      int order = compare(sorted.get(middle), value);
      if (order < 0 || (strictly && order == 0)) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return JSON.missingNode();
    }
  }

  /** Reads the first key column's value out of a file's statistics, typed as rows are. */
  private record KeyStatistics(String physicalName, ColumnType type) {
    static Optional<KeyStatistics> of(Snapshot snapshot, TableSchema layout) {
      if (layout.keyColumns().isEmpty()) {
        return Optional.empty();
      }
      String name = layout.keyColumns().get(0);
      ColumnType type = layout.column(name).orElseThrow().type();
      // Booleans and binaries have no min/max statistics; floating-point ones are no key to cluster by.
      if (type.kind() == ColumnType.Kind.BOOLEAN || type.kind() == ColumnType.Kind.BINARY
          || type.kind() == ColumnType.Kind.FLOAT || type.kind() == ColumnType.Kind.DOUBLE) {
        return Optional.empty();
      }
      int index = snapshot.getSchema().indexOf(name);
      if (index < 0) {
        return Optional.empty();
      }
      StructField field = snapshot.getSchema().at(index);
      return Optional.of(new KeyStatistics(ColumnMapping.getPhysicalName(field), type));
    }

    Optional<Object> value(JsonNode values, boolean upper) {
      JsonNode node = values.path(physicalName);
      if (node.isMissingNode() || node.isNull()) {
        return Optional.empty();
      }
      try {
        return Optional.ofNullable(switch (type.kind()) {
          case INT -> node.isNumber() ? node.intValue() : null;
          case LONG -> node.isNumber() ? node.longValue() : null;
          case DECIMAL -> node.isNumber() ? new BigDecimal(node.asText()).stripTrailingZeros() : null;
          case STRING -> node.isTextual() ? node.textValue() : null;
          case DATE -> (int) LocalDate.parse(node.asText()).toEpochDay();
          case TIMESTAMP -> micros(OffsetDateTime.parse(node.asText()).toInstant().atOffset(ZoneOffset.UTC)
              .toLocalDateTime(), upper);
          case TIMESTAMP_NTZ -> micros(LocalDateTime.parse(node.asText()), upper);
          default -> null;
        });
      } catch (DateTimeParseException | NumberFormatException e) {
        return Optional.empty();
      }
    }

    private static long micros(LocalDateTime time, boolean upper) {
      long micros = ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), time);
      return upper ? micros + 999 : micros;
    }
  }
}
