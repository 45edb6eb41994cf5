package dev.rmm.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.gateway.access.Viewers;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.RedisTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code /start} through the real long-polling client against a local Bot API server. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(FakeBotApi.Resource.class)
@WithTestResource(
    value = Viewers.class,
    initArgs = @ResourceArg(name = "ids", value = "4201,4202,4203,4204"))
class StartMenuTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  /**
   * Update ids only grow, as Telegram's do: the long-polling client skips an id lower than one it
   * has already received, whatever order the tests run in.
   */
  private static final AtomicInteger UPDATE_IDS = new AtomicInteger(1);

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void givenAnEnglishUser_whenStart_thenGreetedByFirstNameWithTheMainMenu() throws Exception {
    botApi.push(botApi.message(UPDATE_IDS.getAndIncrement(), 4201, "Ann", "en-GB", "/start"));

    JsonNode sent = awaitMessageTo(4201);
    assertThat(sent.get("text").asText()).startsWith("👋 Hello, Ann!");
    JsonNode rows = sent.at("/reply_markup/inline_keyboard");
    assertThat(rows).hasSize(5);
    assertThat(rows.get(0).get(0).get("text").asText()).isEqualTo("🚀 Active releases");
    // every button's data is signed: <data>:<MAC>
    assertThat(rows.get(0).get(0).get("callback_data").asText()).matches("menu:active:[\\w-]{11}");
    assertThat(rows.get(1).get(0).get("text").asText()).isEqualTo("✅ Successful releases");
    assertThat(rows.get(1).get(0).get("callback_data").asText())
        .matches("menu:successful:[\\w-]{11}");
    assertThat(rows.get(2).get(0).get("text").asText()).isEqualTo("❌ Failed releases");
    assertThat(rows.get(2).get(0).get("callback_data").asText()).matches("menu:failed:[\\w-]{11}");
    assertThat(rows.get(3).get(0).get("text").asText()).isEqualTo("🚫 Cancelled and replaced");
    assertThat(rows.get(3).get(0).get("callback_data").asText())
        .matches("menu:cancelled:[\\w-]{11}");
    assertThat(rows.get(4).get(0).get("text").asText()).isEqualTo("🌐 Русский");
    assertThat(rows.get(4).get(0).get("callback_data").asText()).matches("lang:ru:[\\w-]{11}");
  }

  @Test
  void givenAUserOfAnotherLanguage_whenStart_thenTheConfiguredDefaultRussianIsUsed()
      throws Exception {
    botApi.push(botApi.message(UPDATE_IDS.getAndIncrement(), 4202, "Hans", "de", "/start"));

    JsonNode sent = awaitMessageTo(4202);
    assertThat(sent.get("text").asText()).startsWith("👋 Привет, Hans!");
    assertThat(sent.at("/reply_markup/inline_keyboard/0/0/text").asText())
        .isEqualTo("🚀 Активные релизы");
  }

  @Test
  void givenTheSameUpdateDeliveredTwice_thenItIsAnsweredOnce() throws Exception {
    String update = botApi.message(UPDATE_IDS.getAndIncrement(), 4203, "Bob", "en", "/start");
    botApi.push(update);
    awaitMessageTo(4203);
    botApi.push(update); // Telegram redelivers, e.g. after a restart
    botApi.push(
        botApi.message(UPDATE_IDS.getAndIncrement(), 4203, "Bob", "en", "/start")); // a new update
    await().atMost(Duration.ofSeconds(10)).until(() -> messagesTo(4203).size() >= 2);
    await() // and no wrong third answer shows up meanwhile
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> messagesTo(4203).size() == 2);
  }

  @Test
  void givenARussianUser_whenTheySwitchToEnglish_thenTheMenuAndLaterAnswersAreInEnglish() {
    botApi.push(botApi.message(UPDATE_IDS.getAndIncrement(), 4204, "Ivan", "ru", "/start"));
    JsonNode menu = awaitMessageTo(4204);
    assertThat(menu.get("text").asText()).startsWith("👋 Привет, Ivan!");
    int messageId = botApi.messages(4204).get(0).messageId();
    String english = menu.at("/reply_markup/inline_keyboard/4/0/callback_data").asText();

    botApi.push(
        botApi.callback(
            UPDATE_IDS.getAndIncrement(), 4204, "Ivan", "ru", 4204, messageId, english));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> botApi.messages(4204).get(0).text().startsWith("👋 Hello, Ivan!"));
    // the answer to the button follows the edit
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                botApi.calls("answerCallbackQuery").stream()
                    .anyMatch(
                        c ->
                            FakeBotApi.json(c)
                                .path("text")
                                .asText()
                                .equals("🌐 Language: English")));
    botApi.push(botApi.message(UPDATE_IDS.getAndIncrement(), 4204, "Ivan", "ru", "/start"));
    await().atMost(Duration.ofSeconds(10)).until(() -> messagesTo(4204).size() == 2);
    assertThat(messagesTo(4204).get(1).get("text").asText()).startsWith("👋 Hello, Ivan!");
  }

  private JsonNode awaitMessageTo(long chatId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> !messagesTo(chatId).isEmpty());
    return messagesTo(chatId).get(0);
  }

  private List<JsonNode> messagesTo(long chatId) {
    return botApi.calls("sendMessage").stream()
        .map(c -> parse(c.body()))
        .filter(n -> n.path("chat_id").asText().equals(Long.toString(chatId)))
        .toList();
  }

  private JsonNode parse(String body) {
    try {
      return json.readTree(body);
    } catch (Exception e) {
      throw new IllegalStateException("sendMessage body is not JSON: " + body, e);
    }
  }
}
