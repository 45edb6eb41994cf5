package dev.rmm.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Configuration of telegram-gateway. Secrets (the bot token, the webhook and callback secrets) come
 * only from the environment.
 */
@ConfigMapping(prefix = "rmm")
public interface GatewayConfig {

  Telegram telegram();

  Topics topics();

  /** The bot and the team chat. */
  interface Telegram {

    /** The bot's token from @BotFather (TELEGRAM_BOT_TOKEN); without it Telegram is off. */
    Optional<String> botToken();

    /** The Bot API server: Telegram's, or a local Bot API server. */
    @WithDefault("https://api.telegram.org")
    String apiUrl();

    /** How updates arrive: {@code polling} (long polling, for local use) or {@code webhook}. */
    @WithDefault("polling")
    Mode mode();

    /**
     * Webhook mode: the public HTTPS URL Telegram posts updates to, ending in {@code
     * /telegram/webhook} (TELEGRAM_WEBHOOK_URL).
     */
    Optional<String> webhookUrl();

    /**
     * Webhook mode: the secret Telegram sends in {@code X-Telegram-Bot-Api-Secret-Token}
     * (TELEGRAM_WEBHOOK_SECRET; 1-256 characters of A-Z, a-z, 0-9, _ and -). Required in webhook
     * mode.
     */
    Optional<String> webhookSecret();

    /**
     * The key that signs the cards' callback data (TELEGRAM_CALLBACK_SECRET, at least 16 bytes).
     * When unset it is derived from the bot token, which every gateway instance shares.
     */
    Optional<String> callbackSecret();

    /** The team chat that gets one live card per release and the alerts (TELEGRAM_TEAM_CHAT_ID). */
    Optional<Long> teamChatId();

    /** Language of the team chat, and of users whose client reports neither Russian nor English. */
    @WithDefault("ru")
    String defaultLanguage();

    /** The team's time zone for the dates on the cards. */
    @WithDefault("Europe/Moscow")
    ZoneId timeZone();

    /** How long an update id is remembered to ignore Telegram's redeliveries. */
    @WithDefault("24h")
    Duration updateMemory();

    /** How long a pending confirmation (approve, reject, rollback) waits for its answer. */
    @WithDefault("15m")
    Duration confirmationTtl();

    /** How long a button press waits for release-api's decision before saying so. */
    @WithDefault("10s")
    Duration commandTimeout();

    /**
     * Events older than this are not announced in the team chat: a gateway started on an old log
     * does not flood the chat with history.
     */
    @WithDefault("1h")
    Duration teamBackfill();

    /** Worker threads that handle updates, so one slow answer does not hold up other users. */
    @WithDefault("8")
    int workers();
  }

  /** Where updates come from. */
  enum Mode {
    POLLING,
    WEBHOOK
  }

  /** The Kafka topics shared with release-api. */
  interface Topics {
    /** The release event log. */
    @WithDefault("rmm.release-events")
    String events();

    /** Commands to release-api (the single writer). */
    @WithDefault("rmm.release-commands")
    String commands();

    /** release-api's answers to commands, keyed by command id. */
    @WithDefault("rmm.release-command-results")
    String results();
  }
}
