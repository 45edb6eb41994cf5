package dev.rmm.api.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** HTTP helpers shared by the release-api tests: tokens, request bodies, common paths. */
public final class Api {

  /** Plaintext of the admin token configured (hashed) for the test profile. */
  public static final String ADMIN = "test-admin-token";

  /** Plaintext of the token of repository acme/billing. */
  public static final String BILLING = "billing-token";

  public static final String BILLING_REPO = "acme/billing";
  public static final String PROBLEM_JSON = "application/problem+json";

  private Api() {}

  /** Waits until the writer owns its partitions and has loaded them. */
  public static void awaitReady() {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> given().get("/q/health/ready").statusCode() == 200);
  }

  public static RequestSpecification as(String token) {
    return given().auth().oauth2(token).contentType(ContentType.JSON);
  }

  /** A fresh service name, so every test works on releases of its own. */
  public static String newService() {
    return "svc-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A complete create request in the v1 shape. */
  public static Map<String, Object> createBody(String service, String repository) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("service", service);
    b.put("tag", "v1.2.3");
    b.put("initiator", "dave");
    b.put("github_run_id", String.valueOf(ThreadLocalRandom.current().nextLong(1, 1L << 40)));
    b.put("github_run_link", "https://github.com/" + repository + "/actions/runs/1");
    b.put("ref", "refs/tags/v1.2.3");
    b.put("repository", repository);
    b.put("commit_sha", "0123456789abcdef0123456789abcdef01234567");
    return b;
  }

  /** The body as JSON text, for requests that alter it by hand. */
  public static String json(Map<String, Object> body) {
    try {
      return dev.rmm.contracts.EventCodec.mapper().writeValueAsString(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates a release and returns its id. */
  public static String create(String token, Map<String, Object> body) {
    return as(token)
        .body(body)
        .post("/api/v1/releases")
        .then()
        .statusCode(201)
        .extract()
        .path("release_id");
  }

  /** Creates a release of a fresh service in {@code repository} with the admin token. */
  public static String createRelease(String repository) {
    return create(ADMIN, createBody(newService(), repository));
  }

  public static Response step(String token, String releaseId, String status) {
    return as(token).body(Map.of("status", status)).post("/api/v1/releases/{id}/steps", releaseId);
  }

  /** Reports a step that must be accepted. */
  public static void stepOk(String token, String releaseId, String status) {
    step(token, releaseId, status).then().statusCode(200).body("status", equalTo(status));
  }

  /** Creates a release and drives it to manual_testing, as a pipeline would. */
  public static String releaseInManualTesting(String repository) {
    String id = createRelease(repository);
    for (String s : new String[] {"stage_building", "stage_test_rollback", "manual_testing"}) {
      stepOk(ADMIN, id, s);
    }
    return id;
  }

  /** Creates a release of {@code service} and drives it to manual_testing. */
  public static String releaseInManualTesting(String repository, String service) {
    String id = create(ADMIN, createBody(service, repository));
    for (String s : new String[] {"stage_building", "stage_test_rollback", "manual_testing"}) {
      stepOk(ADMIN, id, s);
    }
    return id;
  }

  public static Response approve(String releaseId, long user) {
    return as(ADMIN)
        .body(Map.of("telegram_user_id", user, "name", "user " + user))
        .post("/api/v1/releases/{id}/approvals", releaseId);
  }

  /**
   * Asserts an RFC 9457 answer: the status, the problem+json content type, and a detail that
   * contains {@code detail}. Returns the body for further checks.
   */
  public static JsonPath assertProblem(Response r, int status, String detail) {
    assertThat(r.statusCode()).as("status of %s", r.asString()).isEqualTo(status);
    assertThat(r.contentType()).startsWith(PROBLEM_JSON);
    JsonPath body = r.jsonPath();
    assertThat(body.getInt("status")).isEqualTo(status);
    assertThat(body.getString("title")).isNotBlank();
    assertThat(body.getString("type")).startsWith("https://rmm.dev/problems/");
    assertThat(body.getString("detail")).contains(detail);
    return body;
  }
}
