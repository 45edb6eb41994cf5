package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Break-glass (issue 15 point 4) reaches production through the orchestrator's usual path: a
 * confirmed break-glass ends in the same quorum event as the approvers' quorum, so the release is
 * dispatched once, by the exactly-once claim, against the fake GitHub on a real broker. release-api
 * is stood in for by {@link WriterStandIn}, which decides with the domain's own decider.
 */
class BreakGlassDispatchTest {

  private static final long OLGA = 9;
  private static final long PETR = 10;
  private static final String REPOSITORY = "acme/vault";
  private static final String WORKFLOW = "on-approve-manual-testing.yml";

  @RegisterExtension static final OrchestratorBench.Broker BROKER = new OrchestratorBench.Broker();

  @RegisterExtension
  final OrchestratorBench bench = new OrchestratorBench(BROKER, "bg").withFakeGitHub();

  @BeforeEach
  void github() {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow(REPOSITORY, WORKFLOW);
  }

  @Test
  void givenAForcedApproval_whenASecondAdminConfirms_thenTheReleaseIsDispatchedOnce() {
    String id = releaseInManualTesting("v7.0.0");
    bench.orchestrator();
    assertThat(
            press(id, new ReleaseCommand.ForceApprove(id, OLGA, "payments down", null, as(OLGA))))
        .isInstanceOf(Decision.Accepted.class);
    // a request alone dispatches nothing
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> FakeGitHub.requests().isEmpty());

    Decision confirmed = press(id, new ReleaseCommand.ConfirmBreakGlass(id, PETR, null, as(PETR)));

    assertThat(confirmed).isInstanceOf(Decision.Accepted.class);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> bench.has(id, ReleaseEvent.WorkflowDispatched.class));
    String dispatchId = bench.only(id, ReleaseEvent.DispatchStarted.class).dispatchId();
    assertThat(FakeGitHub.runTitles()).containsExactly("Deploy v7.0.0 (" + dispatchId + ")");
    // the second admin's press delivered again changes nothing, and no second run appears
    assertThat(press(id, new ReleaseCommand.ConfirmBreakGlass(id, PETR, null, as(PETR))))
        .isEqualTo(new Decision.Accepted(List.of()));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> FakeGitHub.runTitles().size() == 1);
    assertThat(bench.types(id))
        .containsSubsequence(
            ReleaseEvent.BreakGlassRequested.TYPE,
            ReleaseEvent.BreakGlassConfirmed.TYPE,
            ReleaseEvent.ApprovalQuorumReached.TYPE,
            ReleaseEvent.DispatchStarted.TYPE,
            ReleaseEvent.WorkflowDispatched.TYPE)
        .containsOnlyOnce(ReleaseEvent.DispatchStarted.TYPE, ReleaseEvent.WorkflowDispatched.TYPE);
  }

  @Test
  void givenAForcedApprovalNobodyConfirms_thenNothingIsDispatched() {
    String id = releaseInManualTesting("v7.1.0");
    bench.orchestrator();

    press(id, new ReleaseCommand.ForceApprove(id, OLGA, "hotfix", null, as(OLGA)));
    Decision own = press(id, new ReleaseCommand.ConfirmBreakGlass(id, OLGA, null, as(OLGA)));

    assertThat(own).isInstanceOf(Decision.Refused.class);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> FakeGitHub.requests().isEmpty());
    assertThat(bench.types(id)).doesNotContain(ReleaseEvent.ApprovalQuorumReached.TYPE);
  }

  /** A release of vault in manual testing; its admins are Olga and Petr. */
  private String releaseInManualTesting(String tag) {
    return bench.releaseInManualTesting("vault", REPOSITORY, tag, List.of(OLGA, PETR));
  }

  private static Actor as(long user) {
    return Actor.telegram(user, "user " + user);
  }

  /** A press as the gateway sends it, decided by the writer. */
  private Decision press(String id, ReleaseCommand command) {
    return bench.writer().decide(id, command, "tg-" + UUID.randomUUID());
  }
}
