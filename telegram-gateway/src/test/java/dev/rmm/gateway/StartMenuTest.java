package dev.rmm.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code /start} through the real long-polling client against a local Bot API server. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(FakeBotApi.Resource.class)
class StartMenuTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void givenAnEnglishUser_whenStart_thenGreetedByFirstNameWithTheMainMenu() throws Exception {
    FakeBotApi.push(FakeBotApi.message(1, 4201, "Ann", "en-GB", "/start"));

    JsonNode sent = awaitMessageTo(4201);
    assertThat(sent.get("text").asText()).startsWith("👋 Hello, Ann!");
    JsonNode rows = sent.at("/reply_markup/inline_keyboard");
    assertThat(rows).hasSize(4);
    assertThat(rows.get(0).get(0).get("text").asText()).isEqualTo("🚀 Active releases");
    assertThat(rows.get(0).get(0).get("callback_data").asText()).isEqualTo("menu:active");
    assertThat(rows.get(1).get(0).get("text").asText()).isEqualTo("✅ Successful releases");
    assertThat(rows.get(1).get(0).get("callback_data").asText()).isEqualTo("menu:successful");
    assertThat(rows.get(2).get(0).get("text").asText()).isEqualTo("❌ Failed releases");
    assertThat(rows.get(2).get(0).get("callback_data").asText()).isEqualTo("menu:failed");
    assertThat(rows.get(3).get(0).get("text").asText()).isEqualTo("🌐 Русский");
    assertThat(rows.get(3).get(0).get("callback_data").asText()).isEqualTo("lang:ru");
  }

  @Test
  void givenAUserOfAnotherLanguage_whenStart_thenTheConfiguredDefaultRussianIsUsed()
      throws Exception {
    FakeBotApi.push(FakeBotApi.message(2, 4202, "Hans", "de", "/start"));

    JsonNode sent = awaitMessageTo(4202);
    assertThat(sent.get("text").asText()).startsWith("👋 Привет, Hans!");
    assertThat(sent.at("/reply_markup/inline_keyboard/0/0/text").asText())
        .isEqualTo("🚀 Активные релизы");
  }

  @Test
  void givenTheSameUpdateDeliveredTwice_thenItIsAnsweredOnce() throws Exception {
    String update = FakeBotApi.message(3, 4203, "Bob", "en", "/start");
    FakeBotApi.push(update);
    awaitMessageTo(4203);
    FakeBotApi.push(update); // Telegram redelivers, e.g. after a restart
    FakeBotApi.push(FakeBotApi.message(4, 4203, "Bob", "en", "/start")); // a new update
    await().atMost(Duration.ofSeconds(10)).until(() -> messagesTo(4203).size() >= 2);
    Thread.sleep(500); // time for a wrong third answer to show up
    assertThat(messagesTo(4203)).hasSize(2);
  }

  private JsonNode awaitMessageTo(long chatId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> !messagesTo(chatId).isEmpty());
    return messagesTo(chatId).get(0);
  }

  private List<JsonNode> messagesTo(long chatId) {
    return FakeBotApi.calls("sendMessage").stream()
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
