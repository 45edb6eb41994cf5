package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.orchestrator.github.Credentials;
import dev.rmm.orchestrator.github.GitHubClient;
import dev.rmm.orchestrator.github.GitHubTarget;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An admin's 🔁 Retry dispatch after a failed production dispatch, through a whole orchestrator on
 * a real broker against the fake GitHub: the retry looks for the workflow run of the failed
 * dispatch first, dispatches again (same dispatch id) only when GitHub lists none, and never makes
 * two workflow runs for one approval. release-api is stood in for by {@link WriterStandIn}, which
 * decides with the domain's own decider.
 */
class DispatchRetryTest {

  private static final long ADMIN = 9;
  private static final String REPOSITORY = "acme/billing";
  private static final String WORKFLOW = "on-approve-manual-testing.yml";

  @RegisterExtension static final OrchestratorBench.Broker BROKER = new OrchestratorBench.Broker();

  @RegisterExtension
  final OrchestratorBench bench = new OrchestratorBench(BROKER, "retry").withFakeGitHub();

  @BeforeEach
  void github() {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow(REPOSITORY, WORKFLOW);
  }

  @Test
  void givenADispatchGitHubRefused_whenAnAdminRetries_thenItIsDispatchedOnceWithTheSameId() {
    FakeGitHub.failNextDispatch(401, Map.of(), "{\"message\":\"Bad credentials\"}");
    String id = approvedRelease("v1.4.0");
    bench.orchestrator();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> bench.has(id, ReleaseEvent.DispatchFailed.class));
    String dispatchId = bench.only(id, ReleaseEvent.DispatchStarted.class).dispatchId();
    assertThat(FakeGitHub.runTitles()).isEmpty();

    Decision retry = retry(id, ADMIN);

    assertThat(retry).isInstanceOf(Decision.Accepted.class);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> bench.has(id, ReleaseEvent.WorkflowDispatched.class));
    assertThat(FakeGitHub.runTitles()).containsExactly("Deploy v1.4.0 (" + dispatchId + ")");
    // looked up before it was sent again: a GET of the runs, then the one accepted POST
    List<String> calls =
        FakeGitHub.requests().stream().map(r -> r.method() + " " + r.status()).toList();
    assertThat(calls).first().isEqualTo("POST 401");
    assertThat(calls).last().isEqualTo("POST 204");
    assertThat(calls.subList(1, calls.size() - 1)).isNotEmpty().allMatch(c -> c.startsWith("GET"));
    assertThat(bench.only(id, ReleaseEvent.DispatchStarted.class).dispatchId())
        .isEqualTo(dispatchId);
    // nothing more happens: no second run, and the same press again changes nothing
    assertThat(retry(id, ADMIN)).isEqualTo(new Decision.Accepted(List.of()));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> FakeGitHub.runTitles().size() == 1);
    assertThat(bench.types(id))
        .containsExactly(
            ReleaseEvent.ReleaseCreated.TYPE,
            ReleaseEvent.ApprovalQuorumReached.TYPE,
            ReleaseEvent.DispatchStarted.TYPE,
            ReleaseEvent.DispatchFailed.TYPE,
            ReleaseEvent.DispatchRetryRequested.TYPE,
            ReleaseEvent.WorkflowDispatched.TYPE);
  }

  @Test
  void givenAFailedDispatchWhoseRunGitHubHasAfterAll_whenAnAdminRetries_thenNothingIsSentAgain() {
    String id = approvedRelease("v2.0.0");
    String dispatchId = "d-" + UUID.randomUUID();
    // the earlier attempt reached GitHub, but the orchestrator could not tell and recorded it
    // failed
    new GitHubClient(
            bench.github(),
            "test",
            Duration.ofSeconds(10),
            new GitHubClient.Retries(
                1, Duration.ofMillis(100), Duration.ofMillis(100), Duration.ZERO),
            d -> {})
        .dispatch(
            new GitHubTarget(
                REPOSITORY, WORKFLOW, "refs/tags/v2.0.0", Credentials.of(FakeGitHub.TOKEN)),
            Map.of(
                "release_id",
                id,
                "release_tag",
                "v2.0.0",
                "commit_sha",
                "abc1234",
                "dispatch_id",
                dispatchId));
    bench
        .writer()
        .seed(
            id,
            0,
            new ReleaseEvent.DispatchStarted(dispatchId, REPOSITORY, WORKFLOW, "refs/tags/v2.0.0"),
            new ReleaseEvent.DispatchFailed(
                dispatchId, 503, "unknown whether dispatch " + dispatchId + " reached GitHub", 6));
    bench.orchestrator();
    assertThat(FakeGitHub.runTitles()).hasSize(1);

    retry(id, ADMIN);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> bench.has(id, ReleaseEvent.WorkflowDispatched.class));
    assertThat(FakeGitHub.dispatchesTaken()).hasSize(1); // the earlier one only
    assertThat(FakeGitHub.runTitles()).containsExactly("Deploy v2.0.0 (" + dispatchId + ")");
  }

  @Test
  void givenAFailedDispatch_whenSomebodyWhoIsNoAdminRetries_thenRefusedAndNothingIsSent() {
    FakeGitHub.failNextDispatch(404, Map.of(), "{\"message\":\"Not Found\"}");
    String id = approvedRelease("v3.0.0");
    bench.orchestrator();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> bench.has(id, ReleaseEvent.DispatchFailed.class));
    int requests = FakeGitHub.requests().size();

    Decision refused = retry(id, 1);

    assertThat(refused).isInstanceOf(Decision.Refused.class);
    assertThat(((Decision.Refused) refused).reason()).isEqualTo(Decision.Refusal.NOT_ALLOWED);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> FakeGitHub.requests().size() == requests);
    assertThat(bench.types(id)).last().isEqualTo(ReleaseEvent.ActionRefused.TYPE);
  }

  @Test
  void
      givenANewerReleaseApprovedSinceTheFailure_whenAnAdminRetries_thenItFailsNamingItAndSendsNothing() {
    FakeGitHub.failNextDispatch(401, Map.of(), "{\"message\":\"Bad credentials\"}");
    String older = approvedRelease("v1.4.0");
    bench.orchestrator();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> bench.has(older, ReleaseEvent.DispatchFailed.class));
    String newer = approvedRelease("v1.5.0");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> bench.has(newer, ReleaseEvent.WorkflowDispatched.class));

    retry(older, ADMIN);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> bench.all(older, ReleaseEvent.DispatchFailed.class).size() == 2);
    ReleaseEvent.DispatchFailed again = bench.all(older, ReleaseEvent.DispatchFailed.class).get(1);
    assertThat(again.detail()).startsWith("not dispatched again: release v1.5.0 of billing");
    assertThat(FakeGitHub.runTitles()).singleElement().asString().startsWith("Deploy v1.5.0");
  }

  /** A release of billing whose approval quorum was reached (admin: {@link #ADMIN}). */
  private String approvedRelease(String tag) {
    return bench.approvedRelease("billing", REPOSITORY, tag, List.of(ADMIN));
  }

  /** The press of 🔁 as the gateway sends it, decided by the writer. */
  private Decision retry(String id, long user) {
    return bench
        .writer()
        .decide(
            id,
            new ReleaseCommand.RetryDispatch(id, user, null, Actor.telegram(user, "user " + user)),
            "tg-" + UUID.randomUUID());
  }
}
