package io.tributary.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.cli.internal.DemoWorkload;
import io.tributary.cli.internal.Progress;
import io.tributary.cli.internal.StandalonePipeline;
import io.tributary.cli.internal.TableComparison;
import io.tributary.cli.internal.Verification;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job on the embedded default: an embedded PostgreSQL with demo tables and a change
 * generator, the standalone pipeline (embedded Kafka, local staging, Delta output), live progress,
 * and at the end a verification of every Delta table against its source.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Run the whole pipeline on an embedded PostgreSQL with a demo workload, then verify every table.")
final class QuickstartCommand implements Callable<Integer> {
  private static final String MARKER = ".tributary-quickstart";
  private static final String SOURCE = "demo";

  @Option(names = "--work-dir", defaultValue = "tributary-quickstart",
      description = "Directory for the embedded database, Kafka, staging and Delta tables; replaced on each run (default: ${DEFAULT-VALUE})")
  Path workDirectory;

  @Option(names = "--duration", defaultValue = "30", description = "Seconds of generated changes (default: ${DEFAULT-VALUE})")
  int durationSeconds;

  @Option(names = "--rate", defaultValue = "200", description = "Generated transactions per second (default: ${DEFAULT-VALUE})")
  int rate;

  @Option(names = "--max-transactions", defaultValue = "100000", description = "Upper bound on generated transactions (default: ${DEFAULT-VALUE})")
  long maxTransactions;

  @Option(names = "--drain-timeout", defaultValue = "120", description = "Seconds to wait for the pipeline to catch up before verifying (default: ${DEFAULT-VALUE})")
  int drainTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    Path work = prepareWorkDirectory(workDirectory.toAbsolutePath().normalize());
    Clock clock = Clock.systemUTC();
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread mainThread = Thread.currentThread();
    Thread hook = new Thread(() -> {
      interrupted.set(true);
      mainThread.interrupt();
    }, "tributary-quickstart-stop");
    Runtime.getRuntime().addShutdownHook(hook);

    System.out.println("Starting embedded PostgreSQL ...");
    try (PostgresServer postgres = PostgresServer.builder(work.resolve("postgres")).build()) {
      postgres.start();
      postgres.createDatabase("shop");
      DemoWorkload workload = new DemoWorkload(20261121L);
      try (Connection connection = postgres.connect("shop")) {
        workload.createSchema(connection, 500, 100, 1000);
      }
      Path config = writeConfig(work, postgres);
      System.out.println("Configuration written to " + config);
      StandalonePipeline.Settings settings = StandalonePipeline.configure(config, work.resolve("data"), System::getenv);
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (StandalonePipeline pipeline = StandalonePipeline.start(settings, clock, registry)) {
        System.out.printf("Pipeline running: coordinator %s (dashboard %s/dashboard), generating changes for %ds at"
            + " %d tx/s ...%n", pipeline.coordinator().uri(), pipeline.coordinator().uri(), durationSeconds, rate);
        Progress progress = new Progress(registry, clock);
        Thread generator = new Thread(() -> generate(postgres, workload, clock, interrupted), "tributary-demo-generator");
        generator.start();
        while (generator.isAlive()) {
          generator.join(2000);
          System.out.println(progress.line(workload.transactions()));
        }
        System.out.printf("Generated %d transactions (%d row changes). Waiting for the pipeline to catch up ...%n",
            workload.transactions(), workload.changes());
        List<TableComparison> results = Verification.awaitEqual(
            () -> Verification.compareAll(postgres.connect("shop"), settings, SOURCE, DemoWorkload.TABLES),
            Duration.ofSeconds(drainTimeoutSeconds), clock, () -> System.out.println(progress.line(workload.transactions())));
        System.out.println();
        System.out.println("Verification (row count and a hash of every column of every row):");
        results.forEach(result -> System.out.println("  " + result.describe()));
        System.out.println();
        System.out.println("Delta tables (standard _delta_log + Parquet, readable by any Delta reader):");
        for (String table : DemoWorkload.TABLES) {
          TableId id = TableId.parse(SOURCE + "." + table);
          System.out.println("  " + id + " -> " + Verification.tableLocation(settings, id));
        }
        boolean equal = results.stream().allMatch(TableComparison::equal);
        System.out.println(equal ? "All tables verified equal to their source." : "Some tables differ from their source.");
        return equal ? 0 : Main.EXIT_DIFFERENT;
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: nothing to remove
      }
    }
  }

  private void generate(PostgresServer postgres, DemoWorkload workload, Clock clock, AtomicBoolean interrupted) {
    try (Connection connection = postgres.connect("shop")) {
      workload.run(connection, rate, maxTransactions, Duration.ofSeconds(durationSeconds), clock, interrupted::get);
    } catch (SQLException e) {
      throw new TributaryException(ErrorCode.SOURCE_UNREACHABLE, "The demo change generator failed: " + e.getMessage(), e);
    }
  }

  private static Path prepareWorkDirectory(Path work) throws IOException {
    if (Files.exists(work)) {
      boolean ours = Files.exists(work.resolve(MARKER));
      boolean empty;
      try (Stream<Path> entries = Files.list(work)) {
        empty = entries.findAny().isEmpty();
      }
      if (!ours && !empty) {
        throw new TributaryException(ErrorCode.CONFIG_INVALID, "Work directory " + work
            + " exists and was not made by quickstart; choose another with --work-dir");
      }
      try (Stream<Path> paths = Files.walk(work)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    Files.createDirectories(work);
    Files.writeString(work.resolve(MARKER), "created by tributary quickstart; replaced on each run\n");
    return work;
  }

  private static Path writeConfig(Path work, PostgresServer postgres) throws IOException {
    Path password = work.resolve("postgres-password");
    Files.writeString(password, postgres.superuserPassword());
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    Path config = work.resolve("tributary.yaml");
    Files.writeString(config, """
        # Generated by `tributary quickstart`: a standalone pipeline over the embedded demo database.
        source:
          name: %s
          connector: postgresql
          host: 127.0.0.1
          port: %d
          database: shop
          user: %s
          password: ${file:%s}
          tables: [public.customers, public.products, public.orders]
        gateway:
          segment:
            max-age: 500ms
        staging:
          location: %s
        applier:
          tables-location: %s
        """.formatted(SOURCE, postgres.port(), postgres.superuser(), password,
        work.resolve("data/staging").toUri(), work.resolve("data/delta").toUri()));
    return config;
  }
}
