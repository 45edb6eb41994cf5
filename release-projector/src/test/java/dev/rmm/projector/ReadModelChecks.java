package dev.rmm.projector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.kafka.LogConsumers;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** What the tests of hostile input check against the read model: caught up, rebuilt, rows. */
final class ReadModelChecks {

  private final Pool pg;
  private final String bootstrap;

  ReadModelChecks(Pool pg, String bootstrap) {
    this.pg = pg;
    this.bootstrap = bootstrap;
  }

  /** Waits until the live projection has read every partition to its end. */
  void awaitCaughtUp(Duration atMost) {
    Map<Integer, Long> end = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(LogConsumers.properties(bootstrap))) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(EventLog.TOPIC)
          .forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
      c.endOffsets(parts).forEach((tp, o) -> end.put(tp.partition(), o));
    }
    await()
        .atMost(atMost)
        .until(
            () -> {
              Map<Integer, Long> stored = new HashMap<>();
              pg.query("SELECT partition, next_offset FROM read_model.projection_positions")
                  .execute()
                  .await()
                  .indefinitely()
                  .forEach(r -> stored.put(r.getInteger("partition"), r.getLong("next_offset")));
              return end.entrySet().stream()
                  .allMatch(e -> stored.getOrDefault(e.getKey(), 0L) >= e.getValue());
            });
  }

  /**
   * Rebuilds from offset 0 through {@code POST /admin/rebuild} (swapped in or not), expects 200,
   * and asserts that the rebuild found no difference from the live read model.
   */
  void assertARebuildEqualsTheLiveReadModel(boolean swap) {
    Map<String, Object> report =
        given()
            .header("Authorization", "Bearer test-admin-token")
            .when()
            .post("/admin/rebuild?swap=" + swap)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getMap("");
    assertThat((Map<?, ?>) report.get("differences"))
        .hasSize(ReadModelDiff.TABLES.length)
        .allSatisfy((t, n) -> assertThat(((Number) n).longValue()).as("%s", t).isZero());
  }

  /** Waits for the release's row at {@code version}. */
  Row awaitRow(String id, long version) {
    Row[] found = new Row[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              var rows =
                  pg.preparedQuery("SELECT * FROM read_model.releases WHERE release_id = $1")
                      .execute(Tuple.of(PgText.text(id)))
                      .await()
                      .indefinitely();
              if (rows.size() == 0) {
                return false;
              }
              found[0] = rows.iterator().next();
              return found[0].getLong("version") == version;
            });
    return found[0];
  }

  /** The delivery metrics the projection keeps: "service|metric|label" to value. */
  Map<String, Long> deliveryMetrics() {
    Map<String, Long> out = new java.util.TreeMap<>();
    pg.query("SELECT service_name, metric, label, value FROM read_model.delivery_metrics")
        .execute()
        .await()
        .indefinitely()
        .forEach(
            r ->
                out.put(
                    r.getString(0) + "|" + r.getString(1) + "|" + r.getString(2), r.getLong(3)));
    return out;
  }

  /**
   * The same figures computed here from the rows of {@code releases}, in Java, as the definition in
   * words says (V7): releases by status, deployed, stage passed, production changes and failures,
   * and per interval its sum in microseconds and a count per smallest bucket. Zero sums are left
   * out, as the table leaves them out.
   */
  Map<String, Long> deliveryMetricsFromTheRows() {
    String[][] intervals = {
      {"rmm_release_duration_seconds", "created_at", "completed_at"},
      {"rmm_lead_time_seconds", "created_at", "deployed_at"},
      {"rmm_approval_wait_seconds", "manual_testing_at", "decided_at"},
      {"rmm_time_to_restore_seconds", "rollback_started_at", "restored_at"}
    };
    java.util.Set<String> failedInProduction =
        java.util.Set.of(
            "production_failed", "production_rollback", "rollback_done", "rollback_failed");
    Map<String, Long> out = new java.util.TreeMap<>();
    StringBuilder sql = new StringBuilder("SELECT service_name, status, break_glass::text");
    for (String c :
        List.of(
            "created_at",
            "completed_at",
            "deployed_at",
            "manual_testing_at",
            "decided_at",
            "deploying_at",
            "rollback_started_at",
            "restored_at")) {
      sql.append(", (extract(epoch FROM ").append(c).append(") * 1000000)::bigint AS ").append(c);
    }
    for (Row r : pg.query(sql + " FROM read_model.releases").execute().await().indefinitely()) {
      String svc = r.getString("service_name") + "|";
      String status = r.getString("status");
      out.merge(svc + "releases|" + status, 1L, Long::sum);
      if (r.getLong("deployed_at") != null) {
        out.merge(svc + "deployed|", 1L, Long::sum);
      }
      String breakGlass = r.getString("break_glass");
      if (breakGlass != null) {
        io.vertx.core.json.JsonObject b = new io.vertx.core.json.JsonObject(breakGlass);
        out.merge(svc + "break_glass|requested", b.getLong("requests", 0L), Long::sum);
        out.merge(svc + "break_glass|confirmed", b.getLong("confirmations", 0L), Long::sum);
        out.merge(svc + "break_glass|expired", b.getLong("expiries", 0L), Long::sum);
      }
      if (r.getLong("manual_testing_at") != null) {
        out.merge(svc + "stage_passed|", 1L, Long::sum);
      }
      if (r.getLong("deploying_at") != null) {
        out.merge(svc + "production_changes|", 1L, Long::sum);
        if (failedInProduction.contains(status)) {
          out.merge(svc + "production_failed|", 1L, Long::sum);
        }
      }
      for (String[] i : intervals) {
        Long from = r.getLong(i[1]);
        Long to = r.getLong(i[2]);
        if (from == null || to == null) {
          continue;
        }
        long micros = to - from;
        out.merge(svc + i[0] + "|sum_micros", micros, Long::sum);
        String le = "+Inf";
        for (double b : dev.rmm.projector.metrics.DeliveryMetrics.BUCKETS) {
          if (micros <= (long) b * 1_000_000L) {
            le = Long.toString((long) b);
            break;
          }
        }
        out.merge(svc + i[0] + "|" + le, 1L, Long::sum);
      }
    }
    out.values().removeIf(v -> v == 0);
    return out;
  }

  long count(String sql, Object... args) {
    var rows = pg.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely();
    return rows.size() == 0 ? -1 : rows.iterator().next().getLong(0);
  }
}
