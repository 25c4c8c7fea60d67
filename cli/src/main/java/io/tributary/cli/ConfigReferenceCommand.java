package io.tributary.cli;

import io.tributary.cli.internal.ConfigReference;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Prints the reference of every configuration key (Markdown), as docs/configuration.md holds it. */
@Command(name = "config-reference", mixinStandardHelpOptions = true,
    description = "Print every configuration key with its default and description (Markdown).")
final class ConfigReferenceCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(ConfigReference.markdown());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
