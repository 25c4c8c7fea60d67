package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bearer tokens the coordinator accepts and the roles each one holds. A secret may hold several
 * tokens separated by commas, so that a new token can be rolled out before the old one is removed.
 * Tokens are compared in constant time and never appear in a message.
 */
public final class AccessTokens {
  private record Grant(byte[] token, Set<Role> roles) {}

  private static final AccessTokens NONE = new AccessTokens(List.of());

  private final List<Grant> grants;

  private AccessTokens(List<Grant> grants) {
    this.grants = List.copyOf(grants);
  }

  /** No authentication: every call is accepted with every role. */
  public static AccessTokens none() {
    return NONE;
  }

  /**
   * @param everyRole tokens that hold every role ({@code coordinator.auth-token})
   * @param perRole tokens of one role each ({@code coordinator.tokens.<role>})
   */
  public static AccessTokens of(Optional<Secret> everyRole, Map<Role, Secret> perRole) {
    requireNonNull(everyRole, "everyRole is null");
    requireNonNull(perRole, "perRole is null");
    List<Grant> grants = new ArrayList<>();
    everyRole.ifPresent(secret -> add(grants, secret, EnumSet.allOf(Role.class)));
    perRole.forEach((role, secret) -> add(grants, secret, EnumSet.of(role)));
    return new AccessTokens(grants);
  }

  /** Whether calls must carry a token. */
  public boolean required() {
    return !grants.isEmpty();
  }

  /**
   * The roles of a presented token: every role when no token is required, empty when the token is
   * unknown. A token configured for several roles holds all of them.
   */
  public Set<Role> rolesOf(Optional<String> presented) {
    if (!required()) {
      return EnumSet.allOf(Role.class);
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    if (presented.isEmpty()) {
      return roles;
    }
    byte[] bytes = presented.get().getBytes(StandardCharsets.UTF_8);
    for (Grant grant : grants) {
      // Every grant is compared, whatever matched before, so that timing tells nothing.
      if (MessageDigest.isEqual(bytes, grant.token())) {
        roles.addAll(grant.roles());
      }
    }
    return roles;
  }

  /** The tokens a secret holds: its comma-separated, non-blank parts. */
  public static List<Secret> tokensOf(Secret secret) {
    List<Secret> tokens = new ArrayList<>();
    for (String token : secret.reveal().split(",")) {
      if (!token.isBlank()) {
        tokens.add(new Secret(token.trim()));
      }
    }
    return tokens;
  }

  private static void add(List<Grant> grants, Secret secret, Set<Role> roles) {
    for (Secret token : tokensOf(secret)) {
      grants.add(new Grant(token.reveal().getBytes(StandardCharsets.UTF_8), roles));
    }
  }

  @Override
  public String toString() {
    return "AccessTokens[" + grants.size() + " tokens]";
  }
}
