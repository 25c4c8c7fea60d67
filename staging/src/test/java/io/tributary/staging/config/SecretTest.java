package io.tributary.staging.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretTest {

  @Test
  void neverPrintsItself() {
    Secret secret = new Secret("hunter2");
    assertThat(secret).hasToString("****");
    assertThat(secret.reveal()).isEqualTo("hunter2");
  }

  @Test
  void redactsThePropertiesThatNameASecretAndKeepsTheOthers() {
    Map<String, String> shown = Secret.redacted(Map.of(
        "sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"p1\";",
        "ssl.truststore.password", "p2",
        "fs.s3a.secret.key", "p3",
        "fs.s3a.session.token", "p4",
        "database.sslpassword", "p5",
        "fs.azure.account.oauth2.client.credentials", "p6",
        "fs.s3a.encryption.key", "p7",
        "security.protocol", "SASL_SSL",
        "fs.s3a.access.key", "AKIAEXAMPLE"));

    assertThat(shown.toString()).doesNotContain("p1", "p2", "p3", "p4", "p5", "p6", "p7");
    assertThat(shown).containsEntry("security.protocol", "SASL_SSL").containsEntry("fs.s3a.access.key", "AKIAEXAMPLE")
        .containsEntry("sasl.jaas.config", "****").hasSize(9);
  }
}
