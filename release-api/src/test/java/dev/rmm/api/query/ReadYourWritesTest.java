package dev.rmm.api.query;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.api.support.Api;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Read your writes, against a read model that the test itself moves forward (release-projector is
 * not running here; the table has just the columns these checks read). The whole path through the
 * real projector is in deploy/e2e's ReleaseWalkthroughTest.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ReadYourWritesTest {

  @Inject Pool pg;

  private final String id = UUID.randomUUID().toString();

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    sql("CREATE SCHEMA read_model");
    sql(
        "CREATE TABLE read_model.releases (release_id text PRIMARY KEY, version bigint, status text)");
  }

  @AfterEach
  void dropTheReadModel() {
    // ReadModelUnavailableTest wants no read model at all
    sql("DROP SCHEMA read_model CASCADE");
  }

  @Test
  void givenTheReadModelBehind_whenAskedForTheWrittenVersion_thenItAnswersOnceItCaughtUp()
      throws Exception {
    sql("INSERT INTO read_model.releases VALUES ($1, 3, 'stage_test_rollback')", id);
    CompletableFuture<Response> read =
        CompletableFuture.supplyAsync(
            () -> as(ADMIN).get("/api/v1/releases/{id}?min_version=4", id));

    // while the read model holds version 3, the query waits rather than answer it
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !read.isDone());
    sql(
        "UPDATE read_model.releases SET version = 4, status = 'manual_testing' WHERE release_id = $1",
        id);

    Response r = read.get(30, TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
    assertThat(r.jsonPath().getLong("version")).isEqualTo(4);
    assertThat(r.jsonPath().getString("status")).isEqualTo("manual_testing");
  }

  @Test
  void givenAReleaseJustCreated_whenReadWithItsVersion_thenItIsFoundNot404() throws Exception {
    CompletableFuture<Response> read =
        CompletableFuture.supplyAsync(
            () -> as(ADMIN).get("/api/v1/releases/{id}?min_version=1", id));
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !read.isDone());
    sql("INSERT INTO read_model.releases VALUES ($1, 1, 'initiated')", id);

    Response r = read.get(30, TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
    assertThat(r.jsonPath().getString("release_id")).isEqualTo(id);
  }

  @Test
  void givenTheReadModelNeverCatchesUp_whenAsked_thenTheAnswerIs503WithRetryAfter() {
    sql("INSERT INTO read_model.releases VALUES ($1, 2, 'stage_building')", id);
    long started = System.nanoTime();

    Response r = as(ADMIN).get("/api/v1/releases/{id}?min_version=5", id);

    var body = assertProblem(r, 503, "holds version 2 of release " + id);
    assertThat(body.getString("detail")).contains("version 5");
    assertThat(r.header("Retry-After")).isEqualTo("1");
    // it waited for the configured bound (rmm.api.read-wait, 5 s), not for ever
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void givenAVersionAlreadyThere_whenAsked_thenTheAnswerIsImmediateAndTheSameAsWithout() {
    sql("INSERT INTO read_model.releases VALUES ($1, 7, 'deployed')", id);

    Response asked = as(ADMIN).get("/api/v1/releases/{id}?min_version=7", id);
    Response plain = as(ADMIN).get("/api/v1/releases/{id}", id);

    assertThat(asked.statusCode()).isEqualTo(200);
    assertThat(asked.asString()).isEqualTo(plain.asString());
  }

  @Test
  void givenAMinVersionThatIsNotAVersion_whenAsked_thenItIsRefusedWith422() {
    for (String bad : new String[] {"0", "-1", "abc", "1.5", "99999999999999999999"}) {
      assertProblem(
          as(ADMIN).get("/api/v1/releases/{id}?min_version=" + bad, id), 422, "min_version");
      assertProblem(
          as(ADMIN).get("/api/v1/releases/{id}/timeline?min_version=" + bad, id),
          422,
          "min_version");
    }
  }

  private void sql(String statement, Object... args) {
    pg.preparedQuery(statement).execute(Tuple.from(args)).await().atMost(Duration.ofSeconds(10));
  }
}
