package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.kafka.CommandChannel;
import dev.rmm.local.RmmService;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production dispatch of an approved release through the packaged services and a fake GitHub
 * that checks requests as GitHub does: exactly one dispatch, recorded in the log, also when the
 * orchestrator restarts or dies in the middle.
 */
@Order(FakesStack.ORDER)
class DispatchFlowTest {

  static final Duration PATIENCE = Duration.ofSeconds(45);

  /** deploy-orchestrator's consumer group (Orchestrator.GROUP). */
  private static final String ORCHESTRATOR_GROUP = "rmm-deploy-orchestrator";

  /**
   * Its deploy file points the services ghost and ghost-retry at a workflow that does not exist
   * (yet); a run is looked up 5 s after a restart.
   */
  @RegisterExtension static final StackExtension stack = FakesStack.extension();

  @BeforeEach
  void github() {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("*", "on-approve-manual-testing.yml");
  }

  @Test
  void givenTheQuorum_thenExactlyOneDispatchWithTheReleasesInputs_evenAfterARestart() {
    String id = approved("invoicing", "v5.0.0", "801");

    await().atMost(PATIENCE).until(() -> types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.dispatches(id)).hasSize(1);
    FakeGitHub.Request d = FakeGitHub.dispatches(id).get(0);
    assertThat(d.path())
        .isEqualTo(
            "/repos/acme/invoicing/actions/workflows/on-approve-manual-testing.yml/dispatches");
    assertThat(d.headers().get("Authorization")).isEqualTo("Bearer " + FakeGitHub.TOKEN);
    assertThat(d.body().path("ref").asText()).isEqualTo("refs/tags/v5.0.0");
    assertThat(d.body().at("/inputs/release_id").asText()).isEqualTo(id);
    assertThat(d.body().at("/inputs/release_tag").asText()).isEqualTo("v5.0.0");
    assertThat(d.body().at("/inputs/commit_sha").asText()).isEqualTo("3f2c1a9");
    JsonNode started = event(id, "release.dispatch-started.v1");
    assertThat(d.body().at("/inputs/dispatch_id").asText())
        .isEqualTo(started.at("/data/dispatch_id").asText());
    assertThat(started.at("/actor/kind").asText()).isEqualTo("orchestrator");
    await()
        .atMost(PATIENCE)
        .until(() -> "dispatched".equals(release(id).at("/dispatch/outcome").asText()));
    // the orchestrator continued the approval's trace: its commands, and so the events they
    // caused, carry the trace id of the quorum event
    String approvalTrace = event(id, "release.quorum-reached.v1").path("trace_id").asText();
    assertThat(approvalTrace).matches("[0-9a-f]{32}");
    assertThat(started.path("trace_id").asText()).isEqualTo(approvalTrace);
    assertThat(event(id, "release.workflow-dispatched.v1").path("trace_id").asText())
        .isEqualTo(approvalTrace);

    stack.stopService(RmmService.DEPLOY_ORCHESTRATOR);
    stack.startService(RmmService.DEPLOY_ORCHESTRATOR);
    // a restarted orchestrator re-reads the log and finds nothing left to do
    holdsFor(
        Duration.ofSeconds(5),
        () ->
            FakeGitHub.dispatchesArrived(id) == 1 && count(id, "release.dispatch-started.v1") == 1);
  }

  @Test
  void givenTheOrchestratorDiesWhileGitHubAnswers_thenTheRunIsFoundAndNotDispatchedAgain() {
    FakeGitHub.slowDispatches(Duration.ofSeconds(20));
    String id = approved("storefront", "v5.1.0", "802");
    await().atMost(PATIENCE).until(() -> FakeGitHub.dispatchesArrived(id) == 1);

    stack.killService(RmmService.DEPLOY_ORCHESTRATOR);
    FakeGitHub.slowDispatches(Duration.ZERO);
    stack.startService(RmmService.DEPLOY_ORCHESTRATOR);

    await().atMost(PATIENCE).until(() -> types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.dispatchesArrived(id)).isEqualTo(1);
    assertThat(count(id, "release.dispatch-started.v1")).isEqualTo(1);
  }

  @Test
  void givenAClaimWhoseDispatchNeverReachedGitHub_thenItIsDispatchedOnceWithTheSameId()
      throws Exception {
    stack.stopService(RmmService.DEPLOY_ORCHESTRATOR);
    String id = approved("basket", "v5.2.0", "803");
    // an orchestrator claimed the dispatch and died before calling GitHub
    String claimed = "d-test-claim-" + id.substring(0, 8);
    try (CommandChannel commands =
        new CommandChannel(
            stack.kafkaBootstrapServers(),
            "rmm.orchestrator-commands",
            "rmm.release-command-results")) {
      assertThat(commands.awaitReady(Duration.ofSeconds(30))).isTrue();
      JsonNode answer =
          commands
              .send(
                  "test-claim-" + id,
                  new ReleaseCommand.StartDispatch(
                      id,
                      claimed,
                      "acme/basket",
                      "on-approve-manual-testing.yml",
                      "refs/tags/v5.2.0",
                      new Actor(
                          Actor.Kind.ORCHESTRATOR, "dead-orchestrator", "deploy-orchestrator")),
                  "test",
                  null,
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(answer.path("outcome").asText()).isEqualTo("accepted");
    }

    stack.startService(RmmService.DEPLOY_ORCHESTRATOR);

    await().atMost(PATIENCE).until(() -> types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.dispatches(id)).hasSize(1);
    assertThat(FakeGitHub.dispatches(id).get(0).body().at("/inputs/dispatch_id").asText())
        .isEqualTo(claimed);
    assertThat(count(id, "release.dispatch-started.v1")).isEqualTo(1);
  }

  @Test
  void givenTwoOrchestrators_thenEveryApprovedReleaseIsDispatchedExactlyOnce() {
    var second = stack.startAnotherInstance(RmmService.DEPLOY_ORCHESTRATOR);
    try {
      // the group shares the partitions out between the two
      await()
          .atMost(PATIENCE)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> orchestratorGroupIsStableWith(2));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        ids.add(approved("duo" + i, "v6.0." + i, "85" + i));
      }
      for (String id : ids) {
        await().atMost(PATIENCE).until(() -> types(id).contains("release.workflow-dispatched.v1"));
      }
      // a wrong second dispatch would show up within seconds
      holdsFor(
          Duration.ofSeconds(3),
          () ->
              FakeGitHub.dispatches().stream()
                      .map(r -> r.body().at("/inputs/release_id").asText())
                      .filter(ids::contains)
                      .count()
                  == ids.size());
      assertThat(FakeGitHub.dispatches())
          .extracting(r -> r.body().at("/inputs/release_id").asText())
          .filteredOn(ids::contains)
          .containsExactlyInAnyOrderElementsOf(ids);
      for (String id : ids) {
        assertThat(count(id, "release.dispatch-started.v1")).isEqualTo(1);
      }
    } finally {
      second.stop();
    }
  }

  @Test
  void givenAWorkflowThatDoesNotExist_thenTheFailureIsRecordedWithGitHubsMessageOnce() {
    String id = approved("ghost", "v5.3.0", "804");

    await().atMost(PATIENCE).until(() -> types(id).contains("release.dispatch-failed.v1"));
    JsonNode failed = event(id, "release.dispatch-failed.v1");
    assertThat(failed.at("/data/http_status").asInt()).isEqualTo(404);
    assertThat(failed.at("/data/detail").asText()).isEqualTo("Not Found");
    assertThat(FakeGitHub.dispatchesArrived(id)).isEqualTo(1);
    await()
        .atMost(PATIENCE)
        .until(() -> "failed".equals(release(id).at("/dispatch/outcome").asText()));
    assertThat(release(id).path("status").asText()).isEqualTo("manual_test_passed");
  }

  /**
   * Issue 15, point 6: the workflow file was missing, the team adds it, and an admin presses 🔁
   * Retry dispatch (its command sent on the gateway's topic as the gateway sends it): the same
   * dispatch is looked up, then sent once more with its id, through the packaged services.
   */
  @Test
  void givenAMissingWorkflow_whenAnAdminRetriesOnceItExists_thenOneDispatchWithTheSameId()
      throws Exception {
    String id = approved("ghost-retry", "v1.0.0", "806");
    await().atMost(PATIENCE).until(() -> types(id).contains("release.dispatch-failed.v1"));
    await()
        .atMost(PATIENCE)
        .until(() -> "failed".equals(release(id).at("/dispatch/outcome").asText()));
    String dispatchId = event(id, "release.dispatch-started.v1").at("/data/dispatch_id").asText();
    FakeGitHub.addWorkflow("*", "added-later.yml");

    try (CommandChannel gateway =
        new CommandChannel(
            stack.kafkaBootstrapServers(), "rmm.gateway-commands", "rmm.release-command-results")) {
      assertThat(gateway.awaitReady(Duration.ofSeconds(30))).isTrue();
      JsonNode stranger =
          gateway
              .send(
                  "tg-test-retry-1001-" + id,
                  new ReleaseCommand.RetryDispatch(id, 1001, null, Actor.telegram(1001, "u1001")),
                  "test",
                  null,
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(stranger.path("reason").asText()).isEqualTo("not_allowed");
      JsonNode admin =
          gateway
              .send(
                  "tg-test-retry-1002-" + id,
                  new ReleaseCommand.RetryDispatch(id, 1002, null, Actor.telegram(1002, "Olga")),
                  "test",
                  null,
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(admin.path("outcome").asText()).as(admin.toString()).isEqualTo("accepted");
    }

    await().atMost(PATIENCE).until(() -> types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.runTitles("acme/ghost-retry", "added-later.yml"))
        .containsExactly("Deploy v1.0.0 (" + dispatchId + ")");
    assertThat(FakeGitHub.dispatchesArrived(id)).as("the failed one and the retry").isEqualTo(2);
    assertThat(count(id, "release.dispatch-started.v1")).isEqualTo(1);
    assertThat(types(id))
        .containsSubsequence(
            "release.dispatch-failed.v1",
            "release.action-refused.v1",
            "release.dispatch-retry-requested.v1",
            "release.workflow-dispatched.v1");
    await()
        .atMost(PATIENCE)
        .until(() -> "dispatched".equals(release(id).at("/dispatch/outcome").asText()));
    assertThat(release(id).at("/dispatch/retries").asInt()).isEqualTo(1);
  }

  // ------------------------------------------------------------------ helpers

  private final Pipeline pipeline = new Pipeline(stack);

  /** A release of a service taken through manual testing and approved by both approvers. */
  private String approved(String service, String tag, String run) {
    String id = pipeline.toManualTesting(service, tag, run);
    pipeline.approve(id, 1001L, 1002L);
    return id;
  }

  private JsonNode release(String id) {
    return pipeline.release(id);
  }

  private List<String> types(String id) {
    return pipeline.types(id);
  }

  private long count(String id, String type) {
    return pipeline.count(id, type);
  }

  private JsonNode event(String id, String type) {
    List<JsonNode> found = pipeline.events(id, type);
    assertThat(found).as(type + " in the timeline of " + id).isNotEmpty();
    return found.get(0);
  }

  /**
   * Waits until {@code condition} holds, then asserts that it keeps holding for {@code during}:
   * nothing more (a second dispatch) shows up meanwhile.
   */
  private static void holdsFor(Duration during, java.util.concurrent.Callable<Boolean> condition) {
    await()
        .during(during)
        .atMost(PATIENCE.plus(during))
        .pollInterval(Duration.ofMillis(500))
        .until(condition);
  }

  /** Whether the orchestrators' consumer group has {@code members} members, its rebalance done. */
  private static boolean orchestratorGroupIsStableWith(int members) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers()))) {
      ConsumerGroupDescription group =
          admin
              .describeConsumerGroups(List.of(ORCHESTRATOR_GROUP))
              .describedGroups()
              .get(ORCHESTRATOR_GROUP)
              .get(10, TimeUnit.SECONDS);
      return group.groupState() == GroupState.STABLE && group.members().size() == members;
    }
  }
}
