package io.tributary.cli.internal;

import io.tributary.applier.ApplierService;
import io.tributary.gateway.GatewayService;
import java.util.Optional;

/** Why a component stopped without being asked to, if it did: what ends a long-running command. */
public final class ComponentHealth {
  private ComponentHealth() {}

  public static Optional<String> ended(GatewayService gateway) {
    return switch (gateway.state()) {
      case FAILED -> Optional.of("the gateway failed: " + gateway.failure().map(Throwable::getMessage).orElse("see the log"));
      case STOPPED -> Optional.of("the gateway stopped");
      default -> Optional.empty();
    };
  }

  public static Optional<String> ended(ApplierService applier) {
    return switch (applier.state()) {
      case FAILED -> Optional.of("the applier failed: "
          + applier.failure().map(Throwable::getMessage).orElse("see the log"));
      case HALTED -> Optional.of("the applier halted");
      case STOPPED -> Optional.of("the applier stopped");
      case FINISHED -> Optional.of("the applier finished its triggered run");
      default -> Optional.empty();
    };
  }
}
