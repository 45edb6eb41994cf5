package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One service's dispatch that cannot be settled holds up no other service's (F15 in
 * docs/reliability.md: the chaos harness's GitHub outage found one dispatch worker for every
 * service, so a release whose run lookup kept failing for 90 s queued the approved releases of
 * three other services behind it, and they went out 90 s late). Through a whole orchestrator on a
 * real broker against the fake GitHub.
 */
class DispatchIsolationTest {

  private static final long ADMIN = 9;
  private static final String WORKFLOW = "on-approve-manual-testing.yml";

  @RegisterExtension static final OrchestratorBench.Broker BROKER = new OrchestratorBench.Broker();

  /** Backoffs of a second: the stuck lookup below keeps its worker for about a minute. */
  @RegisterExtension
  final OrchestratorBench bench =
      new OrchestratorBench(BROKER, "isolation")
          .withFakeGitHub()
          .with("rmm.github.max-backoff", "1s");

  @BeforeEach
  void github() {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("acme/billing", WORKFLOW);
    FakeGitHub.addWorkflow("acme/search", WORKFLOW);
  }

  @Test
  void givenOneServicesRunLookupFailing_whenAnotherServiceIsApproved_thenItIsDispatchedAtOnce() {
    // billing's dispatch reaches GitHub but its answer is a 502, and then listing the runs fails
    // for about a minute: whether it went through cannot be known, so it is not sent again
    FakeGitHub.failNextDispatchAfterCreatingTheRun(502, "{\"message\":\"Server Error\"}");
    for (int i = 0; i < 60; i++) {
      FakeGitHub.failNextRunLookup(503, Map.of(), "{\"message\":\"Service Unavailable\"}");
    }
    String stuck = bench.approvedRelease("billing", "acme/billing", "v1.0.0", List.of(ADMIN));
    bench.orchestrator();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> FakeGitHub.requests().stream().anyMatch(r -> r.method().equals("GET")));

    String other = bench.approvedRelease("search", "acme/search", "v2.0.0", List.of(ADMIN));

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> bench.has(other, ReleaseEvent.WorkflowDispatched.class));
    assertThat(bench.has(stuck, ReleaseEvent.WorkflowDispatched.class))
        .as("billing's dispatch is still being settled")
        .isFalse();
    assertThat(FakeGitHub.runTitles("acme/search", WORKFLOW))
        .containsExactly(
            "Deploy v2.0.0 ("
                + bench.only(other, ReleaseEvent.DispatchStarted.class).dispatchId()
                + ")");
    assertThat(FakeGitHub.runTitles("acme/billing", WORKFLOW)).hasSize(1);
  }
}
