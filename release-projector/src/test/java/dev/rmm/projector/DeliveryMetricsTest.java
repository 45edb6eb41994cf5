package dev.rmm.projector;

import static dev.rmm.contracts.ReleaseStatus.DEPLOYED;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYING;
import static dev.rmm.contracts.ReleaseStatus.INITIATED;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.ReleaseStatus.PRODUCTION_ROLLBACK;
import static dev.rmm.contracts.ReleaseStatus.ROLLBACK_DONE;
import static dev.rmm.contracts.ReleaseStatus.ROLLBACK_FAILED;
import static dev.rmm.contracts.ReleaseStatus.STAGE_BUILDING;
import static dev.rmm.contracts.ReleaseStatus.STAGE_BUILDING_FAILED;
import static dev.rmm.contracts.ReleaseStatus.STAGE_TEST_ROLLBACK;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.projector.metrics.DeliveryMetrics;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The delivery metrics after a scripted set of releases equal the values computed by hand from the
 * script, and equal them again after the read model is rebuilt from offset 0.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DeliveryMetricsTest {

  private static final String SVC = "metrics-alpha";
  private static final Instant T0 = Instant.parse("2026-11-01T09:00:00Z");

  @Inject LiveProjector live;
  @Inject DeliveryMetrics metrics;
  @Inject Pool pg;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void givenAScriptedSetOfReleases_whenScraped_thenTheHandComputedValues_andAgainAfterARebuild()
      throws Exception {
    EventLog.createTopic(bootstrap, 3);
    live.start();
    try (EventLog log = new EventLog(bootstrap)) {
      script(log);
      log.flush();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  pg.query(
                              "SELECT count(*) FROM read_model.releases WHERE service_name = '"
                                  + SVC
                                  + "' AND status IN ('deployed', 'manual_test_failed',"
                                  + " 'stage_building_failed', 'rollback_done', 'rollback_failed')")
                          .execute()
                          .await()
                          .indefinitely()
                          .iterator()
                          .next()
                          .getLong(0)
                      == 5);
    }
    metrics.refresh();
    Map<String, Double> live = scrape();
    assertHandComputed(live);

    given()
        .header("Authorization", "Bearer test-admin-token")
        .when()
        .post("/admin/rebuild")
        .then()
        .statusCode(200);
    metrics.refresh();
    Map<String, Double> rebuilt = scrape();
    assertThat(rebuilt).isEqualTo(live);
  }

  /**
   * Five releases of one service, times in seconds after each release's creation:
   *
   * <pre>
   * r1 deployed:        manual testing 180, quorum 1200, deploying 1300, deployed 1500
   * r2 rejected:        manual testing 180, rejected 480
   * r3 stage failed:    stage_building_failed 300
   * r4 auto rollback:   manual testing 180, quorum 240, deploying 300, rollback 400, done 700
   * r5 later rollback:  manual testing 180, quorum 360, deploying 400, deployed 500,
   *                     rollback requested 3600, rollback_failed 3900
   * </pre>
   */
  private static void script(EventLog log) {
    String r1 = created(log, "v1.0.1", 0);
    toManualTesting(log, r1, 0);
    approve(log, r1, 0, 600, 1200);
    status(log, r1, 0, 1300, MANUAL_TEST_PASSED, DEPLOYING);
    status(log, r1, 0, 1500, DEPLOYING, DEPLOYED);

    String r2 = created(log, "v1.0.2", 10_000);
    toManualTesting(log, r2, 10_000);
    log.appendAt(r2, new ReleaseEvent.ReleaseRejected(1002, "Bob", "broken"), at(10_000, 480));

    String r3 = created(log, "v1.0.3", 20_000);
    status(log, r3, 20_000, 60, INITIATED, STAGE_BUILDING);
    status(log, r3, 20_000, 300, STAGE_BUILDING, STAGE_BUILDING_FAILED);

    String r4 = created(log, "v1.0.4", 30_000);
    toManualTesting(log, r4, 30_000);
    approve(log, r4, 30_000, 200, 240);
    status(log, r4, 30_000, 300, MANUAL_TEST_PASSED, DEPLOYING);
    status(log, r4, 30_000, 400, DEPLOYING, PRODUCTION_ROLLBACK);
    status(log, r4, 30_000, 700, PRODUCTION_ROLLBACK, ROLLBACK_DONE);

    String r5 = created(log, "v1.0.5", 40_000);
    toManualTesting(log, r5, 40_000);
    approve(log, r5, 40_000, 300, 360);
    status(log, r5, 40_000, 400, MANUAL_TEST_PASSED, DEPLOYING);
    status(log, r5, 40_000, 500, DEPLOYING, DEPLOYED);
    log.appendAt(r5, new ReleaseEvent.RollbackRequested(1002, "Bob", "v1.0.1"), at(40_000, 3600));
    status(log, r5, 40_000, 3900, PRODUCTION_ROLLBACK, ROLLBACK_FAILED);
  }

  private static void assertHandComputed(Map<String, Double> m) {
    assertThat(m)
        .containsEntry(key("rmm_releases", "status", "deployed", "outcome", "successful"), 1.0)
        .containsEntry(
            key("rmm_releases", "status", "manual_test_failed", "outcome", "failed"), 1.0)
        .containsEntry(
            key("rmm_releases", "status", "stage_building_failed", "outcome", "failed"), 1.0)
        .containsEntry(key("rmm_releases", "status", "rollback_done", "outcome", "failed"), 1.0)
        .containsEntry(key("rmm_releases", "status", "rollback_failed", "outcome", "failed"), 1.0)
        .containsEntry(key("rmm_deployments_total"), 2.0)
        .containsEntry(key("rmm_rollbacks_total", "outcome", "done"), 1.0)
        .containsEntry(key("rmm_rollbacks_total", "outcome", "failed"), 1.0)
        // 1 failed on stage, 4 passed it
        .containsEntry(key("rmm_stage_failure_ratio"), 0.2)
        // r1, r4, r5 reached production; r4 and r5 were rolled back
        .containsEntry(key("rmm_production_failure_ratio"), 2.0 / 3.0)
        // final status: 1500, 480, 300, 700, 3900
        .containsEntry(key("rmm_release_duration_seconds_count"), 5.0)
        .containsEntry(key("rmm_release_duration_seconds_sum"), 6880.0)
        .containsEntry(key("rmm_release_duration_seconds_bucket", "le", "300.0"), 1.0)
        .containsEntry(key("rmm_release_duration_seconds_bucket", "le", "900.0"), 3.0)
        .containsEntry(key("rmm_release_duration_seconds_bucket", "le", "1800.0"), 4.0)
        .containsEntry(key("rmm_release_duration_seconds_bucket", "le", "3600.0"), 4.0)
        .containsEntry(key("rmm_release_duration_seconds_bucket", "le", "7200.0"), 5.0)
        .containsEntry(key("rmm_release_duration_seconds_bucket", "le", "+Inf"), 5.0)
        // deployed: r1 at 1500, r5 at 500
        .containsEntry(key("rmm_lead_time_seconds_count"), 2.0)
        .containsEntry(key("rmm_lead_time_seconds_sum"), 2000.0)
        .containsEntry(key("rmm_lead_time_seconds_bucket", "le", "900.0"), 1.0)
        // manual testing (180) to decision: 1020, 300, 60, 180
        .containsEntry(key("rmm_approval_wait_seconds_count"), 4.0)
        .containsEntry(key("rmm_approval_wait_seconds_sum"), 1560.0)
        .containsEntry(key("rmm_approval_wait_seconds_bucket", "le", "60.0"), 1.0)
        .containsEntry(key("rmm_approval_wait_seconds_bucket", "le", "300.0"), 3.0)
        // r4: rollback at 400, done at 700
        .containsEntry(key("rmm_time_to_restore_seconds_count"), 1.0)
        .containsEntry(key("rmm_time_to_restore_seconds_sum"), 300.0);
  }

  private static String created(EventLog log, String tag, long t) {
    var spec = EventLog.spec(SVC, tag);
    log.appendAt(
        spec.releaseId(), new ReleaseEvent.ReleaseCreated(spec, EventLog.POLICY), at(t, 0));
    return spec.releaseId();
  }

  private static void toManualTesting(EventLog log, String id, long t) {
    status(log, id, t, 60, INITIATED, STAGE_BUILDING);
    status(log, id, t, 120, STAGE_BUILDING, STAGE_TEST_ROLLBACK);
    status(log, id, t, 180, STAGE_TEST_ROLLBACK, MANUAL_TESTING);
  }

  private static void approve(EventLog log, String id, long t, long first, long second) {
    log.appendAt(id, new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 2), at(t, first));
    log.appendAt(id, new ReleaseEvent.ApprovalGranted(1002, "Bob", 2, 2), at(t, second));
    log.appendAt(id, new ReleaseEvent.ApprovalQuorumReached(List.of(1001L, 1002L)), at(t, second));
  }

  private static void status(
      EventLog log, String id, long t, long s, ReleaseStatus from, ReleaseStatus to) {
    log.appendAt(id, new ReleaseEvent.StatusChanged(from, to, null), at(t, s));
  }

  private static Instant at(long release, long seconds) {
    return T0.plusSeconds(release + seconds);
  }

  private static String key(String name, String... labels) {
    Map<String, String> l = new TreeMap<>();
    l.put("service", SVC);
    for (int i = 0; i < labels.length; i += 2) {
      l.put(labels[i], labels[i + 1]);
    }
    return name + l;
  }

  private static final Pattern LINE = Pattern.compile("^(\\w+)\\{([^}]*)\\}\\s+(\\S+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /** This service's rmm_ samples from /q/metrics (Prometheus text format). */
  private static Map<String, Double> scrape() {
    String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    Map<String, Double> out = new TreeMap<>();
    for (String line : text.lines().toList()) {
      Matcher m = LINE.matcher(line);
      if (!line.startsWith("rmm_") || !m.matches()) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      Matcher l = LABEL.matcher(m.group(2));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      if (SVC.equals(labels.get("service"))) {
        out.put(m.group(1) + labels, Double.parseDouble(m.group(3)));
      }
    }
    return out;
  }
}
