package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.cli.internal.JvmMeters;
import org.junit.jupiter.api.Test;

class JvmMetersTest {
  @Test
  void heapUseAndCollectionsAreMetered() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (JvmMeters meters = JvmMeters.bindTo(registry)) {
      double heapUsed = registry.find("jvm.memory.used").tag("area", "heap").gauges().stream()
          .mapToDouble(Gauge::value).sum();
      assertThat(heapUsed).isPositive();
      assertThat(registry.find("jvm.memory.max").tag("area", "heap").gauges()).isNotEmpty();
      assertThat(registry.find("jvm.threads.live").gauge()).isNotNull();
      assertThat(registry.find("process.cpu.usage").gauge()).isNotNull();
    }
  }
}
