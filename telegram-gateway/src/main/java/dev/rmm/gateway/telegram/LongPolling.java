package dev.rmm.gateway.telegram;

import dev.rmm.contracts.ops.FloodWait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.methods.updates.DeleteWebhook;
import org.telegram.telegrambots.meta.api.methods.updates.GetUpdates;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Long polling as the Bot API defines it: {@code getUpdates} with an {@code offset} confirms every
 * update below it, so the offset only moves past an update once it was handled. Each batch is
 * handled by the workers (so one user's slow answer does not hold up another's in the same batch);
 * when an update asks to be handled again (Redis down), the offset stops at it, the poller waits
 * (0.5 s doubling to 5 s) and Telegram delivers it again together with the ones after it, which are
 * then ignored as repeats. (The library's long-polling session confirms an update as soon as it is
 * received, so a failed update was lost.) A batch holds at most {@link #LIMIT} updates, so the
 * workers' queue never holds more.
 */
public final class LongPolling {

  private static final Logger LOG = Logger.getLogger(LongPolling.class);

  /** The most updates one getUpdates returns (Telegram's maximum). */
  public static final int LIMIT = 100;

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final TelegramClient client;
  private final FloodWait flood;
  private final ExecutorService workers;
  private final Predicate<Update> handle;
  private final int timeoutSeconds;
  private volatile boolean running;
  private Thread thread;
  private int offset;
  private Duration backoff = FIRST_BACKOFF;

  /**
   * @param client a client whose read timeout exceeds {@code timeout}
   * @param handle true when the update is done with (handled, ignored, refused), false to get it
   *     again
   * @param timeout how long one getUpdates waits for updates
   * @param flood the bot's flood wait, shared with its other calls ({@link BotClient})
   */
  public LongPolling(
      TelegramClient client,
      ExecutorService workers,
      Predicate<Update> handle,
      Duration timeout,
      FloodWait flood) {
    this.client = client;
    this.flood = flood;
    this.workers = workers;
    this.handle = handle;
    this.timeoutSeconds = (int) timeout.toSeconds();
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::run, "rmm-telegram-polling");
    thread.setDaemon(true);
    thread.start();
  }

  public void stop() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(Duration.ofSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    while (running && !deleteWebhook()) {
      pause();
    }
    while (running) {
      List<Update> batch;
      awaitFlood(); // another call's 429 holds every call of the bot
      if (!running) {
        return;
      }
      try {
        batch =
            new ArrayList<>(
                client.execute(
                    GetUpdates.builder()
                        .offset(offset)
                        .limit(LIMIT)
                        .timeout(timeoutSeconds)
                        .allowedUpdates(List.of("message", "callback_query"))
                        .build()));
      } catch (TelegramApiException e) {
        if (running) {
          failed("getUpdates", e);
        }
        continue;
      }
      batch.sort(Comparator.comparing(Update::getUpdateId));
      if (handled(batch)) {
        backoff = FIRST_BACKOFF;
      } else {
        pause();
      }
    }
  }

  /** Hands the batch to the workers and moves the offset past what is done; false if not all. */
  private boolean handled(List<Update> batch) {
    List<Future<Boolean>> results = new ArrayList<>(batch.size());
    try {
      for (Update u : batch) {
        results.add(workers.submit(() -> handle.test(u)));
      }
    } catch (RejectedExecutionException stopping) {
      return false;
    }
    for (int i = 0; i < batch.size(); i++) {
      boolean done;
      try {
        done = results.get(i).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException e) {
        done = false;
      }
      if (!done) {
        LOG.debugf(
            "The offset stops at update %d: it is to be delivered again",
            batch.get(i).getUpdateId());
        waitFor(results.subList(i + 1, results.size()));
        return false;
      }
      offset = Math.max(offset, batch.get(i).getUpdateId() + 1);
    }
    return true;
  }

  /**
   * The rest of a batch still runs; the next poll waits for it, so an update is never run twice at
   * once.
   */
  private static void waitFor(List<Future<Boolean>> rest) {
    for (Future<Boolean> f : rest) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException ignored) {
        // its update is delivered again
      }
    }
  }

  /** Until no 429 holds the bot's calls, however many came meanwhile. */
  private void awaitFlood() {
    for (Duration d = flood.remaining(); running && !d.isZero(); d = flood.remaining()) {
      sleep(d);
    }
  }

  private boolean deleteWebhook() {
    awaitFlood();
    try {
      client.execute(new DeleteWebhook());
      return true;
    } catch (TelegramApiException e) {
      failed("deleteWebhook", e);
      return false;
    }
  }

  private void failed(String method, TelegramApiException e) {
    Duration wait = backoff;
    if (e instanceof TelegramApiRequestException r
        && r.getParameters() != null
        && r.getParameters().getRetryAfter() != null) {
      flood.hold(Duration.ofSeconds(r.getParameters().getRetryAfter()));
      wait = flood.remaining(); // with the margin, or another call's longer wait
    }
    LOG.warnf(
        "Telegram's %s failed: %s; polling again in %d ms",
        method, e.getMessage(), wait.toMillis());
    sleep(wait);
    grow();
  }

  private void pause() {
    sleep(backoff);
    grow();
  }

  private void grow() {
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  private void sleep(Duration d) {
    try {
      FloodWait.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
