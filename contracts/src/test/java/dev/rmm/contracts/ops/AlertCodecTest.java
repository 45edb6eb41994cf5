package dev.rmm.contracts.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The alert on the wire is a contract too: pinned by {@code golden-ops/rmm.alert.v1.json}. */
class AlertCodecTest {

  private static final Alert FIXED =
      new Alert(
          "5b0e7c1e-8f3a-4a55-9a3e-0c6d2b9f4e21",
          Alert.DISPATCH_FAILED,
          Alert.fingerprint(
              Alert.DISPATCH_FAILED,
              "deploy-orchestrator",
              "0190d6a2-7a1b-7c3d-9e4f-5a6b7c8d9e0f",
              "java.io.UncheckedIOException"),
          "deploy-orchestrator",
          "0190d6a2-7a1b-7c3d-9e4f-5a6b7c8d9e0f",
          "billing",
          "v1.4.0",
          "Dispatching the production workflow failed; it is tried again later",
          "connection reset",
          "4bf92f3577b34da6a3ce929d0e0e4736",
          Instant.parse("2025-03-01T10:15:30Z"));

  @Test
  void givenAFixedAlert_whenEncoded_thenTheJsonIsTheGoldenFile() throws IOException {
    assertThat(EventCodec.mapper().readTree(AlertCodec.encode(FIXED)))
        .isEqualTo(EventCodec.mapper().readTree(golden()));
  }

  @Test
  void givenTheGoldenFile_whenDecoded_thenItIsTheFixedAlert() {
    assertThat(AlertCodec.decode(golden())).isEqualTo(FIXED);
  }

  @Test
  void givenAnAlertWithoutOptionalFields_whenEncodedAndDecoded_thenItIsUnchanged()
      throws IOException {
    Alert bare =
        new Alert(
            "id-1",
            Alert.CONSUMER_ERROR,
            "consumer-error:release-projector",
            "release-projector",
            null,
            null,
            null,
            "failed",
            null,
            null,
            Instant.parse("2025-03-01T10:15:30Z"));

    byte[] json = AlertCodec.encode(bare);

    assertThat(AlertCodec.decode(json)).isEqualTo(bare);
    JsonNode tree = EventCodec.mapper().readTree(json);
    assertThat(tree.has("release_id")).as("absent fields are left out").isFalse();
    assertThat(tree.has("trace_id")).isFalse();
  }

  @Test
  void givenANewerAlertWithAnUnknownField_whenDecoded_thenTheFieldIsIgnored() {
    String json =
        new String(golden(), StandardCharsets.UTF_8).replace("{", "{\"severity\": \"page\",");

    assertThat(AlertCodec.decode(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(FIXED);
  }

  @Test
  void givenAnotherTypeOrMissingFields_whenDecoded_thenItIsRefusedWithTheReason() {
    assertThatThrownBy(() -> AlertCodec.decode("{\"type\":\"rmm.alert.v9\"}".getBytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rmm.alert.v9");
    assertThatThrownBy(() -> AlertCodec.decode("{\"type\":\"rmm.alert.v1\"}".getBytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id");
    assertThatThrownBy(() -> AlertCodec.decode("not json".getBytes()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void givenAConsumerError_thenItsFingerprintHasTheStablePartsOnlyNotTheMessage() {
    Alert a =
        Alert.consumerError(
            "release-projector",
            "rmm-release-projector",
            new IllegalStateException("row 4711 of 9000 failed"),
            null);
    Alert b =
        Alert.consumerError(
            "release-projector",
            "rmm-release-projector",
            new IllegalStateException("row 12 of 9001 failed"),
            null);

    assertThat(a.fingerprint())
        .isEqualTo(b.fingerprint())
        .isEqualTo(
            "consumer-error:release-projector:rmm-release-projector:java.lang.illegalstateexception");
    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(a.detail()).isEqualTo("row 4711 of 9000 failed");
  }

  @Test
  void givenALongDetail_thenItIsClipped() {
    Alert a = Alert.consumerError("x", "y", new RuntimeException("e".repeat(2000)), null);

    assertThat(a.detail()).hasSize(Alert.MAX_DETAIL).endsWith("…");
  }

  @Test
  void givenATraceparent_thenTheTraceIdIsTheSecondField() {
    assertThat(EventEnvelope.traceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(EventEnvelope.traceIdOf(null)).isNull();
    assertThat(EventEnvelope.traceIdOf("garbage")).isNull();
    assertThat(EventEnvelope.traceIdOf("00-00000000000000000000000000000000-00f067aa0ba902b7-01"))
        .as("the all-zero trace id is invalid")
        .isNull();
  }

  private static byte[] golden() {
    try (InputStream in =
        AlertCodecTest.class.getResourceAsStream("/golden-ops/rmm.alert.v1.json")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
