package io.tributary.loadtests.internal;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The peers of the capture benchmark, each run in its own JVM: Debezium's embedded engine with the
 * gateway's connector properties ({@link PeerProperties}) and a consumer that counts the table's
 * changes and marks them processed. In {@link Consumer#COUNT} that is all it does; in
 * {@link Consumer#READ} it also reads every value of each change (key, before and after images,
 * source block), the least that any consumer which looks at the data does. It prints
 * {@code STREAMING} once the engine polls the source, {@code PROGRESS <n>} each time another step of
 * changes has arrived, and {@code CONSUMED <n>} once it has received the expected number of changes,
 * then stops.
 *
 * <p>Arguments: the properties file, the number of changes to wait for, the topic name Debezium
 * gives the table's changes, a bound in seconds, the progress step in changes and, optionally, the
 * consumer ({@code count}, the default, or {@code read}). Exit code 0 when every change arrived in
 * time.
 */
public final class BareDebeziumCapture {
  /** What the consumer does with each change besides counting it and marking it processed. */
  public enum Consumer {
    /** Nothing. */
    COUNT,
    /** Reads every value of the change's key and value. */
    READ;

    /** The consumer's name as an argument gives it. */
    public String argument() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What reading folded the values into, printed at the end so that the reading cannot be left out. */
  private static long checksum;

  private BareDebeziumCapture() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      properties.load(in);
    }
    String password = System.getenv(GatewayJvm.PASSWORD_VARIABLE);
    if (password != null) {
      properties.setProperty("database.password", password);
    }
    long expected = Long.parseLong(args[1]);
    String topic = args[2];
    long timeoutSeconds = Long.parseLong(args[3]);
    long progressStep = Long.parseLong(args[4]);
    boolean read = args.length > 5 && Consumer.valueOf(args[5].toUpperCase(Locale.ROOT)) == Consumer.READ;

    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong consumed = new AtomicLong();
    DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> counter = (records, committer) -> {
      long before = consumed.get();
      long total = consumed.addAndGet(changesOf(records, topic, read));
      if (total / progressStep > before / progressStep && total < expected) {
        System.out.println("PROGRESS " + total);
      }
      for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
        committer.markProcessed(record);
      }
      committer.markBatchFinished();
      if (total >= expected && done.getCount() > 0) {
        System.out.println("CONSUMED " + total);
        if (read) {
          System.out.println("CHECKSUM " + checksum);
        }
        System.out.flush();
        done.countDown();
      }
    };
    ExecutorService runner = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "bare-debezium-engine"));
    try (DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class)
        .using(properties)
        .using(new DebeziumEngine.ConnectorCallback() {
          @Override
          public void pollingStarted() {
            System.out.println("STREAMING");
            System.out.flush();
          }
        })
        .using((success, message, error) -> {
          if (!success) {
            failure.set(error != null ? error : new IllegalStateException(message));
          }
          done.countDown();
        })
        .notifying(counter)
        .build()) {
      runner.execute(engine);
      boolean finished = done.await(timeoutSeconds, TimeUnit.SECONDS);
      if (!finished || failure.get() != null || consumed.get() < expected) {
        System.out.println("FAILED after " + consumed.get() + " of " + expected + " changes: "
            + (failure.get() != null ? failure.get() : finished ? "the engine stopped" : "timed out"));
        System.out.flush();
        Runtime.getRuntime().halt(1);
      }
    } finally {
      runner.shutdown();
      runner.awaitTermination(30, TimeUnit.SECONDS);
    }
    System.exit(0);
  }

  private static long changesOf(List<ChangeEvent<SourceRecord, SourceRecord>> records, String topic, boolean read) {
    long changes = 0;
    for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
      if (topic.equals(record.value().topic()) && record.value().value() != null) {
        changes++;
        if (read) {
          checksum = 31 * checksum + fold(record.value().key()) + fold(record.value().value());
        }
      }
    }
    return changes;
  }

  /**
   * Folds every value of a Connect value into one number: fields of structs one by one, texts,
   * numbers, lists and maps by their hash codes (which read their contents), byte arrays by theirs.
   */
  static long fold(Object value) {
    if (value == null) {
      return 0;
    }
    if (value instanceof Struct struct) {
      long folded = 1;
      for (Field field : struct.schema().fields()) {
        folded = 31 * folded + fold(struct.get(field));
      }
      return folded;
    }
    if (value instanceof byte[] bytes) {
      return Arrays.hashCode(bytes);
    }
    return value.hashCode();
  }
}
