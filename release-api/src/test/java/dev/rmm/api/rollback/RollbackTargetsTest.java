package dev.rmm.api.rollback;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A rollback request is checked against the service's real history: v1..v4 of one service deployed
 * in turn, v2 rolled back as broken, v3 rolled back while v4 (newer) runs. Only v1 is allowed; any
 * other target is answered 409 with the allowed tags and appends nothing.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class RollbackTargetsTest {

  private static final long ADMIN_USER = 1002;

  @Inject Pool pg;

  private ReadModelStandIn readModel;
  private ReleaseLog log;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    readModel = new ReadModelStandIn(pg);
    readModel.create();
    log = new ReleaseLog();
  }

  @AfterEach
  void tearDown() {
    log.close();
    readModel.drop(); // the other tests run without a read model
  }

  @Test
  void givenV2RolledBackAndV4Newer_whenV3IsRolledBack_thenOnlyV1IsAllowedAndOthersAre409() {
    String service = Api.newService();
    String v1 = deployed(service, "v1");
    String v2 = deployed(service, "v2");
    readModel.mirror(log, v1, v2);
    rollback(v2, "v1").then().statusCode(200);
    Api.stepOk(ADMIN, v2, "rollback_done"); // v2 is broken: production went back to v1
    String v3 = deployed(service, "v3");
    String v4 = deployed(service, "v4");
    readModel.mirror(log, v1, v2, v3, v4);

    JsonPath targets = as(ADMIN).get("/api/v1/releases/{id}/rollback-targets", v3).jsonPath();
    assertThat(targets.getList("targets.tag")).containsExactly("v1");
    assertThat(targets.getString("production_tag")).isEqualTo("v4");
    assertThat(targets.getString("service")).isEqualTo(service);

    for (String refused : List.of("v2", "v4", "v9")) {
      Map<Integer, Long> before = log.endOffsets();
      JsonPath problem =
          assertProblem(rollback(v3, refused), 409, refused + " is not a rollback target");
      assertThat(problem.getString("type")).endsWith("/rollback-target-not-allowed");
      assertThat(problem.getList("allowed_targets")).containsExactly("v1");
      assertThat(problem.getString("production_tag")).isEqualTo("v4");
      assertThat(problem.getString("detail")).contains("allowed are v1").contains("runs v4");
      assertThat(log.endOffsets()).as("nothing appended for %s", refused).isEqualTo(before);
    }

    rollback(v3, "v1").then().statusCode(200);
    List<EventEnvelope> events = log.events(v3);
    ReleaseEvent.RollbackRequested requested =
        (ReleaseEvent.RollbackRequested) events.get(events.size() - 1).data();
    assertThat(requested.policyVersion())
        .as("the version of the policy that allowed it")
        .isNotNull();
    assertThat(requested)
        .isEqualTo(
            new ReleaseEvent.RollbackRequested(
                ADMIN_USER, "admin token for Bob", "v1", requested.policyVersion()));
  }

  @Test
  void givenAReleaseTheReadModelDoesNotKnow_whenRollingBack_thenRefusedNamingNone() {
    String id = deployed(Api.newService(), "v1");
    Map<Integer, Long> before = log.endOffsets();

    assertProblem(rollback(id, "v0"), 409, "allowed are none");
    assertThat(log.endOffsets()).isEqualTo(before);
  }

  /**
   * A release of {@code service} at {@code tag}, driven to deployed as pipelines and approvers do.
   */
  private static String deployed(String service, String tag) {
    Map<String, Object> body = Api.createBody(service, BILLING_REPO);
    body.put("tag", tag);
    body.put("ref", "refs/tags/" + tag);
    String id = Api.create(ADMIN, body);
    for (String s : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      Api.stepOk(ADMIN, id, s);
    }
    for (long user : List.of(1001L, 1002L, 1003L)) {
      Api.approve(id, user).then().statusCode(200);
    }
    Api.stepOk(ADMIN, id, "deploying");
    Api.stepOk(ADMIN, id, "deployed");
    return id;
  }

  private static Response rollback(String releaseId, String target) {
    return as(ADMIN)
        .body(Map.of("telegram_user_id", ADMIN_USER, "name", "Bob", "target_tag", target))
        .post("/api/v1/releases/{id}/rollback", releaseId);
  }
}
