package io.tributary.cli;

import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.time.ZoneOffset;
import java.util.TimeZone;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tributary} launcher. Exit codes: 0 success, 1 verification found differences, 2 invalid
 * usage or configuration, 3 any other failure (the message says what and where), 4 a source without
 * a consistent position ({@code consistent-position}).
 */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Continuous, exactly-once change data capture into Delta Lake tables.",
    subcommands = {QuickstartCommand.class, StandaloneCommand.class, GatewayCommand.class, ApplierCommand.class,
        CoordinatorCommand.class, VerifyCommand.class, HistoryCommand.class, EventsCommand.class,
        PauseCommand.Pause.class, PauseCommand.Resume.class, RollbackCommand.class, ResyncCommand.class, ConsistentPositionCommand.class,
        ConfigReferenceCommand.class})
public final class Main {
  public static final int EXIT_DIFFERENT = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_FAILURE = 3;

  public static void main(String[] args) {
    // The gateway requires UTC (Debezium's snapshots read timestamps in the default zone, see
    // DefaultTimeZone): every command runs in it, whatever the host's zone.
    TimeZone.setDefault(TimeZone.getTimeZone(ZoneOffset.UTC));
    System.exit(run(args));
  }

  /** Runs the launcher and returns its exit code instead of exiting: what tests call. */
  public static int run(String... args) {
    return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs the launcher with the given output streams and returns its exit code. */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
      if (exception instanceof TributaryException failure) {
        cmd.getErr().println("Error [" + failure.code() + "]: " + failure.getMessage());
        return failure.code() == ErrorCode.CONFIG_INVALID ? EXIT_USAGE : EXIT_FAILURE;
      }
      cmd.getErr().println("Error: " + exception);
      exception.printStackTrace(cmd.getErr());
      return EXIT_FAILURE;
    });
    return commandLine.execute(args);
  }

  /** The version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tributary " + (version == null ? "development" : version)};
    }
  }
}
