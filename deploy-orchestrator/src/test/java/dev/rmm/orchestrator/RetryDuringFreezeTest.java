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
 * Issue 15 point 5: an admin's 🔁 retry of a failed production dispatch while the service is frozen
 * is held like a first dispatch (recorded once, nothing asked of GitHub) and sent once when the
 * window ends. A whole orchestrator on a real broker against the fake GitHub ({@link
 * OrchestratorBench}); the policy topic is written as release-api writes it; release-api is stood
 * in for by {@link WriterStandIn}.
 */
class RetryDuringFreezeTest {

  private static final String REPOSITORY = "acme/billing";
  private static final String WORKFLOW = "on-approve-manual-testing.yml";
  private static final Duration FREEZE = Duration.ofSeconds(12);

  @RegisterExtension static final OrchestratorBench.Broker BROKER = new OrchestratorBench.Broker();

  @RegisterExtension
  final OrchestratorBench bench =
      new OrchestratorBench(BROKER, "retry-freeze").withFakeGitHub().withPolicies();

  @BeforeEach
  void github() {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow(REPOSITORY, WORKFLOW);
  }

  @Test
  void givenAFailedDispatch_whenAnAdminRetriesItDuringAFreeze_thenItIsHeldAndSentOnceAfter() {
    Instant until = Instant.now().plus(FREEZE).truncatedTo(ChronoUnit.MILLIS);
    bench.policy(OrchestratorBench.freeze(List.of("billing"), until, "release train"));
    String id = failedDispatchRetried("v5.0.0");

    bench.orchestrator();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> bench.has(id, ReleaseEvent.DispatchHeld.class));
    assertThat(held(id)).containsExactly(new ReleaseEvent.DispatchHeld(until, "release train", 1L));
    assertThat(FakeGitHub.requests()).as("nothing asked of GitHub during the freeze").isEmpty();
    await()
        .atMost(FREEZE.plusSeconds(30))
        .until(() -> bench.has(id, ReleaseEvent.WorkflowDispatched.class));
    assertThat(FakeGitHub.runTitles()).hasSize(1);
    Instant dispatched =
        bench.log(id).stream()
            .filter(e -> e.data() instanceof ReleaseEvent.WorkflowDispatched)
            .map(EventEnvelope::occurredAt)
            .findFirst()
            .orElseThrow();
    assertThat(dispatched).isAfterOrEqualTo(until);
    assertThat(held(id)).as("held once, however often it was looked at").hasSize(1);
  }

  /**
   * A release of billing whose dispatch failed before the freeze (GitHub answered 502), and whose
   * retry an admin asked for: the dispatch is open again with the same id.
   */
  private String failedDispatchRetried(String tag) {
    String id = bench.approvedRelease("billing", REPOSITORY, tag, List.of());
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

  private List<ReleaseEvent.DispatchHeld> held(String id) {
    return bench.all(id, ReleaseEvent.DispatchHeld.class);
  }
}
