package dev.rmm.gateway.telegram;

import dev.rmm.contracts.ops.FloodWait;
import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.methods.botapimethods.BotApiMethod;
import org.telegram.telegrambots.meta.api.methods.send.SendPhoto;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Calls the Bot API the way Telegram asks clients to: a 429 is retried after its {@code
 * retry_after}, and no other call goes out before that either ({@link FloodWait}, shared with the
 * long polling); "message is not modified" is a success (the message already shows that); 403 (the
 * bot was blocked or removed) and other 4xx are final and reported, never thrown into a consumer;
 * network errors and 5xx are retried with backoff.
 */
public final class BotClient {

  private static final Logger LOG = Logger.getLogger(BotClient.class);

  /** How hard to try. */
  public enum Delivery {
    /**
     * The answer to a button press (the spinner): retried for up to 15 s, then given up, since
     * Telegram no longer takes the answer to an old press (it then refuses it with 400 "query is
     * too old", which ends the retries sooner). Bounded by time, not by a count: four attempts were
     * spent in 7 s of 429s and 5xx, within the press's life (F13 in docs/reliability.md).
     */
    INTERACTIVE(Integer.MAX_VALUE, Duration.ofSeconds(10), Duration.ofSeconds(15)),
    /**
     * A message to a user or the edit of their card: keep trying through rate limits and outages
     * for up to 5 minutes (an outage of a minute loses nothing), then give up and log it.
     */
    PATIENT(Integer.MAX_VALUE, Duration.ofMinutes(5), Duration.ofMinutes(5)),
    /**
     * A team-chat notification or an alert: keep trying through rate limits (however long Telegram
     * asks to wait) and outages until delivered.
     */
    MUST_DELIVER(Integer.MAX_VALUE, Duration.ofDays(1), Duration.ofDays(365));

    final int attempts;
    final Duration maxWait;
    final Duration budget;

    /**
     * @param attempts the most calls
     * @param maxWait the longest single wait (a longer retry_after gives up at once)
     * @param budget the longest time from the first call to the last
     */
    Delivery(int attempts, Duration maxWait, Duration budget) {
      this.attempts = attempts;
      this.maxWait = maxWait;
      this.budget = budget;
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

    /**
     * Telegram refused the call for good (a 4xx other than 429): calling again cannot help. Not
     * when the client gave up on rate limits or outages, or was interrupted.
     */
    public boolean refused() {
      return errorCode >= 400 && errorCode < 499 && errorCode != 429;
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
  private final FloodWait flood;

  public BotClient(TelegramClient client, FloodWait flood) {
    this(client, FloodWait::sleep, flood);
  }

  BotClient(TelegramClient client, Sleeper sleeper) {
    this(client, sleeper, new FloodWait());
  }

  BotClient(TelegramClient client, Sleeper sleeper, FloodWait flood) {
    this.client = client;
    this.sleeper = sleeper;
    this.flood = flood;
  }

  public <T extends Serializable> Reply<T> call(BotApiMethod<T> method, Delivery delivery) {
    return call(method.getMethod(), () -> client.execute(method), delivery);
  }

  /** A photo (multipart upload), sent as {@link #call} sends the other methods. */
  public Reply<Message> call(SendPhoto photo, Delivery delivery) {
    return call(SendPhoto.PATH, () -> client.execute(photo), delivery);
  }

  /** One call to the Bot API, as the client library makes it. */
  @FunctionalInterface
  private interface ApiCall<T> {
    T execute() throws TelegramApiException;
  }

  private <T> Reply<T> call(String method, ApiCall<T> execute, Delivery delivery) {
    Duration backoff = Duration.ofMillis(200);
    long started = System.nanoTime();
    long waitedOut = Long.MIN_VALUE; // the flood wait this call's own 429 set and it slept
    for (int attempt = 1; ; attempt++) {
      Duration wait;
      if (!awaitTurn(method, delivery, started, attempt, waitedOut)) {
        return Thread.currentThread().isInterrupted()
            ? new Reply<>(null, 499, "interrupted")
            : new Reply<>(null, 429, "gave up after " + (attempt - 1) + " attempts");
      }
      try {
        return new Reply<>(execute.execute(), 0, null);
      } catch (TelegramApiRequestException e) {
        int code = e.getErrorCode() == null ? 0 : e.getErrorCode();
        String description = e.getApiResponse();
        if (code == 400 && isNotModified(description)) {
          return new Reply<>(null, 0, null);
        }
        if (code == 429) {
          Integer after = e.getParameters() == null ? null : e.getParameters().getRetryAfter();
          wait = Duration.ofSeconds(after == null ? 1 : after);
          waitedOut = flood.hold(wait);
          Duration held = Duration.ofNanos(waitedOut - System.nanoTime());
          if (held.compareTo(wait) > 0) { // another call's 429 asked for longer
            wait = held;
          }
          LOG.warnf(
              "Telegram rate limit on %s: retrying after %d s (attempt %d)",
              method, wait.toSeconds(), attempt);
        } else if (code >= 500 || code == 0) {
          wait = backoff;
          LOG.warnf(
              "Telegram answered %s to %s: %s; retrying in %d ms",
              code == 0 ? "nothing usable" : code, method, description, wait.toMillis());
        } else {
          LOG.warnf(
              "Telegram refused %s with %d: %s%s",
              method,
              code,
              description,
              code == 403 ? " (the bot was blocked by the user or removed from the chat)" : "");
          return new Reply<>(null, code, description);
        }
      } catch (TelegramApiException e) {
        wait = backoff;
        LOG.warnf(
            "Calling Telegram's %s failed: %s; retrying in %d ms",
            method, e.getMessage(), wait.toMillis());
      }
      Duration spent = Duration.ofNanos(System.nanoTime() - started);
      if (attempt >= delivery.attempts
          || wait.compareTo(delivery.maxWait) > 0
          || spent.plus(wait).compareTo(delivery.budget) > 0) {
        LOG.errorf("Giving up on Telegram's %s after %d attempts", method, attempt);
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

  /**
   * Waits while another call's 429 holds every call ({@link FloodWait}), looking again after each
   * wait: another 429 may have come meanwhile, from a call that was already on its way; false when
   * the wait is longer than the delivery allows (given up) or it was interrupted.
   */
  private boolean awaitTurn(
      String method, Delivery delivery, long started, int attempt, long waitedOut) {
    for (Duration held = flood.remainingBeyond(waitedOut);
        !held.isZero();
        held = flood.remainingBeyond(waitedOut)) {
      Duration spent = Duration.ofNanos(System.nanoTime() - started);
      if (held.compareTo(delivery.maxWait) > 0 || spent.plus(held).compareTo(delivery.budget) > 0) {
        LOG.errorf(
            "Giving up on Telegram's %s: Telegram asked the bot to wait %d s more",
            method, held.toSeconds());
        return false;
      }
      LOG.debugf(
          "Telegram's %s waits %d ms for the flood wait of an earlier call (attempt %d)",
          method, held.toMillis(), attempt);
      try {
        sleeper.sleep(held);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static boolean isNotModified(String description) {
    return description != null
        && description.toLowerCase(Locale.ROOT).contains("message is not modified");
  }
}
