package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.local.RmmService;
import dev.rmm.testsupport.FakeGitHub;
import dev.rmm.testsupport.TestSshServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An admin's rollback run by the orchestrator over SSH against a real SSH server (Apache MINA SSHD
 * running the commands on this machine): each step recorded with exit code, duration and redacted
 * output; failures name their step; a hanging step is stopped at its timeout; an unknown host key
 * or a wrong key refuses to connect; a runbook interrupted by a crash is never run twice.
 *
 * <p>On {@link FakesStack} (its deploy file holds this class's services, {@link RunbookHosts}): one
 * start of the stack less in the build. So each release is dispatched to the fake GitHub before its
 * pipeline reports {@code deploying}, as a production workflow would be.
 */
@Order(FakesStack.ORDER)
class RollbackRunbookTest {

  static final Duration PATIENCE = Duration.ofSeconds(60);
  static final TestSshServer ssh = RunbookHosts.SSH;
  static final String SECRET = RunbookHosts.SECRET;

  @RegisterExtension static final StackExtension stack = FakesStack.extension();

  @BeforeEach
  void github() {
    FakeGitHub.addWorkflow("*", "on-approve-manual-testing.yml");
  }

  @Test
  void givenAHealthyRunbook_thenEveryStepIsRecordedRedactedAndTheReleaseIsRolledBack() {
    String id = rolledBack("good", "v2.0.0", "901");

    await().atMost(PATIENCE).until(() -> "rollback_done".equals(status(id)));
    List<JsonNode> steps = events(id, "release.runbook-step.v1");
    assertThat(steps)
        .extracting(e -> e.at("/data/step").asText())
        .containsExactly("migrations", "checkout", "up", "health");
    assertThat(steps).allMatch(e -> e.at("/data/exit_code").asInt() == 0);
    JsonNode migrations = steps.get(0);
    assertThat(migrations.at("/data/output_tail").asText())
        .isEqualTo("migrating down to v1.0.0 with password=***");
    assertThat(api().get("/api/v1/releases/" + id + "/timeline").body().toString())
        .doesNotContain(SECRET);
    // each step runs wrapped in its own process group (so a stop reaches the host): match inside
    assertThat(ssh.commands())
        .anyMatch(c -> c.contains("'echo checked out v1.0.0'"))
        .anyMatch(c -> c.contains("'echo started good'"));
    JsonNode runbook = release(id).path("runbook");
    assertThat(runbook.path("ok").asBoolean()).isTrue();
    assertThat(runbook.path("steps")).hasSize(4);
  }

  @Test
  void givenAFailingMigration_thenTheRollbackFailsAtThatStepAndNothingElseRuns() {
    ssh.clearCommands();
    String id = rolledBack("badmig", "v2.0.0", "902");

    await().atMost(PATIENCE).until(() -> "rollback_failed".equals(status(id)));
    JsonNode finished = events(id, "release.runbook-finished.v1").get(0);
    assertThat(finished.at("/data/failed_step").asText()).isEqualTo("migrations");
    assertThat(finished.at("/data/detail").asText()).isEqualTo("migrations failed: exit 3");
    JsonNode step = events(id, "release.runbook-step.v1").get(0);
    assertThat(step.at("/data/exit_code").asInt()).isEqualTo(3);
    assertThat(step.at("/data/output_tail").asText()).isEqualTo("cannot reach the database");
    assertThat(ssh.commands()).noneMatch(c -> c.contains("git checkout"));
  }

  @Test
  void givenAHealthCheckThatNeverPasses_thenItIsTriedAndTheRollbackFails() {
    String id = rolledBack("sick", "v2.0.0", "903");

    await().atMost(PATIENCE).until(() -> "rollback_failed".equals(status(id)));
    assertThat(events(id, "release.runbook-finished.v1").get(0).at("/data/detail").asText())
        .isEqualTo("health check failed 3 times: exit 1");
  }

  @Test
  void givenAStepThatHangs_thenItIsStoppedAtItsTimeout() {
    String id = rolledBack("hang", "v2.0.0", "904");

    await().atMost(PATIENCE).until(() -> "rollback_failed".equals(status(id)));
    assertThat(events(id, "release.runbook-finished.v1").get(0).at("/data/detail").asText())
        .isEqualTo("up failed: timed out after 1 s");
    assertThat(events(id, "release.runbook-step.v1").get(2).at("/data/exit_code").asInt())
        .isEqualTo(-1);
  }

  @Test
  void givenAnUnknownHostKeyOrAWrongKey_thenNothingRunsAndTheReleaseSaysWhy() {
    String stranger = rolledBack("stranger", "v2.0.0", "905");
    String wrongKey = rolledBack("wrongkey", "v2.0.0", "906");

    for (String id : List.of(stranger, wrongKey)) {
      await().atMost(PATIENCE).until(() -> "rollback_failed".equals(status(id)));
      JsonNode finished = events(id, "release.runbook-finished.v1").get(0);
      assertThat(finished.at("/data/failed_step").asText()).isEqualTo("connect");
      assertThat(events(id, "release.runbook-step.v1")).isEmpty();
    }
  }

  @Test
  void givenTheOrchestratorDiesDuringARunbook_thenItIsNeverRunAgain() {
    String id = rolledBack("slow", "v2.0.0", "907");
    await()
        .atMost(PATIENCE)
        .until(() -> ssh.commands().stream().anyMatch(c -> c.contains("slow-checkout-started")));

    stack.killService(RmmService.DEPLOY_ORCHESTRATOR);
    stack.startService(RmmService.DEPLOY_ORCHESTRATOR);

    await().atMost(PATIENCE).until(() -> "rollback_failed".equals(status(id)));
    JsonNode finished = events(id, "release.runbook-finished.v1").get(0);
    assertThat(finished.at("/data/failed_step").asText()).isEqualTo("interrupted");
    assertThat(finished.at("/data/detail").asText()).contains("nothing is run twice");
    assertThat(ssh.commands().stream().filter(c -> c.contains("slow-checkout-started"))).hasSize(1);
    assertThat(events(id, "release.runbook-started.v1")).hasSize(1);
  }

  // ------------------------------------------------------------------ helpers

  private final Pipeline pipeline = new Pipeline(stack);

  private Http api() {
    return pipeline.api();
  }

  /**
   * A release of {@code service} at {@code tag}, deployed after v1.0.0 of it, then rolled back to
   * v1.0.0 by Bob.
   */
  private String rolledBack(String service, String tag, String run) {
    String earlier = deployed(service, "v1.0.0", run + "0");
    String id = deployed(service, tag, run);
    // the target is checked against the read model: wait until the projector has v1.0.0 deployed
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                String.valueOf(api().get("/api/v1/releases/" + id + "/rollback-targets").body())
                    .contains("\"release_id\":\"" + earlier + "\""));
    Http.Answer rollback =
        api()
            .post(
                "/api/v1/releases/" + id + "/rollback",
                "{\"telegram_user_id\":1002,\"name\":\"Bob Lead\",\"target_tag\":\"v1.0.0\"}");
    assertThat(rollback.status()).as(String.valueOf(rollback.body())).isEqualTo(200);
    return id;
  }

  private String deployed(String service, String tag, String run) {
    String id = pipeline.toManualTesting(service, tag, run);
    pipeline.approve(id, 1001L, 1002L);
    // the production workflow reports deploying once it was dispatched
    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.types(id).contains("release.workflow-dispatched.v1"));
    pipeline.step(id, "deploying");
    pipeline.step(id, "deployed");
    return id;
  }

  private String status(String id) {
    return pipeline.status(id);
  }

  private JsonNode release(String id) {
    return pipeline.release(id);
  }

  private List<JsonNode> events(String id, String type) {
    return pipeline.events(id, type);
  }
}
