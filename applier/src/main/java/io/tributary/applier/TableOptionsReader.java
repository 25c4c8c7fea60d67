package io.tributary.applier;

import io.tributary.staging.TableId;
import io.tributary.staging.config.ConfigReader;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code applier.tables}: for each table, named {@code <source>.<schema>.<table>} (quoted in
 * YAML, since it holds dots), its apply mode, key and soft delete. Every problem is recorded in the
 * reader; a table with an invalid option keeps its defaults.
 */
final class TableOptionsReader {
  private TableOptionsReader() {}

  static Map<TableId, TableOptions> read(ConfigReader tables) {
    tables.describe("\"<source>.<schema>.<table>\".mode",
        "How the table's changes are applied: scd1 (upsert and delete by key), scd2 (keep every version of a key,"
            + " closing the current one), append (every change appended as a row with its metadata). Default: scd1 for"
            + " a table with a primary key, append for one without. See docs/apply-modes.md");
    tables.describe("\"<source>.<schema>.<table>\".key",
        "primary (default): the source's primary key; all-columns: every column is the key, for a table without a"
            + " primary key in mode scd1 or scd2 (identical rows collapse into one)");
    tables.describe("\"<source>.<schema>.<table>\".soft-delete",
        "In mode scd1: a delete sets the row's __deleted_at (the source commit time of the delete) instead of"
            + " removing the row; a later insert of the key clears it. Default false");
    Map<TableId, TableOptions> options = new LinkedHashMap<>();
    for (String name : tables.presentKeys()) {
      TableId tableId;
      try {
        tableId = TableId.parse(name);
      } catch (IllegalArgumentException e) {
        tables.problem("Invalid table '" + name + "' under 'applier.tables': expected \"<source>.<schema>.<table>\","
            + " e.g. \"shop.public.orders\" (quoted, as it holds dots)");
        tables.leaveToOthers(name);
        continue;
      }
      ConfigReader table = tables.section(name);
      Optional<TableOptions.Mode> mode = Optional.empty();
      Optional<String> modeName = table.optionalString("mode", "Apply mode of " + name);
      if (modeName.isPresent()) {
        try {
          mode = Optional.of(TableOptions.Mode.valueOf(modeName.get().trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          table.problem("mode", modeName.get(), "must be scd1, scd2 or append");
        }
      }
      TableOptions.Key key = TableOptions.Key.PRIMARY;
      String keyName = table.string("key", "primary", "Key of " + name);
      switch (keyName.trim().toLowerCase(Locale.ROOT)) {
        case "primary" -> key = TableOptions.Key.PRIMARY;
        case "all-columns" -> key = TableOptions.Key.ALL_COLUMNS;
        default -> table.problem("key", keyName, "must be primary or all-columns");
      }
      boolean softDelete = table.bool("soft-delete", false, "Soft delete of " + name);
      if (softDelete && mode.isPresent() && mode.get() != TableOptions.Mode.SCD1) {
        table.problem("soft-delete", "true", "applies to mode scd1 only, and " + name + " has mode "
            + mode.get().configName() + " (scd2 keeps deleted rows as closed versions; append keeps deletes as rows)");
        softDelete = false;
      }
      if (key == TableOptions.Key.ALL_COLUMNS && mode.isPresent() && mode.get() == TableOptions.Mode.APPEND) {
        table.problem("key", keyName, "applies to modes scd1 and scd2 only, and " + name + " has mode append,"
            + " which has no key");
        key = TableOptions.Key.PRIMARY;
      }
      options.put(tableId, new TableOptions(mode, key, softDelete));
    }
    return options;
  }
}
