package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import java.io.IOException;
import java.io.InputStream;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Freeze windows (issue 15 point 5) add an optional {@code freezes} list to {@code
 * release.policy-changed.v1}: {@code golden-freeze/} pins the new shape, and the policy of {@code
 * golden/} (without it) still reads, with no freeze.
 */
class FreezeWireTest {

  static final List<FreezeWindow> FREEZES =
      List.of(
          FreezeWindow.range(
              List.of(),
              Instant.parse("2026-12-30T15:00:00Z"),
              Instant.parse("2027-01-09T06:00:00Z"),
              "Europe/Moscow",
              "New Year"),
          FreezeWindow.weekly(
              List.of("billing"),
              DayOfWeek.FRIDAY,
              LocalTime.of(16, 0),
              DayOfWeek.MONDAY,
              LocalTime.of(9, 0),
              ZoneId.of("Europe/Moscow"),
              "no deploys over the weekend"));

  @Test
  void givenAPolicyWithFreezeWindows_whenEncoded_thenItIsTheGoldenFileAndReadsBack()
      throws IOException {
    EventEnvelope old = GoldenEvents.policyEnvelope();
    PolicyChanged p = (PolicyChanged) old.data();
    List<String> changed = new ArrayList<>(p.changed());
    changed.add("*freezes");
    EventEnvelope frozen =
        old.withData(
            new PolicyChanged(
                p.services(),
                p.defaultPolicy(),
                changed,
                p.source(),
                p.sha256(),
                p.author(),
                p.fileOwner(),
                FREEZES));
    byte[] golden = resource("/golden-freeze/release.policy-changed.v1.json");

    JsonNode encoded = EventCodec.mapper().readTree(EventCodec.encode(frozen));
    assertThat(encoded).isEqualTo(EventCodec.mapper().readTree(golden));
    assertThat(EventCodec.decode(golden)).isEqualTo(frozen);
  }

  @Test
  void givenAPolicyWrittenBeforeFreezes_whenDecoded_thenItHasNoFreezeAndTheSameRules() {
    EventEnvelope old = EventCodec.decode(EventCodecGoldenTest.golden(PolicyChanged.TYPE));

    PolicyChanged p = (PolicyChanged) old.data();
    assertThat(p.freezes()).isEmpty();
    assertThat(old).isEqualTo(GoldenEvents.policyEnvelope());
  }

  @Test
  void givenTwoPoliciesThatDifferOnlyInTheirFreezes_thenTheirRulesDiffer() {
    PolicyChanged p = (PolicyChanged) GoldenEvents.policyEnvelope().data();
    PolicyChanged frozen =
        new PolicyChanged(
            p.services(),
            p.defaultPolicy(),
            p.changed(),
            p.source(),
            p.sha256(),
            p.author(),
            p.fileOwner(),
            FREEZES);

    assertThat(frozen.sameRules(p)).isFalse();
    assertThat(frozen.sameRules(frozen)).isTrue();
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = FreezeWireTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }
}
