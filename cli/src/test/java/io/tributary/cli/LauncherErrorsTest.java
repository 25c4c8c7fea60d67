package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configuration fails before anything starts, with every problem named and exit code 2. */
class LauncherErrorsTest {
  @TempDir
  Path directory;

  @Test
  void missingConfigFileIsNamed() {
    Result result = run("standalone", "--config", directory.resolve("nope.yaml").toString(), "--data-dir", directory.toString());
    assertThat(result.exitCode).isEqualTo(Main.EXIT_USAGE);
    assertThat(result.err).contains("CONFIG_INVALID").contains("nope.yaml does not exist");
  }

  @Test
  void missingAndMalformedKeysAreAllListed() throws Exception {
    Path config = directory.resolve("bad.yaml");
    Files.writeString(config, """
        source:
          name: shop
          port: not-a-port
          tables: [public.orders]
        gateway:
          segment:
            max-rows: 0
          segmnt-typo: 1
        """);
    Result result = run("standalone", "--config", config.toString(), "--data-dir", directory.toString());
    assertThat(result.exitCode).isEqualTo(Main.EXIT_USAGE);
    assertThat(result.err)
        .contains("Missing value for 'source.host'")
        .contains("Missing value for 'source.database'")
        .contains("Invalid value not-a-port for 'source.port'")
        .contains("Invalid value 0 for 'gateway.segment.max-rows'")
        .contains("Unknown key 'gateway.segmnt-typo'");
  }

  @Test
  void invalidYamlIsReported() throws Exception {
    Path config = directory.resolve("broken.yaml");
    Files.writeString(config, "source: [unclosed\n");
    Result result = run("standalone", "--config", config.toString(), "--data-dir", directory.toString());
    assertThat(result.exitCode).isEqualTo(Main.EXIT_USAGE);
    assertThat(result.err).contains("is not valid YAML");
  }

  @Test
  void anApplierOnItsOwnNeedsTheCoordinatorsUrl() throws Exception {
    Path config = directory.resolve("applier.yaml");
    Files.writeString(config, """
        source:
          name: shop
        kafka:
          bootstrap-servers: 127.0.0.1:9092
        applier:
          writer-id: applier-1
        """);
    Result result = run("applier", "--config", config.toString(), "--data-dir", directory.toString());
    assertThat(result.exitCode).isEqualTo(Main.EXIT_USAGE);
    assertThat(result.err).contains("Missing value for 'coordinator.url'").doesNotContain("Unknown key 'source");
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  record Result(int exitCode, String out, String err) {}
}
