package dev.rmm.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;

import dev.rmm.api.support.Api;
import dev.rmm.contracts.EventCodec;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Quarkus-convention endpoints a platform team expects: OpenAPI (with the schemas of the
 * request bodies and the query answers under their wire names), health and metrics.
 */
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
  void givenTheOpenApiDocument_whenRequestBodiesAreRead_thenTheirFieldsHaveTheirWireNames() {
    // the bodies are bound snake_case (quarkus.jackson.property-naming-strategy); the schemas
    // said githubRunId, telegramUserId... until they were given the same naming strategy
    JsonPath doc = openApi();

    assertThat(properties(doc, "CreateReleaseRequest"))
        .containsExactly(
            "service",
            "tag",
            "initiator",
            "github_run_id",
            "github_run_link",
            "ref",
            "repository",
            "commit_sha");
    assertThat(properties(doc, "StepRequest")).containsExactly("status", "detail", "commit_sha");
    assertThat(properties(doc, "Approval"))
        .containsExactly("telegram_user_id", "name", "seen_version");
    assertThat(properties(doc, "Rejection"))
        .containsExactly("telegram_user_id", "name", "reason", "seen_version");
    assertThat(properties(doc, "Rollback"))
        .containsExactly("telegram_user_id", "name", "target_tag", "seen_version");
    assertThat(properties(doc, "Cancellation")).containsExactly("reason");
    assertThat(
            doc.getString(
                "paths.'/api/v1/releases/{id}/approvals'.post.requestBody.content.'application/json'.schema.$ref"))
        .isEqualTo("#/components/schemas/Approval");
  }

  @Test
  void givenTheOpenApiDocument_whenTheQueriesAreRead_thenEachAnswerHasTheSchemaOfWhatItWrites()
      throws IOException {
    JsonPath doc = openApi();

    Map<String, String> answers =
        Map.of(
            "'/api/v1/releases'", "ReleaseList",
            "'/api/v1/releases/{id}'", "ReleaseView",
            "'/api/v1/releases/{id}/timeline'", "Timeline",
            "'/api/v1/releases/{id}/rollback-targets'", "RollbackTargetList",
            "'/api/v1/services/{service}/deployed-tags'", "DeployedTags");
    answers.forEach(
        (path, schema) ->
            assertThat(
                    doc.getString(
                        "paths."
                            + path
                            + ".get.responses.'200'.content.'application/json'.schema.$ref"))
                .as(path)
                .isEqualTo("#/components/schemas/" + schema));
    // the release's schema has exactly the fields of a release answer with every field filled
    assertThat(properties(doc, "ReleaseView"))
        .containsExactlyInAnyOrderElementsOf(goldenKeys("release-deployed.json"));
    assertThat(doc.getString("components.schemas.ReleaseView.properties.approved_list.items.$ref"))
        .isEqualTo("#/components/schemas/ApprovalGiven");
    assertThat(properties(doc, "ApprovalGiven"))
        .containsExactlyInAnyOrder("id", "name", "at", "commit_sha", "on_behalf");
    assertThat(doc.getString("components.schemas.TimelineEvent.properties.data.type"))
        .isEqualTo("object");
  }

  private static JsonPath openApi() {
    return given()
        .queryParam("format", "json")
        .when()
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private static List<String> properties(JsonPath doc, String schema) {
    Map<String, Object> properties = doc.getMap("components.schemas." + schema + ".properties");
    assertThat(properties).as(schema).isNotNull();
    return List.copyOf(properties.keySet());
  }

  private static List<String> goldenKeys(String file) throws IOException {
    try (InputStream in =
        OpenApiAndHealthTest.class.getClassLoader().getResourceAsStream("golden/query/" + file)) {
      List<String> keys = new ArrayList<>();
      EventCodec.mapper().readTree(in).fieldNames().forEachRemaining(keys::add);
      return keys;
    }
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
