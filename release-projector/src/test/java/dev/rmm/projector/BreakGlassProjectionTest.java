package dev.rmm.projector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.projector.metrics.DeliveryMetrics;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Break-glass in the read model (issue 15 point 4): the row says who forced the approval, why, and
 * who confirmed it or that it expired (for the card); the timeline keeps each event like any other;
 * and {@code rmm_break_glass_total} counts requests, confirmations and expiries per service, the
 * same after a rebuild from offset 0 (every figure comes from the events, never the clock).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class BreakGlassProjectionTest {

  private static final String SVC = "breakglass-metrics";
  private static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");
  private static final Duration WINDOW = Duration.ofMinutes(15);

  @Inject LiveProjector live;
  @Inject DeliveryMetrics metrics;
  @Inject Pool pg;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void givenAConfirmedAndAnExpiredBreakGlass_whenProjected_thenRowsTimelineAndMetricsShowThem()
      throws Exception {
    EventLog.createTopic(bootstrap, 3);
    live.start();
    String confirmed;
    String expired;
    try (EventLog log = new EventLog(bootstrap)) {
      confirmed = log.releaseToManualTesting(SVC, "v1.0.0");
      log.appendAt(
          confirmed,
          new ReleaseEvent.BreakGlassRequested(
              2001, "Olga", "payments are down", "v1.0.0", "abc1234", T0.plus(WINDOW), 4L),
          T0);
      log.appendAt(
          confirmed,
          new ReleaseEvent.BreakGlassConfirmed(
              2001, "Olga", 2002, "Petr", "payments are down", "v1.0.0", "abc1234", 4L),
          T0.plusSeconds(300));
      log.appendAt(
          confirmed,
          new ReleaseEvent.ApprovalQuorumReached(List.of(2001L, 2002L), 4L),
          T0.plusSeconds(300));

      expired = log.releaseToManualTesting(SVC, "v1.0.1");
      log.appendAt(
          expired,
          new ReleaseEvent.BreakGlassRequested(
              2001, "Olga", "hotfix", "v1.0.1", "abc1234", T0.plus(WINDOW), 4L),
          T0);
      // nobody confirms; the release's next event comes after the window
      log.appendAt(
          expired,
          new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 2),
          T0.plus(WINDOW).plusSeconds(60));
      log.flush();
    }

    JsonObject forced = breakGlass(new ReadModelChecks(pg, bootstrap).awaitRow(confirmed, 7));
    assertThat(forced.getString("state")).isEqualTo("confirmed");
    assertThat(forced.getString("requested_by_name")).isEqualTo("Olga");
    assertThat(forced.getString("reason")).isEqualTo("payments are down");
    assertThat(forced.getString("confirmed_by_name")).isEqualTo("Petr");
    assertThat(forced.getString("expires_at")).isEqualTo(T0.plus(WINDOW).toString());
    assertThat(new ReadModelChecks(pg, bootstrap).awaitRow(confirmed, 7).getString("status"))
        .isEqualTo("manual_test_passed");

    JsonObject lapsed = breakGlass(new ReadModelChecks(pg, bootstrap).awaitRow(expired, 6));
    assertThat(lapsed.getString("state")).isEqualTo("expired");
    assertThat(lapsed.getLong("expiries")).isEqualTo(1L);
    assertThat(new ReadModelChecks(pg, bootstrap).awaitRow(expired, 6).getString("status"))
        .isEqualTo("manual_testing");

    List<String> timeline = new java.util.ArrayList<>();
    pg.preparedQuery(
            "SELECT type FROM read_model.release_events WHERE release_id = $1 ORDER BY sequence")
        .execute(Tuple.of(confirmed))
        .await()
        .indefinitely()
        .forEach(r -> timeline.add(r.getString("type")));
    assertThat(timeline)
        .containsSubsequence(
            ReleaseEvent.BreakGlassRequested.TYPE,
            ReleaseEvent.BreakGlassConfirmed.TYPE,
            ReleaseEvent.ApprovalQuorumReached.TYPE);

    metrics.refresh();
    Map<String, Double> scraped = scrape();
    assertThat(scraped)
        .containsEntry("rmm_break_glass_total{outcome=requested, service=" + SVC + "}", 2.0)
        .containsEntry("rmm_break_glass_total{outcome=confirmed, service=" + SVC + "}", 1.0)
        .containsEntry("rmm_break_glass_total{outcome=expired, service=" + SVC + "}", 1.0);

    given()
        .header("Authorization", "Bearer test-admin-token")
        .when()
        .post("/admin/rebuild")
        .then()
        .statusCode(200);
    metrics.refresh();
    assertThat(scrape()).isEqualTo(scraped);
  }

  /**
   * The orchestrator's timer records a lapsed request (release.break-glass-expired.v1) although
   * nobody touches the release again: the row says expired at once, and the metric counts it.
   */
  @Test
  void givenARequestWhoseExpiryWasRecordedByTheTimer_whenProjected_thenTheRowAndMetricSayExpired()
      throws Exception {
    String service = "breakglass-timer";
    EventLog.createTopic(bootstrap, 3);
    live.start();
    String id;
    try (EventLog log = new EventLog(bootstrap)) {
      id = log.releaseToManualTesting(service, "v2.0.0");
      log.appendAt(
          id,
          new ReleaseEvent.BreakGlassRequested(
              2001, "Olga", "hotfix", "v2.0.0", "abc1234", T0.plus(WINDOW), 4L),
          T0);
      log.appendAt(
          id,
          new ReleaseEvent.BreakGlassExpired(
              2001, "Olga", T0.plus(WINDOW), "nobody confirmed it by " + T0.plus(WINDOW)),
          T0.plus(WINDOW).plusMillis(60));
      log.flush();
    }

    JsonObject lapsed = breakGlass(new ReadModelChecks(pg, bootstrap).awaitRow(id, 6));
    assertThat(lapsed.getString("state")).isEqualTo("expired");
    assertThat(lapsed.getLong("expiries")).isEqualTo(1L);
    metrics.refresh();
    String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(text.lines())
        .anyMatch(
            l ->
                l.startsWith("rmm_break_glass_total{")
                    && l.contains("service=\"" + service + "\"")
                    && l.contains("outcome=\"expired\"")
                    && l.endsWith(" 1.0"));
  }

  private static JsonObject breakGlass(Row row) {
    return new JsonObject(String.valueOf(row.getValue("break_glass")));
  }

  /** This service's rmm_break_glass samples from /q/metrics: "name{labels}" to value. */
  private static Map<String, Double> scrape() {
    String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    Map<String, Double> out = new TreeMap<>();
    for (String line : text.lines().toList()) {
      if (!line.startsWith("rmm_break_glass") || !line.contains("service=\"" + SVC + "\"")) {
        continue;
      }
      String name = line.substring(0, line.indexOf('{'));
      String labels = line.substring(line.indexOf('{') + 1, line.indexOf('}'));
      Map<String, String> sorted = new TreeMap<>();
      java.util.regex.Matcher l =
          java.util.regex.Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(labels);
      while (l.find()) {
        sorted.put(l.group(1), l.group(2));
      }
      out.put(name + sorted, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
    }
    return out;
  }
}
