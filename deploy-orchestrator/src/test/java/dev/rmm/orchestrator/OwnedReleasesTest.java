package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.contracts.log.Link;
import java.time.Instant;
import java.util.List;
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
