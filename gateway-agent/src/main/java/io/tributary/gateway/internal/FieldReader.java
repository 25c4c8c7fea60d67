package io.tributary.gateway.internal;

import static java.util.Objects.requireNonNull;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Reads one named field of Connect structs, looking the name up once per schema. A connector builds
 * its records on a few long-lived schema objects (the {@code source} block has one per connector), so
 * reading a field by name for every change would hash the same name again and again: this remembers
 * the field of the last schema it saw and reads the value by position.
 *
 * <p>Safe to share between threads: the remembered schema and field are replaced together.
 */
final class FieldReader {
  private final String name;
  private Lookup last;

  private record Lookup(Schema schema, Field field) {}

  FieldReader(String name) {
    this.name = requireNonNull(name, "name is null");
  }

  String name() {
    return name;
  }

  /** The field of {@code schema} (a struct schema), or null when it has none by this name. */
  Field field(Schema schema) {
    Lookup lookup = last;
    if (lookup == null || lookup.schema() != schema) {
      lookup = new Lookup(schema, schema.field(name));
      last = lookup;
    }
    return lookup.field();
  }

  /** Whether {@code struct}'s schema has the field. */
  boolean present(Struct struct) {
    return field(struct.schema()) != null;
  }

  /**
   * The field's value in {@code struct}, or null when the schema has no such field or the value is
   * null. Unlike {@link Struct#get(Field)} it never substitutes the field's default for a null.
   */
  Object get(Struct struct) {
    Field field = field(struct.schema());
    return field == null ? null : valueOf(struct, field);
  }

  /** The value of {@code field}, a field of {@code struct}'s schema, without substituting its default for a null. */
  static Object valueOf(Struct struct, Field field) {
    // get(Field) reads by position but answers a null with the default: only for fields without one.
    return field.schema().defaultValue() == null ? struct.get(field) : struct.getWithoutDefault(field.name());
  }

  String string(Struct struct) {
    return cast(get(struct), String.class, struct);
  }

  /**
   * The field's value in {@code struct}, its default when the value is null (and the schema has
   * one), or null when the schema has no such field: for fields whose null means their default. It
   * reads by position, where a field with a default is otherwise looked up by name.
   */
  String stringOrDefault(Struct struct) {
    Field field = field(struct.schema());
    return field == null ? null : cast(struct.get(field), String.class, struct);
  }

  Integer int32(Struct struct) {
    return cast(get(struct), Integer.class, struct);
  }

  Long int64(Struct struct) {
    return cast(get(struct), Long.class, struct);
  }

  Struct struct(Struct struct) {
    return cast(get(struct), Struct.class, struct);
  }

  private <T> T cast(Object value, Class<T> type, Struct struct) {
    if (value == null || type.isInstance(value)) {
      return type.cast(value);
    }
    throw new IllegalArgumentException("Field '" + name + "' of " + struct.schema().name() + " holds a "
        + value.getClass().getSimpleName() + ", expected a " + type.getSimpleName());
  }
}
