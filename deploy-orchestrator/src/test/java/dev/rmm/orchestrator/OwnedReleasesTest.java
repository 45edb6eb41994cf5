package dev.rmm.orchestrator;

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
import dev.rmm.contracts.log.Link;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The orchestrator's memory of the log: only the events that count move a release. */
class OwnedReleasesTest {

  private static final String ID = "rel-1";
  private static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final String VOID_TRACE =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final OwnedReleases releases = new OwnedReleases();

  @Test
  void givenAnEventThatLostARace_whenApplied_thenVoidAndTheReleaseIsUnchanged() {
    byte[] created = stored(created(), 1, EventChain.GENESIS, TRACE);
    byte[] building =
        stored(status(ReleaseStatus.STAGE_BUILDING), 2, EventChain.hash(created), null);
    byte[] rival =
        stored(
            new ReleaseEvent.ReleaseCancelled(ReleaseStatus.INITIATED, "other writer"),
            2,
            EventChain.hash(created),
            VOID_TRACE);

    assertThat(releases.apply(0, ID, created)).isInstanceOf(Link.Valid.class);
    assertThat(releases.apply(0, ID, building)).isInstanceOf(Link.Valid.class);
    assertThat(releases.apply(0, ID, rival)).isInstanceOf(Link.Void.class);

    assertThat(releases.state(ID).status()).isEqualTo(ReleaseStatus.STAGE_BUILDING);
    assertThat(releases.state(ID).version()).isEqualTo(2);
    assertThat(releases.traceOf(ID)).as("a void event's trace is not continued").isEqualTo(TRACE);
  }

  @Test
  void givenAGap_whenApplied_thenTheLaterEventIsVoid() {
    byte[] created = stored(created(), 1, EventChain.GENESIS, null);
    releases.apply(0, ID, created);

    Link gap =
        releases.apply(
            0, ID, stored(status(ReleaseStatus.STAGE_BUILDING), 3, "a".repeat(64), null));

    assertThat(gap).isInstanceOf(Link.Void.class);
    assertThat(releases.state(ID).status()).isEqualTo(ReleaseStatus.INITIATED);
  }

  @Test
  void givenOnlyVoidEvents_whenAsked_thenTheReleaseIsUnknown() {
    Link forged = releases.apply(0, ID, stored(created(), 1, "b".repeat(64), TRACE));

    assertThat(forged).isInstanceOf(Link.Void.class);
    assertThat(releases.state(ID)).isNull();
    assertThat(releases.actionable()).isEmpty();
  }

  @Test
  void givenAPartitionThatWentAway_whenForgotten_thenItsReleasesAreReadAgainFromTheStart() {
    byte[] created = stored(created(), 1, EventChain.GENESIS, TRACE);
    releases.apply(2, ID, created);
    releases.apply(1, "rel-2", stored(created(), 1, EventChain.GENESIS, null, "rel-2"));

    releases.forget(Set.of(2));

    assertThat(releases.state(ID)).isNull();
    assertThat(releases.traceOf(ID)).isNull();
    assertThat(releases.state("rel-2")).isNotNull();
    // the chain head went too: reading the partition from the beginning again counts event 1
    assertThat(releases.apply(2, ID, created)).isInstanceOf(Link.Valid.class);
    assertThat(releases.state(ID).version()).isEqualTo(1);
  }

  @Test
  void givenReleasesMovingOn_thenOnlyThoseThatMayNeedActionAreLookedAtAgain() {
    byte[] created = stored(created(), 1, EventChain.GENESIS, null);
    byte[] passed =
        stored(status(ReleaseStatus.MANUAL_TEST_PASSED), 2, EventChain.hash(created), null);
    byte[] deploying = stored(status(ReleaseStatus.DEPLOYING), 3, EventChain.hash(passed), null);
    byte[] deployed = stored(status(ReleaseStatus.DEPLOYED), 4, EventChain.hash(deploying), null);

    releases.apply(0, ID, created);
    assertThat(releases.actionable()).isEmpty();
    releases.apply(0, ID, passed);
    assertThat(releases.actionable()).extracting(s -> s.releaseId()).containsExactly(ID);
    releases.apply(0, ID, deploying);
    assertThat(releases.actionable()).isEmpty();
    assertThat(releases.deploying("billing")).containsExactly(ID);
    releases.apply(0, ID, deployed);
    assertThat(releases.deploying("billing")).isEmpty();

    releases.apply(
        0,
        ID,
        stored(status(ReleaseStatus.PRODUCTION_ROLLBACK), 5, EventChain.hash(deployed), null));
    assertThat(releases.actionable()).extracting(s -> s.releaseId()).containsExactly(ID);
    releases.forget(Set.of(0));
    assertThat(releases.actionable()).isEmpty();
  }

  /** The log as a list per partition: what {@link LogHistory} reads from Kafka. */
  private static final class InMemoryLog implements OwnedReleases.History {
    final Map<Integer, List<String[]>> keys = new HashMap<>();
    final Map<Integer, List<byte[]>> values = new HashMap<>();
    int reads;

    long append(int partition, String key, byte[] value) {
      keys.computeIfAbsent(partition, p -> new ArrayList<>()).add(new String[] {key});
      List<byte[]> v = values.computeIfAbsent(partition, p -> new ArrayList<>());
      v.add(value);
      return v.size() - 1;
    }

    @Override
    public Map<String, List<byte[]>> records(int partition, Set<String> ids, long upTo) {
      reads++;
      Map<String, List<byte[]>> out = new HashMap<>();
      for (int i = 0; i < upTo; i++) {
        String key = keys.get(partition).get(i)[0];
        if (ids.contains(key)) {
          out.computeIfAbsent(key, k -> new ArrayList<>()).add(values.get(partition).get(i));
        }
      }
      return out;
    }
  }

  /** A deployed release's whole history, chained, ending with {@code deployed}. */
  private static List<byte[]> deployedHistory(String releaseId) {
    List<byte[]> out = new ArrayList<>();
    String prev = EventChain.GENESIS;
    ReleaseEvent[] walk = {
      created(),
      status(ReleaseStatus.MANUAL_TEST_PASSED),
      status(ReleaseStatus.DEPLOYING),
      status(ReleaseStatus.DEPLOYED)
    };
    for (int i = 0; i < walk.length; i++) {
      byte[] b = stored(walk[i], i + 1, prev, TRACE, releaseId);
      prev = EventChain.hash(b);
      out.add(b);
    }
    return out;
  }

  @Test
  void givenADeployedRelease_thenItLeavesMemory_andALateRollbackIsFoldedFromTheLog() {
    InMemoryLog log = new InMemoryLog();
    OwnedReleases bounded = new OwnedReleases(log);
    bounded.caughtUp(Map.of(0, 0L));
    List<byte[]> history = deployedHistory(ID);
    for (byte[] b : history) {
      bounded.apply(0, log.append(0, ID, b), ID, b);
    }
    assertThat(bounded.state(ID)).as("settled: not in memory").isNull();
    assertThat(bounded.size()).isZero();
    assertThat(bounded.settledAway()).isEqualTo(1);

    // days later an admin's rollback: judged by folding the release again from the log
    byte[] rollback =
        stored(status(ReleaseStatus.PRODUCTION_ROLLBACK), 5, EventChain.hash(history.get(3)), null);
    Link link = bounded.apply(0, log.append(0, ID, rollback), ID, rollback);

    assertThat(link).isInstanceOf(Link.Valid.class);
    assertThat(bounded.state(ID).status()).isEqualTo(ReleaseStatus.PRODUCTION_ROLLBACK);
    assertThat(bounded.state(ID).version()).isEqualTo(5);
    assertThat(bounded.traceOf(ID)).isEqualTo(TRACE);
    assertThat(bounded.actionable()).extracting(ReleaseState::releaseId).containsExactly(ID);

    // a rival for the same slot stays void, judged by the refolded head
    byte[] rival =
        stored(
            new ReleaseEvent.ReleaseCancelled(ReleaseStatus.DEPLOYED, "stale writer"),
            5,
            EventChain.hash(history.get(3)),
            VOID_TRACE);
    assertThat(bounded.apply(0, log.append(0, ID, rival), ID, rival)).isInstanceOf(Link.Void.class);
    assertThat(bounded.state(ID).status()).isEqualTo(ReleaseStatus.PRODUCTION_ROLLBACK);
  }

  @Test
  void givenLateEventsOfSettledReleasesWhileCatchingUp_thenOneReadOfThePartitionFoldsThemAll() {
    InMemoryLog log = new InMemoryLog();
    OwnedReleases bounded = new OwnedReleases(log);
    bounded.catchingUp();
    List<String> ids = List.of("rel-a", "rel-b", "rel-c");
    List<byte[]> lastOf = new ArrayList<>();
    for (String id : ids) {
      List<byte[]> h = deployedHistory(id);
      for (byte[] b : h) {
        bounded.apply(0, log.append(0, id, b), id, b);
      }
      lastOf.add(h.get(3));
    }
    assertThat(bounded.size()).isZero();
    // two of them are rolled back later in the log; the third's late event is forged
    for (int i = 0; i < 2; i++) {
      byte[] rollback =
          stored(
              status(ReleaseStatus.PRODUCTION_ROLLBACK),
              5,
              EventChain.hash(lastOf.get(i)),
              null,
              ids.get(i));
      assertThat(bounded.apply(0, log.append(0, ids.get(i), rollback), ids.get(i), rollback))
          .as("put off until caught up")
          .isInstanceOf(Link.Void.class);
    }
    byte[] forged =
        stored(status(ReleaseStatus.PRODUCTION_ROLLBACK), 5, "f".repeat(64), null, "rel-c");
    bounded.apply(0, log.append(0, "rel-c", forged), "rel-c", forged);
    int readsBefore = log.reads;

    bounded.caughtUp(Map.of(0, (long) log.values.get(0).size()));

    assertThat(log.reads - readsBefore).as("one read of the partition").isEqualTo(1);
    assertThat(bounded.actionable())
        .extracting(ReleaseState::releaseId)
        .containsExactlyInAnyOrder("rel-a", "rel-b");
    assertThat(bounded.state("rel-c")).as("settled again: its late event was void").isNull();
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

  private static ReleaseEvent status(ReleaseStatus to) {
    return new ReleaseEvent.StatusChanged(ReleaseStatus.INITIATED, to, null);
  }

  private static byte[] stored(ReleaseEvent data, long seq, String prev, String traceparent) {
    return stored(data, seq, prev, traceparent, ID);
  }

  private static byte[] stored(
      ReleaseEvent data, long seq, String prev, String traceparent, String releaseId) {
    return EventCodec.encode(
        new EventEnvelope(
                UUID.randomUUID().toString(),
                releaseId,
                seq,
                Instant.parse("2026-11-30T10:00:00Z"),
                Actor.system("test"),
                null,
                null,
                traceparent,
                data)
            .chainedTo(prev));
  }
}
