package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.kafka.CommandChannel;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15, point 4, through the packaged services: an admin forces the approval of a release in
 * manual testing (break-glass, sent on the gateway's topic as the gateway sends it), the same admin
 * cannot confirm it, a second admin does, and the release passes manual testing through the usual
 * quorum event, so the orchestrator dispatches it exactly once to the fake GitHub. The read model
 * shows who forced it and who confirmed it.
 */
@Order(FakesStack.ORDER)
class BreakGlassFlowTest {

  static final Duration PATIENCE = Duration.ofSeconds(45);

  /** Two admins: Bob Lead (1002, the demo admin) and 1003. */
  @RegisterExtension static final StackExtension stack = FakesStack.extension();

  private final Pipeline pipeline = new Pipeline(stack);

  @Test
  void givenAForcedApproval_whenASecondAdminConfirms_thenTheReleaseIsDispatchedOnce()
      throws Exception {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("*", "on-approve-manual-testing.yml");
    String id = pipeline.toManualTesting("strongroom", "v9.0.0", "901");

    try (CommandChannel gateway =
        new CommandChannel(
            stack.kafkaBootstrapServers(), "rmm.gateway-commands", "rmm.release-command-results")) {
      assertThat(gateway.awaitReady(Duration.ofSeconds(30))).isTrue();
      JsonNode forced =
          gateway
              .send(
                  "tg-test-bg-force-" + id,
                  new ReleaseCommand.ForceApprove(
                      id, 1002, "payments are down", null, Actor.telegram(1002, "Bob Lead")),
                  "test",
                  null,
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(forced.path("outcome").asText()).as(forced.toString()).isEqualTo("accepted");
      JsonNode own =
          gateway
              .send(
                  "tg-test-bg-own-" + id,
                  new ReleaseCommand.ConfirmBreakGlass(
                      id, 1002, null, Actor.telegram(1002, "Bob Lead")),
                  "test",
                  null,
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(own.path("reason").asText()).isEqualTo("not_allowed");
      assertThat(FakeGitHub.dispatches(id))
          .as("nothing is dispatched before the second admin")
          .isEmpty();
      JsonNode confirmed =
          gateway
              .send(
                  "tg-test-bg-confirm-" + id,
                  new ReleaseCommand.ConfirmBreakGlass(
                      id, 1003, null, Actor.telegram(1003, "Carol Admin")),
                  "test",
                  null,
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(confirmed.path("status").asText())
          .as(confirmed.toString())
          .isEqualTo("manual_test_passed");
    }

    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.dispatches(id)).hasSize(1);
    assertThat(pipeline.count(id, "release.dispatch-started.v1")).isEqualTo(1);
    assertThat(pipeline.types(id))
        .containsSubsequence(
            "release.break-glass-requested.v1",
            "release.action-refused.v1",
            "release.break-glass-confirmed.v1",
            "release.quorum-reached.v1",
            "release.dispatch-started.v1",
            "release.workflow-dispatched.v1");
    await()
        .atMost(PATIENCE)
        .until(() -> "confirmed".equals(pipeline.release(id).at("/break_glass/state").asText()));
    JsonNode breakGlass = pipeline.release(id).path("break_glass");
    assertThat(breakGlass.path("requested_by_name").asText()).isEqualTo("Bob Lead");
    assertThat(breakGlass.path("confirmed_by_name").asText()).isEqualTo("Carol Admin");
    assertThat(breakGlass.path("reason").asText()).isEqualTo("payments are down");
  }
}
