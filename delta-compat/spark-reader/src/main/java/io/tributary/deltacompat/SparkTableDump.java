package io.tributary.deltacompat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.TableFeature;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Reads Delta tables with delta-spark in Spark local mode, the way a Spark user reads them, and
 * writes what Spark sees to one file per table: a first JSON line with the version and schema read,
 * how many data files the scan read, the latest version's protocol and schema with Delta's field
 * metadata, and (for a plain read of the latest version) whether its checksum file agrees with the
 * state delta-spark computes; then one JSON array per row. Values are written as exact text: integers and decimals in
 * plain notation (decimals with their scale), floating point as Java prints it, binary as hex,
 * dates as days since 1970-01-01, timestamps as microseconds since the epoch (UTC for
 * {@code timestamp}, the wall clock for {@code timestamp_ntz}); null as null.
 *
 * <p>Usage: {@code SparkTableDump <requests.json> <output-dir>}, where the requests are a JSON array
 * of {@code {"name": ..., "table": <uri>, "version": <n or null>, "where": <SQL condition or null>}};
 * a condition makes Spark filter the scan (and skip data files by their statistics), as a query
 * would. The output is {@code <output-dir>/<name>.json}. The session listens on 127.0.0.1 only.
 */
public final class SparkTableDump {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SparkTableDump() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("Usage: SparkTableDump <requests.json> <output-dir>");
      System.exit(2);
    }
    JsonNode requests = JSON.readTree(Path.of(args[0]).toFile());
    Path output = Files.createDirectories(Path.of(args[1]).toAbsolutePath());
    SparkSession spark = SparkSession.builder()
        .appName("tributary-delta-compat")
        .master("local[1]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.warehouse.dir", output.resolve("spark-warehouse").toUri().toString())
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.datetime.java8API.enabled", "true")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        // Small tables: one partition for the log's state too (Delta's default is 50), not 50 tasks per read.
        .config("spark.databricks.delta.snapshotPartitions", "1")
        .getOrCreate();
    try {
      for (JsonNode request : requests) {
        JsonNode version = request.path("version");
        JsonNode where = request.path("where");
        dump(spark, request.get("table").asText(), version.isNumber() ? version.asLong() : null,
            where.isTextual() ? where.asText() : null, output.resolve(request.get("name").asText() + ".json"));
      }
    } finally {
      spark.stop();
    }
  }

  private static void dump(SparkSession spark, String table, Long version, String where, Path file)
      throws IOException {
    Dataset<Row> rows = version == null
        ? spark.read().format("delta").load(table)
        : spark.read().format("delta").option("versionAsOf", version).load(table);
    if (where != null) {
      rows = rows.where(where);
    }
    // The latest snapshot as delta-spark loads it: its version, protocol and schema with Delta's field
    // metadata (a DataFrame's schema has none).
    Snapshot latest = DeltaLog.forTableWithSnapshot(spark, table)._2();
    ObjectNode header = JSON.createObjectNode();
    header.put("version", version != null ? version : latest.version());
    header.put("latestVersion", latest.version());
    if (version == null && where == null) {
      // The checksum file the writer left with the latest version against the state delta-spark computes
      // from the log (files, sizes, protocol, metadata...): false without one; a mismatch throws.
      header.put("checksumValid", latest.validateChecksum(latest.validateChecksum$default$1()));
    }
    header.put("minReaderVersion", latest.protocol().minReaderVersion());
    header.put("minWriterVersion", latest.protocol().minWriterVersion());
    ArrayNode features = header.putArray("tableFeatures");
    CollectionConverters.asJava(latest.protocol().implicitlyAndExplicitlySupportedFeatures()).stream()
        .map(TableFeature::name).sorted().forEach(features::add);
    ArrayNode latestColumns = header.putArray("latestColumns");
    for (StructField field : latest.schema().fields()) {
      ObjectNode column = latestColumns.addObject();
      column.put("name", field.name());
      column.put("type", field.dataType().simpleString());
      column.set("metadata", JSON.readTree(field.metadata().json()));
    }
    ArrayNode columns = header.putArray("columns");
    StructField[] fields = rows.schema().fields();
    for (StructField field : fields) {
      columns.addObject().put("name", field.name()).put("type", field.dataType().simpleString());
    }
    List<Row> collected = rows.collectAsList();
    header.put("filesRead", filesRead(rows.queryExecution().executedPlan()));
    try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      writer.write(JSON.writeValueAsString(header));
      writer.newLine();
      for (Row row : collected) {
        ArrayNode values = JSON.createArrayNode();
        for (int i = 0; i < fields.length; i++) {
          values.add(row.isNullAt(i) ? null : text(fields[i].dataType(), row.get(i)));
        }
        writer.write(JSON.writeValueAsString(values));
        writer.newLine();
      }
    }
  }

  /** How many data files the executed scans read, after skipping files by their statistics. */
  private static long filesRead(SparkPlan plan) {
    SparkPlan executed = plan instanceof AdaptiveSparkPlanExec adaptive ? adaptive.executedPlan() : plan;
    long files = 0;
    for (SparkPlan leaf : CollectionConverters.asJava(executed.collectLeaves())) {
      if (leaf instanceof FileSourceScanExec scan) {
        files += scan.metrics().get("numFiles").get().value();
      }
    }
    return files;
  }

  private static String text(DataType type, Object value) {
    if (type instanceof BooleanType || type instanceof IntegerType || type instanceof LongType
        || type instanceof StringType || type instanceof FloatType || type instanceof DoubleType) {
      return value.toString();
    }
    if (type instanceof DecimalType) {
      return ((BigDecimal) value).toPlainString();
    }
    if (type instanceof BinaryType) {
      return HexFormat.of().formatHex((byte[]) value);
    }
    if (type instanceof DateType) {
      return Long.toString(((LocalDate) value).toEpochDay());
    }
    if (type instanceof TimestampType) {
      Instant instant = (Instant) value;
      return Long.toString(instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000);
    }
    if (type instanceof TimestampNTZType) {
      LocalDateTime time = (LocalDateTime) value;
      return Long.toString(time.toEpochSecond(ZoneOffset.UTC) * 1_000_000 + time.getNano() / 1_000);
    }
    throw new IllegalArgumentException("Unexpected Spark type " + type.simpleString() + " of value " + value);
  }
}
