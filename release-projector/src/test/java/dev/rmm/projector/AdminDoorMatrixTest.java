package dev.rmm.projector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The projector's row of the authorization matrix (docs/security.md; release-api's doors are in
 * release-api's {@code AuthorizationMatrixTest}, a separate application): {@code POST
 * /admin/rebuild} against every kind of caller. Only the admin token passes; every refusal is
 * problem+json and leaves the database's schemas as they were (no rebuild started).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AdminDoorMatrixTest {

  @Inject Pool pg;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  /**
   * Caller, the bearer token it holds (null: none), the expected answer. The projector knows only
   * the admin ({@code *}) entries of RMM_API_TOKENS and no OIDC: a repository's token is no token
   * here.
   */
  static Stream<Arguments> cells() {
    return Stream.of(
        Arguments.of("none", null, 401),
        Arguments.of("another repository's token", "frontend-token", 401),
        Arguments.of("the service's pipeline token", "billing-token", 401),
        Arguments.of(
            "an OIDC token of another repository",
            "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJyZXBvc2l0b3J5IjoiYWNtZS9mcm9udGVuZCJ9.c2ln",
            401),
        Arguments.of("the admin token", "test-admin-token", 200),
        Arguments.of("the orchestrator (Kafka credentials only)", "rmm-orchestrator:secret", 401),
        Arguments.of("the gateway (Kafka credentials only)", "rmm-gateway:secret", 401));
  }

  @ParameterizedTest(name = "POST /admin/rebuild by {0}: {2}")
  @MethodSource("cells")
  void givenTheRebuildDoor_whenACallerKnocks_thenTheAnswerIsTheMatrixCell(
      String caller, String token, int expected) throws Exception {
    EventLog.createTopic(bootstrap, 3); // the rebuild reads it from offset 0
    List<String> before = schemas();

    RequestSpecification request = given();
    if (token != null) {
      request = request.header("Authorization", "Bearer " + token);
    }
    Response r = request.post("/admin/rebuild?swap=false");

    assertThat(r.statusCode()).as("%s: %s", caller, r.asString()).isEqualTo(expected);
    if (expected == 401) {
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(r.jsonPath().getString("detail")).contains("admin token");
      assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
      assertThat(schemas()).as("a refusal starts no rebuild").isEqualTo(before);
    }
  }

  private List<String> schemas() {
    List<String> names = new ArrayList<>();
    for (Row row :
        pg.query("SELECT schema_name FROM information_schema.schemata ORDER BY schema_name")
            .execute()
            .await()
            .atMost(Duration.ofSeconds(10))) {
      names.add(row.getString(0));
    }
    return names;
  }
}
