package dev.rmm.gateway.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ops.FloodWait;
import dev.rmm.gateway.telegram.BotClient.Delivery;
import dev.rmm.testsupport.FakeBotApi;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.methods.AnswerCallbackQuery;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.methods.updatingmessages.EditMessageText;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/** Telegram's errors as the real client meets them, from the fake Bot API server. */
class BotClientTest {

  private final FakeBotApi botApi = new FakeBotApi();
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private BotClient bot;

  @BeforeEach
  void connect() {
    URI api = URI.create(botApi.start());
    bot =
        new BotClient(
            new OkHttpTelegramClient(
                FakeBotApi.TOKEN,
                new TelegramUrl(api.getScheme(), api.getHost(), api.getPort(), false)),
            waits::add);
  }

  @AfterEach
  void stopTheFake() {
    botApi.close();
  }

  @Test
  void given429_thenItWaitsRetryAfterAndDelivers() {
    botApi.tooManyRequests("sendMessage", 2, 3);

    BotClient.Reply<Message> r = bot.call(send(9101, "hello"), Delivery.INTERACTIVE);

    assertThat(r.ok()).isTrue();
    assertThat(r.result().getMessageId()).isPositive();
    // retry_after, and the margin FloodWait adds so that no call reaches Telegram on the boundary
    assertThat(waits)
        .hasSize(2)
        .allSatisfy(
            w ->
                assertThat(w)
                    .isGreaterThan(Duration.ofSeconds(3))
                    .isLessThanOrEqualTo(Duration.ofSeconds(3).plus(FloodWait.MARGIN)));
    assertThat(botApi.attempts("sendMessage")).isEqualTo(3);
  }

  @Test
  void givenA5xx_thenItRetriesWithBackoff() {
    botApi.failNext("sendMessage", 1, 502, "Bad Gateway", null);

    assertThat(bot.call(send(9102, "hello"), Delivery.MUST_DELIVER).ok()).isTrue();
    assertThat(waits).hasSize(1);
  }

  @Test
  void givenAnEditThatChangesNothing_thenItIsDone() {
    Message m = bot.call(send(9103, "same"), Delivery.INTERACTIVE).result();

    BotClient.Reply<?> r =
        bot.call(
            EditMessageText.builder()
                .chatId(9103L)
                .messageId(m.getMessageId())
                .text("same")
                .build(),
            Delivery.INTERACTIVE);

    assertThat(r.ok()).isTrue();
    assertThat(botApi.rejections("editMessageText")).hasSize(1); // Telegram said 400
  }

  @Test
  void givenABlockedUser_thenA403IsReportedOnceNotRetriedNorThrown() {
    botApi.blockChat(9104);

    BotClient.Reply<Message> r = bot.call(send(9104, "hello"), Delivery.MUST_DELIVER);

    assertThat(r.ok()).isFalse();
    assertThat(r.errorCode()).isEqualTo(403);
    assertThat(botApi.attempts("sendMessage")).isEqualTo(1);
    assertThat(waits).isEmpty();
  }

  @Test
  void givenADeletedMessage_thenTheEditSaysItIsGone() {
    BotClient.Reply<?> r =
        bot.call(
            EditMessageText.builder().chatId(9105L).messageId(424242).text("x").build(),
            Delivery.MUST_DELIVER);

    assertThat(r.messageGone()).isTrue();
  }

  @Test
  void givenTheAnswerToAPressFailingForSecondsOf5xx_thenItIsRetriedWhileThePressLives() {
    // 200 + 400 + 800 + 1600 + 3200 + 6400 ms of backoff: within the press's 15 s (F13)
    botApi.failNext("answerCallbackQuery", 6, 502, "Bad Gateway", null);

    BotClient.Reply<Boolean> r =
        bot.call(
            AnswerCallbackQuery.builder().callbackQueryId("4000000000000009101").build(),
            Delivery.INTERACTIVE);

    assertThat(r.ok()).isTrue();
    assertThat(botApi.attempts("answerCallbackQuery")).isEqualTo(7);
    assertThat(waits.stream().reduce(Duration.ZERO, Duration::plus))
        .isLessThan(Duration.ofSeconds(15));
  }

  private static SendMessage send(long chat, String text) {
    return SendMessage.builder().chatId(chat).text(text).build();
  }
}
