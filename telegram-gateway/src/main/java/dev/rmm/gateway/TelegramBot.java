package dev.rmm.gateway;

import dev.rmm.gateway.Texts.Language;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.longpolling.TelegramBotsLongPollingApplication;
import org.telegram.telegrambots.longpolling.util.DefaultGetUpdatesGenerator;
import org.telegram.telegrambots.longpolling.util.LongPollingSingleThreadUpdateConsumer;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * The bot: reads updates by long polling (when TELEGRAM_BOT_TOKEN is set) and answers them. Without
 * a token the gateway runs, says so once, and stays healthy.
 */
@ApplicationScoped
public class TelegramBot {

  private static final Logger LOG = Logger.getLogger(TelegramBot.class);

  private final GatewayConfig config;
  private final UpdateMemory memory;
  private TelegramBotsLongPollingApplication polling;
  private TelegramClient client;

  TelegramBot(GatewayConfig config, UpdateMemory memory) {
    this.config = config;
    this.memory = memory;
  }

  void onStart(@Observes StartupEvent ev) {
    String token = config.botToken().filter(t -> !t.isBlank()).orElse(null);
    if (token == null) {
      LOG.warn(
          "Telegram is disabled: TELEGRAM_BOT_TOKEN is not set. Set it to connect the bot; the"
              + " gateway keeps running and /q/health stays green.");
      return;
    }
    URI api = URI.create(config.apiUrl());
    int port = api.getPort() != -1 ? api.getPort() : "https".equals(api.getScheme()) ? 443 : 80;
    TelegramUrl url = new TelegramUrl(api.getScheme(), api.getHost(), port, false);
    client = new OkHttpTelegramClient(token, url);
    polling = new TelegramBotsLongPollingApplication();
    try {
      LongPollingSingleThreadUpdateConsumer consumer = this::consume;
      polling.registerBot(token, () -> url, new DefaultGetUpdatesGenerator(), consumer);
      LOG.infof("Telegram is connected to %s (long polling)", api.getHost());
    } catch (TelegramApiException e) {
      throw new IllegalStateException("cannot start long polling at " + api.getHost(), e);
    }
  }

  void onStop(@Observes ShutdownEvent ev) {
    if (polling != null) {
      try {
        polling.close();
      } catch (Exception e) {
        LOG.warnf("Stopping long polling: %s", e.getMessage());
      }
    }
  }

  /** Handles one update; a repeat of an update already handled is ignored. */
  void consume(Update update) {
    if (!memory.firstTime(update.getUpdateId())) {
      LOG.debugf("Ignoring update %d: already handled", update.getUpdateId());
      return;
    }
    try {
      if (update.hasMessage() && update.getMessage().hasText()) {
        onText(update.getMessage());
      }
    } catch (TelegramApiException e) {
      LOG.errorf("Answering update %d failed: %s", update.getUpdateId(), e.getMessage());
    }
  }

  private void onText(Message m) throws TelegramApiException {
    String text = m.getText().trim();
    if (text.equals("/start") || text.startsWith("/start ") || text.startsWith("/start@")) {
      Language fallback = Language.parse(config.defaultLanguage());
      Language language =
          Language.of(m.getFrom() == null ? null : m.getFrom().getLanguageCode(), fallback);
      String firstName = m.getFrom() == null ? null : m.getFrom().getFirstName();
      client.execute(Screens.mainMenu(m.getChatId(), firstName, language));
    }
  }
}
