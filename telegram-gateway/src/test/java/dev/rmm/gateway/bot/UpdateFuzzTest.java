package dev.rmm.gateway.bot;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.gateway.bot.UpdateHandler.Handled;
import dev.rmm.gateway.fuzz.FuzzInput;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.RedisTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * Telegram updates as a hostile or broken client could make them, through the update handler of the
 * running gateway (real Redis, the fake Bot API): every update ends in a documented outcome
 * (handled, ignored or refused: {@link Handled#DONE}), none fails with an unexpected error, and
 * none writes a pending action or an awaited reason (only a validly signed card button can, and
 * only such a pending action can send a command).
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(FakeBotApi.Resource.class)
class UpdateFuzzTest {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final String[] TEXTS = {"/start", "/lang", "/lang en", "/cancel", "/start@bot x"};
  private static final String[] DATA = {
    "menu",
    "menu:active",
    "menu:failed",
    "page:active:1",
    "lang:en",
    "ok:",
    "no:",
    "pick:",
    "ap:x:1:"
  };
  private static final String[] CHAT_TYPES = {"private", "group", "supergroup", "channel"};

  @Inject UpdateHandler handler;
  @Inject RedisDataSource redis;
  @Inject MeterRegistry meters;

  @FuzzTest(maxDuration = "30m")
  void givenAnyUpdate_thenADocumentedOutcome_andNothingWrittenButWhatItMayWrite(byte[] bytes) {
    FuzzInput in = new FuzzInput(bytes);
    Update update = in.consumeBoolean() ? raw(in) : shaped(in);
    if (update == null) {
      return; // not an Update at all: the webhook answers 400, long polling never gets one
    }
    double failedBefore = failures();

    Handled handled = handler.handle(update);

    assertThat(handled).isEqualTo(Handled.DONE);
    assertThat(failures()).as("updates that failed on an unexpected error").isEqualTo(failedBefore);
    assertThat(redis.key().keys("rmm:tg:pending:*")).as("pending actions").isEmpty();
    assertThat(redis.key().keys("rmm:tg:reason:*")).as("awaited reasons").isEmpty();
  }

  private double failures() {
    return meters.counter("rmm.telegram.update.failures").count();
  }

  /** Any bytes, read as an Update the way the webhook reads them. */
  private static Update raw(FuzzInput in) {
    try {
      return JSON.readValue(in.consumeRemainingAsBytes(), Update.class);
    } catch (IOException | RuntimeException notAnUpdate) {
      return null;
    }
  }

  /** An update shaped like Telegram's, with fields left out, changed or made up. */
  private static Update shaped(FuzzInput in) {
    ObjectNode from = JSON.createObjectNode().put("is_bot", false);
    if (in.consumeBoolean()) {
      from.put("id", in.consumeLong());
    }
    if (in.consumeBoolean()) {
      from.put("first_name", in.consumeString(40));
    }
    if (in.consumeBoolean()) {
      from.put("language_code", in.consumeString(8));
    }
    ObjectNode chat = JSON.createObjectNode().put("type", in.pick(CHAT_TYPES));
    if (in.consumeBoolean()) {
      chat.put("id", in.consumeLong());
    }
    ObjectNode message = JSON.createObjectNode().put("date", in.consumeInt());
    if (in.consumeBoolean()) {
      message.put("message_id", in.consumeInt());
    }
    if (in.consumeBoolean()) {
      message.set("chat", chat);
    }
    if (in.consumeBoolean()) {
      message.set("from", from);
    }
    ObjectNode u = JSON.createObjectNode().put("update_id", in.consumeInt());
    if (in.consumeBoolean()) {
      message.put("text", in.consumeBoolean() ? in.pick(TEXTS) : in.consumeString(200));
      u.set("message", message);
    } else {
      ObjectNode q = JSON.createObjectNode().put("chat_instance", "1");
      if (in.consumeBoolean()) {
        q.put("id", in.consumeString(20));
      }
      if (in.consumeBoolean()) {
        q.set("from", from);
      }
      if (in.consumeBoolean()) {
        q.set("message", message);
      }
      q.put(
          "data",
          in.consumeBoolean()
              ? in.pick(DATA) + in.consumeString(40)
              : in.consumeRemainingAsString());
      u.set("callback_query", q);
    }
    try {
      return JSON.treeToValue(u, Update.class);
    } catch (IOException | RuntimeException notAnUpdate) {
      return null;
    }
  }
}
