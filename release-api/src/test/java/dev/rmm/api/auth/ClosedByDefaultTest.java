package dev.rmm.api.auth;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, point 8: a door is closed unless it says who may pass. {@link UnannotatedProbe} is an
 * endpoint that forgot its {@code @RolesAllowed} and a plain route below REST; Quarkus security
 * (deny-unannotated-endpoints and the HTTP permissions in application.properties) refuses them,
 * with the same problem+json answers as every other door. Quarkus' own /q/ endpoints stay open.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ClosedByDefaultTest {

  @BeforeEach
  void ready() {
    Api.awaitReady();
  }

  @Test
  void givenAnEndpointWithoutRoles_whenAnonymous_then401WithTheBearerChallenge() {
    Response r = given().get("/api/v1/forgotten");
    assertProblem(r, 401, "Authorization: Bearer <token>");
    assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    assertProblem(given().body("{}").post("/api/v1/forgotten"), 401, "Authorization: Bearer");
  }

  @Test
  void givenAnEndpointWithoutRoles_whenAPipelineOrTheAdminCalls_then403() {
    assertProblem(as(BILLING).get("/api/v1/forgotten"), 403, "nothing grants access");
    assertProblem(as(ADMIN).get("/api/v1/forgotten"), 403, "nothing grants access");
    assertProblem(as(ADMIN).body("{}").post("/api/v1/forgotten"), 403, "nothing grants access");
  }

  @Test
  void givenAnEndpointWithoutRoles_whenTheTokenIsWrong_then401() {
    Response r = as("not-a-token").get("/api/v1/forgotten");
    assertProblem(r, 401, "the bearer token is not valid");
    assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void givenARouteBelowRest_whenAnonymous_then401() {
    Response r = given().get("/forgotten-route");
    assertProblem(r, 401, "Authorization: Bearer <token>");
    assertProblem(as("not-a-token").get("/forgotten-route"), 401, "not valid");
  }

  @Test
  void givenAPathNobodyServes_whenAnonymous_then401BeforeAnything() {
    assertProblem(given().get("/api/v2/releases"), 401, "Authorization: Bearer");
    assertProblem(given().get("/anything"), 401, "Authorization: Bearer");
  }

  @Test
  void givenQuarkusOwnEndpoints_thenTheyStayOpen_evenWithABadToken() {
    given().get("/q/health/ready").then().statusCode(200);
    as("not-a-token").get("/q/health/live").then().statusCode(200);
    given().get("/q/metrics").then().statusCode(200);
    given().get("/q/openapi").then().statusCode(200);
  }
}
