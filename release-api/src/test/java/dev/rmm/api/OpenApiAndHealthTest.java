package dev.rmm.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;

import dev.rmm.api.support.Api;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The Quarkus-convention endpoints a platform team expects: OpenAPI, health and metrics. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class OpenApiAndHealthTest {

  @Test
  void theOpenApiDocumentDescribesTheApiAndItsBearerAuth() {
    given()
        .queryParam("format", "json")
        .when()
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("paths", hasKey("/api/v1/releases"))
        .body("paths", hasKey("/api/v1/releases/{id}/steps"))
        .body("paths", hasKey("/api/v1/services/{service}/deployed-tags"))
        .body("components.securitySchemes", hasKey("bearer"));
  }

  @Test
  void theOpenApiDocumentDescribesTheRoleQuorumAndTheInitiatorOfOneRelease() {
    given()
        .queryParam("format", "json")
        .when()
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("paths.'/api/v1/releases/{id}'.get.description", containsString("role_quorum"))
        .body(
            "paths.'/api/v1/releases/{id}'.get.description",
            containsString("{role, required, approved, holders}"))
        .body("paths.'/api/v1/releases/{id}'.get.description", containsString("initiator_login"));
  }

  @Test
  void readinessIncludesTheWriterAndMetricsIncludeItsAppendTimes() {
    Api.awaitReady();
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.name", hasItem("release-log writer"));
    Api.releaseInManualTesting(Api.BILLING_REPO);
    given()
        .when()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("rmm_writer_append_seconds_count"));
  }
}
