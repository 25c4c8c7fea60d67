package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The driver properties the gateway's own MySQL and MariaDB connections take from Debezium's settings. */
class BinlogDriverPropertiesTest {
  @Test
  void tlsSettingsReachTheDriverAsDebeziumMapsThem() {
    Properties properties = BinlogSourceConnector.driverProperties(Map.of(
        "database.ssl.mode", "verify-full",
        "database.ssl.truststore", "/etc/tributary/ca.p12",
        "database.ssl.truststore.password", "trust-pw",
        "database.ssl.keystore", "/etc/tributary/client.p12",
        "database.ssl.keystore.password", "key-pw",
        "snapshot.fetch.size", "1000"));

    assertThat(properties).containsOnly(
        Map.entry("sslMode", "verify-full"),
        Map.entry("trustCertificateKeyStoreUrl", "file:/etc/tributary/ca.p12"),
        Map.entry("trustCertificateKeyStorePassword", "trust-pw"),
        Map.entry("trustStorePassword", "trust-pw"),
        Map.entry("clientCertificateKeyStoreUrl", "file:/etc/tributary/client.p12"),
        Map.entry("clientCertificateKeyStorePassword", "key-pw"));
  }

  @Test
  void driverPropertiesPassThroughWithoutTheirPrefix() {
    assertThat(BinlogSourceConnector.driverProperties(Map.of("driver.enabledSslProtocolSuites", "TLSv1.3",
        "database.ssl.mode", "required")))
        .containsOnly(Map.entry("enabledSslProtocolSuites", "TLSv1.3"), Map.entry("sslMode", "required"));
  }

  @Test
  void noSettingsGiveNoProperties() {
    assertThat(BinlogSourceConnector.driverProperties(Map.of("database.history.skip.unparseable.ddl", "true")))
        .isEmpty();
  }
}
