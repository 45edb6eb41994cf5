package dev.rmm.api.query;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.api.support.Api;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.RestartablePostgres;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL (the read model) goes away while release-api runs, and comes back. Meanwhile every
 * query answers 503 problem+json with Retry-After, never 500, and writes go on (they go to the
 * release log); afterwards queries answer again without a restart of release-api.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(RestartablePostgres.class)
class ReadModelOutageTest {

  private static final String RELEASE_ID = "outage-release";

  @Inject Pool pg;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    // release-projector owns the read model; these are the columns the queries read
    pg.query(
            "CREATE SCHEMA IF NOT EXISTS read_model;"
                + " CREATE TABLE IF NOT EXISTS read_model.releases (release_id text PRIMARY KEY,"
                + " service_name text, release_tag text, status text, outcome text,"
                + " created_at timestamptz, deployed_at timestamptz, version bigint, repository text);"
                + " CREATE TABLE IF NOT EXISTS read_model.release_events (release_id text,"
                + " sequence bigint, event_id text, type text, occurred_at timestamptz,"
                + " actor_kind text, actor_id text, actor_name text, correlation_id text,"
                + " causation_id text, traceparent text, data jsonb, on_behalf_of_kind text,"
                + " on_behalf_of_id text, on_behalf_of_name text);"
                + " CREATE OR REPLACE VIEW read_model.production_tags AS SELECT service_name,"
                + " release_tag AS tag FROM read_model.releases WHERE false;"
                + " INSERT INTO read_model.releases VALUES ('"
                + RELEASE_ID
                + "', 'billing', 'v1.0.0', 'deployed', 'successful', now(), now(), 9, 'acme/billing')"
                + " ON CONFLICT DO NOTHING;"
                + " INSERT INTO read_model.release_events (release_id, sequence, event_id, type,"
                + " occurred_at, actor_kind, actor_id, data) SELECT '"
                + RELEASE_ID
                + "', 1, 'e1', 'release.created.v1', now(), 'github', 'acme/billing', '{}'"
                + " WHERE NOT EXISTS (SELECT 1 FROM read_model.release_events);")
        .execute()
        .await()
        .atMost(Duration.ofSeconds(30));
  }

  @Test
  void givenPostgresStopped_whenQueried_thenEveryQueryIs503UntilItIsBackAndWritesGoOn() {
    List<Supplier<Response>> queries =
        List.of(
            () -> as(ADMIN).get("/api/v1/releases?outcome=successful"),
            () -> as(ADMIN).get("/api/v1/releases/{id}", RELEASE_ID),
            () -> as(ADMIN).get("/api/v1/releases/{id}/timeline", RELEASE_ID),
            () -> as(ADMIN).get("/api/v1/services/billing/deployed-tags"));
    queries.forEach(q -> assertThat(q.get().statusCode()).isEqualTo(200));

    RestartablePostgres.stopServer();
    try {
      for (Supplier<Response> q : queries) {
        Response r = q.get();
        assertProblem(r, 503, "the read model (PostgreSQL) cannot be reached");
        assertThat(r.header("Retry-After")).isEqualTo("5");
      }
      // writes go to the release log, not to PostgreSQL; the instance stays ready for them
      String id = Api.createRelease(BILLING_REPO);
      Api.stepOk(ADMIN, id, "stage_building");
      given().get("/q/health/ready").then().statusCode(200);
    } finally {
      RestartablePostgres.startServer();
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> queries.forEach(q -> assertThat(q.get().statusCode()).isEqualTo(200)));
  }
}
