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
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a hostile client sends: control and bidi characters in any text field, JSON with trailing
 * tokens or duplicate fields, oversized bodies, wrong paths, methods and media types. Each gets a
 * 4xx problem+json answer that says what was wrong without repeating the character, and none writes
 * to the release log.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class HostileInputTest {

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

  /** A 422 that names the field and code point, and holds no control character itself. */
  private static void assertTextRefused(Response r, String expected) {
    assertProblem(r, 422, expected);
    assertThat(r.asString()).doesNotContain("\u0000", "\u202E", "\u0007", "\u0085");
  }

  @Test
  void givenANulInTheTag_whenCreated_then422NamesTheFieldAndCodePoint() {
    Map<String, Object> body = Api.createBody(Api.newService(), BILLING_REPO);
    body.put("tag", "v1\u0000.0");
    Response r = writesNothing(() -> as(BILLING).body(body).post("/api/v1/releases"));
    assertTextRefused(r, "'tag' contains the control character U+0000");
  }

  @Test
  void givenAControlCharacterInAnyCreateField_whenCreated_thenEachIsNamed() {
    Map<String, Object> body = Api.createBody(Api.newService(), BILLING_REPO);
    body.put("initiator", "dave\u0007");
    body.put("github_run_link", "https://github.com/acme/billing/actions/runs/1\u0000");
    body.put("ref", "refs/tags/\u202Ev1");
    body.put("github_run_id", "12\u0085");
    Response r = writesNothing(() -> as(BILLING).body(body).post("/api/v1/releases"));
    assertTextRefused(r, "'initiator' contains the control character U+0007");
    assertThat(r.jsonPath().getString("detail"))
        .contains(
            "'github_run_link' contains the control character U+0000",
            "'ref' contains the bidirectional control character U+202E",
            "'github_run_id' contains the control character U+0085");
  }

  @Test
  void givenAnUnpairedSurrogate_whenCreated_thenItIsRefused() {
    Map<String, Object> body = Api.createBody(Api.newService(), BILLING_REPO);
    String json = Api.json(body).replace("\"v1.2.3\"", "\"v1\\ud800\"");
    Response r = writesNothing(() -> as(BILLING).body(json).post("/api/v1/releases"));
    assertTextRefused(r, "'tag' contains the unpaired surrogate U+D800");
  }

  @Test
  void givenABidiOverrideInAStepDetail_whenReported_then422() {
    String id = Api.createRelease(BILLING_REPO);
    Response r =
        writesNothing(
            () ->
                as(BILLING)
                    .body(Map.of("status", "stage_building", "detail", "built \u202Egnp.exe"))
                    .post("/api/v1/releases/{id}/steps", id));
    assertTextRefused(r, "'detail' contains the bidirectional control character U+202E");
    assertThat(log.types(id)).containsExactly("release.created.v1");
  }

  @Test
  void givenLineFeedsInAStepDetail_whenReported_thenTheyAreKept() {
    String id = Api.createRelease(BILLING_REPO);
    as(BILLING)
        .body(Map.of("status", "stage_building", "detail", "built\n\tin 3 min"))
        .post("/api/v1/releases/{id}/steps", id)
        .then()
        .statusCode(200);
  }

  @Test
  void givenControlCharactersInTheAdminActions_whenSent_thenEachAnswers422() {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    assertTextRefused(
        writesNothing(
            () ->
                as(ADMIN)
                    .body(Map.of("telegram_user_id", 1001, "name", "Al\u0000ice"))
                    .post("/api/v1/releases/{id}/approvals", id)),
        "'name' contains the control character U+0000");
    assertTextRefused(
        writesNothing(
            () ->
                as(ADMIN)
                    .body(Map.of("telegram_user_id", 1002, "reason", "broken\u0007"))
                    .post("/api/v1/releases/{id}/rejections", id)),
        "'reason' contains the control character U+0007");
    assertTextRefused(
        writesNothing(
            () ->
                as(ADMIN)
                    .body(Map.of("telegram_user_id", 1002, "target_tag", "v1\u202E"))
                    .post("/api/v1/releases/{id}/rollback", id)),
        "'target_tag' contains the bidirectional control character U+202E");
    assertTextRefused(
        writesNothing(
            () ->
                as(ADMIN)
                    .body(Map.of("reason", "\u0085"))
                    .post("/api/v1/releases/{id}/cancel", id)),
        "'reason' contains the control character U+0085");
  }

  @Test
  void givenControlCharactersInTheLegacyApi_whenSent_thenTheyAreRefusedByTheSameRule() {
    Response create =
        writesNothing(
            () ->
                as(BILLING)
                    .body(
                        Map.of(
                            "service_name", Api.newService(),
                            "release_tag", "v1\u0000.0",
                            "initiated_by", "dave",
                            "github_run_id", "77",
                            "github_action_link", "https://github.com/acme/billing/actions/runs/77",
                            "github_ref", "refs/tags/v1"))
                    .post("/release"));
    assertTextRefused(create, "'tag' contains the control character U+0000");
    String id = Api.createRelease(BILLING_REPO);
    Response update =
        writesNothing(
            () ->
                as(BILLING)
                    .body(Map.of("release_id", id, "status", "stage_building", "detail", "\u0000"))
                    .patch("/release"));
    assertTextRefused(update, "'detail' contains the control character U+0000");
  }

  @Test
  void givenANulInAPathOrQuery_whenQueried_then422NotAServerError() {
    assertTextRefused(
        given().auth().oauth2(BILLING).urlEncodingEnabled(false).get("/api/v1/releases/a%00b"),
        "'release_id' contains the control character U+0000");
    assertTextRefused(
        given()
            .auth()
            .oauth2(BILLING)
            .urlEncodingEnabled(false)
            .get("/api/v1/releases/a%00b/timeline"),
        "'release_id' contains the control character U+0000");
    assertTextRefused(
        given()
            .auth()
            .oauth2(BILLING)
            .urlEncodingEnabled(false)
            .get("/api/v1/releases?service=a%00b"),
        "'service' contains the control character U+0000");
    assertTextRefused(
        given()
            .auth()
            .oauth2(BILLING)
            .urlEncodingEnabled(false)
            .get("/api/v1/services/a%E2%80%AEb/deployed-tags"),
        "'service' contains the bidirectional control character U+202E");
  }

  @Test
  void givenAStepBodyWithTrailingGarbage_whenReported_then400AndNothingWritten() {
    String id = Api.createRelease(BILLING_REPO);
    Response r =
        writesNothing(
            () ->
                as(BILLING)
                    .body("{\"status\":\"stage_building\"} xyz")
                    .post("/api/v1/releases/{id}/steps", id));
    assertProblem(r, 400, "the body");
    Response second =
        writesNothing(
            () ->
                as(BILLING)
                    .body("{\"status\":\"stage_building\"} {}")
                    .post("/api/v1/releases/{id}/steps", id));
    assertProblem(second, 400, "exactly one JSON value");
    Response legacy =
        writesNothing(
            () ->
                as(BILLING)
                    .body("{\"release_id\":\"" + id + "\",\"status\":\"stage_building\"} []")
                    .patch("/release"));
    assertProblem(legacy, 400, "exactly one JSON value");
    assertThat(log.types(id)).containsExactly("release.created.v1");
  }

  @Test
  void givenABodyThatIsNoUtf8Text_whenPosted_then400() {
    // found by HttpBodyFuzzTest: leading NUL bytes make Jackson read the body as UTF-32
    byte[] body =
        java.util.Base64.getDecoder()
            .decode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAHsic2VydmljZSI6IngifQ==");
    Response r = writesNothing(() -> as(BILLING).body(body).post("/api/v1/releases"));
    assertProblem(r, 400, "send it as UTF-8");
  }

  @Test
  void givenAFieldTwice_whenSent_then400() {
    String id = Api.createRelease(BILLING_REPO);
    Response r =
        writesNothing(
            () ->
                as(BILLING)
                    .body("{\"status\":\"stage_building\",\"status\":\"deployed\"}")
                    .post("/api/v1/releases/{id}/steps", id));
    assertProblem(r, 400, "Duplicate field 'status'");
  }

  @Test
  void givenA2MiBBody_whenPosted_then413ProblemJson() {
    Response r =
        writesNothing(() -> as(BILLING).body("x".repeat(2 * 1024 * 1024)).post("/api/v1/releases"));
    assertProblem(r, 413, "the limit is 16384");
  }

  @Test
  void givenAChunkedBody_whenPosted_then411ProblemJsonAskingForAContentLength() throws Exception {
    byte[] body = new byte[200 * 1024];
    java.util.Arrays.fill(body, (byte) ' ');
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + RestAssured.port + "/api/v1/releases"))
            .header("Authorization", "Bearer " + BILLING)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();
    Map<Integer, Long> before = log.endOffsets();
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(log.endOffsets()).isEqualTo(before);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(411);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith(Api.PROBLEM_JSON));
    assertThat(r.body()).contains("\"status\":411", "Content-Length");
  }

  @Test
  void givenAnUnknownPath_whenCalled_then404ProblemJson() {
    assertProblem(as(BILLING).get("/api/v1/nothing-here"), 404, "no such resource");
    assertProblem(as(BILLING).get("/nothing-here"), 404, "no such resource");
    // closed by default: without a token no path answers, so a stranger cannot map them
    assertProblem(given().get("/nothing-here"), 401, "Authorization: Bearer");
  }

  @Test
  void givenAWrongMethod_whenCalled_then405ProblemJson() {
    String id = Api.createRelease(BILLING_REPO);
    assertProblem(
        writesNothing(() -> as(BILLING).body("{}").put("/api/v1/releases/{id}", id)),
        405,
        "method is not allowed");
  }

  @Test
  void givenAWrongContentType_whenPosted_then415ProblemJson() {
    Response r =
        writesNothing(
            () ->
                given()
                    .auth()
                    .oauth2(BILLING)
                    .contentType("text/plain")
                    .body("service=billing")
                    .post("/api/v1/releases"));
    assertProblem(r, 415, "application/json");
  }

  @Test
  void givenAnUnacceptableAccept_whenCalled_then406ProblemJson() {
    Response r =
        writesNothing(
            () ->
                as(BILLING)
                    .accept("text/html")
                    .body(Api.createBody(Api.newService(), BILLING_REPO))
                    .post("/api/v1/releases"));
    assertThat(r.statusCode()).isEqualTo(406);
    assertThat(r.contentType()).startsWith(Api.PROBLEM_JSON);
    assertThat(r.jsonPath().getString("detail")).contains("application/json");
  }

  @Test
  void givenAControlCharacterInTheCorrelationHeader_whenCreated_then422() throws Exception {
    String body = Api.json(Api.createBody(Api.newService(), BILLING_REPO));
    Map<Integer, Long> before = log.endOffsets();
    String answer =
        rawRequest(
            "POST /api/v1/releases HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Authorization: Bearer "
                + BILLING
                + "\r\n"
                + "Content-Type: application/json\r\n"
                + "X-Correlation-Id: abc\u0085def\r\n"
                + "Content-Length: "
                + body.length()
                + "\r\nConnection: close\r\n\r\n"
                + body);
    assertThat(log.endOffsets()).isEqualTo(before);
    assertThat(answer)
        .startsWith("HTTP/1.1 422")
        .contains(Api.PROBLEM_JSON, "'X-Correlation-Id' contains the control character U+0085");
  }

  /** Sends bytes as they are: HTTP clients clean header values before a server could see them. */
  private static String rawRequest(String request) throws java.io.IOException {
    try (java.net.Socket socket = new java.net.Socket("localhost", RestAssured.port)) {
      socket
          .getOutputStream()
          .write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      return new String(
          socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }
}
