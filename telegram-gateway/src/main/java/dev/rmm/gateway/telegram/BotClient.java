package dev.rmm.gateway.telegram;

import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.methods.botapimethods.BotApiMethod;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Calls the Bot API the way Telegram asks clients to: a 429 is retried after its {@code
 * retry_after}; "message is not modified" is a success (the message already shows that); 403 (the
 * bot was blocked or removed) and other 4xx are final and reported, never thrown into a consumer;
 * network errors and 5xx are retried with backoff.
 */
public final class BotClient {

  private static final Logger LOG = Logger.getLogger(BotClient.class);

  /** How hard to try. */
  public enum Delivery {
    /** An answer to a user who is waiting: a few quick retries, then give up and say so. */
    INTERACTIVE(4, Duration.ofSeconds(10)),
    /**
     * A team-chat notification: keep trying through rate limits (however long Telegram asks to
     * wait) and outages until delivered.
     */
    MUST_DELIVER(Integer.MAX_VALUE, Duration.ofDays(1));

    final int attempts;
    final Duration maxWait;

    Delivery(int attempts, Duration maxWait) {
      this.attempts = attempts;
      this.maxWait = maxWait;
    }
  }

  /**
   * What became of a call.
   *
   * @param result Telegram's result when it succeeded; null when not modified or failed
   * @param errorCode 0 on success (also for "not modified"), else Telegram's error code
   * @param description Telegram's description of the error
   */
  public record Reply<T>(T result, int errorCode, String description) {
    public boolean ok() {
      return errorCode == 0;
    }

    /** The message to edit is gone (deleted, or too old to edit). */
    public boolean messageGone() {
      return errorCode == 400
          && description != null
          && (description.contains("message to edit not found")
              || description.contains("message can't be edited"));
    }
  }

  /** Waits between attempts; a test or a shutdown may interrupt it. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final TelegramClient client;
  private final Sleeper sleeper;

  public BotClient(TelegramClient client) {
    this(client, d -> Thread.sleep(d.toMillis()));
  }

  BotClient(TelegramClient client, Sleeper sleeper) {
    this.client = client;
    this.sleeper = sleeper;
  }

  public <T extends Serializable> Reply<T> call(BotApiMethod<T> method, Delivery delivery) {
    Duration backoff = Duration.ofMillis(200);
    for (int attempt = 1; ; attempt++) {
      Duration wait;
      try {
        return new Reply<>(client.execute(method), 0, null);
      } catch (TelegramApiRequestException e) {
        int code = e.getErrorCode() == null ? 0 : e.getErrorCode();
        String description = e.getApiResponse();
        if (code == 400 && isNotModified(description)) {
          return new Reply<>(null, 0, null);
        }
        if (code == 429) {
          Integer after = e.getParameters() == null ? null : e.getParameters().getRetryAfter();
          wait = Duration.ofSeconds(after == null ? 1 : after);
          LOG.warnf(
              "Telegram rate limit on %s: retrying after %d s (attempt %d)",
              method.getMethod(), wait.toSeconds(), attempt);
        } else if (code >= 500 || code == 0) {
          wait = backoff;
          LOG.warnf(
              "Telegram answered %s to %s: %s; retrying in %d ms",
              code == 0 ? "nothing usable" : code,
              method.getMethod(),
              description,
              wait.toMillis());
        } else {
          LOG.warnf(
              "Telegram refused %s with %d: %s%s",
              method.getMethod(),
              code,
              description,
              code == 403 ? " (the bot was blocked by the user or removed from the chat)" : "");
          return new Reply<>(null, code, description);
        }
      } catch (TelegramApiException e) {
        wait = backoff;
        LOG.warnf(
            "Calling Telegram's %s failed: %s; retrying in %d ms",
            method.getMethod(), e.getMessage(), wait.toMillis());
      }
      if (attempt >= delivery.attempts || wait.compareTo(delivery.maxWait) > 0) {
        LOG.errorf("Giving up on Telegram's %s after %d attempts", method.getMethod(), attempt);
        return new Reply<>(null, 429, "gave up after " + attempt + " attempts");
      }
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return new Reply<>(null, 499, "interrupted");
      }
      backoff =
          backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
              ? Duration.ofSeconds(30)
              : backoff.multipliedBy(2);
    }
  }

  private static boolean isNotModified(String description) {
    return description != null
        && description.toLowerCase(Locale.ROOT).contains("message is not modified");
  }
}
