package dev.rmm.gateway;

import dev.rmm.contracts.ops.FloodWait;
import dev.rmm.gateway.GatewayConfig.Mode;
import dev.rmm.gateway.alerts.AlertFeed;
import dev.rmm.gateway.alerts.AlertsChat;
import dev.rmm.gateway.alerts.StuckReleases;
import dev.rmm.gateway.bot.Replies;
import dev.rmm.gateway.bot.UpdateHandler;
import dev.rmm.gateway.bot.UpdateHandler.Handled;
import dev.rmm.gateway.commands.CommandClient;
import dev.rmm.gateway.live.TeamCards;
import dev.rmm.gateway.telegram.BotClient;
import dev.rmm.gateway.telegram.LongPolling;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.methods.updates.SetWebhook;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;

/**
 * The bot's lifecycle: with TELEGRAM_BOT_TOKEN set it connects to the Bot API, receives updates by
 * long polling ({@link LongPolling}: a batch at a time, handed to the workers) or through the
 * webhook (handled in the request, answered once done); it starts the team chat's live cards and
 * the alerts chat. Without a token the gateway runs, says so once, and stays healthy.
 */
@ApplicationScoped
public class TelegramBot {

  private static final Logger LOG = Logger.getLogger(TelegramBot.class);

  /** Telegram's rule for the webhook's secret_token. */
  private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{1,256}");

  private final GatewayConfig.Telegram config;
  private final UpdateHandler handler;
  private final Replies replies;
  private final CommandClient commands;
  private final TeamCards teamCards;
  private final AlertsChat alerts;
  private final AlertFeed alertFeed;
  private final StuckReleases stuckReleases;
  private final UpdateMemory memory;

  /** How long one getUpdates waits for updates. */
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(25);

  private LongPolling polling;
  private ExecutorService workers;
  private volatile boolean webhookActive;

  TelegramBot(
      GatewayConfig config,
      UpdateHandler handler,
      Replies replies,
      CommandClient commands,
      TeamCards teamCards,
      AlertsChat alerts,
      AlertFeed alertFeed,
      StuckReleases stuckReleases,
      UpdateMemory memory) {
    this.config = config.telegram();
    this.handler = handler;
    this.replies = replies;
    this.commands = commands;
    this.teamCards = teamCards;
    this.alerts = alerts;
    this.alertFeed = alertFeed;
    this.stuckReleases = stuckReleases;
    this.memory = memory;
  }

  void onStart(@Observes StartupEvent ev) {
    Optional<String> token = config.botToken().filter(t -> !t.isBlank());
    if (token.isEmpty()) {
      LOG.warn(
          "Telegram is disabled: TELEGRAM_BOT_TOKEN is not set. Set it to connect the bot; the"
              + " gateway keeps running and /q/health stays green.");
      return;
    }
    URI api = URI.create(config.apiUrl());
    int port = api.getPort() != -1 ? api.getPort() : "https".equals(api.getScheme()) ? 443 : 80;
    TelegramUrl url = new TelegramUrl(api.getScheme(), api.getHost(), port, false);
    OkHttpTelegramClient client = new OkHttpTelegramClient(token.get(), url);
    FloodWait flood = new FloodWait(); // one per token: a 429 holds every call of the bot
    replies.connect(new BotClient(client, flood));
    AtomicInteger n = new AtomicInteger();
    // bounded: the poller hands over one batch (at most LongPolling.LIMIT updates) at a time and
    // waits for it; more would be a bug, refused rather than queued
    workers =
        new ThreadPoolExecutor(
            config.workers(),
            config.workers(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(LongPolling.LIMIT),
            r -> {
              Thread t = new Thread(r, "rmm-telegram-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    commands.start();
    // alive before the first claim: a claim of an instance that is not alive is taken over
    memory.start();
    if (config.mode() == Mode.WEBHOOK) {
      startWebhook(client);
    } else {
      startPolling(token.get(), url, api, flood);
    }
    Optional<Long> team = config.teamChatId();
    Optional<Long> alertsChat = config.alertsChatId().or(() -> team);
    if (alertsChat.isPresent()) {
      alerts.start(alertsChat.get());
      alertFeed.start();
      stuckReleases.start();
    } else {
      LOG.warn(
          "No alerts chat: neither TELEGRAM_ALERTS_CHAT_ID nor TELEGRAM_TEAM_CHAT_ID is set, so"
              + " failures are only logged.");
    }
    if (team.isEmpty()) {
      LOG.warn(
          "No team chat: TELEGRAM_TEAM_CHAT_ID is not set, so there are no live release cards."
              + " Users can still use the bot in private chats.");
    }
    if (team.isPresent() || alertsChat.isPresent()) {
      teamCards.start(team.orElse(null));
    }
  }

  private void startPolling(String token, TelegramUrl url, URI api, FloodWait flood) {
    OkHttpClient http =
        new OkHttpClient.Builder().readTimeout(POLL_TIMEOUT.plusSeconds(15)).build();
    polling =
        new LongPolling(
            new OkHttpTelegramClient(http, token, url),
            workers,
            u -> handler.handle(u) == Handled.DONE,
            POLL_TIMEOUT,
            flood);
    polling.start();
    LOG.infof("Telegram is connected to %s (long polling)", api.getHost());
  }

  private void startWebhook(OkHttpTelegramClient client) {
    String url =
        config
            .webhookUrl()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "webhook mode needs TELEGRAM_WEBHOOK_URL, the public HTTPS URL of"
                            + " /telegram/webhook"));
    String secret =
        config
            .webhookSecret()
            .filter(s -> SECRET.matcher(s).matches())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "webhook mode needs TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z,"
                            + " 0-9, _ and -"));
    webhookActive = true;
    try {
      client.execute(
          SetWebhook.builder()
              .url(url)
              .secretToken(secret)
              .allowedUpdates(List.of("message", "callback_query"))
              // each update is handled in its request: as many at once as there are workers
              .maxConnections(config.workers())
              .build());
      LOG.infof("Telegram is connected (webhook %s)", url);
    } catch (TelegramApiException e) {
      LOG.errorf(
          "Telegram did not accept the webhook %s: %s. Check TELEGRAM_WEBHOOK_URL (public HTTPS)"
              + " and restart the gateway.",
          url, e.getMessage());
    }
  }

  /** Whether updates are expected on the webhook endpoint. */
  public boolean webhookActive() {
    return webhookActive;
  }

  void onStop(@Observes ShutdownEvent ev) {
    if (polling != null) {
      polling.stop();
    }
    teamCards.stop();
    alertFeed.stop();
    stuckReleases.stop();
    alerts.stop();
    if (workers != null) {
      workers.shutdown();
      try {
        workers.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // after the workers: a claim still held is of an update the shutdown cut short
    memory.stop();
  }
}
