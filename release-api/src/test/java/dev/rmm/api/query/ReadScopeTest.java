package dev.rmm.api.query;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pipeline reads its own repository's releases only (issue 13, point 8's read scope): another
 * repository's release is answered like one that does not exist, and lists leave it out. The admin
 * token reads everything.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ReadScopeTest {

  private static final String FRONTEND_REPO = "acme/frontend";

  @Inject Pool pg;

  private ReadModelStandIn readModel;
  private ReleaseLog log;
  private String billing;
  private String frontend;
  private String frontendService;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
    readModel = new ReadModelStandIn(pg);
    readModel.create();
    billing = Api.createRelease(BILLING_REPO);
    frontendService = Api.newService();
    frontend = Api.create(ADMIN, Api.createBody(frontendService, FRONTEND_REPO));
    Api.stepOk(ADMIN, frontend, "stage_building");
    readModel.mirror(log, billing, frontend);
    for (String id : List.of(billing, frontend)) {
      pg.preparedQuery(
              "INSERT INTO read_model.release_events (release_id, sequence, event_id, type,"
                  + " occurred_at, actor_kind, actor_id, data, kafka_partition, kafka_offset)"
                  + " VALUES ($1, 1, $2, 'release.created.v1', now(), 'github', 'x', '{}', 0, 0)")
          .execute(Tuple.of(id, "e-" + id))
          .await()
          .atMost(Duration.ofSeconds(10));
    }
  }

  @AfterEach
  void tearDown() {
    log.close();
    readModel.drop(); // the other tests run without a read model
  }

  @Test
  void givenAnotherRepositorysRelease_whenAPipelineReadsIt_thenItIsNotFound() {
    for (String path :
        List.of(
            "/api/v1/releases/{id}",
            "/api/v1/releases/{id}/timeline",
            "/api/v1/releases/{id}?min_version=1")) {
      assertProblem(as(BILLING).get(path, frontend), 404, "release " + frontend + " not found");
      assertThat(as(BILLING).get(path, billing).statusCode()).as(path).isEqualTo(200);
      assertThat(as(ADMIN).get(path, frontend).statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  void givenReleasesOfTwoRepositories_whenAPipelineLists_thenItSeesOnlyItsOwn() {
    Response own = as(BILLING).get("/api/v1/releases?outcome=active&size=100");
    List<String> repositories = own.jsonPath().getList("items.repository");
    assertThat(repositories).isNotEmpty().allMatch(BILLING_REPO::equalsIgnoreCase);
    assertThat(own.jsonPath().getList("items.release_id", String.class))
        .contains(billing)
        .doesNotContain(frontend);
    assertThat(own.jsonPath().getInt("total")).isEqualTo(repositories.size());

    List<String> all =
        as(ADMIN)
            .get("/api/v1/releases?outcome=active&size=100")
            .jsonPath()
            .getList("items.release_id");
    assertThat(all).contains(billing, frontend);
  }

  @Test
  void givenAnotherRepositorysService_whenAPipelineAsksForItsDeployedTags_thenItLearnsNothing() {
    pg.preparedQuery("UPDATE read_model.releases SET deployed_at = now() WHERE release_id = $1")
        .execute(Tuple.of(frontend))
        .await()
        .atMost(Duration.ofSeconds(10));

    Map<String, Object> asPipeline =
        as(BILLING)
            .get("/api/v1/services/{s}/deployed-tags", frontendService)
            .jsonPath()
            .getMap("");
    Map<String, Object> asAdmin =
        as(ADMIN).get("/api/v1/services/{s}/deployed-tags", frontendService).jsonPath().getMap("");

    assertThat((List<?>) asPipeline.get("tags")).isEmpty();
    assertThat(asPipeline.get("production_tag")).isNull();
    assertThat((List<?>) asAdmin.get("tags")).hasSize(1);
  }
}
