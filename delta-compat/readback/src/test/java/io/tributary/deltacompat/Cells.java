package io.tributary.deltacompat;

import io.tributary.staging.Column;
import io.tributary.staging.ColumnType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The exact text of values, the form the Spark reader writes what Spark reads in (see
 * SparkTableDump), for Tributary's values ({@link ColumnType}'s Java types): rows of both sides
 * compare as lists of text, and a difference shows as text.
 */
final class Cells {
  private static final Comparator<List<String>> ROW_ORDER = (left, right) -> {
    for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
      int order = Comparator.nullsFirst(Comparator.<String>naturalOrder()).compare(left.get(i), right.get(i));
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(left.size(), right.size());
  };

  private Cells() {}

  /** The value's text; null for null. */
  static String text(ColumnType type, Object value) {
    if (value == null) {
      return null;
    }
    return switch (type.kind()) {
      case BOOLEAN, INT, LONG, FLOAT, DOUBLE, STRING, DATE, TIMESTAMP, TIMESTAMP_NTZ -> value.toString();
      case DECIMAL -> ((BigDecimal) value).toPlainString();
      case BINARY -> HexFormat.of().formatHex((byte[]) value);
    };
  }

  /** The rows' text, sorted (Spark gives no order). */
  static List<List<String>> texts(List<Column> columns, List<? extends List<Object>> rows) {
    List<List<String>> texts = new ArrayList<>();
    for (List<Object> row : rows) {
      if (row.size() != columns.size()) {
        throw new IllegalArgumentException("Row of " + row.size() + " values for " + columns.size() + " columns: "
            + row);
      }
      List<String> text = new ArrayList<>();
      for (int i = 0; i < row.size(); i++) {
        text.add(text(columns.get(i).type(), row.get(i)));
      }
      texts.add(text);
    }
    return sorted(texts);
  }

  static List<List<String>> sorted(List<List<String>> rows) {
    List<List<String>> sorted = new ArrayList<>(rows);
    sorted.sort(ROW_ORDER);
    return sorted;
  }

  /** The columns as {@code "<name> <Spark type>"}. */
  static List<String> sparkColumns(List<Column> columns) {
    return columns.stream().map(column -> column.name() + " " + sparkType(column)).toList();
  }

  private static String sparkType(Column column) {
    ColumnType type = column.type();
    return switch (type.kind()) {
      case BOOLEAN -> "boolean";
      case INT -> "int";
      case LONG -> "bigint";
      case FLOAT -> "float";
      case DOUBLE -> "double";
      case DECIMAL -> "decimal(" + type.precision() + "," + type.scale() + ")";
      case STRING -> "string";
      case BINARY -> "binary";
      case DATE -> "date";
      case TIMESTAMP -> "timestamp";
      case TIMESTAMP_NTZ -> "timestamp_ntz";
    };
  }
}
