package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class DefaultTimeZoneTest {
  @Test
  void utcUnderAnyNameIsAccepted() {
    for (String name : new String[] {"UTC", "Etc/UTC", "GMT", "Z", "+00:00"}) {
      DefaultTimeZone.requireUtc(TimeZone.getTimeZone(java.time.ZoneId.of(name)));
    }
  }

  @Test
  void otherZonesAreRefusedNamingTheFix() {
    for (String name : new String[] {"Europe/Berlin", "Asia/Kolkata", "America/St_Johns"}) {
      assertThatThrownBy(() -> DefaultTimeZone.requireUtc(TimeZone.getTimeZone(name)))
          .isInstanceOfSatisfying(TributaryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
          .hasMessageContaining("The JVM's default time zone is " + name + ", not UTC")
          .hasMessageContaining("-Duser.timezone=UTC");
    }
  }
}
