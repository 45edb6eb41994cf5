package dev.rmm.gateway.alerts;

import static dev.rmm.gateway.alerts.AlertsTestStack.ALERTS_CHAT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.kafka.AlertPublisher;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.outage.ReadModelRows;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.PostgresTestResource;
import dev.rmm.testsupport.RedisTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AI notes on failure alerts, end to end inside the gateway: real Kafka, Postgres (the read model)
 * and Redis, the fake Bot API and a fake OpenAI chat-completions API that records its requests.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AiNotesTestStack.class)
class FailureNotesTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final String TOKEN = "ghp_Zk8d0Q1w2e3r4t5y6u7i8o9p0aSdFgHjKl";

  @Inject AlertsChat chat;
  @Inject AlertFeed feed;
  @Inject Pool pg;
  @Inject MeterRegistry meters;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @BeforeEach
  void readModel() {
    ReadModelRows.ensureSchema(pg);
  }

  @Test
  void givenAReleaseFailure_whenTheModelAnswers_thenTheAlertIsSentFirstAndThenEditedWithTheNote() {
    String service = "notes-ok-" + UUID.randomUUID();
    Alert alert = releaseFailure(Alert.DISPATCH_FAILED, service, UUID.randomUUID().toString());

    chat.report(alert);

    await().atMost(Duration.ofSeconds(20)).until(() -> !editsAbout(service).isEmpty());
    List<FakeBotApi.Call> sends = callsAbout("sendMessage", service);
    assertThat(sends).hasSize(1);
    String sent = FakeBotApi.json(sends.get(0)).path("text").asText();
    assertThat(sent)
        .as("the alert goes out unchanged")
        .isEqualTo(AlertText.html(alert, 1, AlertsTestStack.GRAFANA, Language.EN));
    JsonNode edit = FakeBotApi.json(editsAbout(service).get(0));
    assertThat(edit.path("parse_mode").asText()).isEqualToIgnoringCase("html");
    assertThat(edit.path("text").asText())
        .startsWith(sent)
        .contains("<b>🤖 AI note (may be wrong)</b>")
        .contains("migration &lt;0042&gt; holds a lock &amp; the step timed out.")
        .contains("Next step: release the lock, then retry the rollback.");
    assertThat(botApi.calls().indexOf(sends.get(0)))
        .as("sent before the edit")
        .isLessThan(botApi.calls().indexOf(editsAbout(service).get(0)));

    List<FakeChatCompletions.Request> asked = FakeChatCompletions.requestsAbout(service);
    assertThat(asked).hasSize(1);
    FakeChatCompletions.Request r = asked.get(0);
    assertThat(r.path()).isEqualTo("/v1/chat/completions");
    assertThat(r.authorization()).isEqualTo("Bearer " + AiNotesTestStack.KEY);
    assertThat(r.body().path("model").asText()).isEqualTo(AiNotesTestStack.MODEL);
    assertThat(r.body().path("max_tokens").asInt()).isEqualTo(AiNotesTestStack.MAX_TOKENS);
    assertThat(r.body().path("messages").get(0).path("role").asText()).isEqualTo("system");
    assertThat(r.body().path("messages").get(0).path("content").asText())
        .contains("Answer in English");
    assertThat(r.body().path("messages").get(1).path("role").asText()).isEqualTo("user");
    assertThat(r.body().path("messages").get(1).path("content").asText())
        .contains("Service: " + service)
        .contains("Tag: v2.0.0")
        .contains("Failure kind: " + Alert.DISPATCH_FAILED);
  }

  @Test
  void givenARollbackThatFailedWithASecretInItsOutput_thenThePromptHasTheStepAndNoSecret() {
    String service = "notes-secret-" + UUID.randomUUID();
    String releaseId = UUID.randomUUID().toString();
    insertRollbackFailed(
        releaseId,
        service,
        "Cloning https://x-access-token:"
            + TOKEN
            + "@github.com/acme/billing\npsql: password=hunter2hunter2 rejected\n"
            + "ERROR: lock timeout on table invoices");

    chat.report(releaseFailure(Alert.ROLLBACK_FAILED, service, releaseId));

    await().atMost(Duration.ofSeconds(20)).until(() -> !editsAbout(service).isEmpty());
    String prompt = FakeChatCompletions.requestsAbout(service).get(0).text();
    assertThat(prompt)
        .contains("Release status: rollback_failed")
        .contains("Failing step: migrations (exit code 1, command: ./migrate down v1.9.0)")
        .contains("ERROR: lock timeout on table invoices")
        .contains("password=***")
        .doesNotContain(TOKEN)
        .doesNotContain("hunter2hunter2")
        .doesNotContain(AiNotesTestStack.KEY)
        .doesNotContain(FakeBotApi.TOKEN);
  }

  @Test
  void givenTheModelDoesNotAnswerInTime_thenTheAlertStaysAsItWas() {
    String service = FakeChatCompletions.HOLD + "-" + UUID.randomUUID();
    double failedBefore = failed();
    try {
      chat.report(releaseFailure(Alert.PRODUCTION_FAILED, service, UUID.randomUUID().toString()));

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !FakeChatCompletions.requestsAbout(service).isEmpty());
      await().atMost(Duration.ofSeconds(20)).until(() -> failed() > failedBefore);
    } finally {
      FakeChatCompletions.release(); // its answer now comes too late
    }
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> editsAbout(service).isEmpty());
    assertThat(callsAbout("sendMessage", service)).hasSize(1);
  }

  @Test
  void givenTheModelStallsAfterItsHeaders_thenTheCallIsAbandonedAndTheAlertStaysAsItWas() {
    String service = FakeChatCompletions.HOLD_BODY + "-" + UUID.randomUUID();
    double failedBefore = failed();
    try {
      chat.report(releaseFailure(Alert.DISPATCH_FAILED, service, UUID.randomUUID().toString()));

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !FakeChatCompletions.requestsAbout(service).isEmpty());
      await()
          .atMost(Duration.ofSeconds(20))
          .alias("given up while the body is still held")
          .until(() -> failed() > failedBefore);
    } finally {
      FakeChatCompletions.release();
    }
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> editsAbout(service).isEmpty());
  }

  @Test
  void givenA500OrAnAnswerThatIsNotJson_thenTheAlertStaysAsItWas() {
    String error = FakeChatCompletions.HTTP_500 + "-" + UUID.randomUUID();
    String garbage = FakeChatCompletions.GARBAGE + "-" + UUID.randomUUID();
    double failedBefore = failed();

    chat.report(releaseFailure(Alert.ROLLBACK_FAILED, error, UUID.randomUUID().toString()));
    chat.report(releaseFailure(Alert.DISPATCH_FAILED, garbage, UUID.randomUUID().toString()));

    await().atMost(Duration.ofSeconds(20)).until(() -> failed() >= failedBefore + 2);
    assertThat(FakeChatCompletions.requestsAbout(error)).hasSize(1);
    assertThat(FakeChatCompletions.requestsAbout(garbage)).hasSize(1);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> editsAbout(error).isEmpty() && editsAbout(garbage).isEmpty());
    assertThat(callsAbout("sendMessage", error)).hasSize(1);
    assertThat(callsAbout("sendMessage", garbage)).hasSize(1);
  }

  @Test
  void givenTheModelIsSlow_thenTheNextAlertIsPostedAndCommittedWhileItWaits() throws Exception {
    await().atMost(Duration.ofSeconds(20)).until(feed::isReading);
    String slow = FakeChatCompletions.HOLD + "-feed-" + UUID.randomUUID();
    String next = "after-slow-" + UUID.randomUUID();
    double failedBefore = failed();
    try (AlertPublisher publisher = new AlertPublisher(bootstrap, AlertsTestStack.ALERTS)) {
      publisher.publish(releaseFailure(Alert.DISPATCH_FAILED, slow, UUID.randomUUID().toString()));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !FakeChatCompletions.requestsAbout(slow).isEmpty());

      publisher.publish(
          Alert.consumerError("release-projector", next, new IllegalStateException("x"), null));

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !callsAbout("sendMessage", next).isEmpty() && feedCommittedEverything());
      assertThat(failed())
          .as("the next alert did not wait for the model to give up on the slow one")
          .isEqualTo(failedBefore);
    } finally {
      FakeChatCompletions.release();
    }
    // released within its timeout it gets its note, else it is given up: either way it is settled
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> failed() > failedBefore || !editsAbout(slow).isEmpty());
  }

  private double failed() {
    return meters.counter(FailureNotes.METRIC, "outcome", "failed").count();
  }

  private static Alert releaseFailure(String kind, String service, String releaseId) {
    return new Alert(
        UUID.randomUUID().toString(),
        kind,
        Alert.fingerprint(kind, releaseId),
        "orchestrator deploy-orchestrator-1a2b3c4d",
        releaseId,
        service,
        "v2.0.0",
        "It failed: " + kind,
        "exit code 1",
        null,
        Instant.now());
  }

  private static List<FakeBotApi.Call> callsAbout(String method, String text) {
    return botApi.calls(method).stream()
        .filter(
            c -> {
              JsonNode n = FakeBotApi.json(c);
              return n.path("chat_id").asLong() == ALERTS_CHAT
                  && n.path("text").asText().contains(text);
            })
        .toList();
  }

  private static List<FakeBotApi.Call> editsAbout(String text) {
    return callsAbout("editMessageText", text);
  }

  /** Whether the alerts feed's group has committed every alert on the topic. */
  private boolean feedCommittedEverything() throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      TopicPartition tp = new TopicPartition(AlertsTestStack.ALERTS, 0);
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets("rmm-telegram-gateway-alerts")
              .partitionsToOffsetAndMetadata()
              .get();
      long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
      OffsetAndMetadata c = committed.get(tp);
      return c != null && c.offset() >= end;
    }
  }

  /** The read model as the projector leaves a rollback that failed at its migrations step. */
  private void insertRollbackFailed(String releaseId, String service, String outputTail) {
    Instant now = Instant.now();
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag, status,"
                + " outcome, initiated_by, github_run_id, github_action_link, github_ref,"
                + " repository, commit_sha, required_approvers, quorum, version, created_at,"
                + " started_at, updated_at, runbook) VALUES ($1, $2, 'v2.0.0', 'rollback_failed',"
                + " 'failed', 'octocat', '1', 'https://github.com/acme/x/actions/runs/1',"
                + " 'refs/tags/v2.0.0', 'acme/x', 'abc1234', '[]'::jsonb, 0, 9, $3, $3, $3,"
                + " '{\"run_id\":\"rb-1\",\"host\":\"prod-1\",\"target_tag\":\"v1.9.0\","
                + "\"steps\":[],\"ok\":false,\"failed_step\":\"migrations\",\"detail\":\"exit"
                + " code 1\"}'::jsonb)")
        .execute(Tuple.of(releaseId, service, now.atOffset(ZoneOffset.UTC)))
        .await()
        .atMost(Duration.ofSeconds(10));
    io.vertx.core.json.JsonObject step =
        new io.vertx.core.json.JsonObject()
            .put("run_id", "rb-1")
            .put("step", "migrations")
            .put("command", "./migrate down v1.9.0")
            .put("exit_code", 1)
            .put("duration_ms", 1200)
            .put("output_tail", outputTail)
            .put("ok", false);
    pg.preparedQuery(
            "INSERT INTO read_model.release_events (release_id, sequence, event_id, type,"
                + " occurred_at, actor_kind, actor_id, data, kafka_partition, kafka_offset)"
                + " VALUES ($1, 8, $2, $3, $4, 'orchestrator', 'deploy-orchestrator', $5, 0, 0)")
        .execute(
            Tuple.from(
                List.of(
                    releaseId,
                    UUID.randomUUID().toString(),
                    ReleaseEvent.RunbookStep.TYPE,
                    now.atOffset(ZoneOffset.UTC),
                    step)))
        .await()
        .atMost(Duration.ofSeconds(10));
  }
}
