package io.tributary.loadtests.internal;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The peer's side of benchmark {@code apply}, run in its own JVM on Spark's class path (Spark and
 * delta-spark in local mode, {@code local[2]}, bound to 127.0.0.1, UI off): for each repeat, copies
 * the initial table and merges each batch file into the copy with the {@code MERGE INTO} statement
 * of {@link #MERGE}, timing each statement on its own. It uses only the JDK at compile time and
 * reaches Spark by reflection, so that this module's class path never holds Spark.
 *
 * <p>Reports to the file named by {@link TributaryApplyRun#REPORT_PROPERTY} (Spark's own logging goes to
 * standard output and error): {@code READY} once the session is up, then {@code TIMED spark upsert
 * <repeat> <batch> <nanos> <gcMillis> <cpuMillis>} per batch and {@code TABLE upsert <repeat> <uri>} per repeat.
 *
 * <p>Spark runs at its defaults but for the number of partitions of shuffles and of Delta's log
 * replay, set to {@link #PARTITIONS} (from 200 and 50): on two cores the defaults spend most of a
 * small merge scheduling empty tasks.
 *
 * <p>Arguments: {@code <initialTable> <batchDirectory> <batches> <repeats> <work> <parquetCodec>}.
 */
public final class SparkMergeRun {
  /** The statement each batch is applied with; {@code %s} are the table's and the batch's paths. */
  public static final String MERGE = "MERGE INTO delta.`%s` AS t USING parquet.`%s` AS s ON t.id = s.id"
      + " WHEN MATCHED AND s.op = 'd' THEN DELETE"
      + " WHEN MATCHED THEN UPDATE SET *"
      + " WHEN NOT MATCHED AND s.op <> 'd' THEN INSERT *";

  /** Partitions of Spark's shuffles and of Delta's snapshot state: twice the cores of {@code local[2]}. */
  public static final String PARTITIONS = "4";

  private SparkMergeRun() {}

  public static void main(String[] args) throws Exception {
    Path initial = Path.of(args[0]);
    Path batchDirectory = Path.of(args[1]);
    int batches = Integer.parseInt(args[2]);
    int repeats = Integer.parseInt(args[3]);
    Path work = Path.of(args[4]);
    String codec = args[5];

    Object builder = call(Class.forName("org.apache.spark.sql.SparkSession"), "builder");
    builder = call(builder, "master", "local[2]");
    builder = call(builder, "appName", "tributary-apply-benchmark");
    for (String[] setting : List.of(
        new String[] {"spark.ui.enabled", "false"},
        new String[] {"spark.driver.host", "127.0.0.1"},
        new String[] {"spark.driver.bindAddress", "127.0.0.1"},
        new String[] {"spark.sql.warehouse.dir", work.resolve("spark-warehouse").toUri().toString()},
        new String[] {"spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension"},
        new String[] {"spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog"},
        new String[] {"spark.sql.parquet.compression.codec", codec},
        new String[] {"spark.sql.shuffle.partitions", PARTITIONS},
        new String[] {"spark.databricks.delta.snapshotPartitions", PARTITIONS})) {
      builder = call(builder, "config", setting[0], setting[1]);
    }
    PrintStream report = new PrintStream(new FileOutputStream(System.getProperty(TributaryApplyRun.REPORT_PROPERTY)),
        true, StandardCharsets.UTF_8);
    Object spark = call(builder, "getOrCreate");
    report.println("READY");
    for (int repeat = 1; repeat <= repeats; repeat++) {
      Path table = work.resolve("spark-upsert-" + repeat);
      WorkDirectory.copy(initial, table);
      System.gc();
      for (int batch = 1; batch <= batches; batch++) {
        Path file = batchDirectory.resolve(batchFile(batch));
        String statement = MERGE.formatted(table.toAbsolutePath(), file.toAbsolutePath());
        JvmTime before = JvmTime.now();
        long start = System.nanoTime();
        call(spark, "sql", statement);
        long nanos = System.nanoTime() - start;
        JvmTime used = JvmTime.now().since(before);
        report.printf("TIMED spark upsert %d %d %d %d %d%n", repeat, batch, nanos, used.gcMillis(),
            used.cpuMillis());
      }
      report.println("TABLE upsert " + repeat + " " + table.toUri());
    }
    call(spark, "stop");
    report.println("DONE");
    System.exit(0);
  }

  /** The name of batch {@code batch}'s file (from 1) in the batch directory. */
  public static String batchFile(int batch) {
    return String.format("batch-%04d.parquet", batch);
  }

  /** Calls the public method {@code name} of {@code target} (or, with a class, its static method). */
  private static Object call(Object target, String name, Object... arguments) throws Exception {
    Class<?> type = target instanceof Class<?> c ? c : target.getClass();
    for (Method method : type.getMethods()) {
      if (method.getName().equals(name) && method.getParameterCount() == arguments.length
          && accepts(method.getParameterTypes(), arguments)) {
        method.setAccessible(true);
        return method.invoke(target instanceof Class<?> ? null : target, arguments);
      }
    }
    throw new NoSuchMethodException(type.getName() + "." + name + " for " + arguments.length + " arguments");
  }

  private static boolean accepts(Class<?>[] types, Object[] arguments) {
    for (int i = 0; i < types.length; i++) {
      if (!types[i].isInstance(arguments[i])) {
        return false;
      }
    }
    return true;
  }
}
