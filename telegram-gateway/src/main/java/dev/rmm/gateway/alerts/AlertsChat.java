package dev.rmm.gateway.alerts;

import dev.rmm.contracts.ops.Alert;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.bot.Replies;
import dev.rmm.gateway.telegram.BotClient;
import dev.rmm.gateway.telegram.BotClient.Delivery;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.methods.ParseMode;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.methods.updatingmessages.EditMessageText;
import org.telegram.telegrambots.meta.api.objects.LinkPreviewOptions;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;

/**
 * Posts alerts to the alerts chat, one message per failure and window: the first occurrence of a
 * fingerprint sends a message, repeats within the window (counted from the first occurrence) edit
 * that message so it ends with the count ("🔁 ×12").
 *
 * <p>The count and the message id live in Redis ({@code rmm:alert:<fingerprint>}, a hash that
 * expires with the window), incremented by one atomic script, so of several gateway instances only
 * the one that counted 1 sends. Edits are coalesced: a repeat marks the alert for an edit, and one
 * edit per message per {@code rmm.alerts.edit-interval} (a Redis slot shared by every instance)
 * shows the count as it is then; after an edit the count is read again and edited once more if it
 * grew, so the last edit always shows the final count. An alert seen twice (the same id: a Kafka
 * redelivery, an event read again) counts once.
 *
 * <p>A release failure's first message gets an AI note later ({@link FailureNotes}): the note is
 * kept beside the count ({@code note} in the same hash) and shown by the same coalesced edits, so a
 * count edit keeps the note and the note keeps the count.
 */
@ApplicationScoped
public class AlertsChat {

  private static final Logger LOG = Logger.getLogger(AlertsChat.class);

  /**
   * Marks the alert id as seen and counts an occurrence of its fingerprint, both or neither (one
   * script), so a Redis failure in between cannot leave an alert marked seen but never posted.
   * Starts the window on the first occurrence. Returns {0, ''} for an alert id seen before, else
   * {count, message id or ''}.
   */
  private static final String COUNT =
      "if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) == false then return {0, ''} end\n"
          + "local n = redis.call('HINCRBY', KEYS[1], 'count', 1)\n"
          + "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end\n"
          + "local m = redis.call('HGET', KEYS[1], 'msg')\n"
          + "if not m then m = '' end\n"
          + "return {n, m}";

  /** Records the AI note, unless the window ended meanwhile (never a key without expiry). */
  private static final String REMEMBER_NOTE =
      "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'note', ARGV[1]) end\n"
          + "return 1";

  /** Records the message id, unless the window ended meanwhile (never a key without expiry). */
  private static final String REMEMBER =
      "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'msg', ARGV[1]) end\n"
          + "return 1";

  /**
   * The first message could not be sent: the alert id and its count are forgotten, so the same
   * alert read again (it was not committed) and the next occurrence try again.
   */
  private static final String FORGET_UNSENT =
      "if redis.call('HEXISTS', KEYS[1], 'msg') == 0 then redis.call('DEL', KEYS[1]) end\n"
          + "redis.call('DEL', KEYS[2])\n"
          + "return 1";

  /**
   * The most failures whose repeats wait for an edit on this instance. When that many differ at
   * once, a repeat of yet another one is counted in Redis but not shown until that failure repeats
   * again with room here (a flood of distinct failures must not grow memory without end).
   */
  static final int MAX_REPEATING = 1000;

  /** How many edit intervals a repeat waits for the first message's id before it gives up. */
  private static final int MAX_WAITS = 30;

  /** Repeats of one fingerprint waiting for their edit on this instance. */
  private static final class Repeat {
    Alert alert;
    long seen;
    Integer messageId;
    String note;

    /** A note came that no edit has read yet. */
    boolean noteToShow;

    boolean scheduled;
    int waits;
  }

  private final RedisDataSource redis;
  private final Replies replies;
  private final FailureNotes notes;
  private final Duration window;
  private final Duration editInterval;
  private final String grafanaUrl;
  private final Language language;
  private final Map<String, Repeat> repeats = new ConcurrentHashMap<>();
  private volatile Long chatId;
  private ScheduledExecutorService edits;

  AlertsChat(RedisDataSource redis, Replies replies, FailureNotes notes, GatewayConfig config) {
    this.redis = redis;
    this.replies = replies;
    this.notes = notes;
    this.window = config.alerts().window();
    this.editInterval = config.alerts().editInterval();
    this.grafanaUrl = config.grafana().url().filter(u -> !u.isBlank()).orElse(null);
    this.language = Language.parse(config.telegram().defaultLanguage());
  }

  /** Alerts go to this chat from now on. */
  public synchronized void start(long alertsChatId) {
    if (edits != null) {
      return;
    }
    edits =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "rmm-alert-edits");
              t.setDaemon(true);
              return t;
            });
    chatId = alertsChatId;
    LOG.infof(
        "Alerts go to chat %d (the same failure within %s edits one message; Grafana links %s)",
        alertsChatId, window, grafanaUrl == null ? "off: RMM_GRAFANA_URL is not set" : "on");
  }

  public synchronized void stop() {
    chatId = null;
    if (edits != null) {
      edits.shutdownNow();
      edits = null;
    }
  }

  /** Whether alerts reach a chat (Telegram is connected and an alerts chat is set). */
  public boolean enabled() {
    return chatId != null && replies.bot().isPresent();
  }

  /**
   * Posts the alert, or counts it as a repeat of the same failure. Never throws: an alert that
   * cannot be posted is logged. For alerts that are found again if lost (stuck releases, a reader's
   * own failure); the alerts topic uses {@link #deliver}.
   */
  public void report(Alert alert) {
    report(alert, null);
  }

  /**
   * {@link #report(Alert)} with buttons under the alert's first message (a break-glass request's
   * confirm button, {@link BreakGlassAlertButton}); null for none.
   */
  public void report(Alert alert, InlineKeyboardMarkup buttons) {
    try {
      deliver(alert, buttons);
    } catch (NotDelivered e) {
      LOG.errorf(
          "The alert %s (%s: %s) could not be posted: %s",
          alert.fingerprint(), alert.kind(), alert.summary(), e.getMessage());
    }
  }

  /**
   * Posts the alert, or counts it as a repeat of the same failure; an alert id seen before (a
   * redelivery) is ignored. Blocks while Telegram asks to wait (rate limits) or is down.
   *
   * @return false when there is no alerts chat, or Telegram refused the message for good (a 4xx:
   *     the chat is gone or the bot was removed): retrying cannot help
   * @throws NotDelivered when it may work later (Redis unavailable, interrupted): nothing of the
   *     alert was recorded, so the caller must keep it and call again
   */
  public boolean deliver(Alert alert) throws NotDelivered {
    return deliver(alert, null);
  }

  /** {@link #deliver(Alert)} with buttons under the alert's first message; null for none. */
  public boolean deliver(Alert alert, InlineKeyboardMarkup buttons) throws NotDelivered {
    Long chat = chatId;
    Optional<BotClient> bot = replies.bot();
    if (chat == null || bot.isEmpty()) {
      LOG.debugf("No alerts chat; not posted: %s %s", alert.kind(), alert.summary());
      return false;
    }
    Response counted;
    try {
      counted =
          redis.execute(
              "EVAL",
              COUNT,
              "2",
              key(alert.fingerprint()),
              idKey(alert.id()),
              Long.toString(window.toMillis()));
    } catch (RuntimeException e) {
      throw new NotDelivered("Redis did not count it: " + e.getMessage(), e);
    }
    long n = counted.get(0).toLong();
    String msg = counted.get(1).toString();
    if (n == 0) {
      return true; // this very alert was counted before (a redelivery)
    }
    if (n == 1) {
      return send(bot.get(), chat, alert, 1, null, buttons);
    }
    repeated(alert, n, msg.isEmpty() ? null : Integer.valueOf(msg));
    return true;
  }

  /** An alert that could not be posted now and was not recorded: try it again later. */
  public static final class NotDelivered extends Exception {
    NotDelivered(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Sends the first message of a failure (or posts it again with its count and note); see {@link
   * #deliver} for what it answers. A first message of a release failure asks for its AI note.
   */
  private boolean send(BotClient bot, long chat, Alert alert, long count, String note)
      throws NotDelivered {
    return send(bot, chat, alert, count, note, null);
  }

  private boolean send(
      BotClient bot, long chat, Alert alert, long count, String note, InlineKeyboardMarkup buttons)
      throws NotDelivered {
    SendMessage.SendMessageBuilder<?, ?> message =
        SendMessage.builder()
            .chatId(chat)
            .text(AlertText.html(alert, count, grafanaUrl, language, note))
            .parseMode(ParseMode.HTML)
            .linkPreviewOptions(LinkPreviewOptions.builder().isDisabled(true).build());
    if (buttons != null) {
      message.replyMarkup(buttons);
    }
    BotClient.Reply<Message> sent = bot.call(message.build(), Delivery.MUST_DELIVER);
    String key = key(alert.fingerprint());
    if (sent.ok() && sent.result() != null) {
      LOG.infof("Alert posted: %s (%s)", alert.fingerprint(), alert.summary());
      try {
        redis.execute("EVAL", REMEMBER, "1", key, sent.result().getMessageId().toString());
      } catch (RuntimeException e) { // posted all the same
        LOG.warnf(
            "Alert %s was posted, but Redis did not keep its message id (%s): its repeats within"
                + " the window are not counted on it",
            alert.fingerprint(), e.getMessage());
      }
      if (count == 1 && note == null && notes.explains(alert)) {
        int messageId = sent.result().getMessageId();
        notes.request(alert, text -> annotate(alert, messageId, text));
      }
      return true;
    }
    try {
      redis.execute("EVAL", FORGET_UNSENT, "2", key, idKey(alert.id()));
    } catch (RuntimeException e) {
      LOG.errorf(
          "Alert %s was not posted and Redis could not forget it (%s): read again within %s it"
              + " counts as a repeat",
          alert.fingerprint(), e.getMessage(), window);
    }
    if (sent.refused()) {
      LOG.errorf(
          "The alerts chat refused the alert %s (%s) for good: %d %s. Check"
              + " TELEGRAM_ALERTS_CHAT_ID and that the bot is a member of that chat.",
          alert.fingerprint(), alert.summary(), sent.errorCode(), sent.description());
      return false;
    }
    throw new NotDelivered(
        "Telegram did not take it: " + sent.errorCode() + " " + sent.description(), null);
  }

  /**
   * Shows the AI note on the alert's message: kept in Redis for the count's edits, then edited in
   * through the same coalesced edits as a count (on the edit thread, never at once beside one).
   */
  private void annotate(Alert alert, int messageId, String note) {
    try {
      redis.execute("EVAL", REMEMBER_NOTE, "1", key(alert.fingerprint()), note);
    } catch (RuntimeException e) {
      LOG.warnf(
          "Redis did not keep the AI note of alert %s (%s): a later count edit may drop it",
          alert.fingerprint(), e.getMessage());
    }
    boolean[] start = {false};
    repeats.compute(
        alert.fingerprint(),
        (fp, r) -> {
          Repeat repeat = r == null ? new Repeat() : r;
          synchronized (repeat) {
            if (repeat.alert == null) {
              repeat.alert = alert;
            }
            repeat.seen = Math.max(repeat.seen, 1);
            if (repeat.messageId == null) {
              repeat.messageId = messageId;
            }
            repeat.note = note;
            repeat.noteToShow = true;
            start[0] = !repeat.scheduled;
            repeat.scheduled = true;
          }
          return repeat;
        });
    if (start[0]) {
      schedule(alert.fingerprint(), Duration.ZERO);
    }
  }

  private void repeated(Alert alert, long n, Integer messageId) {
    if (repeats.size() >= MAX_REPEATING && !repeats.containsKey(alert.fingerprint())) {
      LOG.warnf(
          "Alert %s repeated (%d times) while %d other failures wait for their counts: its count"
              + " is kept in Redis and shown at its next repeat",
          alert.fingerprint(), n, MAX_REPEATING);
      return;
    }
    boolean[] start = {false};
    repeats.compute(
        alert.fingerprint(),
        (fp, r) -> {
          Repeat repeat = r == null ? new Repeat() : r;
          synchronized (repeat) {
            repeat.alert = alert;
            repeat.seen = Math.max(repeat.seen, n);
            if (messageId != null) {
              repeat.messageId = messageId;
            }
            start[0] = !repeat.scheduled;
            repeat.scheduled = true;
          }
          return repeat;
        });
    // only once the entry is in the map: an edit started inside compute could miss a new entry,
    // find nothing to do, and leave it "scheduled" forever
    if (start[0]) {
      schedule(alert.fingerprint(), Duration.ZERO);
    }
  }

  private void schedule(String fingerprint, Duration delay) {
    ScheduledExecutorService e = edits;
    if (e != null) {
      e.schedule(() -> edit(fingerprint), delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Shows the current count on the alert's message, at most once per edit interval. */
  private void edit(String fingerprint) {
    Long chat = chatId;
    Optional<BotClient> bot = replies.bot();
    Repeat r = repeats.get(fingerprint);
    if (r == null || chat == null || bot.isEmpty()) {
      return;
    }
    long shown = 0;
    long latest = 0;
    try {
      if (!editSlot(fingerprint)) { // this message was just edited, maybe by another instance
        schedule(fingerprint, editInterval);
        return;
      }
      Response stored = redis.execute("HMGET", key(fingerprint), "count", "msg", "note");
      Alert alert;
      long count;
      Integer messageId;
      String note;
      synchronized (r) {
        alert = r.alert;
        count = Math.max(r.seen, stored.get(0) == null ? 0 : stored.get(0).toLong());
        messageId = stored.get(1) == null ? r.messageId : Integer.valueOf(stored.get(1).toString());
        note = stored.get(2) == null ? r.note : stored.get(2).toString();
        r.noteToShow = false;
      }
      if (messageId == null) {
        waitForFirstMessage(fingerprint, r, count);
        return;
      }
      show(bot.get(), chat, alert, messageId, count, note);
      shown = count;
      Response now = redis.execute("HGET", key(fingerprint), "count");
      latest = now == null ? 0 : now.toLong();
    } catch (RuntimeException e) {
      LOG.errorf("Editing the count of alert %s failed: %s", fingerprint, e.getMessage());
      if (++r.waits > MAX_WAITS) {
        repeats.remove(fingerprint);
        return;
      }
    }
    long done = shown;
    long grown = latest;
    repeats.computeIfPresent(
        fingerprint,
        (fp, repeat) -> {
          synchronized (repeat) {
            // it repeated meanwhile, here or elsewhere, or its note came after this edit read
            if (repeat.seen > done || grown > done || repeat.noteToShow) {
              schedule(fp, editInterval);
              return repeat;
            }
            repeat.scheduled = false;
            return null;
          }
        });
  }

  private boolean editSlot(String fingerprint) {
    return redis.execute(
            "SET",
            key(fingerprint) + ":edit",
            "1",
            "NX",
            "PX",
            Long.toString(editInterval.toMillis()))
        != null;
  }

  private void show(BotClient bot, long chat, Alert alert, int messageId, long count, String note) {
    BotClient.Reply<?> edited =
        bot.call(
            EditMessageText.builder()
                .chatId(chat)
                .messageId(messageId)
                .text(AlertText.html(alert, count, grafanaUrl, language, note))
                .parseMode(ParseMode.HTML)
                .linkPreviewOptions(LinkPreviewOptions.builder().isDisabled(true).build())
                .build(),
            Delivery.MUST_DELIVER);
    if (edited.messageGone()) {
      LOG.infof(
          "The message of alert %s was deleted from the chat; posting it again",
          alert.fingerprint());
      try {
        send(bot, chat, alert, count, note);
      } catch (NotDelivered e) {
        LOG.warnf("Alert %s could not be posted again: %s", alert.fingerprint(), e.getMessage());
      }
    } else if (!edited.ok()) {
      LOG.warnf(
          "The alerts chat did not take the count of alert %s: %d %s",
          alert.fingerprint(), edited.errorCode(), edited.description());
    }
  }

  /** The first message is still on its way (maybe from another instance): try again later. */
  private void waitForFirstMessage(String fingerprint, Repeat r, long count) {
    if (++r.waits <= MAX_WAITS) {
      schedule(fingerprint, editInterval);
      return;
    }
    LOG.warnf(
        "Alert %s: its first message never arrived; the count %d is not shown", fingerprint, count);
    repeats.remove(fingerprint);
  }

  private static String key(String fingerprint) {
    return "rmm:alert:" + fingerprint;
  }

  private static String idKey(String alertId) {
    return "rmm:alert:id:" + alertId;
  }
}
