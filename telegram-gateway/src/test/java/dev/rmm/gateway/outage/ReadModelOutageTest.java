package dev.rmm.gateway.outage;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.access.Viewers;
import dev.rmm.gateway.live.TeamCards;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.RestartablePostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The read model (PostgreSQL, written by release-projector) behind or gone, under the gateway with
 * the real parts: a real broker, PostgreSQL stopped and started again, Redis, the fake Bot API. The
 * test writes the read model's rows itself, so it decides how far behind the projector is.
 */
@QuarkusTest
@WithTestResource(RestartableRedis.class) // the same app as OutageTest
@WithTestResource(RestartablePostgres.class)
@WithTestResource(dev.rmm.gateway.alerts.AlertsTestStack.class)
@WithTestResource(ReadModelOutageTest.Patience.class)
@WithTestResource(
    value = Viewers.class,
    initArgs = @ResourceArg(name = "ids", value = "7301,7302,7303,7304,7311,7312,7401,7402"))
class ReadModelOutageTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  /** Short bounds, so outages past them fit in a test. */
  public static class Patience implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      return Map.of(
          "rmm.telegram.unavailable-answer-after",
          UNAVAILABLE_AFTER.toSeconds() + "s",
          "rmm.telegram.reader-restart-delay",
          "1s");
    }

    @Override
    public void stop() {}
  }

  static final Duration UNAVAILABLE_AFTER = Duration.ofSeconds(6);
  private static final String EVENTS = "rmm.release-events";
  private static final String COMMANDS = "rmm.gateway-commands";
  private static final String RESULTS = "rmm.release-command-results";
  private static final long TEAM_CHAT = -1009002;
  private static final AtomicInteger UPDATE_IDS = new AtomicInteger(9000);
  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1a2b3c4d", "deploy-orchestrator");

  @Inject Pool pg;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private ApprovingWriter writer;

  @BeforeEach
  void readModelAndWriter() throws Exception {
    RestartablePostgres.startServer();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> schemaReady());
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      admin
          .createTopics(
              List.of(new NewTopic(COMMANDS, 3, (short) 1), new NewTopic(RESULTS, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    writer = new ApprovingWriter(bootstrap, COMMANDS, 3, RESULTS);
  }

  @AfterEach
  void stopWriter() throws InterruptedException {
    RestartablePostgres.startServer();
    writer.close();
  }

  private boolean schemaReady() {
    ReadModelRows.ensureSchema(pg);
    return true;
  }

  @Test
  void givenTheProjectorBehindLongerThanBefore_whenTheRowCatchesUp_thenTheCardShowsTheFinalStatus()
      throws Exception {
    String id = UUID.randomUUID().toString();
    String service = "lagging-" + id.substring(0, 8);
    ReadModelRows.putRelease(pg, id, service, "v1.0.0", "manual_test_passed", 1, "[]", 0);
    try (KafkaProducer<String, byte[]> producer = ReadModelRows.producer(bootstrap)) {
      byte[] first =
          ReadModelRows.append(
              producer,
              EVENTS,
              changed(id, 1, ReleaseStatus.MANUAL_TESTING, ReleaseStatus.MANUAL_TEST_PASSED),
              null);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> cardOf(service).contains("Manual testing passed"));

      // the projector falls behind: event 2 is in the log, the row stays at version 1
      ReadModelRows.append(
          producer,
          EVENTS,
          changed(id, 2, ReleaseStatus.MANUAL_TEST_PASSED, ReleaseStatus.DEPLOYING),
          first);
    }
    // longer than the gateway used to wait before drawing the older row for good
    await()
        .during(Duration.ofSeconds(6))
        .atMost(Duration.ofSeconds(8))
        .until(
            () ->
                cardOf(service).contains("Manual testing passed")
                    && !teamCardsCommittedEverything());

    ReadModelRows.putRelease(pg, id, service, "v1.0.0", "deploying", 2, "[]", 0);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> cardOf(service).contains("🔄 Status: 🚀 Deploying to production"));
    await().atMost(Duration.ofSeconds(20)).until(this::teamCardsCommittedEverything);
  }

  @Test
  void
      givenPostgresStoppedDuringAPress_whenItIsBack_thenThePressIsAnsweredOnce_andItsConfirmationSendsOneCommand()
          throws Exception {
    long user = 7401;
    String id = UUID.randomUUID().toString();
    String service = "pressed-" + id.substring(0, 8);
    ReadModelRows.putRelease(
        pg,
        id,
        service,
        "v2.0.0",
        "manual_testing",
        4,
        "[{\"id\":" + user + ",\"name\":\"Ann\"}]",
        2);
    FakeBotApi.SentMessage card = cardShownTo(user, "Ann", Texts.Language.EN, id);
    String approve = data(card, Texts.BUTTON_APPROVE.in(Texts.Language.EN));

    RestartablePostgres.stopServer();
    String press =
        botApi.callback(
            UPDATE_IDS.getAndIncrement(), user, "Ann", "en", user, card.messageId(), approve);
    String queryId =
        FakeBotApi.json(new FakeBotApi.Call("x", press)).path("callback_query").path("id").asText();
    botApi.push(press);
    try {
      // the press cannot be handled: not answered, not confirmed, delivered again
      int polls = botApi.attempts("getUpdates");
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(5))
          .until(() -> answersTo(queryId).isEmpty() && botApi.attempts("getUpdates") > polls);
    } finally {
      RestartablePostgres.startServer();
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> answersTo(queryId).size() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> confirmationsTo(user, service).size() == 1);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> answersTo(queryId).size() == 1 && confirmationsTo(user, service).size() == 1);
    assertThat(answersTo(queryId).get(0).path("text").isMissingNode())
        .as("the approval press is answered without a toast: the confirmation follows")
        .isTrue();

    // "Yes" while PostgreSQL is down again: release-api decides, the user is answered once
    JsonNode confirmation = confirmationsTo(user, service).get(0);
    String yes =
        confirmation
            .path("reply_markup")
            .path("inline_keyboard")
            .get(0)
            .get(0)
            .path("callback_data")
            .asText();
    Instant pressedAt;
    RestartablePostgres.stopServer();
    String yesPress =
        botApi.callback(
            UPDATE_IDS.getAndIncrement(), user, "Ann", "en", user, messageOf(user, service), yes);
    String yesId =
        FakeBotApi.json(new FakeBotApi.Call("x", yesPress))
            .path("callback_query")
            .path("id")
            .asText();
    try {
      pressedAt = Instant.now();
      botApi.push(yesPress);
      await().atMost(Duration.ofSeconds(20)).until(() -> answersTo(yesId).size() == 1);
    } finally {
      RestartablePostgres.startServer();
    }
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> answersTo(yesId).size() == 1);
    assertThat(answersTo(yesId).get(0).path("text").asText())
        .isEqualTo("✅ Your approval is counted (1/2)");
    assertThat(writer.commandIds())
        .as("one command per press, nothing appended twice")
        .containsExactly("tg-" + yesId);
    assertThat(writer.deadlines().get(0))
        .as("the command carries when the gateway stops waiting, so it is not decided later")
        .isNotNull()
        .isBetween(pressedAt, Instant.now().plus(Duration.ofSeconds(10)));
  }

  @Test
  void
      givenPostgresDownPastTheBound_thenThePressIsAnsweredTryAgain_andTheCardsReaderIsNotReadyUntilItIsBack()
          throws Exception {
    long user = 7402;
    String id = UUID.randomUUID().toString();
    String service = "outage-" + id.substring(0, 8);
    ReadModelRows.putRelease(pg, id, service, "v3.0.0", "manual_test_passed", 1, "[]", 0);
    FakeBotApi.SentMessage card = cardShownTo(user, "Bo", Texts.Language.RU, id);
    String refresh = data(card, Texts.BUTTON_REFRESH.in(Texts.Language.RU));

    String press =
        botApi.callback(
            UPDATE_IDS.getAndIncrement(), user, "Bo", "ru", user, card.messageId(), refresh);
    String queryId =
        FakeBotApi.json(new FakeBotApi.Call("x", press)).path("callback_query").path("id").asText();

    RestartablePostgres.stopServer();
    try {
      try (KafkaProducer<String, byte[]> producer = ReadModelRows.producer(bootstrap)) {
        ReadModelRows.append(
            producer,
            EVENTS,
            changed(id, 1, ReleaseStatus.MANUAL_TESTING, ReleaseStatus.MANUAL_TEST_PASSED),
            null);
      }
      botApi.push(press);

      await().atMost(UNAVAILABLE_AFTER.plusSeconds(15)).until(() -> answersTo(queryId).size() == 1);
      assertThat(answersTo(queryId).get(0).path("text").asText())
          .startsWith("⚠️ rmm временно недоступен");
      assertThat(answersTo(queryId).get(0).path("show_alert").asBoolean()).isTrue();
      AtomicReference<JsonNode> check = new AtomicReference<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> "DOWN".equals(check.updateAndGet(c -> readersCheck()).path("status").asText()));
      assertThat(check.get().path("data").path("team_cards_last_error").asText()).isNotEmpty();
    } finally {
      RestartablePostgres.startServer();
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "UP".equals(readersCheck().path("status").asText()));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> cardOf(service).contains("Manual testing passed"));
    assertThat(answersTo(queryId))
        .as("answered once, not again once PostgreSQL is back")
        .hasSize(1);
  }

  private static EventEnvelope changed(
      String id, long sequence, ReleaseStatus from, ReleaseStatus to) {
    return new EventEnvelope(
        UUID.randomUUID().toString(),
        id,
        sequence,
        Instant.now(),
        ORCHESTRATOR,
        null,
        null,
        null,
        new ReleaseEvent.StatusChanged(from, to, null));
  }

  /** The readiness check of the gateway's log readers, as /q/health/ready shows it. */
  private static JsonNode readersCheck() {
    String body = given().when().get("/q/health/ready").then().extract().asString();
    JsonNode health;
    try {
      health = dev.rmm.contracts.EventCodec.mapper().readTree(body);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("not JSON from /q/health/ready: " + body, e);
    }
    for (JsonNode c : health.path("checks")) {
      if (c.path("name").asText().equals("telegram log readers")) {
        return c;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** The text of the team chat's live card of the service's release, or "" before it is posted. */
  private static String cardOf(String service) {
    return botApi.messages(TEAM_CHAT).stream()
        .map(FakeBotApi.SentMessage::text)
        .filter(t -> t.contains(service))
        .findFirst()
        .orElse("");
  }

  /**
   * The release's card as the bot shows it to the user in their own chat: /start, the active
   * releases, paged to the release. Its buttons are the ones the user can press.
   */
  private static FakeBotApi.SentMessage cardShownTo(
      long user, String name, Texts.Language lang, String releaseId) {
    String code = lang == Texts.Language.EN ? "en" : "ru";
    String greeting = Texts.GREETING.in(lang, name);
    botApi.push(botApi.message(UPDATE_IDS.getAndIncrement(), user, name, code, "/start"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> botApi.messages(user).stream().anyMatch(m -> m.text().equals(greeting)));
    int menu =
        botApi.messages(user).stream()
            .filter(m -> m.text().equals(greeting))
            .findFirst()
            .get()
            .messageId();
    String shownBefore = shown(user, menu);
    pressIn(user, name, code, menu, data(message(user, menu), Texts.MENU_ACTIVE.in(lang)));
    await().atMost(Duration.ofSeconds(20)).until(() -> !shown(user, menu).equals(shownBefore));
    // the service picker: every service's releases
    String all = Texts.ALL_SERVICES.in(lang, 0).replace("0)", "");
    String picker = shown(user, menu);
    pressIn(user, name, code, menu, message(user, menu).button(all));
    await().atMost(Duration.ofSeconds(20)).until(() -> !shown(user, menu).equals(picker));
    for (int i = 0; i < 50; i++) {
      FakeBotApi.SentMessage now = message(user, menu);
      if (buttonData(now).stream().anyMatch(d -> d.contains(releaseId))) {
        return now;
      }
      String before = shown(user, menu);
      pressIn(user, name, code, menu, data(now, Texts.BUTTON_NEXT.in(lang)));
      await().atMost(Duration.ofSeconds(20)).until(() -> !shown(user, menu).equals(before));
    }
    throw new AssertionError("release " + releaseId + " is not in the active list");
  }

  private static void pressIn(long user, String name, String lang, int messageId, String data) {
    botApi.push(
        botApi.callback(UPDATE_IDS.getAndIncrement(), user, name, lang, user, messageId, data));
  }

  private static FakeBotApi.SentMessage message(long chat, int messageId) {
    return botApi.messages(chat).stream()
        .filter(m -> m.messageId() == messageId)
        .findFirst()
        .orElseThrow();
  }

  /** The message's text and buttons, to see it change. */
  private static String shown(long chat, int messageId) {
    FakeBotApi.SentMessage m = message(chat, messageId);
    return m.text() + buttonData(m);
  }

  private static String data(FakeBotApi.SentMessage m, String buttonText) {
    for (JsonNode row : m.replyMarkup().path("inline_keyboard")) {
      for (JsonNode b : row) {
        if (b.path("text").asText().equals(buttonText)) {
          return b.path("callback_data").asText();
        }
      }
    }
    throw new AssertionError("no button " + buttonText + " on " + m);
  }

  private static List<String> buttonData(FakeBotApi.SentMessage m) {
    List<String> out = new java.util.ArrayList<>();
    if (m.replyMarkup() != null) {
      m.replyMarkup()
          .path("inline_keyboard")
          .forEach(row -> row.forEach(b -> out.add(b.path("callback_data").asText())));
    }
    return out;
  }

  private static List<JsonNode> answersTo(String callbackQueryId) {
    return botApi.calls("answerCallbackQuery").stream()
        .map(FakeBotApi::json)
        .filter(n -> n.path("callback_query_id").asText().equals(callbackQueryId))
        .toList();
  }

  private static int messageOf(long chat, String service) {
    return botApi.messages(chat).stream()
        .filter(m -> m.text().startsWith("Approve " + service))
        .findFirst()
        .orElseThrow()
        .messageId();
  }

  private static List<JsonNode> confirmationsTo(long chat, String service) {
    return botApi.calls("sendMessage").stream()
        .map(FakeBotApi::json)
        .filter(
            n ->
                n.path("chat_id").asLong() == chat
                    && n.path("text").asText().startsWith("Approve " + service))
        .toList();
  }

  /** Whether the team cards' group has committed every event in the log (it drew them all). */
  private boolean teamCardsCommittedEverything() throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(TeamCards.GROUP).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int i = 0; i < 3; i++) {
        latest.put(new TopicPartition(EVENTS, i), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get().entrySet().stream()
          .allMatch(
              e -> {
                OffsetAndMetadata c = committed.get(e.getKey());
                return (c == null ? 0 : c.offset()) >= e.getValue().offset();
              });
    }
  }
}
