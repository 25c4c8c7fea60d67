package io.tributary.cli.internal;

import io.tributary.applier.ApplierConfig;
import io.tributary.coordinator.CoordinatorConfig;
import io.tributary.coordinator.client.CoordinatorClientConfig;
import io.tributary.gateway.GatewayConfig;
import io.tributary.staging.config.ConfigKey;
import io.tributary.staging.config.ConfigReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reference of every configuration key, generated from the code that reads them: each
 * component reads an empty configuration and the reader lists what was read, with its default and
 * description. {@code docs/configuration.md} is this text; a test keeps the two equal.
 */
public final class ConfigReference {
  /** Stands for the {@code --data-dir} of the command in defaults that depend on it. */
  static final Path DATA_DIR = Path.of("/data-dir");

  private ConfigReference() {}

  public static String markdown() {
    ConfigReader root = ConfigReader.fromYaml("{}", "reference", name -> null);
    GatewayConfig.from(root, DATA_DIR);
    OpsEndpoint.Address.from(root.section("gateway"), "gateway", OpsEndpoint.GATEWAY_DEFAULT_PORT);
    ApplierConfig.from(root, DATA_DIR);
    OpsEndpoint.Address.from(root.section("applier"), "applier", OpsEndpoint.APPLIER_DEFAULT_PORT);
    CoordinatorConfig.from(root.section("coordinator"), DATA_DIR.resolve("coordinator"));
    CoordinatorClientConfig.from(root.section("coordinator"));

    Map<String, StringBuilder> sections = new LinkedHashMap<>();
    for (ConfigKey key : root.keys()) {
      String section = key.name().substring(0, key.name().indexOf('.'));
      sections.computeIfAbsent(section, name -> new StringBuilder()
              .append("\n## `").append(name).append("`\n\n")
              .append("| key | default | description |\n|---|---|---|\n"))
          .append("| `").append(key.name()).append("` | ").append(cell(key.defaultValue())).append(" | ")
          .append(escape(key.description())).append(" |\n");
    }
    StringBuilder text = new StringBuilder("""
        # Configuration reference

        Every key Tributary reads, generated from the code that reads it (`./tributary config-reference`).
        Processes read one YAML file; each reads its sections and leaves the others to the other
        processes (see the README). Keys not listed here are reported as unknown. A value may be
        `${env:NAME}` or `${file:/path}`, which is how secrets are given. `/data-dir` stands for the
        command's `--data-dir`.
        """);
    for (StringBuilder section : sections.values()) {
      text.append(section);
    }
    return text.toString();
  }

  private static String cell(String value) {
    return value.isEmpty() ? "" : "`" + value.replace("`", "'") + "`";
  }

  private static String escape(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
