package dev.rmm.projector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.RestartablePostgres;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL restarts under a running projector. Both of its pools held connections that died with
 * the server: the JDBC pool (Flyway and the rebuild's COPY) must not hand them out again, and the
 * reactive pool of the live projection must reconnect, so a rebuild works and the read model
 * catches up without restarting the projector.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(RestartablePostgres.class)
class PostgresRestartTest extends LiveProjectionFixture {

  @Test
  void givenPostgresRestarted_whenARebuildIsAsked_thenItSucceedsAndTheLiveProjectionResumes() {
    String before = log.releaseToManualTesting("restart-svc", "v1.0.0");
    log.flush();
    awaitVersion(before, 4);
    // the JDBC pool now holds the connections of a rebuild (and of Flyway at start)
    assertThat(rebuild().getBoolean("swapped")).isTrue();

    RestartablePostgres.stopServer();
    String during;
    try {
      during = log.releaseToManualTesting("restart-svc", "v1.0.1");
      log.approveAndDeploy(before);
      log.flush();
      // meanwhile a rebuild cannot run, and says so
      given()
          .header("Authorization", "Bearer test-admin-token")
          .when()
          .post("/admin/rebuild")
          .then()
          .statusCode(503)
          .contentType("application/problem+json")
          .header("Retry-After", "5")
          .body("detail", containsString("PostgreSQL (the read model) cannot be reached"));
    } finally {
      RestartablePostgres.startServer();
    }

    // the live projection reconnects and applies what the log got meanwhile
    awaitVersion(during, 4);
    awaitVersion(before, 9);
    // the first rebuild after the restart works: no connection of the old server is handed out
    JsonPath report = rebuild();
    assertThat(report.getMap("differences", String.class, Integer.class))
        .allSatisfy((t, n) -> assertThat(n).as("rows differing in %s", t).isZero());
    assertThat(report.getBoolean("swapped")).isTrue();
    assertThat(report.getLong("events")).isEqualTo(4 + 9);

    String after = log.releaseToManualTesting("restart-svc", "v1.0.2");
    log.flush();
    awaitVersion(after, 4);
  }

  private static JsonPath rebuild() {
    return given()
        .header("Authorization", "Bearer test-admin-token")
        .when()
        .post("/admin/rebuild")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private void awaitVersion(String id, long version) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () ->
                pg
                    .preparedQuery("SELECT version FROM read_model.releases WHERE release_id = $1")
                    .execute(Tuple.of(id))
                    .await()
                    .atMost(Duration.ofSeconds(5))
                    .stream()
                    .anyMatch(r -> r.getLong("version") == version));
  }
}
