package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseEvent.ReleaseCreated;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The configurable break-glass window adds one optional field to the policy that {@code
 * release.created.v1} (and {@code release.policy-changed.v1}) carry: {@code
 * break_glass_window_minutes}, written only when set. {@code golden-break-glass-window/} pins the
 * new shape; the file of {@code golden/} (without it) still reads, with the 15 minutes every policy
 * had, and a policy without a window is written exactly as before.
 */
class BreakGlassWindowWireTest {

  @Test
  void givenACreatedEventWhosePolicySetsAWindow_whenEncoded_thenItIsTheGoldenFile()
      throws IOException {
    EventEnvelope old = EventCodecGoldenTest.fixture(ReleaseCreated.TYPE);
    ReleaseCreated c = (ReleaseCreated) old.data();
    EventEnvelope created =
        new EventEnvelope(
            old.id(),
            old.releaseId(),
            old.sequence(),
            old.occurredAt(),
            old.actor(),
            old.correlationId(),
            old.causationId(),
            old.traceparent(),
            old.prevHash(),
            new ReleaseCreated(c.spec(), c.policy().withBreakGlassWindowMinutes(5)));
    byte[] golden = resource("/golden-break-glass-window/release.created.v1.json");

    JsonNode encoded = EventCodec.mapper().readTree(EventCodec.encode(created));

    assertThat(encoded).isEqualTo(EventCodec.mapper().readTree(golden));
    EventEnvelope decoded = EventCodec.decode(golden);
    assertThat(decoded).isEqualTo(created);
    assertThat(((ReleaseCreated) decoded.data()).policy().breakGlassWindow())
        .isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void givenACreatedEventWrittenBeforeTheWindow_whenDecoded_thenItsPolicyHasTheDefaultWindow() {
    EventEnvelope old = EventCodec.decode(EventCodecGoldenTest.golden(ReleaseCreated.TYPE));

    ApprovalPolicy policy = ((ReleaseCreated) old.data()).policy();
    assertThat(policy.breakGlassWindowMinutes()).isNull();
    assertThat(policy.breakGlassWindow()).isEqualTo(ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW);
    assertThat(old).isEqualTo(EventCodecGoldenTest.fixture(ReleaseCreated.TYPE));
  }

  @Test
  void givenAPolicyWithoutAWindow_whenEncoded_thenItHasNoWindowField() throws IOException {
    ApprovalPolicy policy =
        new ApprovalPolicy(
            List.of(new ApprovalPolicy.Approver(1, "Bob", null)), 1, false, List.of(9L));

    JsonNode json = EventCodec.mapper().readTree(EventCodec.mapper().writeValueAsBytes(policy));

    assertThat(json.has("break_glass_window_minutes")).isFalse();
    assertThat(json.size()).isEqualTo(4);
  }

  private static byte[] resource(String path) throws IOException {
    try (InputStream in = BreakGlassWindowWireTest.class.getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return in.readAllBytes();
    }
  }
}
