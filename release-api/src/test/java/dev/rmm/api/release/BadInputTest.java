package dev.rmm.api.release;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input gets a 4xx problem+json answer with a useful detail, and writes nothing
 * to the release log.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class BadInputTest {

  private static final String OTHER_REPO = "acme/payments";

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

  /** Sends the request and asserts that the events topic did not grow. */
  private Response writesNothing(Supplier<Response> request) {
    Map<Integer, Long> before = log.endOffsets();
    Response r = request.get();
    assertThat(log.endOffsets()).as("end offsets of the events topic").isEqualTo(before);
    return r;
  }

  @Test
  void malformedJsonIsABadRequest() {
    Response r =
        writesNothing(
            () -> as(BILLING).body("{\"service\": \"billing\", ").post("/api/v1/releases"));
    assertProblem(r, 400, "the body is not valid JSON");
  }

  @Test
  void aFieldOfTheWrongTypeIsABadRequestNamingTheField() {
    Map<String, Object> body = Api.createBody(Api.newService(), BILLING_REPO);
    body.put("tag", Map.of("x", 1));
    Response r = writesNothing(() -> as(BILLING).body(body).post("/api/v1/releases"));
    assertProblem(r, 400, "field 'tag' has the wrong type");
  }

  @Test
  void anUnknownFieldIsABadRequest() {
    Map<String, Object> body = Api.createBody(Api.newService(), BILLING_REPO);
    body.put("colour", "blue");
    Response r = writesNothing(() -> as(BILLING).body(body).post("/api/v1/releases"));
    assertProblem(r, 400, "unknown field 'colour'");
  }

  @Test
  void missingFieldsAreListedTogether() {
    Response r =
        writesNothing(
            () -> as(BILLING).body(Map.of("service", "billing")).post("/api/v1/releases"));
    String detail = assertProblem(r, 422, "'tag' is required").getString("detail");
    assertThat(detail)
        .contains(
            "'initiator' is required",
            "'github_run_id' is required",
            "'github_run_link' is required",
            "'ref' is required",
            "'repository' is required",
            "'commit_sha' is required")
        .doesNotContain("'service'");
  }

  @Test
  void anEmptyBodyIsInvalid() {
    Response r = writesNothing(() -> as(BILLING).post("/api/v1/releases"));
    assertProblem(r, 422, "a JSON body is required");
  }

  @Test
  void aBodyOver16KiBIsRefusedBeforeItIsRead() {
    Map<String, Object> body = Api.createBody(Api.newService(), BILLING_REPO);
    body.put("initiator", "x".repeat(17 * 1024));
    Response r = writesNothing(() -> as(BILLING).body(body).post("/api/v1/releases"));
    assertProblem(r, 413, "the limit is 16384");
  }

  @Test
  void theSameReleaseWithOtherDetailsIsAConflict() {
    Map<String, Object> body = Api.createBody(Api.newService(), BILLING_REPO);
    String id = Api.create(BILLING, body);
    // (another commit alone is a moved tag, which voids approvals: MovedTagTest)
    body.put("initiator", "mallory");
    body.put("commit_sha", "fedcba9876543210fedcba9876543210fedcba98");
    Response r = writesNothing(() -> as(BILLING).body(body).post("/api/v1/releases"));
    JsonPath p = assertProblem(r, 409, "already exists with different details");
    assertThat(p.getString("current_status")).isEqualTo("initiated");
    assertThat(log.types(id)).containsExactly("release.created.v1");
  }

  @Test
  void aStepForAnUnknownReleaseIsNotFound() {
    String id = UUID.randomUUID().toString();
    Response r = writesNothing(() -> Api.step(ADMIN, id, "stage_building"));
    assertProblem(r, 404, "release " + id + " not found");
  }

  @Test
  void anIllegalTransitionIsAConflictWithTheAllowedNextSteps() {
    String id = Api.createRelease(BILLING_REPO);
    Response r = writesNothing(() -> Api.step(BILLING, id, "deployed"));
    JsonPath p = assertProblem(r, 409, "is initiated; it cannot move to deployed");
    assertThat(p.getString("reason")).isEqualTo("illegal_transition");
    assertThat(p.getString("current_status")).isEqualTo("initiated");
    assertThat(p.getList("allowed_next")).isEqualTo(List.of("stage_building"));
    assertThat(p.getInt("version")).isEqualTo(1);
    assertThat(log.types(id)).containsExactly("release.created.v1");
  }

  @Test
  void aPipelineCannotReportTheQuorumItself() {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    Response r = writesNothing(() -> Api.step(BILLING, id, "manual_test_passed"));
    JsonPath p = assertProblem(r, 409, "it is set when the approval quorum is reached");
    assertThat(p.getString("current_status")).isEqualTo("manual_testing");
    assertThat(p.getList("allowed_next")).isEmpty();
  }

  @Test
  void anUnknownStatusIsInvalid() {
    String id = Api.createRelease(BILLING_REPO);
    Response r = writesNothing(() -> Api.step(BILLING, id, "half_deployed"));
    String detail = assertProblem(r, 422, "unknown status 'half_deployed'").getString("detail");
    assertThat(detail).contains("stage_building", "manual_testing");
  }

  @Test
  void aRequestWithoutTokenIsUnauthorized() {
    Response r =
        writesNothing(
            () ->
                given()
                    .contentType(ContentType.JSON)
                    .body(Api.createBody(Api.newService(), BILLING_REPO))
                    .post("/api/v1/releases"));
    assertProblem(r, 401, "Authorization: Bearer <token>");
    assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void aWrongTokenIsUnauthorized() {
    Response r =
        writesNothing(
            () ->
                as("not-a-token")
                    .body(Api.createBody(Api.newService(), BILLING_REPO))
                    .post("/api/v1/releases"));
    assertProblem(r, 401, "the bearer token is not valid");
    assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void aRepositoryTokenCannotCreateReleasesOfAnotherRepository() {
    Response r =
        writesNothing(
            () ->
                as(BILLING)
                    .body(Api.createBody(Api.newService(), OTHER_REPO))
                    .post("/api/v1/releases"));
    assertProblem(r, 403, "belongs to acme/billing and cannot create releases for " + OTHER_REPO);
  }

  @Test
  void aRepositoryTokenCannotReportStepsOfAnotherRepository() {
    String id = Api.createRelease(OTHER_REPO);
    Response r = writesNothing(() -> Api.step(BILLING, id, "stage_building"));
    JsonPath p =
        assertProblem(
            r, 403, "belongs to acme/billing and cannot act on releases of acme/payments");
    assertThat(p.getString("current_status")).isEqualTo("initiated");
    assertThat(log.types(id)).containsExactly("release.created.v1");
  }

  @Test
  void approvalsNeedTheAdminToken() {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    Response r =
        writesNothing(
            () ->
                as(BILLING)
                    .body(Map.of("telegram_user_id", 1001))
                    .post("/api/v1/releases/{id}/approvals", id));
    assertProblem(r, 403, "user actions need an admin token");
  }

  @Test
  void aLegacyUpdateWithoutReleaseIdIsInvalid() {
    Response r =
        writesNothing(() -> as(BILLING).body(Map.of("status", "stage_building")).patch("/release"));
    assertProblem(r, 422, "'release_id' is required");
  }
}
