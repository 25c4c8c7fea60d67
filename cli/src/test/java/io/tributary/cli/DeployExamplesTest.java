package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.staging.config.ConfigReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every gateway configuration under {@code deploy/} is read as {@code tributary gateway} reads it:
 * each key is one the gateway knows and each value one it accepts, so that a copied example starts.
 */
class DeployExamplesTest {
  private static final Path GATEWAY = Path.of("..", "deploy", "gateway");
  /** Where the examples keep their secret files; replaced by a directory holding stand-ins. */
  private static final String SECRETS = "/etc/tributary/";

  @TempDir
  Path secrets;

  @Test
  void everyGatewayExampleIsAValidGatewayConfiguration() throws IOException {
    Files.writeString(secrets.resolve("gateway-token"), "example-token");
    Files.writeString(secrets.resolve("kafka-jaas.conf"), "example-jaas");
    List<Path> examples;
    try (Stream<Path> files = Stream.concat(Files.list(GATEWAY.resolve("examples")),
        Stream.of(GATEWAY.resolve("compose").resolve("gateway.yaml")))) {
      examples = files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples.stream().map(file -> file.getFileName().toString()))
        .contains("postgresql.yaml", "mysql.yaml", "mariadb.yaml", "sqlserver.yaml", "gateway.yaml");

    for (Path example : examples) {
      String yaml = Files.readString(example).replace(SECRETS, secrets.toString() + "/");
      ConfigReader root = ConfigReader.fromYaml(yaml, example.toString(),
          name -> name.equals("TRIBUTARY_SOURCE_PASSWORD") ? "example-password" : null);
      GatewayCommand.Settings settings = GatewayCommand.Settings.read(root, Path.of("/var/lib/tributary"));

      assertThat(settings.gateway().source().tables()).as(example.toString()).isNotEmpty();
      if (!example.getFileName().toString().equals("gateway.yaml")) {
        assertThat(settings.coordinator().url()).as(example + ": retention asks the coordinator").isPresent();
      }
    }
  }
}
