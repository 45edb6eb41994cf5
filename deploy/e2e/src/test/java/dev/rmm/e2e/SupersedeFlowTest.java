package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.local.RmmService;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Superseding through the packaged services (docs/events.md, "Superseding"): once a newer release
 * of a service reaches manual testing, an older one that has not started toward production is
 * cancelled naming it, its team card says what replaced it, a late approval is refused, and the
 * fake GitHub only ever sees the newer release's dispatch, also when the older one's quorum was
 * reached before the orchestrator saw the newer one.
 */
@Order(FakesStack.ORDER)
class SupersedeFlowTest {

  static final long TEAM = FakesStack.TEAM;
  static final Duration PATIENCE = Duration.ofSeconds(45);

  @RegisterExtension static final StackExtension stack = FakesStack.extension();

  private final Pipeline pipeline = new Pipeline(stack);

  @BeforeEach
  void github() {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("*", "on-approve-manual-testing.yml");
  }

  @Test
  void
      givenTwoReleases_whenTheNewerReachesManualTesting_thenTheOlderIsSupersededAndNeverDispatched() {
    String older = pipeline.toManualTesting("ledger", "v1.4.0", "901");
    pipeline.approve(older, 1001L); // one of the two approvals it needs
    String newer = pipeline.toManualTesting("ledger", "v1.5.0", "902");

    await().atMost(PATIENCE).until(() -> "cancelled".equals(pipeline.status(older)));
    JsonNode superseded = only(older, "release.superseded.v1");
    assertThat(superseded.at("/data/by_release_id").asText()).isEqualTo(newer);
    assertThat(superseded.at("/data/by_tag").asText()).isEqualTo("v1.5.0");
    assertThat(superseded.at("/data/from").asText()).isEqualTo("manual_testing");
    assertThat(superseded.at("/actor/kind").asText()).isEqualTo("orchestrator");
    JsonNode row = pipeline.release(older);
    assertThat(row.path("superseded_by_id").asText()).isEqualTo(newer);
    assertThat(row.path("superseded_by_tag").asText()).isEqualTo("v1.5.0");
    assertThat(pipeline.status(newer)).isEqualTo("manual_testing");

    // the second approval arrives late: refused, nothing appended
    Http.Answer late =
        pipeline
            .api()
            .post(
                "/api/v1/releases/" + older + "/approvals",
                "{\"telegram_user_id\":1002,\"name\":\"u1002\"}");
    assertThat(late.status()).as(String.valueOf(late.body())).isEqualTo(409);
    assertThat(late.body().path("detail").asText())
        .contains("release is cancelled; only a release in manual_testing can be approved");
    assertThat(pipeline.count(older, "release.approval-granted.v1")).isEqualTo(1);

    // the older release's live card in the team chat says what replaced it
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                FakesStack.BOT_API.messages(TEAM).stream()
                    .anyMatch(
                        m ->
                            m.text().startsWith("📦 Service: ledger\n🏷️ Tag: v1.4.0\n")
                                && m.text().contains("🚫 Cancelled")
                                && m.text().contains("🔀 Replaced by v1.5.0")));

    // the newer one goes to production, alone
    pipeline.approve(newer, 1001L, 1002L);
    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.types(newer).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.dispatches(newer)).hasSize(1);
    assertThat(FakeGitHub.dispatchesArrived(older)).isZero();
    assertThat(pipeline.count(older, "release.superseded.v1")).isEqualTo(1);
  }

  @Test
  void
      givenAnOlderReleaseApprovedBeforeTheOrchestratorSawTheNewerOne_thenOnlyTheNewerIsDispatched() {
    // the orchestrator is away while both releases are approved: when it comes back, the older
    // release's dispatch is due and a newer approved release of the service is in the log
    stack.stopService(RmmService.DEPLOY_ORCHESTRATOR);
    String older;
    String newer;
    try {
      older = pipeline.toManualTesting("vault", "v2.0.0", "911");
      pipeline.approve(older, 1001L, 1002L);
      newer = pipeline.toManualTesting("vault", "v2.1.0", "912");
      pipeline.approve(newer, 1001L, 1002L);
      String approved = older;
      await().atMost(PATIENCE).until(() -> "manual_test_passed".equals(pipeline.status(approved)));
    } finally {
      stack.startService(RmmService.DEPLOY_ORCHESTRATOR);
    }

    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.types(newer).contains("release.workflow-dispatched.v1"));
    await().atMost(PATIENCE).until(() -> "cancelled".equals(pipeline.status(older)));
    JsonNode superseded = only(older, "release.superseded.v1");
    assertThat(superseded.at("/data/by_release_id").asText()).isEqualTo(newer);
    assertThat(superseded.at("/data/from").asText()).isEqualTo("manual_test_passed");
    assertThat(pipeline.count(older, "release.dispatch-started.v1")).isZero();
    // a later look finds nothing more to do for the older release
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                FakeGitHub.dispatchesArrived(newer) == 1
                    && FakeGitHub.dispatchesArrived(older) == 0);
    assertThat(FakeGitHub.dispatches(newer)).hasSize(1);
    assertThat(pipeline.count(older, "release.dispatch-started.v1")).isZero();
  }

  @Test
  void givenAHotfixTaggedBelowAnApprovedRelease_whenItIsApproved_thenTheGuardSupersedesItInstead() {
    String current = pipeline.toManualTesting("atlas", "v3.0.0", "921");
    pipeline.approve(current, 1001L, 1002L);
    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.types(current).contains("release.workflow-dispatched.v1"));

    // a hotfix tagged below it, after it reached stage: not superseded on stage (it came later),
    // approvals accepted, but never dispatched over the newer approved release
    String hotfix = pipeline.toManualTesting("atlas", "v2.9.1", "922");
    pipeline.approve(hotfix, 1001L, 1002L);

    await().atMost(PATIENCE).until(() -> "cancelled".equals(pipeline.status(hotfix)));
    JsonNode superseded = only(hotfix, "release.superseded.v1");
    assertThat(superseded.at("/data/from").asText()).isEqualTo("manual_test_passed");
    assertThat(superseded.at("/data/by_release_id").asText()).isEqualTo(current);
    assertThat(superseded.at("/data/by_tag").asText()).isEqualTo("v3.0.0");
    assertThat(pipeline.count(hotfix, "release.dispatch-started.v1")).isZero();
    assertThat(FakeGitHub.dispatches(current)).hasSize(1);
    assertThat(FakeGitHub.dispatchesArrived(hotfix)).isZero();
    assertThat(pipeline.count(current, "release.superseded.v1")).isZero();
  }

  private JsonNode only(String id, String type) {
    List<JsonNode> found = pipeline.events(id, type);
    assertThat(found).as(type + " in the timeline of " + id).hasSize(1);
    return found.get(0);
  }
}
