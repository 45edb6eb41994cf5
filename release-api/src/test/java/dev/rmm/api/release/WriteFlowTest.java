package dev.rmm.api.release;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A pipeline's happy path over HTTP, checked in the release log itself. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class WriteFlowTest {

  private ReleaseLog log;

  @Inject Pool pg;

  private static String deployed(String service, String tag) {
    Map<String, Object> body = Api.createBody(service, BILLING_REPO);
    body.put("tag", tag);
    body.put("ref", "refs/tags/" + tag);
    String id = Api.create(ADMIN, body);
    for (String s : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      Api.stepOk(ADMIN, id, s);
    }
    for (long approver : new long[] {1001, 1002, 1003}) {
      Api.approve(id, approver).then().statusCode(200);
    }
    Api.stepOk(ADMIN, id, "deploying");
    Api.stepOk(ADMIN, id, "deployed");
    return id;
  }

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
  }

  @AfterEach
  void tearDown() {
    log.close();
  }

  @Test
  void givenAPipeline_whenItCreatesAndReportsSteps_thenEachIsOneEventInTheLog() {
    Map<String, Object> body = Api.createBody(Api.newService(), BILLING_REPO);
    String expectedId =
        ReleaseSpec.releaseId(
            (String) body.get("service"),
            (String) body.get("tag"),
            (String) body.get("github_run_id"));

    String id =
        as(BILLING)
            .body(body)
            .post("/api/v1/releases")
            .then()
            .statusCode(201)
            .header("Location", endsWith("/api/v1/releases/" + expectedId))
            .body("status", equalTo("initiated"))
            .body("version", equalTo(1))
            .body("repository", equalTo(BILLING_REPO))
            .body("allowed_next", equalTo(List.of("stage_building")))
            .extract()
            .path("release_id");
    assertThat(id).isEqualTo(expectedId);

    // a retried create names the same release and appends nothing
    Map<Integer, Long> before = log.endOffsets();
    as(BILLING)
        .body(body)
        .post("/api/v1/releases")
        .then()
        .statusCode(200)
        .body("release_id", equalTo(id))
        .body("status", equalTo("initiated"))
        .body("version", equalTo(1));
    assertThat(log.endOffsets()).isEqualTo(before);

    int version = 1;
    for (String status : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      Api.step(BILLING, id, status)
          .then()
          .statusCode(200)
          .body("release_id", equalTo(id))
          .body("status", equalTo(status))
          .body("version", equalTo(++version));
    }

    List<ConsumerRecord<String, byte[]>> records = log.records(id);
    assertThat(records).hasSize(4);
    for (ConsumerRecord<String, byte[]> r : records) {
      Header contentType = r.headers().lastHeader("content-type");
      assertThat(contentType).as("CloudEvents content-type header").isNotNull();
      assertThat(new String(contentType.value(), StandardCharsets.UTF_8))
          .startsWith("application/cloudevents+json");
    }
    List<EventEnvelope> events = log.events(id);
    assertThat(events).extracting(EventEnvelope::sequence).containsExactly(1L, 2L, 3L, 4L);
    assertThat(events)
        .extracting(EventEnvelope::type)
        .containsExactly(
            "release.created.v1",
            "release.status-changed.v1",
            "release.status-changed.v1",
            "release.status-changed.v1");
    assertThat(events).allSatisfy(e -> assertThat(e.releaseId()).isEqualTo(id));
    ReleaseEvent.ReleaseCreated created = (ReleaseEvent.ReleaseCreated) events.get(0).data();
    assertThat(created.spec().service()).isEqualTo(body.get("service"));
    assertThat(created.policy().quorum()).isEqualTo(3);
    assertThat(events.subList(1, 4))
        .extracting(e -> ((ReleaseEvent.StatusChanged) e.data()).to().wire())
        .containsExactly("stage_building", "stage_test_rollback", "manual_testing");

    // reporting the same step again (a retried pipeline job) is answered and appends nothing
    before = log.endOffsets();
    Api.step(BILLING, id, "manual_testing")
        .then()
        .statusCode(200)
        .body("status", equalTo("manual_testing"))
        .body("version", equalTo(4));
    assertThat(log.endOffsets()).isEqualTo(before);
    assertThat(log.events(id)).hasSize(4);
  }

  @Test
  void givenAnOriginalWorkflow_whenItUsesTheLegacyEndpoints_thenTheyWriteTheSameEvents() {
    String service = Api.newService();
    Map<String, Object> legacy =
        Map.of(
            "service_name", service,
            "release_tag", "v2.0.0",
            "initiated_by", "dave",
            "github_run_id", 4242,
            "github_action_link", "https://github.com/acme/billing/actions/runs/4242",
            "github_ref", "refs/tags/v2.0.0");
    String id =
        as(BILLING)
            .body(legacy)
            .post("/release")
            .then()
            .statusCode(201)
            .header(
                "Location",
                endsWith("/api/v1/releases/" + ReleaseSpec.releaseId(service, "v2.0.0", "4242")))
            .body("status", equalTo("initiated"))
            .body("version", equalTo(1))
            .body("repository", equalTo(BILLING_REPO))
            .extract()
            .path("release_id");

    Map<Integer, Long> before = log.endOffsets();
    as(BILLING)
        .body(legacy)
        .post("/release")
        .then()
        .statusCode(200)
        .body("release_id", equalTo(id))
        .body("version", equalTo(1));
    assertThat(log.endOffsets()).isEqualTo(before);

    int version = 1;
    for (String status : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      as(BILLING)
          .body(Map.of("release_id", id, "status", status))
          .patch("/release")
          .then()
          .statusCode(200)
          .body("status", equalTo(status))
          .body("version", equalTo(++version));
    }
    before = log.endOffsets();
    as(BILLING)
        .body(Map.of("release_id", id, "status", "manual_testing"))
        .patch("/release")
        .then()
        .statusCode(200)
        .body("version", equalTo(4));
    assertThat(log.endOffsets()).isEqualTo(before);

    List<EventEnvelope> events = log.events(id);
    assertThat(events).extracting(EventEnvelope::sequence).containsExactly(1L, 2L, 3L, 4L);
    assertThat(events)
        .extracting(EventEnvelope::type)
        .containsExactly(
            "release.created.v1",
            "release.status-changed.v1",
            "release.status-changed.v1",
            "release.status-changed.v1");
  }

  @Test
  void
      givenARollbackRequest_whenTheAdminRetriesIt_thenTheRepeatIsAnsweredLikeTheFirstAndAppendsNothing() {
    // v1.2.2 of the service ran in production before v1.2.3: the rollback target the read model
    // offers (release-projector is not running here: ReadModelStandIn mirrors the log)
    String service = Api.newService();
    String earlier = deployed(service, "v1.2.2");
    String id = deployed(service, "v1.2.3");
    int deployedAt = log.events(id).size();
    ReadModelStandIn readModel = new ReadModelStandIn(pg);
    readModel.create();
    try {
      readModel.mirror(log, earlier, id);
      retriedRollback(id, deployedAt);
    } finally {
      readModel.drop(); // the other tests run without a read model
    }
  }

  private void retriedRollback(String id, int deployedAt) {
    Map<String, Object> rollback = new LinkedHashMap<>();
    rollback.put("telegram_user_id", 1002); // the admin of the test policy
    rollback.put("name", "Bob");
    rollback.put("target_tag", "v1.2.2");
    rollback.put("seen_version", deployedAt);

    as(ADMIN)
        .body(rollback)
        .post("/api/v1/releases/{id}/rollback", id)
        .then()
        .statusCode(200)
        .body("status", equalTo("production_rollback"))
        .body("rollback_to_tag", equalTo("v1.2.2"));
    int version = log.events(id).size();

    // the same request again, as a client sends it when the first answer was lost
    Map<Integer, Long> before = log.endOffsets();
    as(ADMIN)
        .body(rollback)
        .post("/api/v1/releases/{id}/rollback", id)
        .then()
        .statusCode(200)
        .body("status", equalTo("production_rollback"))
        .body("rollback_to_tag", equalTo("v1.2.2"))
        .body("version", equalTo(version));
    assertThat(log.endOffsets()).isEqualTo(before);

    // another target while rolling back is still refused: the card it was chosen on is stale
    rollback.put("target_tag", "v1.2.1");
    Api.assertProblem(
        as(ADMIN).body(rollback).post("/api/v1/releases/{id}/rollback", id),
        409,
        "has since become production_rollback");
    assertThat(log.types(id)).filteredOn("release.rollback-requested.v1"::equals).hasSize(1);
  }
}
