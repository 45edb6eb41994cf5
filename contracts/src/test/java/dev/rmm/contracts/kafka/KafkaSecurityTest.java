package dev.rmm.contracts.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaSecurityTest {

  @Test
  void givenNothingConfigured_thenClientsSpeakPlaintext() {
    Properties p = KafkaSecurity.of(Map.of()).applyTo(new Properties());

    assertThat(p)
        .containsEntry("security.protocol", "PLAINTEXT")
        .doesNotContainKey("sasl.jaas.config");
  }

  @Test
  void givenScramCredentials_thenTheJaasConfigQuotesThePassword() {
    Properties p =
        KafkaSecurity.of(
                Map.of(
                    "KAFKA_SECURITY_PROTOCOL", "sasl_ssl",
                    "KAFKA_SASL_USERNAME", "rmm-gateway",
                    "KAFKA_SASL_PASSWORD", "p\"a\\ss",
                    "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/rmm/ca.p12"))
            .applyTo(new Properties());

    assertThat(p)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.location", "/etc/rmm/ca.p12")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"rmm-gateway\" password=\"p\\\"a\\\\ss\";");
  }

  @Test
  void givenSaslWithoutAPassword_thenStartingFailsNamingTheVariable() {
    KafkaSecurity s =
        KafkaSecurity.of(
            Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_USERNAME", "rmm-api"));

    assertThatThrownBy(() -> s.applyTo(new Properties()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("KAFKA_SASL_PASSWORD is required when KAFKA_SECURITY_PROTOCOL is SASL_SSL");
  }

  @Test
  void givenAnUnknownProtocol_thenStartingFails() {
    assertThatThrownBy(
            () ->
                KafkaSecurity.of(Map.of("KAFKA_SECURITY_PROTOCOL", "TLS"))
                    .applyTo(new Properties()))
        .hasMessageContaining("KAFKA_SECURITY_PROTOCOL must be one of");
  }
}
