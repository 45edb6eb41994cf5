package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Freeze windows (issue 15 point 5) through a whole orchestrator on a real broker against the fake
 * GitHub: the policy in force is read from its own topic as release-api writes it, an approved
 * release whose service is frozen is not dispatched but held (recorded once in the log, with the
 * freeze's end and reason), and it is dispatched once when the window ends, also after a restart
 * during the freeze and after a policy change that extends it; an admin's 🔁 retry of a failed
 * dispatch during a freeze is held like a first dispatch (recorded once, nothing asked of GitHub)
 * and sent once when the window ends. release-api is stood in for by {@link WriterStandIn}, which
 * decides with the domain's own decider. The windows end a few seconds ahead of the real clock.
 */
class FreezeHoldTest {

  private static final String REPOSITORY = "acme/billing";
  private static final String WORKFLOW = "on-approve-manual-testing.yml";
  private static final Duration FREEZE = Duration.ofSeconds(12);

  @RegisterExtension static final OrchestratorBench.Broker BROKER = new OrchestratorBench.Broker();

  @RegisterExtension
  final OrchestratorBench bench =
      new OrchestratorBench(BROKER, "freeze").withFakeGitHub().withPolicies();

  @BeforeEach
  void github() {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow(REPOSITORY, WORKFLOW);
  }

  @Test
  void givenAFreezeOfItsService_whenAReleaseIsApproved_thenItIsHeldOnceAndDispatchedOnceAfter() {
    Instant until = releaseTrain();
    String id = approvedRelease("v1.4.0");

    bench.orchestrator();

    heldForTheTrainThenDispatched(id, until);
    assertThat(FakeGitHub.runTitles()).singleElement().asString().startsWith("Deploy v1.4.0 (");
    assertThat(at(id, ReleaseEvent.DispatchStarted.class)).isAfterOrEqualTo(until);
    // every recheck during the freeze (each 300 ms) looked at it: one hold only
    assertThat(bench.types(id))
        .containsExactly(
            ReleaseEvent.ReleaseCreated.TYPE,
            ReleaseEvent.ApprovalQuorumReached.TYPE,
            ReleaseEvent.DispatchHeld.TYPE,
            ReleaseEvent.DispatchStarted.TYPE,
            ReleaseEvent.WorkflowDispatched.TYPE);
  }

  @Test
  void givenAFreezeOfAnotherService_whenAReleaseIsApproved_thenItIsDispatchedAtOnce() {
    bench.policy(
        OrchestratorBench.freeze(
            List.of("payments"), Instant.now().plus(Duration.ofHours(1)), "payments only"));
    String id = approvedRelease("v2.0.0");

    bench.orchestrator();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> bench.has(id, ReleaseEvent.WorkflowDispatched.class));
    assertThat(held(id)).isEmpty();
  }

  @Test
  void givenAHeldRelease_whenTheOrchestratorRestartsDuringTheFreeze_thenItIsDispatchedOnceAfter() {
    Instant until = Instant.now().plus(FREEZE).truncatedTo(ChronoUnit.MILLIS);
    bench.policy(OrchestratorBench.freeze(List.of(), until, null));
    String id = approvedRelease("v3.0.0");
    Orchestrator first = bench.orchestrator();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> bench.has(id, ReleaseEvent.DispatchHeld.class));

    bench.stop(first);
    bench.orchestrator();

    await()
        .atMost(FREEZE.plusSeconds(30))
        .until(() -> bench.has(id, ReleaseEvent.WorkflowDispatched.class));
    assertThat(held(id)).containsExactly(new ReleaseEvent.DispatchHeld(until, null, 1L));
    assertThat(at(id, ReleaseEvent.DispatchStarted.class)).isAfterOrEqualTo(until);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> FakeGitHub.runTitles().size() == 1);
    assertThat(FakeGitHub.dispatchesTaken()).hasSize(1);
  }

  @Test
  void givenAHeldRelease_whenThePolicyExtendsTheFreeze_thenItIsHeldAgainUntilTheNewEnd() {
    Instant first = Instant.now().plus(FREEZE).truncatedTo(ChronoUnit.MILLIS);
    bench.policy(OrchestratorBench.freeze(List.of("billing"), first, "migration"));
    String id = approvedRelease("v4.0.0");
    bench.orchestrator();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> bench.has(id, ReleaseEvent.DispatchHeld.class));

    Instant later = first.plusSeconds(5);
    bench.policy(OrchestratorBench.freeze(List.of("billing"), later, "migration, longer"));

    await().atMost(Duration.ofSeconds(30)).until(() -> held(id).size() == 2);
    assertThat(held(id))
        .containsExactly(
            new ReleaseEvent.DispatchHeld(first, "migration", 1L),
            new ReleaseEvent.DispatchHeld(later, "migration, longer", 2L));
    await()
        .atMost(FREEZE.plusSeconds(40))
        .until(() -> bench.has(id, ReleaseEvent.WorkflowDispatched.class));
    assertThat(at(id, ReleaseEvent.DispatchStarted.class)).isAfterOrEqualTo(later);
    assertThat(FakeGitHub.runTitles()).hasSize(1);
  }

  @Test
  void givenAFailedDispatch_whenAnAdminRetriesItDuringAFreeze_thenItIsHeldAndSentOnceAfter() {
    Instant until = releaseTrain();
    String id = failedDispatchRetried("v5.0.0");

    bench.orchestrator();

    heldForTheTrainThenDispatched(id, until);
    assertThat(at(id, ReleaseEvent.WorkflowDispatched.class)).isAfterOrEqualTo(until);
    assertThat(held(id)).as("held once, however often it was looked at").hasSize(1);
  }

  /** Billing frozen for the release train, from now for {@link #FREEZE}: the freeze's end. */
  private Instant releaseTrain() {
    Instant until = Instant.now().plus(FREEZE).truncatedTo(ChronoUnit.MILLIS);
    bench.policy(OrchestratorBench.freeze(List.of("billing"), until, "release train"));
    return until;
  }

  /**
   * The release is held for the release train (recorded once, nothing asked of GitHub meanwhile),
   * then one workflow run is dispatched.
   */
  private void heldForTheTrainThenDispatched(String id, Instant until) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> bench.has(id, ReleaseEvent.DispatchHeld.class));
    assertThat(held(id)).containsExactly(new ReleaseEvent.DispatchHeld(until, "release train", 1L));
    assertThat(FakeGitHub.requests()).as("nothing asked of GitHub during the freeze").isEmpty();
    await()
        .atMost(FREEZE.plusSeconds(30))
        .until(() -> bench.has(id, ReleaseEvent.WorkflowDispatched.class));
    assertThat(FakeGitHub.runTitles()).hasSize(1);
  }

  /** A release of billing whose approval quorum was reached. */
  private String approvedRelease(String tag) {
    return bench.approvedRelease("billing", REPOSITORY, tag, List.of());
  }

  private List<ReleaseEvent.DispatchHeld> held(String id) {
    return bench.all(id, ReleaseEvent.DispatchHeld.class);
  }

  /**
   * A release of billing whose dispatch failed before the freeze (GitHub answered 502), and whose
   * retry an admin asked for: the dispatch is open again with the same id.
   */
  private String failedDispatchRetried(String tag) {
    String id = approvedRelease(tag);
    String dispatchId = "d-" + bench.run;
    bench
        .writer()
        .seed(
            id,
            0,
            new ReleaseEvent.DispatchStarted(dispatchId, REPOSITORY, WORKFLOW, "main"),
            new ReleaseEvent.DispatchFailed(dispatchId, 502, "Bad Gateway", 3),
            new ReleaseEvent.DispatchRetryRequested(9, "Olga", dispatchId, null));
    return id;
  }

  /** When the release's first event of this type was decided (the dispatch claimed, sent...). */
  private Instant at(String id, Class<? extends ReleaseEvent> type) {
    return bench.log(id).stream()
        .filter(e -> type.isInstance(e.data()))
        .map(EventEnvelope::occurredAt)
        .findFirst()
        .orElseThrow();
  }
}
