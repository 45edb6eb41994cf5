package dev.rmm.api.approval;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The original prototype lost approvals when approvers pressed at once. Here three approvers press
 * at the same moment, round after round, and the log must hold every approval and exactly one
 * quorum per release.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ConcurrentApprovalsTest {

  private static final int ROUNDS = 20;
  private static final long[] APPROVERS = {1001, 1002, 1003};

  private ReleaseLog log;
  private ExecutorService pool;
  private ExecutorService pipelines;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
    pool = Executors.newFixedThreadPool(APPROVERS.length);
    pipelines = Executors.newFixedThreadPool(10);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ExecutorService e : List.of(pool, pipelines)) {
      e.shutdownNow();
      e.awaitTermination(10, TimeUnit.SECONDS);
    }
    log.close();
  }

  @Test
  void givenThreeApproversPressingAtOnce_thenEveryApprovalCountsAndTheQuorumIsReachedOnce()
      throws Exception {
    // pipelines bring the releases to manual_testing side by side
    List<Future<String>> prepared = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      prepared.add(pipelines.submit(() -> Api.releaseInManualTesting(BILLING_REPO)));
    }
    List<String> releases = new ArrayList<>();
    for (Future<String> f : prepared) {
      releases.add(f.get(60, TimeUnit.SECONDS));
    }

    for (int round = 0; round < ROUNDS; round++) {
      String id = releases.get(round);
      CyclicBarrier start = new CyclicBarrier(APPROVERS.length);
      List<Future<Response>> answers = new ArrayList<>();
      for (long approver : APPROVERS) {
        answers.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return Api.approve(id, approver);
                }));
      }
      for (Future<Response> f : answers) {
        Response r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as("round %d: %s", round, r.asString()).isEqualTo(200);
      }
    }

    Map<String, List<EventEnvelope>> byRelease = log.eventsByRelease();
    for (String id : releases) {
      List<EventEnvelope> events = byRelease.get(id);
      List<ReleaseEvent> data = events.stream().map(EventEnvelope::data).toList();
      assertThat(data)
          .filteredOn(e -> e instanceof ReleaseEvent.ApprovalQuorumReached)
          .as("quorum events of %s", id)
          .hasSize(1);
      List<ReleaseEvent.ApprovalGranted> granted =
          data.stream()
              .filter(e -> e instanceof ReleaseEvent.ApprovalGranted)
              .map(e -> (ReleaseEvent.ApprovalGranted) e)
              .toList();
      assertThat(granted).extracting(g -> g.approvals()).containsExactly(1, 2, 3);
      assertThat(granted)
          .extracting(g -> g.approverId())
          .containsExactlyInAnyOrder(1001L, 1002L, 1003L);
      assertThat(data.get(data.size() - 1)).isInstanceOf(ReleaseEvent.ApprovalQuorumReached.class);
      assertThat(events)
          .extracting(EventEnvelope::sequence)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
      ReleaseState state = ReleaseDecider.evolveAll(ReleaseState.none(id), data);
      assertThat(state.status()).isEqualTo(ReleaseStatus.MANUAL_TEST_PASSED);
    }
  }

  @Test
  void givenAQuorum_whenSomeoneWhoIsNoApproverApproves_thenForbiddenAndAudited() {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    for (long approver : APPROVERS) {
      Api.approve(id, approver).then().statusCode(200);
    }
    List<String> before = log.types(id);
    assertThat(before).endsWith("release.quorum-reached.v1");

    Response r = Api.approve(id, 2000);
    assertProblem(r, 403, "user 2000 is not an approver of");
    assertThat(r.jsonPath().getString("current_status")).isEqualTo("manual_test_passed");

    List<String> after = log.types(id);
    assertThat(after).hasSize(before.size() + 1);
    assertThat(after.get(after.size() - 1)).isEqualTo("release.action-refused.v1");
    ReleaseEvent.ActionRefused audit =
        (ReleaseEvent.ActionRefused) log.events(id).get(after.size() - 1).data();
    assertThat(audit.action()).isEqualTo("approve");
    assertThat(audit.reason()).isEqualTo("not_allowed");

    // an approver pressing again after the quorum is a harmless double click
    Map<Integer, Long> offsets = log.endOffsets();
    Api.approve(id, 1001).then().statusCode(200);
    assertThat(log.endOffsets()).isEqualTo(offsets);
  }

  @Test
  void givenAStaleCard_whenAnApproverApproves_thenConflictAndAudited() {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    List<String> before = log.types(id);
    // the card was drawn while the release was still stage_building (version 2)
    Response r =
        as(ADMIN)
            .body(Map.of("telegram_user_id", 1001, "seen_version", 2))
            .post("/api/v1/releases/{id}/approvals", id);
    JsonPath p = assertProblem(r, 409, "the card showed version 2");
    assertThat(p.getString("reason")).isEqualTo("stale");
    assertThat(log.types(id)).hasSize(before.size() + 1).endsWith("release.action-refused.v1");

    // the card of the current status is fine
    as(ADMIN)
        .body(Map.of("telegram_user_id", 1001, "seen_version", 4))
        .post("/api/v1/releases/{id}/approvals", id)
        .then()
        .statusCode(200);
  }

  @Test
  void givenARejectedRelease_whenAnApproverApproves_thenConflict() {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    Api.approve(id, 1001).then().statusCode(200);
    as(ADMIN)
        .body(Map.of("telegram_user_id", 1002, "name", "Bob", "reason", "login page broken"))
        .post("/api/v1/releases/{id}/rejections", id)
        .then()
        .statusCode(200);
    List<String> before = log.types(id);
    assertThat(before).endsWith("release.rejected.v1");

    Response r = Api.approve(id, 1003);
    assertProblem(r, 409, "only a release in manual_testing can be approved");
    assertThat(r.jsonPath().getString("current_status")).isEqualTo("manual_test_failed");

    // the refused attempt is audited, and nothing else is appended
    List<String> after = log.types(id);
    assertThat(after).hasSize(before.size() + 1).endsWith("release.action-refused.v1");
  }
}
