package dev.rmm.gateway.access;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeBotApi.SentMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A user's private chat with the bot as the button tests drive it through {@link FakeBotApi}:
 * opening a release's card from the menu, pressing buttons (there, or in a group such as the alerts
 * chat), reading answers and messages. Each test class keeps its own range of update ids (the
 * gateway ignores an update id it has seen, and the classes share one gateway).
 */
final class PrivateChat {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<FakeBotApi> bot;
  private final AtomicInteger updateIds;

  /**
   * Update ids from {@code firstUpdateId} on; the next class's range starts far above. {@code bot}
   * gives the test class's fake, injected only once the class runs (after this chat is made).
   */
  PrivateChat(Supplier<FakeBotApi> bot, int firstUpdateId) {
    this.bot = bot;
    this.updateIds = new AtomicInteger(firstUpdateId);
  }

  /** A new update id of this class's range. */
  int nextUpdateId() {
    return updateIds.getAndIncrement();
  }

  /** The user's /start, the active list of every service, paged to the release's card. */
  SentMessage cardFor(long user, String name, String lang, String releaseId) {
    bot.get().push(bot.get().message(nextUpdateId(), user, name, lang, "/start"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> bot.get().messages(user).stream().anyMatch(m -> m.text().startsWith("👋")));
    SentMessage menu =
        bot.get().messages(user).stream()
            .filter(m -> m.text().startsWith("👋"))
            .reduce((a, b) -> b)
            .orElseThrow();
    String active = lang.equals("ru") ? "🚀 Активные релизы" : "🚀 Active releases";
    press(user, name, lang, menu.messageId(), menu.button(active));
    // the service picker, then every service's releases
    String all = lang.equals("ru") ? "📋 Все сервисы (" : "📋 All services (";
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> message(user, menu.messageId()).replyMarkup().toString().contains(all));
    press(user, name, lang, menu.messageId(), message(user, menu.messageId()).button(all));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> message(user, menu.messageId()).text().startsWith("📦 "));
    String next = lang.equals("ru") ? "След. ➡️" : "Next ➡️";
    for (int i = 0; i < 30; i++) {
      SentMessage shown = message(user, menu.messageId());
      if (shown.buttonData().stream().anyMatch(d -> d.contains(releaseId))) {
        return shown;
      }
      String before = shown.text() + shown.buttonData();
      press(user, name, lang, menu.messageId(), shown.button(next));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                SentMessage now = message(user, menu.messageId());
                return !(now.text() + now.buttonData()).equals(before);
              });
    }
    throw new AssertionError("release " + releaseId + " is not in the active list");
  }

  /** Presses a button in the user's private chat; returns the callback query's id. */
  String press(long user, String name, String lang, int messageId, String data) {
    return pressIn(user, user, name, lang, messageId, data);
  }

  /**
   * Presses a button under message {@code messageId} of {@code chat} (the user's private chat, or a
   * group such as the alerts chat); returns the callback query's id.
   */
  String pressIn(long chat, long user, String name, String lang, int messageId, String data) {
    String update = bot.get().callback(nextUpdateId(), user, name, lang, chat, messageId, data);
    bot.get().push(update);
    try {
      return JSON.readTree(update).path("callback_query").path("id").asText();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits (15 s at the most) for the first message of {@code chat} (the user's private chat, or a
   * group such as the alerts chat) that starts with {@code prefix}, such as the confirmation a
   * button asks for; returns it.
   */
  SentMessage awaitConfirmation(long chat, String prefix) {
    await().atMost(Duration.ofSeconds(15)).until(() -> confirmation(chat, prefix) != null);
    return confirmation(chat, prefix);
  }

  /** Waits (15 s at the most) until message {@code messageId} of the chat reads {@code text}. */
  void awaitText(long chat, int messageId, String text) {
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> message(chat, messageId).text().equals(text));
  }

  /** The first message of the chat that starts so, or null while there is none. */
  private SentMessage confirmation(long chat, String prefix) {
    return bot.get().messages(chat).stream()
        .filter(m -> m.text().startsWith(prefix))
        .findFirst()
        .orElse(null);
  }

  /** The text the bot answered a callback query with, or null while it has not answered. */
  String answer(String callbackQueryId) {
    return bot.get().calls("answerCallbackQuery").stream()
        .map(FakeBotApi::json)
        .filter(a -> a.path("callback_query_id").asText().equals(callbackQueryId))
        .map(a -> a.path("text").asText())
        .findFirst()
        .orElse(null);
  }

  /** A message of the chat as it stands now (after its edits). */
  SentMessage message(long chat, int messageId) {
    return bot.get().messages(chat).stream()
        .filter(m -> m.messageId() == messageId)
        .findFirst()
        .orElseThrow();
  }
}
