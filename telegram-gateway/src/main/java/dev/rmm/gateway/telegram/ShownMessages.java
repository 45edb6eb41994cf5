package dev.rmm.gateway.telegram;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;

/**
 * What each message of the bot shows now (a fingerprint of its text and buttons, in Redis, shared
 * by the gateway instances), so that an edit that would change nothing is not sent: Telegram
 * answers it 400 "message is not modified", and a card refreshed on every event of its release (a
 * refusal, a repeated step) would cost a call to the Bot API's rate limit each time for nothing.
 *
 * <p>A message not remembered (older than the memory, or Redis not answering) is edited: the memory
 * saves calls, it never decides what users see, and it never holds a user up: each look waits at
 * most {@link #WAIT}, and after a failure Redis is left alone for {@link #REST} (a Redis outage
 * would otherwise cost every edit the client's whole timeout, and a press its answer).
 */
@ApplicationScoped
public class ShownMessages {

  private static final Logger LOG = Logger.getLogger(ShownMessages.class);

  /** Bots may edit their messages for 48 hours in groups; a card is refreshed within a week. */
  private static final long TTL_SECONDS = 7 * 24 * 3600;

  private static final Duration WAIT = Duration.ofMillis(250);
  private static final Duration REST = Duration.ofSeconds(5);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ReactiveValueCommands<String, String> values;
  private volatile long restUntil = System.nanoTime();

  /**
   * Bumped at every failure: what was remembered before it may be stale (an edit made while Redis
   * did not answer was not remembered), so it is never read again.
   */
  private volatile int generation;

  ShownMessages(ReactiveRedisDataSource redis) {
    this.values = redis.value(String.class);
  }

  private boolean resting() {
    return System.nanoTime() - restUntil < 0;
  }

  private void rest() {
    generation++;
    restUntil = System.nanoTime() + REST.toNanos();
  }

  /** Whether the message is known to show exactly this text and these buttons already. */
  public boolean shows(long chatId, int messageId, String text, InlineKeyboardMarkup keyboard) {
    if (resting()) {
      return false;
    }
    try {
      return fingerprint(text, keyboard)
          .equals(values.get(key(chatId, messageId)).await().atMost(WAIT));
    } catch (RuntimeException e) {
      rest();
      LOG.debugf(
          "What message %d in chat %d shows is not known (%s): it is edited", messageId, chatId, e);
      return false;
    }
  }

  /** The message now shows this text and these buttons (it was sent or edited). */
  public void remember(long chatId, int messageId, String text, InlineKeyboardMarkup keyboard) {
    if (resting()) {
      return;
    }
    try {
      values
          .set(key(chatId, messageId), fingerprint(text, keyboard), new SetArgs().ex(TTL_SECONDS))
          .await()
          .atMost(WAIT);
    } catch (RuntimeException e) {
      rest();
      LOG.debugf(
          "Not remembered what message %d in chat %d shows (%s): its next edit is sent",
          messageId, chatId, e);
    }
  }

  /** The message shows something else now (an edit failed half-way, or it is unknown). */
  public void forget(long chatId, int messageId) {
    if (resting()) {
      return;
    }
    try {
      values.getdel(key(chatId, messageId)).await().atMost(WAIT);
    } catch (RuntimeException e) {
      rest();
      LOG.debugf("Not forgotten message %d in chat %d (%s)", messageId, chatId, e);
    }
  }

  private String key(long chatId, int messageId) {
    return "rmm:tg:shown:" + generation + ":" + chatId + ":" + messageId;
  }

  static String fingerprint(String text, InlineKeyboardMarkup keyboard) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(text.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(JSON.writeValueAsBytes(keyboard == null ? "" : keyboard));
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException("cannot fingerprint a message", e);
    }
  }
}
