package dev.rmm.projector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rebuild compares the fresh schema with the live one at one log position, so it waits for a live
 * projection that is behind what the rebuild has read. When it stays behind longer than {@code
 * rmm.projector.rebuild-live-wait} (90 s in production, 2 s here), the rebuild gives up: 503
 * problem+json with Retry-After, and no schema is left behind.
 */
@QuarkusTest
@TestProfile(RebuildLiveBehindTest.ShortLiveWait.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RebuildLiveBehindTest extends LiveProjectionFixture {

  /** The rebuild waits 2 s for the live projection instead of 90 s. */
  public static class ShortLiveWait implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("rmm.projector.rebuild-live-wait", "2s");
    }
  }

  /** The test stops the live projection; the next test class finds it running. */
  @AfterEach
  void restartTheLiveProjection() {
    live.start();
  }

  @Test
  void givenTheLiveProjectionStaysBehindTheLog_whenRebuilt_then503WithRetryAfterAndNoSchemaLeft() {
    String first = log.releaseToManualTesting("stays-behind-svc", "v1.0.0");
    log.flush();
    awaitVersion(first, 4);
    live.stop();
    List<String> later = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      later.add(log.releaseToManualTesting("stays-behind-svc-" + i, "v1.1." + i));
    }
    log.flush();

    given()
        .header("Authorization", "Bearer test-admin-token")
        .queryParam("swap", "false")
        .when()
        .post("/admin/rebuild")
        .then()
        .statusCode(503)
        .contentType("application/problem+json")
        .header("Retry-After", "30")
        .body("type", equalTo("https://rmm.dev/problems/live-projection-behind"))
        .body("status", equalTo(503))
        .body("detail", containsString("the live projection stayed behind the log for 2 s"));

    assertThat(
            count(
                "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE"
                    + " 'read_model_%'"))
        .as("the rebuild's schema is dropped")
        .isZero();
    // the live projection was left alone: started again, it catches up
    live.start();
    later.forEach(id -> awaitVersion(id, 4));
  }

  private void awaitVersion(String id, long version) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                count("SELECT version FROM read_model.releases WHERE release_id = $1", id)
                    == version);
  }

  private long count(String sql, Object... args) {
    var rows = pg.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely();
    return rows.size() == 0 ? -1 : rows.iterator().next().getLong(0);
  }
}
