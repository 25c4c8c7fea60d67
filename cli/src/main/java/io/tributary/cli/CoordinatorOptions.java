package io.tributary.cli;

import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.Secret;
import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How a command reaches the coordinator's API: its URL and, if it needs one, a bearer token. */
final class CoordinatorOptions {
  @Option(names = "--coordinator", required = true, description = "Base URL of the coordinator, e.g. http://127.0.0.1:7070")
  URI url;

  @Option(names = "--token-env", description = "Name of the environment variable holding a bearer token for the coordinator")
  String tokenVariable;

  HttpCoordinatorClient client() {
    Optional<Secret> token = Optional.empty();
    if (tokenVariable != null) {
      String value = System.getenv(tokenVariable);
      if (value == null || value.isBlank()) {
        throw new TributaryException(ErrorCode.CONFIG_INVALID, "Environment variable " + tokenVariable + " is not set");
      }
      token = Optional.of(new Secret(value));
    }
    try {
      return HttpCoordinatorClient.create(url, token);
    } catch (IllegalArgumentException e) {
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "Invalid --coordinator " + url + ": " + e.getMessage(), e);
    }
  }
}
