package dev.rmm.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * Configuration of telegram-gateway. Secrets (the bot token, the webhook and callback secrets) come
 * only from the environment.
 */
@ConfigMapping(prefix = "rmm")
public interface GatewayConfig {

  Telegram telegram();

  Topics topics();

  Alerts alerts();

  Grafana grafana();

  Ai ai();

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

    /**
     * The team chat that gets one live card per release, and the alerts when no alerts chat is set
     * (TELEGRAM_TEAM_CHAT_ID).
     */
    Optional<Long> teamChatId();

    /**
     * The chat that gets the alerts: consumer errors, failed dispatches and rollbacks, stuck
     * releases (TELEGRAM_ALERTS_CHAT_ID). Unset: the team chat; neither set: no alerts.
     */
    Optional<Long> alertsChatId();

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

    /**
     * How long an update is handled again while a store it needs (the read model, Redis) does not
     * answer, before the user is told "temporarily unavailable, try again" and the update is done
     * with. Short: Telegram takes the answer to a button press only for a few seconds.
     */
    @WithDefault("8s")
    Duration unavailableAnswerAfter();

    /** How long a log reader (the live cards, the alerts feed) waits before it starts again. */
    @WithDefault("5s")
    Duration readerRestartDelay();

    /** Worker threads that handle updates, so one slow answer does not hold up other users. */
    @WithDefault("8")
    int workers();

    /**
     * Telegram user ids who may see the menus, lists and cards without being an approver, an admin
     * or a member of the team chat (RMM_TELEGRAM_VIEWERS, comma-separated, e.g. auditors). Seeing
     * is all: acting on a release stays with the release's approvers and admins. Unset: nobody
     * beyond those.
     */
    Optional<List<Long>> viewers();

    /**
     * How long whether someone may see releases (an approver, an admin, a member of the team chat,
     * or none of these) is remembered in Redis before Telegram's {@code getChatMember} and the read
     * model are asked again: someone who leaves the team chat loses access within it.
     */
    @WithDefault("5m")
    Duration accessCacheTtl();

    /**
     * A refused press is sent to release-api, which records it in the log, at most once per user,
     * release and this window; a stranger's messages get one refusal per window.
     */
    @WithDefault("1h")
    Duration refusalWindow();
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

    /** Commands to release-api (the single writer): the gateway's own commands topic. */
    @WithDefault("rmm.gateway-commands")
    String commands();

    /** release-api's answers to commands, keyed by command id. */
    @WithDefault("rmm.release-command-results")
    String results();

    /** Alerts that the services publish for the alerts chat (created by release-api). */
    @WithDefault("rmm.alerts")
    String alerts();

    /**
     * The policy in force, as events written by release-api: the gateway checks presses and draws
     * cards with it, not with the policy each release recorded when it was created.
     */
    @WithDefault("rmm.release-policies")
    String policies();
  }

  /** The alerts chat: what counts as the same failure, and when a release counts as stuck. */
  interface Alerts {
    /**
     * The same failure (the same fingerprint) repeating within this window, counted from its first
     * occurrence, edits one message with a counter instead of posting a new one
     * (RMM_ALERTS_WINDOW).
     */
    @WithDefault("1h")
    Duration window();

    /**
     * The least time between two edits of one alert's counter: repeats in between are coalesced
     * into the next edit (Telegram limits how often a message may be edited).
     */
    @WithDefault("2s")
    Duration editInterval();

    /**
     * An active release whose last event is older than this is alerted as stuck, once per release
     * version (RMM_ALERTS_STUCK_AFTER).
     */
    @WithDefault("30m")
    Duration stuckAfter();

    /**
     * The same for a release in {@code manual_testing}, which waits for people rather than for a
     * machine (RMM_ALERTS_MANUAL_TESTING_STUCK_AFTER).
     */
    @WithDefault("24h")
    Duration manualTestingStuckAfter();

    /** How often the read model is looked at for stuck releases. */
    @WithDefault("1m")
    Duration stuckCheckEvery();

    /** The consumer group that reads the alerts topic (one per gateway deployment). */
    @WithDefault("rmm-telegram-gateway-alerts")
    String group();
  }

  /** Grafana, for the links in alerts. */
  interface Grafana {
    /**
     * Grafana's base URL, e.g. {@code https://grafana.example.com} (RMM_GRAFANA_URL). Alerts link
     * to the trace (Explore, datasource uid {@code tempo}) and its logs (datasource uid {@code
     * loki}); unset: no links.
     */
    Optional<String> url();
  }

  /**
   * The AI note added to a failure alert (probable cause, next step) by any OpenAI-compatible
   * chat-completions API: OpenAI, Azure OpenAI (its v1 API), Ollama, vLLM. Off without a key.
   */
  interface Ai {
    /**
     * The API key, sent as {@code Authorization: Bearer} (RMM_AI_API_KEY, from the environment
     * only, never logged). Unset: no AI notes. Ollama and vLLM ignore it: any value turns notes on.
     */
    Optional<String> apiKey();

    /**
     * The API's base URL, up to and without {@code /chat/completions} (RMM_AI_BASE_URL): e.g.
     * {@code https://api.openai.com/v1}, {@code https://<resource>.openai.azure.com/openai/v1},
     * {@code http://localhost:11434/v1} (Ollama), {@code http://vllm:8000/v1}.
     */
    @WithDefault("https://api.openai.com/v1")
    String baseUrl();

    /** The model, or the deployment's name on Azure (RMM_AI_MODEL). */
    @WithDefault("gpt-4o-mini")
    String model();

    /**
     * How long one note may take from the request to the answer (RMM_AI_TIMEOUT); later, the alert
     * stays as it was. There is no retry.
     */
    @WithDefault("10s")
    Duration timeout();

    /** The most tokens the model may answer with ({@code max_tokens}; RMM_AI_MAX_TOKENS). */
    @WithDefault("400")
    int maxTokens();

    /**
     * How many characters of the failing step's output (its end, secrets redacted) go into the
     * prompt.
     */
    @WithDefault("3000")
    int outputTailChars();
  }
}
