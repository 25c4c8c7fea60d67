package io.tributary.cli.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The JVM's own meters on a process's registry: memory by pool ({@code jvm_memory_used_bytes}),
 * garbage collections, threads, classes, CPU, open files and uptime. With them {@code /metrics}
 * shows what a process costs beside what it does, which is what sizing its heap and container needs.
 */
public final class JvmMeters implements AutoCloseable {
  private final JvmGcMetrics collections;

  private JvmMeters(JvmGcMetrics collections) {
    this.collections = collections;
  }

  /** Binds the meters to {@code registry}; closing stops listening for garbage collections. */
  public static JvmMeters bindTo(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics collections = new JvmGcMetrics();
    collections.bindTo(registry);
    return new JvmMeters(collections);
  }

  @Override
  public void close() {
    collections.close();
  }
}
