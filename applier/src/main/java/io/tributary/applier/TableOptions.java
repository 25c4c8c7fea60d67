package io.tributary.applier;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;

/**
 * How the changes of one table are applied ({@code applier.tables."<source>.<schema>.<table>"}):
 * the apply mode, what the key is, and whether deletes only mark rows. See docs/apply-modes.md.
 *
 * @param mode the apply mode; empty for the default, {@link Mode#SCD1} for a table with a key,
 *     {@link Mode#APPEND} for one without
 * @param key where the key comes from
 * @param softDelete whether a delete sets {@code __deleted_at} on the row instead of removing it
 *     ({@link Mode#SCD1} only)
 */
public record TableOptions(Optional<Mode> mode, Key key, boolean softDelete) {
  /** The options of a table the configuration says nothing about. */
  public static final TableOptions DEFAULT = new TableOptions(Optional.empty(), Key.PRIMARY, false);

  /** What a change does to the Delta table. */
  public enum Mode {
    /** Upsert or delete the key's one row (slowly changing dimension type 1). */
    SCD1,
    /** Close the key's current version and open a new one (slowly changing dimension type 2). */
    SCD2,
    /** Append every change as a row with its metadata; nothing is ever updated in place. */
    APPEND;

    /** The name used in the configuration and in the table's properties. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Where a table's key comes from. */
  public enum Key {
    /** The source table's primary key (or replica identity). */
    PRIMARY,
    /** Every column: for a table without a primary key, whose identical rows then collapse into one. */
    ALL_COLUMNS;

    /** The name used in the configuration and in the table's properties. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public TableOptions {
    requireNonNull(mode, "mode is null");
    requireNonNull(key, "key is null");
    if (softDelete && mode.isPresent() && mode.get() != Mode.SCD1) {
      throw new IllegalArgumentException("soft-delete applies to mode scd1 only, not " + mode.get().configName());
    }
    if (key == Key.ALL_COLUMNS && mode.isPresent() && mode.get() == Mode.APPEND) {
      throw new IllegalArgumentException("key all-columns applies to modes scd1 and scd2 only, not append");
    }
  }
}
