package dev.rmm.gateway.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.ops.FloodWait;
import dev.rmm.gateway.telegram.BotClient.Delivery;
import dev.rmm.testsupport.FakeBotApi;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/**
 * A 429's {@code retry_after} holds every call of the bot, not only the one that got it (found by
 * the chaos harness's Telegram outage, docs/reliability.md F11): the fake Bot API records when each
 * request arrived, and none may arrive while a wait it asked for has not elapsed.
 */
class FloodWaitTest {

  private static final int RETRY_AFTER = 2;

  private final FakeBotApi botApi = new FakeBotApi();
  private final FloodWait flood = new FloodWait();
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private OkHttpTelegramClient client;
  private LongPolling polling;

  @BeforeEach
  void connect() {
    URI api = URI.create(botApi.start());
    client =
        new OkHttpTelegramClient(
            FakeBotApi.TOKEN,
            new TelegramUrl(api.getScheme(), api.getHost(), api.getPort(), false));
  }

  @AfterEach
  void stop() {
    if (polling != null) {
      polling.stop();
    }
    workers.shutdownNow();
    botApi.close();
  }

  @Test
  void givenOneCallGot429_whenAnotherCallIsMadeMeanwhile_thenItWaitsOutTheRetryAfterToo()
      throws Exception {
    BotClient bot = new BotClient(client, flood);
    botApi.tooManyRequests("sendMessage", 1, RETRY_AFTER);
    CompletableFuture<BotClient.Reply<Message>> first =
        CompletableFuture.supplyAsync(() -> bot.call(send(9201, "first"), Delivery.PATIENT));
    await().atMost(Duration.ofSeconds(10)).until(() -> !flood.remaining().isZero());

    BotClient.Reply<Message> second = bot.call(send(9202, "second"), Delivery.PATIENT);

    assertThat(second.ok()).isTrue();
    assertThat(first.get().ok()).isTrue();
    assertNothingArrivedDuringTheWait();
  }

  @Test
  void givenGetUpdatesGot429_whenTheBotSendsAMessage_thenItWaitsOutTheRetryAfter() {
    BotClient bot = new BotClient(client, flood);
    botApi.tooManyRequests("getUpdates", 1, RETRY_AFTER);
    polling = new LongPolling(client, workers, u -> true, Duration.ofSeconds(1), flood);
    polling.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> !flood.remaining().isZero());

    BotClient.Reply<Message> sent = bot.call(send(9203, "after the wait"), Delivery.PATIENT);

    assertThat(sent.ok()).isTrue();
    assertNothingArrivedDuringTheWait();
  }

  @Test
  void givenAFloodWaitLongerThanAnInteractiveCallMayWait_thenTheCallGivesUpWithoutCalling() {
    BotClient bot = new BotClient(client, flood);
    flood.hold(Duration.ofSeconds(60));

    BotClient.Reply<Message> r = bot.call(send(9204, "too late"), Delivery.INTERACTIVE);

    assertThat(r.ok()).isFalse();
    assertThat(r.errorCode()).isEqualTo(429);
    assertThat(botApi.attempts("sendMessage")).isZero();
  }

  @Test
  void givenACallWaitingOutA429_whenACallAlreadyOnItsWayGets429Meanwhile_thenItWaitsThatOutToo()
      throws Exception {
    flood.hold(Duration.ofSeconds(1)); // one call got a 429
    CountDownLatch waiting = new CountDownLatch(1);
    BotClient bot =
        new BotClient(
            client,
            d -> {
              waiting.countDown();
              FloodWait.sleep(d); // the bot's own sleeper: at least d
            },
            flood);
    CompletableFuture<BotClient.Reply<Message>> waiter =
        CompletableFuture.supplyAsync(() -> bot.call(send(9205, "waits"), Delivery.PATIENT));
    assertThat(waiting.await(10, TimeUnit.SECONDS)).as("the call waits out the 429").isTrue();

    // while it waits, a call that was on its way before the first 429 gets one too, asking longer
    long later = flood.hold(Duration.ofSeconds(RETRY_AFTER));

    assertThat(waiter.get(30, TimeUnit.SECONDS).ok()).isTrue();
    FakeBotApi.Arrival sent =
        botApi.arrivals().stream()
            .filter(a -> a.method().equals("sendmessage"))
            .findFirst()
            .orElseThrow();
    assertThat(sent.atNanos() - later)
        .as("the waiting call went out only once the later wait was over (ns after it)")
        .isNotNegative();
  }

  private FakeBotApi.Arrival limited() {
    return botApi.arrivals().stream().filter(a -> a.errorCode() == 429).findFirst().orElse(null);
  }

  private void assertNothingArrivedDuringTheWait() {
    FakeBotApi.Arrival limited = limited();
    long from = limited.atNanos();
    long until = limited.atNanos() + Duration.ofSeconds(RETRY_AFTER).toNanos();
    List<String> early =
        botApi.arrivals().stream()
            .filter(a -> a.atNanos() > from && a.atNanos() < until)
            .map(
                a ->
                    a.method()
                        + " "
                        + (a.atNanos() - limited.atNanos()) / 1_000_000
                        + " ms after the 429")
            .toList();
    assertThat(early).as("requests while Telegram asked to wait").isEmpty();
    assertThat(botApi.arrivals().stream().filter(a -> a.atNanos() >= until))
        .as("the calls went out once the wait was over")
        .isNotEmpty();
  }

  private static SendMessage send(long chat, String text) {
    return SendMessage.builder().chatId(chat).text(text).build();
  }
}
