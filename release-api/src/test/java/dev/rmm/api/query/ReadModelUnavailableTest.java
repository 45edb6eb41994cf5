package dev.rmm.api.query;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The read model belongs to release-projector, which is not running here: Postgres is up but the
 * schema does not exist, and every query says so instead of failing with a 500.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ReadModelUnavailableTest {

  private static final String DETAIL = "the read model does not exist yet";

  @BeforeEach
  void setUp() {
    Api.awaitReady();
  }

  @Test
  void listingReleasesWithoutTheReadModelIsUnavailable() {
    assertProblem(as(ADMIN).get("/api/v1/releases?outcome=active"), 503, DETAIL);
  }

  @Test
  void oneReleaseWithoutTheReadModelIsUnavailable() {
    assertProblem(as(ADMIN).get("/api/v1/releases/{id}", UUID.randomUUID()), 503, DETAIL);
  }

  @Test
  void aTimelineWithoutTheReadModelIsUnavailable() {
    assertProblem(as(ADMIN).get("/api/v1/releases/{id}/timeline", UUID.randomUUID()), 503, DETAIL);
  }

  @Test
  void deployedTagsWithoutTheReadModelAreUnavailable() {
    assertProblem(as(ADMIN).get("/api/v1/services/billing/deployed-tags"), 503, DETAIL);
  }

  @Test
  void givenNoReadModel_whenARollbackIsRequested_thenUnavailableAndNothingAppended() {
    String id = Api.releaseInManualTesting(Api.BILLING_REPO);
    try (dev.rmm.api.support.ReleaseLog log = new dev.rmm.api.support.ReleaseLog()) {
      java.util.Map<Integer, Long> before = log.endOffsets();

      assertProblem(
          as(ADMIN)
              .body(
                  java.util.Map.of("telegram_user_id", 1002, "name", "Bob", "target_tag", "v1.0.0"))
              .post("/api/v1/releases/{id}/rollback", id),
          503,
          "could not be looked up in the read model");
      assertThat(log.endOffsets()).isEqualTo(before);
    }
  }
}
