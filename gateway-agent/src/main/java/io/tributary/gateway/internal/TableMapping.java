package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.tributary.gateway.SourceConfig;
import io.tributary.gateway.internal.ConnectTypeMapper.ColumnMapping;
import io.tributary.staging.ChangeEvent;
import io.tributary.staging.Column;
import io.tributary.staging.TableId;
import io.tributary.staging.TableSchema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * One version of a captured table as Debezium describes it: the staging {@link TableSchema} derived
 * from the Connect row schema (columns in the row's field order, key columns from the record key's
 * fields) and the conversion of a row {@link Struct} into staged values.
 *
 * <p>PostgreSQL does not send an unchanged TOASTed value with an update; Debezium puts its
 * placeholder ({@code unavailable.value.placeholder}, by default {@code __debezium_unavailable_value})
 * in its place, in the form of the column's Connect type: the text, its bytes, a one-element list of
 * either (text, json and bytea arrays) or of the name-based UUID of its bytes (uuid arrays), the list
 * of its bytes as numbers (integer, bigint and date arrays), or a one-entry map of it (hstore, staged
 * as JSON). Such columns are staged as null and marked unavailable, so that the applier keeps the
 * value it has.
 *
 * <p>Used from the thread that maps records.
 */
final class TableMapping {
  /** A row converted for staging. */
  record Row(Object[] values, BitSet unavailable) {}

  private final Schema rowSchema;
  private final Schema keySchema;
  private final TableSchema schema;
  private final List<Field> fields;
  private final ColumnMapping[] columns;
  /** Whether each field's schema has a default value, which {@link Struct#get(Field)} would put for a null. */
  private final boolean[] withDefault;
  private final Placeholder placeholder;
  /** The last schema objects found equal to (but not the same as) the ones this mapping was derived from. */
  private Schema equalRowSchema;
  private Schema equalKeySchema;

  private TableMapping(Schema rowSchema, Schema keySchema, TableSchema schema, List<Field> fields,
      ColumnMapping[] columns, String placeholder) {
    this.rowSchema = rowSchema;
    this.keySchema = keySchema;
    this.schema = schema;
    this.fields = fields;
    this.columns = columns;
    this.withDefault = new boolean[fields.size()];
    for (int i = 0; i < withDefault.length; i++) {
      withDefault[i] = fields.get(i).schema().defaultValue() != null;
    }
    this.placeholder = new Placeholder(placeholder);
  }

  /**
   * Derives the mapping of a table from the row schema of its change events ({@code before} /
   * {@code after}) and its record key schema.
   */
  static TableMapping derive(TableId table, Schema rowSchema, Schema keySchema, String placeholder,
      SourceConfig.UnsupportedTypes unsupported) {
    List<String> keys = new ArrayList<>();
    if (keySchema != null && keySchema.type() == Schema.Type.STRUCT) {
      for (Field key : keySchema.fields()) {
        keys.add(key.name());
      }
    }
    return derive(table, rowSchema, keySchema, keys, placeholder, unsupported);
  }

  /**
   * Derives the mapping of a table from a row schema and known key columns, for records that carry
   * no key schema (Debezium sends truncates without one).
   */
  static TableMapping derive(TableId table, Schema rowSchema, List<String> keyColumns, String placeholder,
      SourceConfig.UnsupportedTypes unsupported) {
    return derive(table, rowSchema, null, keyColumns, placeholder, unsupported);
  }

  private static TableMapping derive(TableId table, Schema rowSchema, Schema keySchema, List<String> keys,
      String placeholder, SourceConfig.UnsupportedTypes unsupported) {
    requireNonNull(rowSchema, "rowSchema is null");
    requireNonNull(placeholder, "placeholder is null");
    List<Field> fields = rowSchema.fields();
    ColumnMapping[] columns = new ColumnMapping[fields.size()];
    List<Column> staged = new ArrayList<>(fields.size());
    for (int i = 0; i < columns.length; i++) {
      columns[i] = ConnectTypeMapper.map(table, fields.get(i), unsupported);
      staged.add(columns[i].column());
    }
    return new TableMapping(rowSchema, keySchema, new TableSchema(table, staged, keys), List.copyOf(fields), columns,
        placeholder);
  }

  TableSchema schema() {
    return schema;
  }

  /** Whether this mapping was derived from exactly these schemas (Debezium reuses schema objects). */
  boolean describes(Schema rowSchema, Schema keySchema) {
    if (keySchema != this.keySchema && (keySchema == null || keySchema != equalKeySchema)) {
      if (this.keySchema == null || !this.keySchema.equals(keySchema)) {
        return false;
      }
      // Records may carry an equal copy of the key schema: compare it field by field only once.
      equalKeySchema = keySchema;
    }
    return describesRow(rowSchema);
  }

  /** Whether this mapping was derived from this row schema. */
  boolean describesRow(Schema rowSchema) {
    if (rowSchema == this.rowSchema || (rowSchema != null && rowSchema == equalRowSchema)) {
      return true;
    }
    if (rowSchema == null || !this.rowSchema.equals(rowSchema)) {
      return false;
    }
    equalRowSchema = rowSchema;
    return true;
  }

  /**
   * Converts a row; with {@code detectUnavailable}, values equal to Debezium's placeholder are
   * staged as null and marked unavailable.
   */
  Row row(Struct row, boolean detectUnavailable) {
    Object[] values = new Object[columns.length];
    BitSet unavailable = null;
    // Debezium builds every row of one table version on the same schema object: read its fields by
    // position rather than by name.
    boolean byPosition = row.schema() == rowSchema || row.schema() == equalRowSchema;
    for (int i = 0; i < columns.length; i++) {
      Field field = fields.get(i);
      // Not get() by name: Connect answers a null value with the field's default, the column's
      // DEFAULT; get(field) does too, so it only reads fields without one.
      Object value = byPosition && !withDefault[i] ? row.get(field) : row.getWithoutDefault(field.name());
      if (value == null) {
        continue;
      }
      if (detectUnavailable && placeholder.matches(value)) {
        if (unavailable == null) {
          unavailable = new BitSet();
        }
        unavailable.set(i);
        continue;
      }
      values[i] = convert(i, value);
    }
    return new Row(values, unavailable == null ? ChangeEvent.NONE_UNAVAILABLE : unavailable);
  }

  /** A row holding only the key columns, taken from the record key; every other column is null. */
  Row keyOnly(Struct key) {
    Object[] values = new Object[columns.length];
    for (Field field : key.schema().fields()) {
      int index = schema.indexOf(field.name());
      Object value = key.getWithoutDefault(field.name());
      if (index >= 0 && value != null) {
        values[index] = convert(index, value);
      }
    }
    return new Row(values, ChangeEvent.NONE_UNAVAILABLE);
  }

  /** A row of nulls, as a truncate carries. */
  Row empty() {
    return new Row(new Object[columns.length], ChangeEvent.NONE_UNAVAILABLE);
  }

  private Object convert(int index, Object value) {
    try {
      return columns[index].converter().apply(value);
    } catch (RuntimeException e) {
      throw GatewayErrors.valueNotConvertible(schema.tableId(), fields.get(index).name(),
          ConnectTypeMapper.describe(fields.get(index).schema()), value, e);
    }
  }

  /** Debezium's placeholder for unchanged TOASTed values, in each form it takes. */
  private static final class Placeholder {
    private final String text;
    private final byte[] bytes;
    private final String uuid;
    private final List<Integer> ints;
    private final List<Long> longs;
    private final String hstoreJson;

    Placeholder(String text) {
      this.text = text;
      this.bytes = text.getBytes(StandardCharsets.UTF_8);
      this.uuid = UUID.nameUUIDFromBytes(bytes).toString();
      List<Integer> asInts = new ArrayList<>();
      List<Long> asLongs = new ArrayList<>();
      for (byte b : bytes) {
        asInts.add((int) b);
        asLongs.add((long) b);
      }
      this.ints = List.copyOf(asInts);
      this.longs = List.copyOf(asLongs);
      this.hstoreJson = ConnectTypeMapper.json(Map.of(text, text));
    }

    boolean matches(Object value) {
      if (value instanceof String string) {
        return text.equals(string) || hstoreJson.equals(string);
      }
      if (value instanceof byte[] || value instanceof ByteBuffer) {
        return Arrays.equals(bytes, ConnectTypeMapper.bytes(value));
      }
      if (value instanceof List<?> list) {
        if (list.size() == 1) {
          Object element = list.get(0);
          return text.equals(element) || uuid.equals(element)
              || ((element instanceof byte[] || element instanceof ByteBuffer)
                  && Arrays.equals(bytes, ConnectTypeMapper.bytes(element)));
        }
        return list.equals(ints) || list.equals(longs);
      }
      return false;
    }
  }
}
