package dev.rmm.api.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's release and service pages read the same typed views as the query API (contracts'
 * ReleaseView, the query package's timeline and deployed tags): over the fixed read model of
 * QueryAnswersGoldenTest, the card shows what each JSON column of the row holds.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ConsoleReadModelPagesTest {

  @Inject Pool pg;

  private ReadModelStandIn readModel;

  @BeforeEach
  void givenTheFixedReadModel() throws IOException {
    Api.awaitReady();
    readModel = new ReadModelStandIn(pg);
    readModel.create();
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream("golden/query/fixture.sql")) {
      pg.query(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .execute()
          .await()
          .atMost(Duration.ofSeconds(30));
    }
  }

  @AfterEach
  void tearDown() {
    readModel.drop(); // the other tests run without a read model
  }

  private static String page(String path) {
    return given()
        .cookie(SessionCookies.NAME, ConsoleSession.ofAdmin())
        .queryParam("lang", "en")
        .get(path)
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }

  @Test
  void givenADeployedRelease_whenItsPageIsRead_thenTheCardShowsApprovalsDispatchAndTimeline() {
    String html = page("/console/releases/gold-1");

    assertThat(html)
        .contains("2 / Alice, Bob, 1003")
        .contains("2/2: Alice, Bob")
        .contains("production workflow started · acme/pay deploy.yml @ v1.0.0 · HTTP 204")
        .contains("ops-tool · admin (for Bob · telegram)")
        .contains("release.approval-granted.v1")
        .contains("0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void givenARolledBackRelease_whenItsPageIsRead_thenTheCardShowsTheRunbookStepByStep() {
    String html = page("/console/releases/gold-2");

    assertThat(html)
        .contains("Rollback done: v1.0.0 · checkout → 0 (1520 ms), migrate-down → 0 (80 ms)");
  }

  @Test
  void givenARejectedRelease_whenItsPageIsRead_thenTheCardShowsTheReason() {
    assertThat(page("/console/releases/gold-4")).contains("login page broken");
  }

  @Test
  void givenDeployedTags_whenTheServicePageIsRead_thenTheOneInProductionIsMarked() {
    String html = page("/console/services/golden-pay");

    assertThat(html)
        .contains("<a href=\"/console/releases/gold-1\">v1.0.0</a> 🚀")
        .contains("<a href=\"/console/releases/gold-2\">v1.1.0</a></td>");
  }
}
