package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.ConfigReader;
import io.tributary.testing.Mutations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds mutated copies of the shipped configurations (gateway examples, the Kubernetes applier and
 * coordinator files) to the commands that read them. Each must either be accepted or refused with
 * {@code CONFIG_INVALID} and a message; any other exception, a hang or an exhausted heap fails the
 * test with the seed and the input. {@code -Dfuzz.seed=} and {@code -Dfuzz.iterations=} repeat or
 * lengthen a run.
 */
class ConfigurationFuzzTest {
  private static final long SEED = Long.getLong("fuzz.seed", 20261122L);
  private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 1_500);

  private enum Outcome { ACCEPTED, REFUSED }

  @TempDir
  Path dataDirectory;

  @Test
  void everyMutatedConfigurationIsAcceptedOrRefusedWithItsProblems() throws IOException {
    Path secrets = Files.createDirectories(dataDirectory.resolve("secrets"));
    Files.writeString(secrets.resolve("gateway-token"), "example-token");
    Files.writeString(secrets.resolve("kafka-jaas.conf"), "example-jaas");
    Map<String, BiConsumer<ConfigReader, Path>> readers = Map.of(
        "gateway", GatewayCommand.Settings::read,
        "applier", ApplierCommand.Settings::read,
        "coordinator", CoordinatorCommand::settings);
    List<Sample> samples = List.of(
        new Sample("gateway", Path.of("..", "deploy", "gateway", "examples", "postgresql.yaml")),
        new Sample("gateway", Path.of("..", "deploy", "gateway", "examples", "mariadb.yaml")),
        new Sample("gateway", Path.of("..", "deploy", "gateway", "examples", "sqlserver.yaml")),
        new Sample("applier", Path.of("..", "k8s", "base", "config", "applier.yaml")),
        new Sample("coordinator", Path.of("..", "k8s", "base", "config", "coordinator.yaml")));

    List<String> texts = new ArrayList<>();
    for (Sample sample : samples) {
      texts.add(Files.readString(sample.file()).replace("/etc/tributary/", secrets + "/"));
    }
    Random random = new Random(SEED);
    Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
      for (int i = 0; i < ITERATIONS; i++) {
        Sample sample = samples.get(i % samples.size());
        String valid = texts.get(i % samples.size());
        String input = i < samples.size() ? valid : Mutations.mutate(valid, random);
        int iteration = i;
        Supplier<String> failure = () -> "seed " + SEED + ", iteration " + iteration + ", " + sample.file()
            + " mutated into:\n" + input;
        try {
          ConfigReader root = ConfigReader.fromYaml(input, sample.file().toString(), name -> "stand-in-" + name);
          readers.get(sample.command()).accept(root, dataDirectory);
          outcomes.merge(Outcome.ACCEPTED, 1, Integer::sum);
        } catch (TributaryException e) {
          assertThat(e.code()).as(() -> failure.get() + "\n" + e.getMessage()).isEqualTo(ErrorCode.CONFIG_INVALID);
          assertThat(e.getMessage()).as(failure).contains(sample.file().toString());
          outcomes.merge(Outcome.REFUSED, 1, Integer::sum);
        } catch (RuntimeException | StackOverflowError e) {
          throw new AssertionError(failure.get() + "\nthrew " + e, e);
        }
      }
    });
    assertThat(outcomes).as("the mutations reach both outcomes").containsKeys(Outcome.ACCEPTED, Outcome.REFUSED);
  }

  private record Sample(String command, Path file) {}
}
