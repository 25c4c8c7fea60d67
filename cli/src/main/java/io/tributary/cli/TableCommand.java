package io.tributary.cli;

import io.tributary.staging.TableId;
import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A command about one table that calls the coordinator's API. */
abstract class TableCommand {
  @Spec
  CommandSpec spec;

  @Mixin
  CoordinatorOptions coordinator;

  @Parameters(index = "0", paramLabel = "TABLE", description = "Table id: source.schema.table")
  String table;

  TableId tableId() {
    return TableId.parse(table);
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
