package dev.rmm.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.gateway.access.Viewers;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * F10 (docs/reliability.md): a gateway killed while it handles an update leaves its claim on the
 * update in Redis. Telegram delivers the unconfirmed update again, to the restarted gateway (or
 * another instance), which must handle it now, not when the claim runs out, and the presses after
 * it must not wait either. The killed gateway is another {@link UpdateMemory} on the same Redis
 * that claimed the update and is no longer running.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(FakeBotApi.Resource.class)
@WithTestResource(value = Viewers.class, initArgs = @ResourceArg(name = "ids", value = "4301,4302"))
class GoneGatewayClaimTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  /** Telegram's update ids only grow. */
  private static final AtomicInteger UPDATE_IDS = new AtomicInteger(43_000);

  @Inject RedisDataSource redis;
  @Inject GatewayConfig config;

  @Test
  void givenAPressClaimedByAGatewayThatWasKilled_whenRedelivered_thenItAndTheNextUpdateAreAnswered()
      throws Exception {
    long user = 4301;
    String english = menuButton(user, "Ann");
    int menu = botApi.messages(user).get(0).messageId();
    int pressId = UPDATE_IDS.getAndIncrement();
    String press = botApi.callback(pressId, user, "Ann", "ru", user, menu, english);
    // the killed gateway had taken the press and claimed it when it died
    UpdateMemory killed = new UpdateMemory(redis, config);
    assertThat(killed.claim(pressId)).isEqualTo(UpdateMemory.Claim.FIRST);

    botApi.push(press); // never confirmed, so Telegram delivers it again
    botApi.push(start(user, "Ann")); // and a new update after it

    // well within the claim's 2 minutes (generous for a loaded machine: handling takes < 1 s)
    assertThat(botApi.awaitAnswer(callbackId(press), Duration.ofSeconds(60)))
        .as("the redelivered press is answered")
        .isNotNull();
    await().atMost(Duration.ofSeconds(30)).until(() -> messagesTo(user).size() == 2);
    assertThat(botApi.messages(user).get(0).text()).startsWith("👋 Hello, Ann!");
  }

  @Test
  void givenAPressClaimedByAGatewayStillRunning_thenItIsLeftToItUntilThatGatewayStops()
      throws Exception {
    long user = 4302;
    String english = menuButton(user, "Bob");
    int menu = botApi.messages(user).get(0).messageId();
    int pressId = UPDATE_IDS.getAndIncrement();
    String press = botApi.callback(pressId, user, "Bob", "ru", user, menu, english);
    UpdateMemory other = new UpdateMemory(redis, config);
    other.start();
    try {
      assertThat(other.claim(pressId)).isEqualTo(UpdateMemory.Claim.FIRST);
      botApi.push(press); // delivered here while the other instance handles it
      // not taken from a live instance: the same press would be handled twice at once
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> botApi.awaitAnswer(callbackId(press), Duration.ZERO) == null);
    } finally {
      other.stop(); // its alive key goes (after a kill -9 it expires within UpdateMemory.ALIVE)
    }
    assertThat(botApi.awaitAnswer(callbackId(press), Duration.ofSeconds(60)))
        .as("the press is handled here once the other instance is gone")
        .isNotNull();
  }

  private String menuButton(long user, String name) {
    botApi.push(botApi.message(UPDATE_IDS.getAndIncrement(), user, name, "ru", "/start"));
    await().atMost(Duration.ofSeconds(60)).until(() -> messagesTo(user).size() == 1);
    return messagesTo(user).get(0).at("/reply_markup/inline_keyboard/4/0/callback_data").asText();
  }

  private static String start(long user, String name) {
    return botApi.message(UPDATE_IDS.getAndIncrement(), user, name, "ru", "/start");
  }

  private static String callbackId(String update) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(update)
        .at("/callback_query/id")
        .asText();
  }

  private static List<JsonNode> messagesTo(long chat) {
    return botApi.calls("sendMessage").stream()
        .map(FakeBotApi::json)
        .filter(n -> n.path("chat_id").asText().equals(Long.toString(chat)))
        .toList();
  }
}
