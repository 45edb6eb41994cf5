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

  long count(String sql, Object... args) {
    var rows = pg.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely();
    return rows.size() == 0 ? -1 : rows.iterator().next().getLong(0);
  }
}
