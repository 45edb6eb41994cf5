package dev.rmm.api.approval;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Approvals bound to the artifact over HTTP (issue 15, point 2): a pipeline's step report naming
 * another commit for the release's tag voids the approvals before the quorum, and is refused with
 * 409 after it. Checked in the answers and in the release log itself.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class MovedTagTest {

  /** What {@link Api#createBody} gives every release. */
  private static final String CREATED = "0123456789abcdef0123456789abcdef01234567";

  private static final String MOVED = "fedcba9876543210fedcba9876543210fedcba98";

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

  @Test
  void givenAnApproval_whenAStepReportsAnotherCommit_thenTheApprovalIsVoidAndMustBeGivenAgain() {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    Api.approve(id, 1001).then().statusCode(200);

    step(id, "manual_testing", MOVED)
        .then()
        .statusCode(200)
        .body("status", equalTo("manual_testing"))
        .body("commit_sha", equalTo(MOVED))
        .body("approved_list.size()", equalTo(0));

    List<EventEnvelope> events = log.events(id);
    ReleaseEvent.ApprovalGranted first = (ReleaseEvent.ApprovalGranted) data(events, 5);
    assertThat(first.tag()).isEqualTo("v1.2.3");
    assertThat(first.commitSha()).isEqualTo(CREATED);
    ReleaseEvent.ApprovalsVoided voided = (ReleaseEvent.ApprovalsVoided) data(events, 6);
    assertThat(voided.fromCommit()).isEqualTo(CREATED);
    assertThat(voided.toCommit()).isEqualTo(MOVED);
    assertThat(voided.approverIds()).containsExactly(1001L);
    assertThat(voided.reason()).contains("the pipeline reported manual_testing");

    // the quorum (all three approvers under the test's default policy) is met again, on MOVED
    for (long approver : new long[] {1001, 1002, 1003}) {
      Api.approve(id, approver).then().statusCode(200);
    }
    List<EventEnvelope> after = log.events(id);
    assertThat(after.get(after.size() - 1).data())
        .isInstanceOf(ReleaseEvent.ApprovalQuorumReached.class);
    assertThat(after.subList(6, after.size() - 1))
        .extracting(e -> ((ReleaseEvent.ApprovalGranted) e.data()).commitSha())
        .containsOnly(MOVED);
  }

  @Test
  void givenTheQuorumWasReached_whenAStepReportsAnotherCommit_thenConflictAndNothingMoves() {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    for (long approver : new long[] {1001, 1002, 1003}) {
      Api.approve(id, approver).then().statusCode(200);
    }
    int before = log.events(id).size();

    assertProblem(step(id, "deploying", MOVED), 409, "production deploy may have started");

    List<EventEnvelope> events = log.events(id);
    assertThat(events).hasSize(before + 1);
    ReleaseEvent.ActionRefused refused =
        (ReleaseEvent.ActionRefused) events.get(events.size() - 1).data();
    assertThat(refused.action()).isEqualTo("step");
    assertThat(refused.detail()).contains("moved from commit " + CREATED + " to " + MOVED);
    Api.stepOk(ADMIN, id, "deploying"); // the approved commit still goes on
  }

  @Test
  void
      givenAnApproval_whenThePipelineReRunsTheStageForTheMovedTag_thenRestagedAndTheApprovalVoid() {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    Api.approve(id, 1001).then().statusCode(200);

    step(id, "stage_building", MOVED)
        .then()
        .statusCode(200)
        .body("status", equalTo("stage_building"))
        .body("commit_sha", equalTo(MOVED))
        .body("staged_commit", equalTo(MOVED))
        .body("approved_list.size()", equalTo(0));
    // the rest of the stage phase, on the new commit; a second re-run without a moved tag is 409
    step(id, "stage_test_rollback", MOVED).then().statusCode(200);
    step(id, "manual_testing", MOVED).then().statusCode(200).body("staged_commit", equalTo(MOVED));
    assertProblem(step(id, "stage_building", MOVED), 409, "accepted only for a moved tag");

    List<EventEnvelope> events = log.events(id);
    ReleaseEvent.ApprovalsVoided voided = (ReleaseEvent.ApprovalsVoided) data(events, 6);
    assertThat(voided.approverIds()).containsExactly(1001L);
    assertThat(voided.reason()).startsWith("the pipeline re-ran the stage with commit " + MOVED);
    assertThat(data(events, 7))
        .isEqualTo(
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.MANUAL_TESTING, ReleaseStatus.STAGE_BUILDING, null));
  }

  @Test
  void givenAStepNamingTheReleasesOwnCommitAbbreviated_whenReported_thenTheApprovalStands() {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    Api.approve(id, 1001).then().statusCode(200);

    step(id, "manual_testing", CREATED.substring(0, 7))
        .then()
        .statusCode(200)
        .body("approved_list.size()", equalTo(1));
  }

  @Test
  void givenAStepWithACommitThatIsNoSha_whenReported_thenUnprocessable() {
    String id = Api.releaseInManualTesting(BILLING_REPO);

    assertProblem(step(id, "manual_testing", "not-a-sha"), 422, "commit_sha");
  }

  private static Response step(String id, String status, String commit) {
    return as(ADMIN)
        .body(Map.of("status", status, "commit_sha", commit))
        .post("/api/v1/releases/{id}/steps", id);
  }

  private static ReleaseEvent data(List<EventEnvelope> events, long sequence) {
    return events.stream().filter(e -> e.sequence() == sequence).findFirst().orElseThrow().data();
  }
}
