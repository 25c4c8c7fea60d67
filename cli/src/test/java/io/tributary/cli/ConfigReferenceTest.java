package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cli.internal.ConfigReference;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed configuration reference is what the code reads, key for key. */
class ConfigReferenceTest {
  private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");

  @Test
  void docsConfigurationMdMatchesTheCode() throws Exception {
    String generated = ConfigReference.markdown();
    assertThat(generated).contains("`source.host`", "`gateway.offset-commit-interval`", "`applier.tables-location`",
        "`coordinator.tokens.operator`", "`coordinator.store.type`", "`kafka.bootstrap-servers`", "`staging.location`");
    assertThat(generated).as("no machine-specific default").doesNotContain(System.getProperty("user.dir"));
    assertThat(Files.readString(REFERENCE))
        .as("docs/configuration.md is out of date: run ./tributary config-reference > docs/configuration.md")
        .isEqualTo(generated);
  }
}
