package dev.rmm.api.binding;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Service "billing" is bound to acme/billing in the test policy file (src/test/resources/
 * policy-test.json): another repository's token cannot create or move its releases, through the v1
 * API or the legacy endpoints, and a refusal writes nothing. An admin token approving on an
 * approver's behalf is recorded as the admin acting for them, and does not count under billing's
 * policy (no on_behalf_counts).
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ServiceBindingTest {

  /** Plaintext of the token of repository acme/frontend. */
  static final String FRONTEND = "frontend-token";

  @Inject Pool pg;

  private ReleaseLog log;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
  }

  @AfterEach
  void tearDown() {
    log.close();
  }

  private Response writesNothing(Supplier<Response> request) {
    Map<Integer, Long> before = log.endOffsets();
    Response r = request.get();
    assertThat(log.endOffsets()).as("end offsets of the events topic").isEqualTo(before);
    return r;
  }

  private static Map<String, Object> billing(String repository) {
    return Api.createBody("billing", repository);
  }

  @Test
  void givenBillingBoundToAcmeBilling_whenTheFrontendTokenCreatesIt_then403AndNothingIsWritten() {
    assertProblem(
        writesNothing(() -> as(FRONTEND).body(billing("acme/frontend")).post("/api/v1/releases")),
        403,
        "service 'billing' is released only from acme/billing");
    // naming billing's repository does not help: the token is not acme/billing's
    assertProblem(
        writesNothing(() -> as(FRONTEND).body(billing("acme/billing")).post("/api/v1/releases")),
        403,
        "this token belongs to acme/frontend");
    // nor does the admin token naming another repository
    assertProblem(
        writesNothing(() -> as(ADMIN).body(billing("acme/frontend")).post("/api/v1/releases")),
        403,
        "an admin token naming acme/frontend");
  }

  @Test
  void givenBillingBound_whenTheFrontendTokenUsesTheLegacyCreate_then403AndNothingIsWritten() {
    Map<String, Object> legacy =
        Map.of(
            "service_name", "billing",
            "release_tag", "v9.9.9",
            "initiated_by", "mallory",
            "github_run_id", "666",
            "github_action_link", "https://github.com/acme/frontend/actions/runs/666",
            "github_ref", "refs/tags/v9.9.9");

    assertProblem(
        writesNothing(() -> as(FRONTEND).body(legacy).post("/release")),
        403,
        "service 'billing' is released only from acme/billing");
  }

  @Test
  void givenBillingBound_whenItsOwnRepositoryCreatesIt_thenAcceptedWithTheRepositoryOnTheRelease() {
    String id =
        as(BILLING)
            .body(billing("acme/billing"))
            .post("/api/v1/releases")
            .then()
            .statusCode(201)
            .body("repository", equalTo("acme/billing"))
            .extract()
            .path("release_id");

    assertThat(log.events(id)).hasSize(1);
    ReleaseEvent.ReleaseCreated created =
        (ReleaseEvent.ReleaseCreated) log.events(id).get(0).data();
    assertThat(created.spec().repository()).isEqualTo("acme/billing");
    assertThat(created.policy().quorum()).as("billing's own policy").isEqualTo(2);
  }

  @Test
  void givenABillingRelease_whenTheFrontendTokenReportsAStep_then403AndTheLogIsUnchanged() {
    String id = Api.create(BILLING, billing("acme/billing"));

    assertProblem(
        writesNothing(() -> Api.step(FRONTEND, id, "stage_building")),
        403,
        "this token belongs to acme/frontend and cannot act on releases of acme/billing");
    assertProblem(
        writesNothing(
            () ->
                as(FRONTEND)
                    .body(Map.of("release_id", id, "status", "stage_building"))
                    .patch("/release")),
        403,
        "cannot act on releases of acme/billing");
    Api.stepOk(BILLING, id, "stage_building");
  }

  @Test
  void
      givenBillingsPolicy_whenTheAdminTokenApprovesOnAlicesBehalf_thenRecordedAsTheAdminNotCounted() {
    String id = Api.create(BILLING, billing("acme/billing"));
    for (String s : new String[] {"stage_building", "stage_test_rollback", "manual_testing"}) {
      Api.stepOk(BILLING, id, s);
    }

    assertProblem(
        Api.approve(id, 1001), 403, "an approval on behalf of Alice does not count toward");

    EventEnvelope refused = last(log.events(id));
    assertThat(refused.data()).isInstanceOf(ReleaseEvent.ActionRefused.class);
    assertThat(refused.actor().kind()).isEqualTo(Actor.Kind.ADMIN);
    assertThat(refused.actor().onBehalfOf()).isEqualTo(Actor.telegram(1001, "user 1001"));
    assertThat(log.types(id)).doesNotContain(ReleaseEvent.ApprovalGranted.TYPE);
  }

  @Test
  void
      givenAPolicyWhereOnBehalfCounts_whenTheAdminTokenApproves_thenCountedAndRecordedAsTheAdmin() {
    // the test profile's default policy sets on_behalf_counts, as the local demo does
    String id = Api.releaseInManualTesting("acme/billing");

    Api.approve(id, 1001).then().statusCode(200);

    EventEnvelope granted = last(log.events(id));
    ReleaseEvent.ApprovalGranted approval = (ReleaseEvent.ApprovalGranted) granted.data();
    assertThat(approval.policyVersion())
        .as("the version of the policy that counted it")
        .isNotNull();
    assertThat(approval)
        .isEqualTo(
            new ReleaseEvent.ApprovalGranted(
                1001,
                "Alice",
                1,
                3,
                approval.policyVersion(),
                "v1.2.3",
                "0123456789abcdef0123456789abcdef01234567"));
    assertThat(granted.actor())
        .isEqualTo(
            new Actor(
                Actor.Kind.ADMIN,
                "*",
                "admin token for user 1001",
                Actor.telegram(1001, "user 1001")));
  }

  /** Issue 13, point 7: the timeline shows the admin acting for the user, as the card does. */
  @Test
  void
      givenAnApprovalTheAdminTokenGaveForAlice_whenTheTimelineIsRead_thenItShowsTheAdminActingForHer() {
    String id = Api.releaseInManualTesting("acme/billing");
    Api.approve(id, 1001).then().statusCode(200);
    ReadModelStandIn readModel = new ReadModelStandIn(pg);
    readModel.create();
    try {
      readModel.mirror(log, id);
      readModel.mirrorTimeline(log, id);

      var events =
          as(ADMIN)
              .get("/api/v1/releases/{id}/timeline", id)
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();

      int last = events.getList("events").size() - 1;
      String approval = "events[" + last + "].actor";
      assertThat(events.getString("events[" + last + "].type"))
          .isEqualTo(ReleaseEvent.ApprovalGranted.TYPE);
      assertThat(events.getMap(approval))
          .containsEntry("kind", "admin")
          .containsEntry("id", "*")
          .containsEntry("name", "admin token for user 1001");
      assertThat(events.getMap(approval + ".on_behalf_of"))
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("kind", "telegram", "id", "1001", "name", "user 1001"));
      assertThat(events.getMap("events[0].actor"))
          .as("a pipeline acting for itself")
          .doesNotContainKey("on_behalf_of");
    } finally {
      readModel.drop(); // the other tests run without a read model
    }
  }

  private static EventEnvelope last(List<EventEnvelope> events) {
    return events.get(events.size() - 1);
  }
}
