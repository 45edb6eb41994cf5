package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.local.RmmService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A release driven the way a GitHub Actions workflow drives it, through the four packaged services:
 * HTTP create and steps, the events read back from Kafka with a plain consumer, the row in
 * Postgres, and the HTTP queries over the read model. First of all, the four services start from
 * their built jars against one Kafka, Postgres and Redis and report themselves up (a class of its
 * own before, which cost the build a start of the whole stack). The stack is {@link SharedStack}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(SharedStack.LAST)
class ReleaseWalkthroughTest {

  @RegisterExtension static final StackExtension stack = SharedStack.extension();

  private final HttpClient http = HttpClient.newHttpClient();

  @Order(1) // before a test below kills and restarts the projector
  @ParameterizedTest
  @EnumSource(RmmService.class)
  void everyServiceReportsItselfUp(RmmService service) throws Exception {
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create(stack.baseUrl(service) + "/q/health"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    assertThat(health.body()).containsPattern("^\\{\\s*\"status\"\\s*:\\s*\"UP\"");
  }

  private Http api() {
    return new Http(stack.apiUrl(), stack.apiToken());
  }

  @Test
  void givenAPipeline_whenItReportsEveryStep_thenKafkaPostgresAndTheQueriesAgree()
      throws Exception {
    Http api = api();
    Http.Answer created = api.post("/api/v1/releases", Http.createBody("billing", "v1.4.0", "111"));
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    String id = created.body().get("release_id").asText();
    assertThat(created.body().get("status").asText()).isEqualTo("initiated");
    for (String s : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      Http.Answer a = api.post("/api/v1/releases/" + id + "/steps", Http.step(s));
      assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(200);
      assertThat(a.body().get("status").asText()).isEqualTo(s);
    }

    // the log, read with a plain Kafka consumer
    List<EventEnvelope> events = eventsOf(id, 4);
    assertThat(events).extracting(EventEnvelope::sequence).containsExactly(1L, 2L, 3L, 4L);
    assertThat(events)
        .extracting(EventEnvelope::type)
        .containsExactly(
            "release.created.v1",
            "release.status-changed.v1",
            "release.status-changed.v1",
            "release.status-changed.v1");

    // the read model in Postgres
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "manual_testing".equals(column(id, "status")));
    assertThat(column(id, "service_name")).isEqualTo("billing");
    assertThat(column(id, "release_tag")).isEqualTo("v1.4.0");
    assertThat(column(id, "initiated_by")).isEqualTo("octocat");
    assertThat(column(id, "github_run_id")).isEqualTo("111");
    assertThat(column(id, "github_action_link"))
        .isEqualTo("https://github.com/acme/billing/actions/runs/111");
    assertThat(column(id, "github_ref")).isEqualTo("refs/tags/v1.4.0");
    assertThat(column(id, "approved_list")).isEqualTo("[]");
    assertThat(column(id, "version")).isEqualTo("4");

    // the HTTP queries
    Http.Answer one = api.get("/api/v1/releases/" + id);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.body().get("status").asText()).isEqualTo("manual_testing");
    assertThat(one.body().get("service_name").asText()).isEqualTo("billing");
    assertThat(one.body().get("release_tag").asText()).isEqualTo("v1.4.0");
    assertThat(one.body().get("required_approvers")).hasSize(2);
    Http.Answer active = api.get("/api/v1/releases?outcome=active&service=billing");
    assertThat(active.body().get("items"))
        .anySatisfy(r -> assertThat(r.get("release_id").asText()).isEqualTo(id));
    Http.Answer timeline = api.get("/api/v1/releases/" + id + "/timeline");
    assertThat(timeline.body().get("events")).hasSize(4);
    // each request started a trace (no collector here: not sampled, but the ids flow); the
    // timeline shows the trace id that the event carries in the log
    for (int i = 0; i < 4; i++) {
      String traceId = timeline.body().get("events").get(i).get("trace_id").asText();
      assertThat(traceId).matches("[0-9a-f]{32}").isEqualTo(events.get(i).traceId());
    }
    assertThat(events.get(0).traceId()).isNotEqualTo(events.get(1).traceId());

    // approvals (the demo policy: 1001 and 1002, all of them), then production
    assertThat(
            api.post("/api/v1/releases/" + id + "/approvals", "{\"telegram_user_id\":1001}")
                .status())
        .isEqualTo(200);
    Http.Answer last =
        api.post("/api/v1/releases/" + id + "/approvals", "{\"telegram_user_id\":1002}");
    assertThat(last.body().get("status").asText()).isEqualTo("manual_test_passed");
    assertThat(api.post("/api/v1/releases/" + id + "/steps", Http.step("deploying")).status())
        .isEqualTo(200);
    assertThat(api.post("/api/v1/releases/" + id + "/steps", Http.step("deployed")).status())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> api.get("/api/v1/services/billing/deployed-tags").body().get("tags").size() == 1);
    Http.Answer tags = api.get("/api/v1/services/billing/deployed-tags");
    assertThat(tags.body().get("tags").get(0).get("release_tag").asText()).isEqualTo("v1.4.0");
    Http.Answer successful = api.get("/api/v1/releases?outcome=successful");
    assertThat(successful.body().get("items"))
        .anySatisfy(r -> assertThat(r.get("approved_list")).hasSize(2));
    // the answer, now written from typed views, is the row the real projector wrote as Postgres
    // itself renders it (the API's answer before the views were typed; release-api's README)
    assertThat(api.get("/api/v1/releases/" + id).body()).isEqualTo(rowAsPostgresRendersIt(id));
  }

  /** The release's row as {@code to_jsonb} renders it in UTC, without what the API leaves out. */
  private JsonNode rowAsPostgresRendersIt(String releaseId) throws Exception {
    try (Connection c = db();
        Statement utc = c.createStatement();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT (to_jsonb(r) - 'admins' - 'initiator_may_approve' - 'head_hash'"
                    + " - 'head_chained')::text FROM read_model.releases r WHERE release_id = ?")) {
      utc.execute("SET TIME ZONE 'UTC'");
      s.setString(1, releaseId);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("release " + releaseId + " in the read model").isTrue();
        return EventCodec.mapper().readTree(rs.getString(1));
      }
    }
  }

  @Test
  void givenAPipelineThatWrites_whenItReadsBackWithTheAnsweredVersion_thenItSeesItsWriteAtOnce() {
    Http api = api();
    Http.Answer created =
        api.post("/api/v1/releases", Http.createBody("billing", "v1.5.0-ryw", "112"));
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    String id = created.body().get("release_id").asText();
    long version = created.body().get("version").asLong();

    // no waiting in the test: the query itself waits for the read model (README step 3)
    Http.Answer first = api.get("/api/v1/releases/" + id + "?min_version=" + version);
    assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(200);
    assertThat(first.body().get("status").asText()).isEqualTo("initiated");
    for (String s : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      Http.Answer step = api.post("/api/v1/releases/" + id + "/steps", Http.step(s));
      long v = step.body().get("version").asLong();
      Http.Answer read = api.get("/api/v1/releases/" + id + "?min_version=" + v);
      assertThat(read.status()).as(String.valueOf(read.body())).isEqualTo(200);
      assertThat(read.body().get("status").asText()).isEqualTo(s);
      assertThat(read.body().get("version").asLong()).isGreaterThanOrEqualTo(v);
      Http.Answer timeline = api.get("/api/v1/releases/" + id + "/timeline?min_version=" + v);
      assertThat(timeline.body().get("events")).hasSize((int) v);
    }
  }

  @Test
  void givenALog_whenReplayed_thenTheHistoryAndTheStateAsOfAMomentComeFromKafkaAlone() {
    Pipeline pipeline = new Pipeline(stack);
    String id = pipeline.toManualTesting("audit", "v9.9.9", "999");
    List<EventEnvelope> events = eventsOf(id, 4);

    java.io.ByteArrayOutputStream history = new java.io.ByteArrayOutputStream();
    new dev.rmm.local.Replay(
            stack.kafkaBootstrapServers(),
            "rmm.release-events",
            new java.io.PrintStream(history, true, java.nio.charset.StandardCharsets.UTF_8))
        .history(id);
    List<String> lines = history.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).contains("release.created.v1").contains("\"service\":\"audit\"");
    assertThat(lines.get(3))
        .contains("release.status-changed.v1")
        .contains("\"to\":\"manual_testing\"");

    // as of the second event, the release was building on stage
    java.io.ByteArrayOutputStream asOf = new java.io.ByteArrayOutputStream();
    new dev.rmm.local.Replay(
            stack.kafkaBootstrapServers(),
            "rmm.release-events",
            new java.io.PrintStream(asOf, true, java.nio.charset.StandardCharsets.UTF_8))
        .asOf(events.get(1).occurredAt());
    assertThat(asOf.toString(java.nio.charset.StandardCharsets.UTF_8))
        .containsPattern(id + " audit +v9\\.9\\.9 +stage_building +v2 ");
  }

  @Test
  void givenTheProjectorIsKilledMidStream_whenRestarted_thenTheReadModelHasEveryEventOnce()
      throws Exception {
    Http api = api();
    Map<String, Integer> expected = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      if (i == 12) {
        stack.killService(RmmService.RELEASE_PROJECTOR); // kill -9, mid-stream
      }
      if (i == 28) {
        stack.startService(RmmService.RELEASE_PROJECTOR);
      }
      // a service per release: a newer release of a service reaching manual_testing supersedes
      // the older one (issue 15), one more event than this test counts
      Http.Answer c =
          api.post("/api/v1/releases", Http.createBody("crash-" + i, "v0." + i, "r" + i));
      assertThat(c.status()).isEqualTo(201);
      String id = c.body().get("release_id").asText();
      int n = 1;
      for (String s : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
        if (i % 3 == 0 && s.equals("manual_testing")) {
          break;
        }
        assertThat(api.post("/api/v1/releases/" + id + "/steps", Http.step(s)).status())
            .isEqualTo(200);
        n++;
      }
      expected.put(id, n);
    }
    long total = expected.values().stream().mapToLong(Integer::longValue).sum();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                count(
                        "SELECT count(*) FROM read_model.release_events WHERE release_id = ANY(?)",
                        expected)
                    == total);
    for (var e : expected.entrySet()) {
      assertThat(column(e.getKey(), "version"))
          .as(e.getKey())
          .isEqualTo(String.valueOf(e.getValue()));
    }
    assertThat(
            count(
                "SELECT count(*) FROM (SELECT release_id, sequence FROM read_model.release_events"
                    + " WHERE release_id = ANY(?) GROUP BY 1, 2 HAVING count(*) > 1) d",
                expected))
        .isZero();
  }

  private List<EventEnvelope> eventsOf(String releaseId, int atLeast) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<EventEnvelope> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts =
          c.partitionsFor("rmm.release-events").stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + 20_000;
      while (out.size() < atLeast && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (releaseId.equals(r.key())) {
            out.add(EventCodec.decode(r.value()));
          }
        }
      }
    }
    return out;
  }

  private String column(String releaseId, String column) throws SQLException {
    try (Connection c = db();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT " + column + "::text FROM read_model.releases WHERE release_id = ?")) {
      s.setString(1, releaseId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private long count(String sql, Map<String, Integer> ids) throws SQLException {
    try (Connection c = db();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setArray(1, c.createArrayOf("text", ids.keySet().toArray()));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private Connection db() throws SQLException {
    return DriverManager.getConnection(stack.jdbcUrl(), stack.jdbcUser(), stack.jdbcPassword());
  }
}
