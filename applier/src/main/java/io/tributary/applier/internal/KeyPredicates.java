package io.tributary.applier.internal;

import io.delta.kernel.expressions.And;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Or;
import io.delta.kernel.expressions.Predicate;
import io.tributary.staging.ColumnType;
import io.tributary.staging.TableSchema;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Builds the predicate that lets Kernel's data skipping find the files that may hold a batch's
 * keys from their key-column min/max statistics. Kernel skips on {@code = < <= > >= AND OR IS_NULL}
 * but not {@code IN}: a small key set becomes an OR of equalities, a large one a range on the first
 * key column. Booleans and binaries have no min/max statistics and are left out. Empty means no
 * file can be skipped. The scan returns files; which rows match is the caller's business.
 */
final class KeyPredicates {
  /** Above this many keys, a range on the first key column replaces the equalities. */
  static final int MAX_EQUALITIES = 64;

  private KeyPredicates() {}

  static Optional<Predicate> forKeys(TableSchema schema, Collection<RowKey> keys) {
    if (keys.isEmpty()) {
      return Optional.empty();
    }
    List<Integer> eligible = new ArrayList<>();
    List<ColumnType> types = new ArrayList<>();
    for (String name : schema.keyColumns()) {
      types.add(schema.column(name).orElseThrow().type());
    }
    for (int i = 0; i < types.size(); i++) {
      if (isSkippingEligible(types.get(i))) {
        eligible.add(i);
      }
    }
    if (eligible.isEmpty()) {
      return Optional.empty();
    }
    if (keys.size() <= MAX_EQUALITIES) {
      List<Predicate> terms = new ArrayList<>(keys.size());
      for (RowKey key : keys) {
        Predicate term = null;
        for (int i : eligible) {
          Predicate leg = equalTo(schema.keyColumns().get(i), types.get(i), key.value(i));
          term = term == null ? leg : new And(term, leg);
        }
        terms.add(term);
      }
      return Optional.of(balancedOr(terms, 0, terms.size()));
    }
    int first = eligible.get(0);
    return Optional.of(range(schema.keyColumns().get(first), types.get(first), keys, first));
  }

  private static Predicate range(String name, ColumnType type, Collection<RowKey> keys, int component) {
    Object min = null;
    Object max = null;
    boolean hasNull = false;
    for (RowKey key : keys) {
      Object value = key.value(component);
      if (value == null) {
        hasNull = true;
      } else {
        if (min == null || RowKey.compareValues(value, min) < 0) {
          min = value;
        }
        if (max == null || RowKey.compareValues(value, max) > 0) {
          max = value;
        }
      }
    }
    Column column = new Column(name);
    Predicate isNull = new Predicate("IS_NULL", column);
    if (min == null) {
      return isNull;
    }
    Predicate between = new And(
        new Predicate(">=", column, literal(type, min)),
        new Predicate("<=", column, literal(type, max)));
    return hasNull ? new Or(between, isNull) : between;
  }

  private static Predicate equalTo(String name, ColumnType type, Object value) {
    Column column = new Column(name);
    return value == null ? new Predicate("IS_NULL", column) : new Predicate("=", column, literal(type, value));
  }

  /** OR of the terms as a balanced tree, so that thousands of terms do not nest thousands deep. */
  private static Predicate balancedOr(List<Predicate> terms, int from, int to) {
    if (to - from == 1) {
      return terms.get(from);
    }
    int middle = (from + to) >>> 1;
    return new Or(balancedOr(terms, from, middle), balancedOr(terms, middle, to));
  }

  static boolean isSkippingEligible(ColumnType type) {
    return type.kind() != ColumnType.Kind.BOOLEAN && type.kind() != ColumnType.Kind.BINARY;
  }

  static Literal literal(ColumnType type, Object value) {
    return switch (type.kind()) {
      case BOOLEAN -> Literal.ofBoolean((Boolean) value);
      case INT -> Literal.ofInt(((Number) value).intValue());
      case LONG -> Literal.ofLong(((Number) value).longValue());
      case FLOAT -> Literal.ofFloat(((Number) value).floatValue());
      case DOUBLE -> Literal.ofDouble(((Number) value).doubleValue());
      case DECIMAL -> Literal.ofDecimal(((BigDecimal) value).setScale(type.scale(), RoundingMode.UNNECESSARY),
          type.precision(), type.scale());
      case STRING -> Literal.ofString((String) value);
      case BINARY -> Literal.ofBinary((byte[]) value);
      case DATE -> Literal.ofDate(((Number) value).intValue());
      case TIMESTAMP -> Literal.ofTimestamp(((Number) value).longValue());
      case TIMESTAMP_NTZ -> Literal.ofTimestampNtz(((Number) value).longValue());
    };
  }
}
