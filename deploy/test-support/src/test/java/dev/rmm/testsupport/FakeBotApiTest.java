package dev.rmm.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake answers as the real Bot API does, over real HTTP. */
class FakeBotApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private record Answer(int status, JsonNode body) {}

  private final FakeBotApi botApi = new FakeBotApi();

  @AfterEach
  void stop() {
    botApi.close();
  }

  @Test
  void givenTwoFakes_whenTheBotTalksToOne_thenTheOtherSeesNothingOfIt() throws Exception {
    try (FakeBotApi other = new FakeBotApi()) {
      assertThat(other.start()).isNotEqualTo(botApi.start());
      other.push(other.message(1, 4299, "Ann", "en", "/start"));

      Answer sent = call("sendMessage", message(4299, "only here", "menu:active"));

      assertThat(sent.status()).isEqualTo(200);
      assertThat(botApi.messages(4299))
          .extracting(FakeBotApi.SentMessage::text)
          .containsExactly("only here");
      assertThat(other.messages(4299)).isEmpty();
      assertThat(other.calls()).isEmpty();
      assertThat(other.attempts("sendMessage")).isZero();
      Answer updates = call("getUpdates", JSON.createObjectNode().put("timeout", 0));
      assertThat(updates.body().get("result")).isEmpty(); // the update was pushed to the other
    }
  }

  @Test
  void start_isIdempotent() {
    assertThat(botApi.start()).startsWith("http://127.0.0.1:").isEqualTo(botApi.start());
  }

  @Test
  void sendMessage_returnsTheMessage_andStoresIt() throws Exception {
    Answer sent = call("sendMessage", message(4201, "Hello \"Ann\"\n👋", "menu:active"));

    assertThat(sent.status()).isEqualTo(200);
    assertThat(sent.body().get("ok").asBoolean()).isTrue();
    JsonNode m = sent.body().get("result");
    assertThat(m.get("message_id").isInt()).isTrue();
    assertThat(m.get("date").asLong()).isPositive();
    assertThat(m.at("/chat/id").isNumber()).isTrue();
    assertThat(m.at("/chat/id").asLong()).isEqualTo(4201);
    assertThat(m.at("/chat/type").asText()).isEqualTo("private");
    assertThat(m.get("text").asText()).isEqualTo("Hello \"Ann\"\n👋");
    assertThat(m.at("/reply_markup/inline_keyboard/0/0/callback_data").asText())
        .isEqualTo("menu:active");

    assertThat(botApi.messages(4201))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.messageId()).isEqualTo(m.get("message_id").asInt());
              assertThat(s.text()).isEqualTo("Hello \"Ann\"\n👋");
              assertThat(s.replyMarkup().at("/inline_keyboard/0/0/text").asText()).isEqualTo("b");
            });
    assertThat(botApi.calls("SENDMESSAGE")).hasSize(1);
    assertThat(FakeBotApi.json(botApi.calls().get(0)).get("chat_id").asText()).isEqualTo("4201");
  }

  @Test
  void sendMessage_toAGroup_answersASupergroupChat() throws Exception {
    Answer sent = call("sendMessage", message(-1001234, "hi", null));
    assertThat(sent.body().at("/result/chat/type").asText()).isEqualTo("supergroup");
    assertThat(sent.body().at("/result/reply_markup").isMissingNode()).isTrue();
  }

  @Test
  void editMessageText_withTheSameContent_isNotModified_andAChangeIsKept() throws Exception {
    int id = call("sendMessage", message(4202, "one", "a")).body().at("/result/message_id").asInt();

    Answer same = call("editMessageText", edit(4202, id, "one", "a"));
    assertThat(same.status()).isEqualTo(400);
    assertThat(same.body().get("ok").asBoolean()).isFalse();
    assertThat(same.body().get("error_code").asInt()).isEqualTo(400);
    assertThat(same.body().get("description").asText())
        .startsWith("Bad Request: message is not modified");
    assertThat(botApi.rejections("editMessageText")).hasSize(1);
    assertThat(botApi.calls("editMessageText")).isEmpty();

    Answer changed = call("editMessageText", edit(4202, id, "two", "b"));
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.body().at("/result/message_id").asInt()).isEqualTo(id);
    assertThat(changed.body().at("/result/text").asText()).isEqualTo("two");
    assertThat(changed.body().at("/result/edit_date").asLong()).isPositive();

    // without reply_markup the keyboard goes, which is a change even with the same text
    Answer noKeyboard = call("editMessageText", edit(4202, id, "two", null));
    assertThat(noKeyboard.status()).isEqualTo(200);
    assertThat(botApi.messages(4202))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.text()).isEqualTo("two");
              assertThat(s.replyMarkup()).isNull();
            });
    assertThat(botApi.attempts("editMessageText")).isEqualTo(3);
  }

  @Test
  void editMessageReplyMarkup_checksAgainstTheStoredMarkup() throws Exception {
    int id = call("sendMessage", message(4203, "one", "a")).body().at("/result/message_id").asInt();
    ObjectNode same = edit(4203, id, null, "a");
    same.remove("text");
    assertThat(call("editMessageReplyMarkup", same).body().get("description").asText())
        .startsWith("Bad Request: message is not modified");

    ObjectNode other = edit(4203, id, null, "c");
    other.remove("text");
    Answer changed = call("editMessageReplyMarkup", other);
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.body().at("/result/text").asText()).isEqualTo("one");
    assertThat(
            botApi
                .messages(4203)
                .get(0)
                .replyMarkup()
                .at("/inline_keyboard/0/0/callback_data")
                .asText())
        .isEqualTo("c");
  }

  @Test
  void editOfAnUnknownMessage_isNotFound() throws Exception {
    Answer answer = call("editMessageText", edit(4204, 999_999, "text", null));
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().get("description").asText())
        .isEqualTo("Bad Request: message to edit not found");
  }

  @Test
  void injected429_carriesRetryAfter_andCountsAsAnAttempt() throws Exception {
    botApi.tooManyRequests("sendMessage", 1, 7);

    Answer limited = call("sendMessage", message(4205, "hi", null));
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.body().get("error_code").asInt()).isEqualTo(429);
    assertThat(limited.body().get("description").asText())
        .isEqualTo("Too Many Requests: retry after 7");
    assertThat(limited.body().at("/parameters/retry_after").asInt()).isEqualTo(7);

    assertThat(call("sendMessage", message(4205, "hi", null)).status()).isEqualTo(200);
    assertThat(botApi.arrivals())
        .first()
        .satisfies(
            a -> {
              assertThat(a.errorCode()).isEqualTo(429);
              assertThat(a.answeredNanos()).isGreaterThanOrEqualTo(a.atNanos());
            });
    assertThat(botApi.attempts("sendMessage")).isEqualTo(2);
    assertThat(botApi.calls("sendMessage")).hasSize(1);
    assertThat(botApi.messages(4205)).hasSize(1);
  }

  @Test
  void failNext_failsThatManyTimes() throws Exception {
    botApi.failNext("answerCallbackQuery", 2, 502, "Bad Gateway", null);
    ObjectNode answer = JSON.createObjectNode().put("callback_query_id", "1");
    assertThat(call("answerCallbackQuery", answer).status()).isEqualTo(502);
    Answer second = call("answerCallbackQuery", answer);
    assertThat(second.status()).isEqualTo(502);
    assertThat(second.body().has("parameters")).isFalse();
    assertThat(call("answerCallbackQuery", answer).body().get("result").asBoolean()).isTrue();
    assertThat(botApi.attempts("answercallbackquery")).isEqualTo(3);
  }

  @Test
  void aBlockedChat_isForbidden() throws Exception {
    botApi.blockChat(4206);
    Answer answer = call("sendMessage", message(4206, "hi", null));
    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body().get("description").asText())
        .isEqualTo("Forbidden: bot was blocked by the user");
    assertThat(botApi.messages(4206)).isEmpty();
    assertThat(call("sendMessage", message(4207, "hi", null)).status()).isEqualTo(200);
  }

  @Test
  void callbackDataOver64Bytes_isInvalid() throws Exception {
    String sixtyFour = "ж".repeat(32); // 2 bytes each in UTF-8
    assertThat(call("sendMessage", message(4208, "hi", sixtyFour)).status()).isEqualTo(200);

    Answer answer = call("sendMessage", message(4208, "hi", sixtyFour + "a"));
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().get("description").asText())
        .isEqualTo("Bad Request: BUTTON_DATA_INVALID");
  }

  @Test
  void textIsValidated() throws Exception {
    assertThat(call("sendMessage", message(4209, "", null)).body().get("description").asText())
        .isEqualTo("Bad Request: message text is empty");
    assertThat(call("sendMessage", message(4209, "x".repeat(4096), null)).status()).isEqualTo(200);
    assertThat(
            call("sendMessage", message(4209, "x".repeat(4097), null))
                .body()
                .get("description")
                .asText())
        .isEqualTo("Bad Request: message is too long");
    ObjectNode answer =
        JSON.createObjectNode().put("callback_query_id", "1").put("text", "x".repeat(201));
    assertThat(call("answerCallbackQuery", answer).body().get("description").asText())
        .isEqualTo("Bad Request: MESSAGE_TOO_LONG");
  }

  @Test
  void aWrongToken_isUnauthorized() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(botApi.start() + "/bot1:WRONG/getMe"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).get("description").asText())
        .isEqualTo("Unauthorized");
  }

  @Test
  void getMe_andWebhookMethods() throws Exception {
    JsonNode me = call("getMe", JSON.createObjectNode()).body().get("result");
    assertThat(me.get("is_bot").asBoolean()).isTrue();
    assertThat(me.get("username").asText()).isEqualTo("rmm_test_bot");
    assertThat(call("deleteWebhook", JSON.createObjectNode()).body().get("result").asBoolean())
        .isTrue();
    assertThat(call("setMyCommands", JSON.createObjectNode()).body().get("result").asBoolean())
        .isTrue();
    assertThat(botApi.calls())
        .extracting(FakeBotApi.Call::method)
        .containsExactly("getme", "deletewebhook", "setmycommands");
  }

  @Test
  void getUpdates_handsOutTheQueuedUpdates() throws Exception {
    int id =
        call("sendMessage", message(4210, "card", "a")).body().at("/result/message_id").asInt();
    botApi.push(botApi.message(1, 4210, "Ann \"A\"", "en", "/start now"));
    botApi.push(botApi.groupMessage(2, -100777, 4210, "Ann", null, "hi\nthere"));
    botApi.push(botApi.callback(3, 4210, "Ann", "en", 4210, id, "menu:active"));

    JsonNode updates =
        call("getUpdates", JSON.createObjectNode().put("timeout", 50)).body().get("result");

    assertThat(updates).hasSize(3);
    assertThat(updates.at("/0/message/from/first_name").asText()).isEqualTo("Ann \"A\"");
    assertThat(updates.at("/0/message/entities/0/type").asText()).isEqualTo("bot_command");
    assertThat(updates.at("/0/message/entities/0/length").asInt()).isEqualTo(6);
    assertThat(updates.at("/1/message/chat/type").asText()).isEqualTo("supergroup");
    assertThat(updates.at("/1/message/text").asText()).isEqualTo("hi\nthere");
    JsonNode query = updates.at("/2/callback_query");
    assertThat(query.get("id").asText()).isNotBlank();
    assertThat(query.get("chat_instance").asText()).isNotBlank();
    assertThat(query.get("data").asText()).isEqualTo("menu:active");
    assertThat(query.at("/message/message_id").asInt()).isEqualTo(id);
    assertThat(query.at("/message/text").asText()).isEqualTo("card");
    assertThat(query.at("/message/chat/id").asLong()).isEqualTo(4210);

    // as in the Bot API, an offset past the last update confirms them: they are not handed out
    // again
    long started = System.nanoTime();
    JsonNode none =
        call(
                "getUpdates",
                JSON.createObjectNode()
                    .put("timeout", 50)
                    .put("offset", updates.at("/2/update_id").asLong() + 1))
            .body()
            .get("result");
    assertThat(none).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    assertThat(botApi.calls("getUpdates")).isEmpty();
  }

  @Test
  void formBodiesAreUnderstoodToo() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(botApi.start() + "/bot" + FakeBotApi.TOKEN + "/sendMessage"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "chat_id=4211&text=a%20b&reply_markup="
                            + java.net.URLEncoder.encode(
                                "{\"inline_keyboard\":[[{\"text\":\"x\",\"callback_data\":\"y\"}]]}",
                                java.nio.charset.StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode call = FakeBotApi.json(botApi.calls("sendMessage").get(0));
    assertThat(call.get("text").asText()).isEqualTo("a b");
    assertThat(call.at("/reply_markup/inline_keyboard/0/0/callback_data").asText()).isEqualTo("y");
  }

  @Test
  void aPress_showsAsItsAnswerAReplyToItsMessageOrAnEdit_andALateAnswerIsTooOld() throws Exception {
    int card =
        call("sendMessage", message(4210, "card", "a")).body().at("/result/message_id").asInt();
    String press = botApi.callback(1, 4210, "Ann", "en", 4210, card, "a");
    String id = JSON.readTree(press).at("/callback_query/id").asText();
    botApi.push(press);
    assertThat(botApi.pressOutcome(id).anything()).isFalse();

    ObjectNode reply = message(4210, "Approve?", null);
    reply.putObject("reply_parameters").put("message_id", card);
    assertThat(call("sendMessage", reply).status()).isEqualTo(200);
    assertThat(call("editMessageText", edit(4210, card, "card, edited", "a")).status())
        .isEqualTo(200);
    FakeBotApi.PressOutcome seen = botApi.pressOutcome(id);
    assertThat(seen.answer()).isNull();
    assertThat(seen.repliedAtNanos()).isNotNull();
    assertThat(seen.editedAtNanos()).isNotNull();

    botApi.callbackQueryLifetime(Duration.ZERO);
    Answer late = call("answerCallbackQuery", JSON.createObjectNode().put("callback_query_id", id));
    assertThat(late.status()).isEqualTo(400);
    assertThat(late.body().get("description").asText()).contains("query is too old");
    botApi.callbackQueryLifetime(null);
    assertThat(
            call("answerCallbackQuery", JSON.createObjectNode().put("callback_query_id", id))
                .status())
        .isEqualTo(200);
    assertThat(botApi.pressOutcome(id).answer()).isNotNull();
  }

  private static ObjectNode message(long chatId, String text, String callbackData) {
    ObjectNode body =
        JSON.createObjectNode().put("chat_id", Long.toString(chatId)).put("text", text);
    if (callbackData != null) {
      body.putObject("reply_markup")
          .putArray("inline_keyboard")
          .addArray()
          .addObject()
          .put("text", "b")
          .put("callback_data", callbackData);
    }
    return body;
  }

  private static ObjectNode edit(long chatId, int messageId, String text, String callbackData) {
    ObjectNode body = message(chatId, text, callbackData);
    body.put("message_id", messageId);
    return body;
  }

  private Answer call(String method, JsonNode body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(botApi.start() + "/bot" + FakeBotApi.TOKEN + "/" + method))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), JSON.readTree(response.body()));
  }
}
