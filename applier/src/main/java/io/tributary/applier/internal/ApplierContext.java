package io.tributary.applier.internal;

import static java.util.Objects.requireNonNull;

import io.delta.kernel.engine.Engine;
import io.tributary.applier.ApplierConfig;
import io.tributary.applier.CommitterFactory;
import io.tributary.coordinator.CoordinatorClient;
import io.tributary.staging.StagingStore;
import java.time.Clock;

/** What every table applier of one service shares. */
public record ApplierContext(
    ApplierConfig config,
    Engine engine,
    StagingStore staging,
    CoordinatorClient coordinator,
    CommitterFactory committers,
    ApplierMetrics metrics,
    Clock clock) {

  /** How Tributary names itself in Delta commit infos. */
  public static final String ENGINE_INFO = "tributary-applier/0.1";
  /** The Delta transaction application id of a table: {@code tributary-applier/<table id>}. */
  public static final String APP_ID_PREFIX = "tributary-applier/";

  public ApplierContext {
    requireNonNull(config, "config is null");
    requireNonNull(engine, "engine is null");
    requireNonNull(staging, "staging is null");
    requireNonNull(coordinator, "coordinator is null");
    requireNonNull(committers, "committers is null");
    requireNonNull(metrics, "metrics is null");
    requireNonNull(clock, "clock is null");
  }
}
