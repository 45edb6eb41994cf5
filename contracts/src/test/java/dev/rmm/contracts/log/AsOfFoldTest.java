package dev.rmm.contracts.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.EventChain;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The as-of fold of replay and the console's audit page: a release's state stops at the moment, and
 * an event that lost a race changes nothing whatever the moment.
 */
class AsOfFoldTest {

  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
  private static final String ID = "rel-as-of";

  /**
   * created (T0), building (T0+10 s), a void cancellation (T0+20 s), rollback rehearsal (+30 s).
   */
  private static List<byte[]> log() {
    byte[] created = stored(event("e1", 1, 0, created()), EventChain.GENESIS);
    byte[] building =
        stored(
            event("e2", 2, 10, status(ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING)),
            EventChain.hash(created));
    byte[] lost =
        stored(
            event(
                "e2-lost",
                2,
                20,
                new ReleaseEvent.ReleaseCancelled(ReleaseStatus.INITIATED, "stale writer")),
            EventChain.hash(created));
    byte[] rehearsal =
        stored(
            event(
                "e3",
                3,
                30,
                status(ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_TEST_ROLLBACK)),
            EventChain.hash(building));
    return List.of(created, building, lost, rehearsal);
  }

  private static List<ReleaseState> asOf(Instant moment) {
    AsOfFold fold = new AsOfFold(moment);
    log().forEach(r -> fold.accept(ID, r));
    return fold.releases();
  }

  @Test
  void givenMomentsAroundEachEvent_whenFolded_thenTheStateIsTheOneOfThatMoment() {
    assertThat(asOf(T0.minusMillis(1))).isEmpty();
    assertThat(asOf(T0)).singleElement().satisfies(s -> assertThat(s.version()).isEqualTo(1));
    assertThat(asOf(T0.plusSeconds(10)).get(0).status()).isEqualTo(ReleaseStatus.STAGE_BUILDING);
    assertThat(asOf(T0.plusSeconds(30)).get(0).status())
        .isEqualTo(ReleaseStatus.STAGE_TEST_ROLLBACK);
  }

  @Test
  void givenAnEventThatLostARace_whenTheMomentIsAfterIt_thenItChangesNothing() {
    ReleaseState s = asOf(T0.plusSeconds(25)).get(0);

    assertThat(s.status()).isEqualTo(ReleaseStatus.STAGE_BUILDING);
    assertThat(s.version()).isEqualTo(2);
  }

  @Test
  void givenAnUnreadableRecord_whenFolded_thenItIsSkippedAndSaidSo() {
    AsOfFold fold = new AsOfFold(T0.plusSeconds(60));

    assertThat(fold.accept(ID, "not json".getBytes())).isInstanceOf(Link.Unreadable.class);
    log().forEach(r -> fold.accept(ID, r));
    assertThat(fold.releases())
        .singleElement()
        .satisfies(s -> assertThat(s.version()).isEqualTo(3));
  }

  private static byte[] stored(EventEnvelope e, String prev) {
    return EventCodec.encode(e.chainedTo(prev));
  }

  private static EventEnvelope event(String id, long seq, long second, ReleaseEvent data) {
    return new EventEnvelope(
        id, ID, seq, T0.plusSeconds(second), Actor.system("test"), null, null, null, data);
  }

  private static ReleaseEvent created() {
    return new ReleaseEvent.ReleaseCreated(
        new ReleaseSpec(
            "billing",
            "v1",
            "octocat",
            "1",
            "https://x/1",
            "refs/tags/v1",
            "acme/billing",
            "abc1234"),
        new ApprovalPolicy(
            List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, List.of()));
  }

  private static ReleaseEvent status(ReleaseStatus from, ReleaseStatus to) {
    return new ReleaseEvent.StatusChanged(from, to, null);
  }
}
