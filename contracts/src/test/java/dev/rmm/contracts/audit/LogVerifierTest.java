package dev.rmm.contracts.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import dev.rmm.contracts.ReleaseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogVerifierTest {

  private static final ReleaseStatus[] WALK = {
    ReleaseStatus.INITIATED,
    ReleaseStatus.STAGE_BUILDING,
    ReleaseStatus.STAGE_TEST_ROLLBACK,
    ReleaseStatus.MANUAL_TESTING,
    ReleaseStatus.MANUAL_TEST_PASSED,
    ReleaseStatus.DEPLOYING
  };

  /** The stored bytes of a chained release: what the writer appends. */
  private static List<byte[]> chained(String release, int events) {
    List<byte[]> out = new ArrayList<>();
    String prev = EventChain.GENESIS;
    for (int seq = 1; seq <= events; seq++) {
      byte[] stored = EventCodec.encode(event(release, seq, "step " + seq).chainedTo(prev));
      prev = EventChain.hash(stored);
      out.add(stored);
    }
    return out;
  }

  private static EventEnvelope event(String release, int seq, String detail) {
    return event("evt-" + release + "-" + seq, release, seq, detail);
  }

  /** Another writer's event for the same slot, decided on the head {@code prev}. */
  private static byte[] competitor(String release, int seq, String prev) {
    return EventCodec.encode(
        event("evt-" + release + "-" + seq + "-b", release, seq, "other writer").chainedTo(prev));
  }

  private static EventEnvelope event(String id, String release, int seq, String detail) {
    return new EventEnvelope(
        id,
        release,
        seq,
        Instant.parse("2026-11-27T10:00:00Z").plusSeconds(seq),
        Actor.github("acme/billing", "octocat"),
        "corr",
        "req-" + seq,
        null,
        new StatusChanged(WALK[seq - 1], WALK[seq], detail));
  }

  private static LogVerifier.Report verify(String release, List<byte[]> stored) {
    LogVerifier v = new LogVerifier();
    for (int i = 0; i < stored.size(); i++) {
      v.accept("events-0@" + i, release, stored.get(i));
    }
    return v.report();
  }

  @Test
  void givenAnUntouchedLog_whenVerified_thenIntactWithTheHeadOfEachRelease() {
    List<byte[]> log = chained("r1", 5);
    LogVerifier v = new LogVerifier();
    for (int i = 0; i < log.size(); i++) {
      v.accept("events-0@" + i, "r1", log.get(i));
    }
    chained("r2", 2).forEach(b -> v.accept("events-1@x", "r2", b));

    LogVerifier.Report report = v.report();

    assertThat(report.intact()).isTrue();
    assertThat(report.releases()).isEqualTo(2);
    assertThat(report.events()).isEqualTo(7);
    assertThat(report.unchained()).isZero();
    assertThat(report.heads()).containsEntry("r1", "5:" + EventChain.hash(log.get(4)));
  }

  @Test
  void givenAnEventAlteredAfterItWasWritten_whenVerified_thenTheNextLinkNamesIt() {
    List<byte[]> log = chained("r1", 5);
    String tampered =
        new String(log.get(2), StandardCharsets.UTF_8).replace("step 3", "step 3 (edited)");
    log.set(2, tampered.getBytes(StandardCharsets.UTF_8));

    LogVerifier.Report report = verify("r1", log);

    assertThat(report.intact()).isFalse();
    assertThat(report.problems()).hasSize(1);
    LogVerifier.Problem p = report.problems().get(0);
    assertThat(p.releaseId()).isEqualTo("r1");
    assertThat(p.sequence()).isEqualTo(4);
    assertThat(p.location()).isEqualTo("events-0@3");
    assertThat(p.what()).contains("does not chain to event 3").contains("event 3 was altered");
  }

  @Test
  void givenADeletedEvent_whenVerified_thenTheMissingSequenceIsNamed() {
    List<byte[]> log = chained("r1", 5);
    log.remove(1);

    LogVerifier.Report report = verify("r1", log);

    assertThat(report.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.sequence()).isEqualTo(3);
              assertThat(p.what()).startsWith("event 2 is missing");
            });
  }

  @Test
  void givenADuplicatedRecord_whenVerified_thenItIsNamed() {
    List<byte[]> log = chained("r1", 3);
    log.add(log.get(1));

    assertThat(verify("r1", log).problems())
        .singleElement()
        .satisfies(p -> assertThat(p.what()).contains("appears again after event 3"));
  }

  @Test
  void givenAForgedFirstEvent_whenVerified_thenItDoesNotLinkToGenesis() {
    List<byte[]> log = chained("r1", 2);
    log.set(0, EventCodec.encode(event("r1", 1, "forged").chainedTo("ab".repeat(32))));

    assertThat(verify("r1", log).problems())
        .singleElement()
        .satisfies(p -> assertThat(p.what()).contains("instead of the genesis value"));
  }

  @Test
  void givenEventsWrittenBeforeChaining_whenVerified_thenCheckedBySequenceAndChainedAfter() {
    List<byte[]> log = new ArrayList<>();
    log.add(EventCodec.encode(event("r1", 1, "old")));
    log.add(EventCodec.encode(event("r1", 2, "old")));
    log.add(EventCodec.encode(event("r1", 3, "new").chainedTo(EventChain.hash(log.get(1)))));

    LogVerifier.Report report = verify("r1", log);

    assertThat(report.intact()).isTrue();
    assertThat(report.unchained()).isEqualTo(2);
  }

  @Test
  void givenAnUnchainedNewReleaseAfterThePartitionsCutover_whenVerified_thenItIsTampering() {
    LogVerifier v = new LogVerifier();
    List<byte[]> chainedRelease = chained("r1", 2);
    v.accept("events-0@0", "r1", chainedRelease.get(0));
    v.accept("events-0@1", "r1", chainedRelease.get(1));
    // appended later by someone who left prevhash out, as if it were from before chaining
    v.accept("events-0@2", "r2", EventCodec.encode(event("r2", 1, "forged")));
    // another partition that was never chained: an old log, checked by sequence as before
    v.accept("events-1@0", "r3", EventCodec.encode(event("r3", 1, "old")));
    v.accept("events-1@1", "r3", EventCodec.encode(event("r3", 2, "old")));

    LogVerifier.Report report = v.report();

    assertThat(report.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.releaseId()).isEqualTo("r2");
              assertThat(p.location()).isEqualTo("events-0@2");
              assertThat(p.what())
                  .contains("has no hash link")
                  .contains("chained since events-0@0");
            });
    assertThat(report.unchained()).isEqualTo(2);
  }

  @Test
  void givenAChainedEventStrippedOfItsLink_whenVerified_thenRewritten() {
    List<byte[]> log = chained("r1", 3);
    log.set(2, EventCodec.encode(event("r1", 3, "step 3")));

    assertThat(verify("r1", log).problems())
        .singleElement()
        .satisfies(p -> assertThat(p.what()).contains("has no hash link"));
  }

  @Test
  void givenARecordUnderAnotherKeyOrUnreadable_whenVerified_thenNamed() {
    LogVerifier v = new LogVerifier();
    v.accept("events-0@0", "other", chained("r1", 1).get(0));
    v.accept("events-0@1", "r2", "{not json".getBytes(StandardCharsets.UTF_8));

    assertThat(v.report().problems())
        .extracting(LogVerifier.Problem::what)
        .satisfiesExactly(
            w -> assertThat(w).contains("stored under key other"),
            w -> assertThat(w).startsWith("unreadable event"));
  }

  @Test
  void givenTwoEventsForOneSlot_whenVerified_thenTheSecondIsVoidAndTheLogIntact() {
    List<byte[]> log = chained("r1", 3);
    log.add(competitor("r1", 3, EventChain.hash(log.get(1))));

    LogVerifier.Report report = verify("r1", log);

    assertThat(report.intact()).isTrue();
    assertThat(report.problems()).isEmpty();
    assertThat(report.voids())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.releaseId()).isEqualTo("r1");
              assertThat(v.sequence()).isEqualTo(3);
              assertThat(v.location()).isEqualTo("events-0@3");
              assertThat(v.what())
                  .startsWith("void (lost a race): ")
                  .contains("already taken")
                  .contains("evt-r1-3-b");
            });
    assertThat(report.heads()).containsEntry("r1", "3:" + EventChain.hash(log.get(2)));
  }

  @Test
  void givenTwoFirstEvents_whenVerified_thenTheSecondIsVoid() {
    List<byte[]> log = chained("r1", 2);
    log.add(1, competitor("r1", 1, EventChain.GENESIS));

    LogVerifier.Report report = verify("r1", log);

    assertThat(report.intact()).isTrue();
    assertThat(report.voids())
        .singleElement()
        .satisfies(v -> assertThat(v.sequence()).isEqualTo(1));
  }

  @Test
  void givenAnEventChainedOnAVoidOne_whenVerified_thenBothAreVoidAndTheValidChainGoesOn() {
    List<byte[]> log = chained("r1", 4);
    byte[] fourth = log.remove(3);
    byte[] lost = competitor("r1", 3, EventChain.hash(log.get(1)));
    log.add(lost);
    byte[] next = competitor("r1", 4, EventChain.hash(lost)); // its writer went on from its own
    log.add(next);
    log.add(competitor("r1", 5, EventChain.hash(next)));
    log.add(fourth);

    LogVerifier.Report report = verify("r1", log);

    assertThat(report.intact()).isTrue();
    assertThat(report.voids())
        .extracting(LogVerifier.VoidEvent::sequence, LogVerifier.VoidEvent::location)
        .containsExactly(tuple(3L, "events-0@3"), tuple(4L, "events-0@4"), tuple(5L, "events-0@5"));
    assertThat(report.voids().get(1).what()).contains("links to a head that is not the release's");
    assertThat(report.voids().get(2).what()).contains("follows a void event or a gap");
    assertThat(report.heads()).containsEntry("r1", "4:" + EventChain.hash(fourth));
  }

  @Test
  void givenAVoidEventAndAnAlterationElsewhere_whenVerified_thenTheAlterationIsNamed() {
    LogVerifier v = new LogVerifier();
    List<byte[]> raced = chained("r1", 2);
    raced.add(competitor("r1", 2, EventChain.hash(raced.get(0))));
    raced.forEach(b -> v.accept("events-0@x", "r1", b));
    List<byte[]> altered = chained("r2", 3);
    altered.set(
        1,
        new String(altered.get(1), StandardCharsets.UTF_8)
            .replace("step 2", "step 2 (edited)")
            .getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < altered.size(); i++) {
      v.accept("events-1@" + i, "r2", altered.get(i));
    }

    LogVerifier.Report report = v.report();

    assertThat(report.intact()).isFalse();
    assertThat(report.voids())
        .singleElement()
        .satisfies(x -> assertThat(x.releaseId()).isEqualTo("r1"));
    assertThat(report.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.releaseId()).isEqualTo("r2");
              assertThat(p.sequence()).isEqualTo(3);
              assertThat(p.what()).contains("event 2 was altered");
            });
  }

  @Test
  void givenACopyOfAVoidEvent_whenVerified_thenItAppearsAgain() {
    List<byte[]> log = chained("r1", 3);
    byte[] lost = competitor("r1", 3, EventChain.hash(log.get(1)));
    log.add(lost);
    log.add(lost);

    LogVerifier.Report report = verify("r1", log);

    assertThat(report.voids()).hasSize(1);
    assertThat(report.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.what()).contains("appears again"));
  }
}
