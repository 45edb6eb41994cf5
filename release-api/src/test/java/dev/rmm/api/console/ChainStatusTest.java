package dev.rmm.api.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.EventChain;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The release page's chain status: a release's events as stored in the log, in the places the read
 * model names, checked with the log verifier's rule.
 */
class ChainStatusTest {

  private static final String RELEASE = "rel-chain-1";
  private static final ReleaseStatus[] WALK = {
    ReleaseStatus.INITIATED,
    ReleaseStatus.STAGE_BUILDING,
    ReleaseStatus.STAGE_TEST_ROLLBACK,
    ReleaseStatus.MANUAL_TESTING
  };

  /** Three chained events of {@link #RELEASE}, as the writer stores them. */
  private static List<ChainStatus.Stored> chain() {
    List<ChainStatus.Stored> out = new ArrayList<>();
    String prev = EventChain.GENESIS;
    for (int seq = 1; seq <= 3; seq++) {
      EventEnvelope e =
          new EventEnvelope(
              UUID.randomUUID().toString(),
              RELEASE,
              seq,
              Instant.parse("2026-12-02T01:00:00Z").plusSeconds(seq),
              Actor.system("test"),
              null,
              null,
              null,
              prev,
              new StatusChanged(WALK[seq - 1], WALK[seq], null));
      byte[] stored = EventCodec.encode(e);
      prev = EventChain.hash(stored);
      out.add(
          new ChainStatus.Stored(
              seq, e.id(), "rmm.release-events-0@" + (10 * seq), RELEASE, stored));
    }
    return out;
  }

  private static String headHash(List<ChainStatus.Stored> events) {
    return EventChain.hash(events.get(events.size() - 1).stored());
  }

  @Test
  void givenAnIntactChain_whenChecked_thenItIsVerifiedUpToTheLastEvent() {
    List<ChainStatus.Stored> events = chain();

    ChainStatus s = ChainStatus.of(RELEASE, events, headHash(events));

    assertThat(s.intact()).as(s.problem()).isTrue();
    assertThat(s.verifiedUpTo()).isEqualTo(3);
  }

  @Test
  void givenAnEventAlteredInTheLog_whenChecked_thenTheNextLinkIsTheFirstBroken() {
    List<ChainStatus.Stored> events = chain();
    ChainStatus.Stored second = events.get(1);
    byte[] altered =
        new String(second.stored(), StandardCharsets.UTF_8)
            .replace("stage_test_rollback", "manual_test_passed")
            .getBytes(StandardCharsets.UTF_8);
    events.set(1, new ChainStatus.Stored(2, second.eventId(), second.location(), RELEASE, altered));

    ChainStatus s = ChainStatus.of(RELEASE, events, headHash(events));

    assertThat(s.intact()).isFalse();
    assertThat(s.problem()).contains("event 3").contains("does not chain to event 2");
  }

  @Test
  void givenTheLastEventAltered_whenChecked_thenTheRecordedHeadHashGivesItAway() {
    List<ChainStatus.Stored> events = chain();
    String recorded = headHash(events);
    ChainStatus.Stored last = events.get(2);
    byte[] altered =
        new String(last.stored(), StandardCharsets.UTF_8)
            .replace("manual_testing", "manual_test_passed")
            .getBytes(StandardCharsets.UTF_8);
    events.set(2, new ChainStatus.Stored(3, last.eventId(), last.location(), RELEASE, altered));

    ChainStatus s = ChainStatus.of(RELEASE, events, recorded);

    assertThat(s.intact()).isFalse();
    assertThat(s.problem()).contains("event 3").contains("altered");
  }

  @Test
  void givenAnEventMissingFromTheLog_whenChecked_thenItIsNamedWithItsPlace() {
    List<ChainStatus.Stored> events = chain();
    ChainStatus.Stored second = events.get(1);
    events.set(1, new ChainStatus.Stored(2, second.eventId(), second.location(), null, null));

    ChainStatus s = ChainStatus.of(RELEASE, events, headHash(events));

    assertThat(s.intact()).isFalse();
    assertThat(s.verifiedUpTo()).isEqualTo(1);
    assertThat(s.problem()).isEqualTo("event 2 is not in the log at rmm.release-events-0@20");
  }

  @Test
  void givenAnotherReleasesRecordAtThePlace_whenChecked_thenItIsTheFirstBrokenLink() {
    List<ChainStatus.Stored> events = chain();
    ChainStatus.Stored first = events.get(0);
    events.set(
        0, new ChainStatus.Stored(1, first.eventId(), first.location(), "other", first.stored()));

    ChainStatus s = ChainStatus.of(RELEASE, events, headHash(events));

    assertThat(s.intact()).isFalse();
    assertThat(s.verifiedUpTo()).isZero();
    assertThat(s.problem()).contains("another record at rmm.release-events-0@10");
  }

  @Test
  void givenTheReadModelNamingAnotherEvent_whenChecked_thenTheMismatchIsReported() {
    List<ChainStatus.Stored> events = chain();
    ChainStatus.Stored first = events.get(0);
    events.set(
        0, new ChainStatus.Stored(1, "not-that-one", first.location(), RELEASE, first.stored()));

    assertThat(ChainStatus.of(RELEASE, events, headHash(events)).problem())
        .contains("is not the read model's event 1");
  }

  @Test
  void givenNoEvents_whenChecked_thenNothingIsVerified() {
    ChainStatus s = ChainStatus.of(RELEASE, List.of(), null);

    assertThat(s.intact()).isTrue();
    assertThat(s.verifiedUpTo()).isZero();
  }
}
