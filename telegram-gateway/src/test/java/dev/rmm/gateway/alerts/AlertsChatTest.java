package dev.rmm.gateway.alerts;

import static dev.rmm.gateway.alerts.AlertsTestStack.ALERTS_CHAT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.contracts.kafka.AlertPublisher;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.gateway.live.TeamCards;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.MigrationOrder;
import dev.rmm.testsupport.PostgresTestResource;
import dev.rmm.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alerts chat end to end inside the gateway: real Kafka, Postgres (the projector's read-model
 * schema) and Redis, the fake Bot API. Each test uses failures of its own, so they share the chat.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AlertsTestStack.class)
class AlertsChatTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static boolean schema;

  @Inject AlertsChat chat;
  @Inject AlertFeed feed;
  @Inject TeamCards teamCards;
  @Inject Pool pg;
  @Inject RedisDataSource redis;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @BeforeEach
  void readModel() throws IOException {
    if (schema) {
      return;
    }
    // the read model as release-projector's migrations make it
    StringBuilder sql =
        new StringBuilder("CREATE SCHEMA read_model; SET search_path TO read_model;");
    try (Stream<Path> files =
        Files.list(Path.of("../release-projector/src/main/resources/db/readmodel"))) {
      for (Path f : files.sorted(MigrationOrder.BY_VERSION).toList()) {
        sql.append(Files.readString(f)).append(';');
      }
    }
    sql.append("RESET search_path;");
    pg.query(sql.toString()).execute().await().atMost(Duration.ofSeconds(30));
    schema = true;
  }

  @Test
  void given50IdenticalFailures_thenOneMessageEditedToTheCount_andADifferentFailureIsANewMessage()
      throws Exception {
    String marker = "fifty-" + UUID.randomUUID();
    ExecutorService threads = Executors.newFixedThreadPool(5);
    for (int i = 0; i < 50; i++) {
      int n = i;
      // the message text varies (row numbers); the fingerprint does not
      threads.execute(() -> chat.report(failure(marker, "row " + n + " failed")));
    }
    threads.shutdown();
    assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                messagesAbout(marker).size() == 1
                    && messagesAbout(marker).get(0).text().endsWith("×50"));
    await() // and no wrong second message or later edit shows up meanwhile
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                sendsAbout(marker).size() == 1
                    && messagesAbout(marker).get(0).text().endsWith("×50"));
    assertThat(sendsAbout(marker)).as("one sendMessage for 50 identical failures").hasSize(1);
    FakeBotApi.SentMessage message = messagesAbout(marker).get(0);
    assertThat(message.text()).endsWith("🔁 ×50");
    List<JsonNode> edits = editsOf(message.messageId());
    assertThat(edits).as("edits are coalesced").isNotEmpty().hasSizeLessThan(10);
    assertThat(edits.get(edits.size() - 1).path("text").asText()).endsWith("×50");
    assertThat(edits.get(0).path("parse_mode").asText()).isEqualToIgnoringCase("html");
    // (the team chat's live cards are edited to an unchanged read model by other tests' events)
    assertThat(botApi.rejections("editMessageText"))
        .filteredOn(r -> FakeBotApi.json(r.call()).path("chat_id").asLong() == ALERTS_CHAT)
        .isEmpty();

    String other = "other-" + UUID.randomUUID();
    chat.report(failure(other, "something else"));
    await().atMost(Duration.ofSeconds(10)).until(() -> sendsAbout(other).size() == 1);
    assertThat(messagesAbout(other).get(0).text()).doesNotContain("×");
    assertThat(sendsAbout(marker)).hasSize(1);
  }

  @Test
  void givenTheSameFailureAfterTheWindow_thenItIsANewMessage() throws Exception {
    String marker = "window-" + UUID.randomUUID();
    chat.report(failure(marker, "first"));
    chat.report(failure(marker, "second"));
    await().atMost(Duration.ofSeconds(10)).until(() -> textsAbout(marker).contains("×2"));

    // The window is the expiry of the failure's count in Redis (rmm:alert:<fingerprint>, counted
    // from the first occurrence): it is set to the configured window, and then brought to its end
    // rather than waited out by the clock (5 s of the build's time).
    String window = "rmm:alert:" + failure(marker, "").fingerprint();
    assertThat(redis.execute("PTTL", window).toLong())
        .as("milliseconds left of the window")
        .isPositive()
        .isLessThanOrEqualTo(AlertsTestStack.WINDOW_SECONDS * 1000L);
    redis.execute("PEXPIRE", window, "1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> redis.execute("EXISTS", window).toInteger() == 0);
    chat.report(failure(marker, "third"));

    await().atMost(Duration.ofSeconds(10)).until(() -> sendsAbout(marker).size() == 2);
    assertThat(messagesAbout(marker).get(1).text()).doesNotContain("×");
  }

  @Test
  void givenTheSameAlertDeliveredTwice_thenItCountsOnce() throws Exception {
    String marker = "redelivered-" + UUID.randomUUID();
    Alert once = failure(marker, "once");
    chat.report(once);
    chat.report(once);
    await().atMost(Duration.ofSeconds(10)).until(() -> sendsAbout(marker).size() == 1);
    await() // and it is not edited to a count meanwhile
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !messagesAbout(marker).get(0).text().contains("×"));
  }

  @Test
  void givenAFailedDispatchInTheLog_thenTheAlertNamesTheReleaseWithItsTraceAndGrafanaLinks()
      throws Exception {
    String releaseId = UUID.randomUUID().toString();
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    Instant now = Instant.now();
    insertRelease(releaseId, "billing-alerts", "v9.9.9", "manual_test_passed", 3, now);
    EventEnvelope failed =
        new EventEnvelope(
            UUID.randomUUID().toString(),
            releaseId,
            3,
            now,
            ORCHESTRATOR,
            null,
            null,
            "00-" + traceId + "-00f067aa0ba902b7-01",
            new ReleaseEvent.DispatchFailed("d-1", 404, "Not Found: workflow deploy.yml", 1));
    try (KafkaProducer<String, byte[]> producer = producer()) {
      byte[] second =
          append(producer, dispatchStarted(releaseId), appendFirst(producer, releaseId));
      append(producer, failed, second);
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !sendsAbout("billing-alerts v9.9.9").isEmpty());
    JsonNode sent = sendsAbout("billing-alerts v9.9.9").get(0);
    String html = sent.path("text").asText();
    assertThat(sent.path("parse_mode").asText()).isEqualToIgnoringCase("html");
    assertThat(html)
        .startsWith("<b>🆘 Production dispatch failed</b>")
        .contains("📦 billing-alerts v9.9.9 · <code>" + releaseId.substring(0, 8) + "</code>")
        .contains("404 Not Found: workflow deploy.yml")
        .contains("<code>" + traceId + "</code>")
        .contains("<a href=\"" + AlertsTestStack.GRAFANA + "/explore?")
        .contains(">trace in Tempo</a>")
        .contains(">logs in Loki</a>");
    String decoded = java.net.URLDecoder.decode(html, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(decoded)
        .contains("\"uid\":\"tempo\"")
        .contains("\"uid\":\"loki\"")
        .contains(traceId);
  }

  @Test
  void givenAReleaseWithoutProgress_thenItIsAlertedOnce_andOneWaitingForTestersIsNot()
      throws Exception {
    String stuck = UUID.randomUUID().toString();
    String testing = UUID.randomUUID().toString();
    Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
    // its last event first: a look at the read model between the two would see no trace id
    insertEvent(stuck, 5, hourAgo, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    insertRelease(stuck, "stuck-svc", "v1.0.0", "deploying", 5, hourAgo);
    insertRelease(testing, "testing-svc", "v1.0.0", "manual_testing", 4, hourAgo);

    await().atMost(Duration.ofSeconds(15)).until(() -> !sendsAbout("stuck-svc v1.0.0").isEmpty());
    await() // three more looks at the read model, and no second alert
        .during(Duration.ofMillis(3500))
        .atMost(Duration.ofSeconds(10))
        .until(() -> sendsAbout("stuck-svc v1.0.0").size() == 1);
    assertThat(sendsAbout("stuck-svc v1.0.0")).hasSize(1);
    String html = sendsAbout("stuck-svc v1.0.0").get(0).path("text").asText();
    assertThat(html)
        .startsWith("<b>⏳ Release stuck</b>")
        .contains("No progress for 1 h 00 min in status")
        .contains("0af7651916cd43dd8448eb211c80319c");
    assertThat(sendsAbout("testing-svc")).as("manual testing waits for people: 24 h").isEmpty();
  }

  @Test
  void givenManyReleasesStuckAtOnce_thenAFewOneByOneAndOneSummaryForTheRest() throws Exception {
    Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
    List<Tuple> herd = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      herd.add(
          release(
              UUID.randomUUID().toString(),
              "herd-svc",
              "v0." + i,
              "stage_building",
              2,
              twoHoursAgo));
    }
    insertReleases(herd);

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> !sendsAbout("more releases without progress").isEmpty());
    await() // more looks at the read model: nothing new to say
        .during(Duration.ofMillis(2500))
        .atMost(Duration.ofSeconds(10))
        .until(() -> sendsAbout("herd-svc v0.").size() == 6);
    assertThat(sendsAbout("herd-svc v0.")).as("one by one, then the summary").hasSize(6);
    List<JsonNode> summary = sendsAbout("3 more releases without progress");
    assertThat(summary).hasSize(1);
    assertThat(summary.get(0).path("text").asText()).contains("herd-svc v0.");
  }

  @Test
  void givenAnAlertPublishedToKafka_thenItReachesTheAlertsChat() {
    await().atMost(Duration.ofSeconds(20)).until(feed::isReading);
    String marker = "published-" + UUID.randomUUID();
    try (AlertPublisher publisher = new AlertPublisher(bootstrap, AlertsTestStack.ALERTS)) {
      publisher.publish(
          Alert.consumerError(
              "release-projector", marker, new IllegalStateException("boom"), null));
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> sendsAbout(marker).size() == 1);
    assertThat(sendsAbout(marker).get(0).path("text").asText())
        .startsWith("<b>🆘 Consumer error</b>")
        .contains("release-projector: " + marker + " failed on IllegalStateException")
        .contains("💬 boom");
  }

  @Test
  void givenAFailureEventThatLostARace_thenOnlyTheOneThatCountsIsAlerted() throws Exception {
    String releaseId = UUID.randomUUID().toString();
    String lost = "lost-" + UUID.randomUUID();
    String won = "won-" + UUID.randomUUID();
    insertRelease(releaseId, "race-alerts", "v7.0.0", "manual_test_passed", 3, Instant.now());

    try (KafkaProducer<String, byte[]> producer = producer()) {
      byte[] first = appendFirst(producer, releaseId);
      byte[] second = append(producer, dispatchStarted(releaseId), first);
      // a second writer decided on event 1 too: its event 2 lands after the real one and is void
      append(producer, dispatchFailed(releaseId, 2, lost), first);
      append(producer, dispatchFailed(releaseId, 3, won), second);
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> sendsAbout(won).size() == 1);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !mentionedAnywhere(lost) && !textsAbout(won).contains("×"));
  }

  @Test
  void givenTheGatewayRestartsRightBeforeAVoidEvent_thenTheVoidOneIsIgnoredAndTheNextCounts()
      throws Exception {
    String releaseId = UUID.randomUUID().toString();
    String lost = "lost-" + UUID.randomUUID();
    String won = "won-" + UUID.randomUUID();
    insertRelease(releaseId, "restart-alerts", "v6.0.0", "manual_test_passed", 3, Instant.now());
    byte[] first;
    byte[] second;
    try (KafkaProducer<String, byte[]> producer = producer()) {
      first = appendFirst(producer, releaseId);
      second = append(producer, dispatchStarted(releaseId), first);
    }
    await().atMost(Duration.ofSeconds(20)).until(this::teamCardsCommittedEverything);

    teamCards.stop();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      // the first events it reads after the restart: a void one, then the real next link
      append(producer, dispatchFailed(releaseId, 2, lost), first);
      append(producer, dispatchFailed(releaseId, 3, won), second);
    } finally {
      teamCards.start(AlertsTestStack.TEAM_CHAT);
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> sendsAbout(won).size() == 1);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !mentionedAnywhere(lost) && !textsAbout(won).contains("×"));
  }

  @Test
  void givenNoAiKey_whenAReleaseFailureIsAlerted_thenNoModelIsAskedAndTheAlertStaysAsItWas() {
    String service = "no-key-" + UUID.randomUUID();
    String releaseId = UUID.randomUUID().toString();
    chat.report(
        new Alert(
            UUID.randomUUID().toString(),
            Alert.PRODUCTION_FAILED,
            Alert.fingerprint(Alert.PRODUCTION_FAILED, releaseId),
            "github acme/x",
            releaseId,
            service,
            "v1.0.0",
            "Production deploy failed",
            "exit code 1",
            null,
            Instant.now()));

    await().atMost(Duration.ofSeconds(10)).until(() -> sendsAbout(service).size() == 1);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                FakeChatCompletions.requestsAbout(service).isEmpty()
                    && botApi.calls("editMessageText").stream()
                        .noneMatch(
                            c -> FakeBotApi.json(c).path("text").asText().contains(service)));
  }

  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1a2b3c4d", "deploy-orchestrator");

  private static EventEnvelope event(String releaseId, long sequence, ReleaseEvent data) {
    return new EventEnvelope(
        UUID.randomUUID().toString(),
        releaseId,
        sequence,
        Instant.now(),
        ORCHESTRATOR,
        null,
        null,
        null,
        data);
  }

  private static EventEnvelope dispatchStarted(String releaseId) {
    return event(
        releaseId,
        2,
        new ReleaseEvent.DispatchStarted("d-1", "acme/x", "deploy.yml", "refs/tags/v1"));
  }

  private static EventEnvelope dispatchFailed(String releaseId, long sequence, String detail) {
    return event(releaseId, sequence, new ReleaseEvent.DispatchFailed("d-1", 500, detail, 1));
  }

  /** Appends the release's event 1 (quorum reached, nothing to announce); returns it as stored. */
  private static byte[] appendFirst(KafkaProducer<String, byte[]> producer, String releaseId)
      throws Exception {
    return append(
        producer,
        event(
            releaseId,
            1,
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.MANUAL_TESTING, ReleaseStatus.MANUAL_TEST_PASSED, null)),
        null);
  }

  /**
   * Appends {@code e} linked to {@code previous} (as stored; null for a release's first event), as
   * a writer that decided on that head does; returns it as stored.
   */
  private static byte[] append(
      KafkaProducer<String, byte[]> producer, EventEnvelope e, byte[] previous) throws Exception {
    byte[] stored =
        EventCodec.encode(
            e.chainedTo(previous == null ? EventChain.GENESIS : EventChain.hash(previous)));
    producer.send(new ProducerRecord<>(AlertsTestStack.EVENTS, e.releaseId(), stored)).get();
    return stored;
  }

  /** Whether the team cards' group has committed every event in the log (it handled them all). */
  private boolean teamCardsCommittedEverything() throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(TeamCards.GROUP).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int i = 0; i < 3; i++) {
        latest.put(new TopicPartition(AlertsTestStack.EVENTS, i), OffsetSpec.latest());
      }
      var ends = admin.listOffsets(latest).all().get();
      return ends.entrySet().stream()
          .allMatch(
              e -> {
                OffsetAndMetadata c = committed.get(e.getKey());
                return (c == null ? 0 : c.offset()) >= e.getValue().offset();
              });
    }
  }

  /** Whether any message sent or edited to any chat mentions {@code text}. */
  private static boolean mentionedAnywhere(String text) {
    return Stream.concat(
            botApi.calls("sendMessage").stream(), botApi.calls("editMessageText").stream())
        .map(FakeBotApi::json)
        .anyMatch(n -> n.path("text").asText().contains(text));
  }

  private static Alert failure(String marker, String detail) {
    return new Alert(
        UUID.randomUUID().toString(),
        Alert.CONSUMER_ERROR,
        Alert.fingerprint(Alert.CONSUMER_ERROR, "test", marker),
        "test",
        null,
        null,
        null,
        "test consumer failed: " + marker,
        detail,
        null,
        Instant.now());
  }

  private static List<JsonNode> sendsAbout(String text) {
    List<JsonNode> found = new ArrayList<>();
    for (FakeBotApi.Call c : botApi.calls("sendMessage")) {
      JsonNode n = FakeBotApi.json(c);
      if (n.path("chat_id").asLong() == ALERTS_CHAT && n.path("text").asText().contains(text)) {
        found.add(n);
      }
    }
    return found;
  }

  private static List<FakeBotApi.SentMessage> messagesAbout(String text) {
    return botApi.messages(ALERTS_CHAT).stream().filter(m -> m.text().contains(text)).toList();
  }

  private static String textsAbout(String text) {
    return String.join(
        "\n", messagesAbout(text).stream().map(FakeBotApi.SentMessage::text).toList());
  }

  private static List<JsonNode> editsOf(int messageId) {
    return botApi.calls("editMessageText").stream()
        .map(FakeBotApi::json)
        .filter(
            n ->
                n.path("chat_id").asLong() == ALERTS_CHAT
                    && n.path("message_id").asInt() == messageId)
        .toList();
  }

  private KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  private void insertRelease(
      String id, String service, String tag, String status, long version, Instant at) {
    insertReleases(List.of(release(id, service, tag, status, version, at)));
  }

  private static Tuple release(
      String id, String service, String tag, String status, long version, Instant at) {
    return Tuple.from(List.of(id, service, tag, status, version, at.atOffset(ZoneOffset.UTC)));
  }

  /** In one transaction: a look at the read model sees all of them or none. */
  private void insertReleases(List<Tuple> releases) {
    pg.withTransaction(
            conn ->
                conn.preparedQuery(
                        "INSERT INTO read_model.releases (release_id, service_name, release_tag,"
                            + " status, outcome, initiated_by, github_run_id, github_action_link,"
                            + " github_ref, repository, commit_sha, required_approvers, quorum,"
                            + " version, created_at, started_at, updated_at) VALUES ($1, $2, $3,"
                            + " $4, 'active', 'octocat', '1',"
                            + " 'https://github.com/acme/x/actions/runs/1', 'refs/tags/' || $3,"
                            + " 'acme/x', 'abc1234', '[]'::jsonb, 0, $5, $6, $6, $6)")
                    .executeBatch(releases))
        .await()
        .atMost(Duration.ofSeconds(10));
  }

  private void insertEvent(String releaseId, long sequence, Instant at, String traceparent) {
    pg.preparedQuery(
            "INSERT INTO read_model.release_events (release_id, sequence, event_id, type,"
                + " occurred_at, actor_kind, actor_id, traceparent, data, kafka_partition,"
                + " kafka_offset) VALUES ($1, $2, $3, 'release.status-changed.v1', $4, 'github',"
                + " 'acme/x', $5, '{}'::jsonb, 0, 0)")
        .execute(
            Tuple.from(
                List.of(
                    releaseId,
                    sequence,
                    UUID.randomUUID().toString(),
                    at.atOffset(ZoneOffset.UTC),
                    traceparent)))
        .await()
        .atMost(Duration.ofSeconds(10));
  }
}
