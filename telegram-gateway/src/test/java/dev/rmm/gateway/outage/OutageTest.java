package dev.rmm.gateway.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.kafka.AlertPublisher;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.gateway.access.Viewers;
import dev.rmm.gateway.alerts.AlertFeed;
import dev.rmm.gateway.alerts.AlertsTestStack;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.RestartablePostgres;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Outages under the gateway, with the real parts: Redis stopped and started again while presses and
 * alerts arrive, and Telegram answering 5xx and then 429 for a while. Afterwards every press is
 * answered once, every card edit is made, and every alert is posted once.
 */
@QuarkusTest
@WithTestResource(RestartableRedis.class)
@WithTestResource(RestartablePostgres.class)
@WithTestResource(AlertsTestStack.class)
@WithTestResource(ReadModelOutageTest.Patience.class) // the same app as ReadModelOutageTest
@WithTestResource(
    value = Viewers.class,
    initArgs = @ResourceArg(name = "ids", value = "7301,7302,7303,7304,7311,7312,7401,7402"))
class OutageTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final AtomicInteger UPDATE_IDS = new AtomicInteger(5000);

  @Inject AlertFeed feed;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void givenRedisStoppedWhilePressesAndAlertsArrive_whenItIsBack_thenEachIsHandledOnce() {
    await().atMost(Duration.ofSeconds(20)).until(feed::isReading);
    List<Long> users = List.of(7301L, 7302L, 7303L, 7304L);
    List<String> alerts =
        IntStream.range(0, 3).mapToObj(i -> "redis-down-" + UUID.randomUUID()).toList();

    RestartableRedis.stopServer();
    try {
      users.forEach(u -> botApi.push(start(u)));
      publish(alerts);
      int polls = botApi.attempts("getUpdates");
      // while Redis is down nothing is handled, and the updates stay unconfirmed: asked for again
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> users.stream().allMatch(u -> messagesTo(u).isEmpty()));
      assertThat(alerts).allMatch(a -> alertsAbout(a).isEmpty());
      assertThat(botApi.attempts("getUpdates")).isGreaterThan(polls);
    } finally {
      RestartableRedis.startServer();
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                users.stream().allMatch(u -> messagesTo(u).size() == 1)
                    && alerts.stream().allMatch(a -> alertsAbout(a).size() == 1));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                users.stream().allMatch(u -> messagesTo(u).size() == 1)
                    && alerts.stream().allMatch(a -> alertsAbout(a).size() == 1));
    assertThat(messagesTo(7301).get(0).path("text").asText()).startsWith("👋 Hello, U7301!");
  }

  @Test
  void givenTelegramAnswering5xxThen429ForAWhile_thenNoAnswerEditOrAlertIsDroppedOrDoubled() {
    await().atMost(Duration.ofSeconds(20)).until(feed::isReading);
    long user = 7311;
    botApi.push(start(user));
    await().atMost(Duration.ofSeconds(20)).until(() -> messagesTo(user).size() == 1);
    int menu = botApi.messages(user).get(0).messageId();
    String russian =
        botApi
            .messages(user)
            .get(0)
            .replyMarkup()
            .at("/inline_keyboard/4/0/callback_data")
            .asText();
    List<String> alerts = List.of("tg-5xx-" + UUID.randomUUID(), "tg-429-" + UUID.randomUUID());

    // an outage: every method, getUpdates included, answers 502 for 3 s
    botApi.failDuring(Duration.ofSeconds(3), 502, "Bad Gateway", null);
    botApi.push(
        botApi.callback(UPDATE_IDS.getAndIncrement(), user, "U" + user, "en", user, menu, russian));
    publish(alerts.subList(0, 1));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                botApi.messages(user).get(0).text().startsWith("👋 Привет")
                    && alertsAbout(alerts.get(0)).size() == 1);

    // flood control: sending and editing answer 429 with retry_after 1 for 3 s
    botApi.failDuring(
        Duration.ofSeconds(3),
        429,
        "Too Many Requests: retry after 1",
        1,
        "sendMessage",
        "editMessageText");
    botApi.push(start(7312));
    publish(alerts.subList(1, 2));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> messagesTo(7312).size() == 1 && alertsAbout(alerts.get(1)).size() == 1);

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                messagesTo(user).size() == 1
                    && messagesTo(7312).size() == 1
                    && alerts.stream().allMatch(a -> alertsAbout(a).size() == 1));
    assertThat(botApi.rejections()).anyMatch(r -> r.errorCode() == 502);
    assertThat(botApi.rejections("sendMessage")).anyMatch(r -> r.errorCode() == 429);
  }

  private static String start(long user) {
    return botApi.message(UPDATE_IDS.getAndIncrement(), user, "U" + user, "en", "/start");
  }

  private void publish(List<String> markers) {
    try (AlertPublisher publisher = new AlertPublisher(bootstrap, "rmm.alerts")) {
      markers.forEach(
          m ->
              publisher.publish(
                  Alert.consumerError(
                      "release-projector", m, new IllegalStateException("x"), null)));
    }
  }

  private static List<JsonNode> messagesTo(long chat) {
    return botApi.calls("sendMessage").stream()
        .map(FakeBotApi::json)
        .filter(n -> n.path("chat_id").asText().equals(Long.toString(chat)))
        .toList();
  }

  private static List<JsonNode> alertsAbout(String marker) {
    return botApi.calls("sendMessage").stream()
        .map(FakeBotApi::json)
        .filter(n -> n.path("text").asText().contains(marker))
        .toList();
  }
}
