package io.tributary.staging.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a YAML configuration tree into typed values, collecting every problem instead of stopping
 * at the first, so that one run of {@link #throwIfInvalid()} lists them all. Every key read is
 * recorded with its default and description ({@link #keys()}), which is what the configuration
 * reference is checked against. Keys present in the file but never read are reported as unknown.
 *
 * <p>String values may reference secrets and environment: {@code ${env:NAME}} and
 * {@code ${file:/path}} are replaced by the variable or the file's content (trailing newline removed).
 */
public final class ConfigReader {
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");
  /** The largest file a {@code ${file:...}} reference may name: secrets and tokens are small. */
  private static final int MAX_REFERENCED_FILE = 1 << 20;
  /** The longest duration any setting takes: a hundred years, far from overflowing a timestamp. */
  private static final Duration MAX_DURATION = Duration.ofDays(36_500);
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final String prefix;
  private final JsonNode node;
  private final Shared shared;

  private ConfigReader(String prefix, JsonNode node, Shared shared) {
    this.prefix = prefix;
    this.node = node;
    this.shared = shared;
  }

  /** A reader over a YAML file; a missing or unparsable file is an immediate, clear error. */
  public static ConfigReader fromYamlFile(Path file, Function<String, String> environment) {
    return fromYamlFile(file, environment, Map.of());
  }

  /** A reader over a YAML file with some dotted keys set or replaced. */
  public static ConfigReader fromYamlFile(Path file, Function<String, String> environment, Map<String, String> overrides) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "Configuration file " + file + " does not exist");
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "Cannot read configuration file " + file + ": " + e.getMessage(), e);
    }
    return fromYaml(text, file.toString(), environment, overrides);
  }

  /** A reader over YAML text; {@code origin} names it in error messages. */
  public static ConfigReader fromYaml(String yaml, String origin, Function<String, String> environment) {
    return fromYaml(yaml, origin, environment, Map.of());
  }

  /**
   * A reader over YAML text with some dotted keys set or replaced, e.g. the bootstrap servers of an
   * embedded Kafka broker that only exists once the launcher has started it.
   */
  public static ConfigReader fromYaml(String yaml, String origin, Function<String, String> environment, Map<String, String> overrides) {
    JsonNode tree;
    try {
      tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "Configuration " + origin + " is not valid YAML: " + e.getMessage(), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      tree = new ObjectMapper().createObjectNode();
    }
    if (!tree.isObject()) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "Configuration " + origin + " must be a YAML mapping of keys to values");
    }
    for (Map.Entry<String, String> override : overrides.entrySet()) {
      String[] path = override.getKey().split("\\.");
      com.fasterxml.jackson.databind.node.ObjectNode parent = (com.fasterxml.jackson.databind.node.ObjectNode) tree;
      for (int i = 0; i < path.length - 1; i++) {
        JsonNode child = parent.path(path[i]);
        parent = child.isObject() ? (com.fasterxml.jackson.databind.node.ObjectNode) child : parent.putObject(path[i]);
      }
      parent.put(path[path.length - 1], override.getValue());
    }
    Shared shared = new Shared(origin, requireNonNull(environment, "environment is null"));
    shared.root = tree;
    return new ConfigReader("", tree, shared);
  }

  /** A reader over an empty configuration: every key takes its default. */
  public static ConfigReader empty() {
    return fromYaml("{}", "defaults", name -> null);
  }

  /** The reader of a nested section, e.g. {@code section("segment")} inside {@code gateway}. */
  public ConfigReader section(String key) {
    JsonNode child = node.path(key);
    if (!child.isMissingNode() && !child.isObject() && !child.isNull()) {
      problem(key, child.toString(), "must be a mapping of keys to values");
      child = MissingNode.getInstance();
    }
    return new ConfigReader(qualify(key) + ".", child, shared);
  }

  public String string(String key, String defaultValue, String description) {
    document(key, defaultValue, description);
    return text(key).orElse(defaultValue);
  }

  /**
   * One of an enum's constants, written as its name in lower case ({@code resync} for
   * {@code RESYNC}); any other value is a problem naming the choices, and the default stands in.
   */
  public <E extends Enum<E>> E choice(String key, E defaultValue, String description) {
    String value = string(key, choiceName(defaultValue), description);
    E[] constants = defaultValue.getDeclaringClass().getEnumConstants();
    for (E constant : constants) {
      if (choiceName(constant).equals(value.trim().toLowerCase(Locale.ROOT))) {
        return constant;
      }
    }
    problem(key, value, "must be one of " + Arrays.stream(constants).map(ConfigReader::choiceName)
        .collect(Collectors.joining(", ")));
    return defaultValue;
  }

  private static String choiceName(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  public Optional<String> optionalString(String key, String description) {
    document(key, "", description);
    return text(key);
  }

  /** A string that must be set; a missing value is recorded as a problem and "" returned. */
  public String requiredString(String key, String description) {
    document(key, "(required)", description);
    Optional<String> value = text(key);
    if (value.isEmpty() || value.get().isBlank()) {
      shared.problems.add("Missing value for '" + qualify(key) + "': " + description);
      return "";
    }
    return value.get();
  }

  /** A secret; its value is never part of any message. */
  public Optional<Secret> secret(String key, String description) {
    document(key, "", description + " (use ${env:NAME} or ${file:/path})");
    return text(key).map(Secret::new);
  }

  public int integer(String key, int defaultValue, int min, String description) {
    return (int) longValue(key, defaultValue, min, Integer.MAX_VALUE, description);
  }

  public long longValue(String key, long defaultValue, long min, long max, String description) {
    document(key, Long.toString(defaultValue), description);
    Optional<String> value = text(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.get().trim().replace("_", ""));
    } catch (NumberFormatException e) {
      problem(key, value.get(), "must be an integer");
      return defaultValue;
    }
    if (parsed < min) {
      problem(key, value.get(), "must be at least " + min);
      return defaultValue;
    }
    if (parsed > max) {
      problem(key, value.get(), "must be at most " + max);
      return defaultValue;
    }
    return parsed;
  }

  public boolean bool(String key, boolean defaultValue, String description) {
    document(key, Boolean.toString(defaultValue), description);
    Optional<String> value = text(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    return switch (value.get().trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> {
        problem(key, value.get(), "must be true or false");
        yield defaultValue;
      }
    };
  }

  /** A duration written as a number and a unit: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 30d}. */
  public Duration duration(String key, Duration defaultValue, Duration min, String description) {
    document(key, format(defaultValue), description);
    Optional<String> value = text(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    Matcher matcher = DURATION.matcher(value.get().trim());
    if (!matcher.matches()) {
      problem(key, value.get(), "must be a duration such as 500ms, 5s, 2m, 1h or 30d");
      return defaultValue;
    }
    Duration parsed;
    try {
      long amount = Long.parseLong(matcher.group(1));
      parsed = switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    } catch (NumberFormatException | ArithmeticException e) {
      parsed = MAX_DURATION.plusDays(1);
    }
    if (parsed.compareTo(MAX_DURATION) > 0) {
      problem(key, value.get(), "must be at most " + format(MAX_DURATION));
      return defaultValue;
    }
    if (parsed.compareTo(min) < 0) {
      problem(key, value.get(), "must be at least " + format(min));
      return defaultValue;
    }
    return parsed;
  }

  /** A list of strings, written as a YAML sequence. */
  public List<String> stringList(String key, List<String> defaultValue, String description) {
    document(key, String.join(",", defaultValue), description);
    JsonNode value = node.path(key);
    shared.read.add(qualify(key));
    if (value.isMissingNode() || value.isNull()) {
      return defaultValue;
    }
    if (!value.isArray()) {
      problem(key, value.toString(), "must be a list");
      return defaultValue;
    }
    List<String> items = new ArrayList<>();
    for (JsonNode item : value) {
      if (!item.isValueNode()) {
        problem(key, item.toString(), "must be a list of strings");
        continue;
      }
      items.add(resolve(key, item.asText()));
    }
    return List.copyOf(items);
  }

  /** A mapping of free-form keys to strings, passed through to another component. */
  public Map<String, String> stringMap(String key, String description) {
    document(key, "{}", description);
    JsonNode value = node.path(key);
    shared.read.add(qualify(key));
    Map<String, String> map = new LinkedHashMap<>();
    if (value.isMissingNode() || value.isNull()) {
      return map;
    }
    if (!value.isObject()) {
      problem(key, value.toString(), "must be a mapping");
      return map;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      map.put(field.getKey(), resolve(key + "." + field.getKey(), field.getValue().asText()));
    }
    return map;
  }

  /**
   * Leaves the sections named to other processes: a file shared by every component may hold them,
   * and their keys are then neither read nor reported as unknown here.
   */
  public void leaveToOthers(String... keys) {
    for (String key : keys) {
      shared.read.add(qualify(key));
    }
  }

  /**
   * Documents keys whose names depend on the configuration (such as {@code columns.<schema.table>.exclude})
   * without reading them; the caller reads the actual keys through {@link #presentKeys()}.
   */
  public void describe(String pattern, String description) {
    document(pattern, "", description);
  }

  /** Names of the keys directly under this section that are present in the file. */
  public Set<String> presentKeys() {
    Set<String> keys = new LinkedHashSet<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  /** Records a problem with a key's value, worded like every other: what, which key, why. */
  public void problem(String key, String value, String reason) {
    boolean secretLike = key.contains("password") || key.contains("secret") || key.contains("token");
    String shown = secretLike ? "****" : value;
    shared.problems.add("Invalid value " + shown + " for '" + qualify(key) + "': " + reason);
  }

  /** Records a problem that is not about one key's value. */
  public void problem(String message) {
    shared.problems.add(message);
  }

  /** Every key read so far, with its default and description. */
  public List<ConfigKey> keys() {
    return List.copyOf(shared.documented.values());
  }

  /**
   * Fails with one exception listing every problem found, including keys present in the file that
   * no component reads (usually a typo).
   */
  public void throwIfInvalid() {
    List<String> problems = new ArrayList<>(shared.problems);
    collectUnknown(shared.rootNode(this), "", problems);
    if (!problems.isEmpty()) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID,
          "Configuration " + shared.origin + " has " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
              + ":\n  - " + String.join("\n  - ", problems));
    }
  }

  private void collectUnknown(JsonNode tree, String path, List<String> problems) {
    Iterator<Map.Entry<String, JsonNode>> fields = tree.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = path + field.getKey();
      if (shared.read.contains(name)) {
        continue;
      }
      if (field.getValue().isObject() && shared.read.stream().anyMatch(read -> read.startsWith(name + "."))) {
        collectUnknown(field.getValue(), name + ".", problems);
      } else {
        problems.add("Unknown key '" + name + "'");
      }
    }
  }

  private Optional<String> text(String key) {
    shared.read.add(qualify(key));
    JsonNode value = node.path(key);
    if (value.isMissingNode() || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isValueNode()) {
      problem(key, value.toString(), "must be a single value");
      return Optional.empty();
    }
    return Optional.of(resolve(key, value.asText()));
  }

  private String resolve(String key, String value) {
    Matcher matcher = REFERENCE.matcher(value);
    StringBuilder resolved = new StringBuilder();
    while (matcher.find()) {
      String replacement;
      if (matcher.group(1).equals("env")) {
        replacement = shared.environment.apply(matcher.group(2));
        if (replacement == null) {
          shared.problems.add("Environment variable " + matcher.group(2) + " named by '" + qualify(key) + "' is not set");
          replacement = "";
        }
      } else {
        replacement = referencedFile(key, Path.of(matcher.group(2)));
      }
      matcher.appendReplacement(resolved, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(resolved);
    return resolved.toString();
  }

  /**
   * The content of a file a value references, trailing whitespace removed; a secret or a token, so
   * a regular file of at most {@link #MAX_REFERENCED_FILE} bytes (not a device or a pipe that never
   * ends). Problems are recorded, never the content.
   */
  private String referencedFile(String key, Path file) {
    String problem;
    try {
      if (!Files.isRegularFile(file)) {
        problem = Files.exists(file) ? "not a regular file" : "no such file";
      } else if (Files.size(file) > MAX_REFERENCED_FILE) {
        problem = "larger than " + MAX_REFERENCED_FILE + " bytes";
      } else {
        return Files.readString(file).stripTrailing();
      }
    } catch (IOException e) {
      problem = e.getClass().getSimpleName();
    }
    shared.problems.add("Cannot read file " + file + " named by '" + qualify(key) + "': " + problem);
    return "";
  }

  private void document(String key, String defaultValue, String description) {
    shared.documented.putIfAbsent(qualify(key), new ConfigKey(qualify(key), defaultValue, description));
  }

  private String qualify(String key) {
    return prefix + key;
  }

  /** {@code duration} in the notation {@link #duration} reads: {@code 30d}, {@code 5s}. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 86_400_000 == 0 && millis > 0) {
      return millis / 86_400_000 + "d";
    }
    if (millis % 3_600_000 == 0 && millis > 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0 && millis > 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }

  /** State shared by a root reader and all its sections. */
  private static final class Shared {
    final String origin;
    final Function<String, String> environment;
    final List<String> problems = new ArrayList<>();
    final Set<String> read = new LinkedHashSet<>();
    final Map<String, ConfigKey> documented = new LinkedHashMap<>();
    JsonNode root;

    Shared(String origin, Function<String, String> environment) {
      this.origin = origin;
      this.environment = environment;
    }

    JsonNode rootNode(ConfigReader reader) {
      return root;
    }
  }
}
