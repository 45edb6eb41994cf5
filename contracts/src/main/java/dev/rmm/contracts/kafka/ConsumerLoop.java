package dev.rmm.contracts.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The thread of a hand-written Kafka consumer loop, written once: start (idempotent), stop (wakeup,
 * join, and a later start works again), restart with a fresh consumer after a delay when the loop
 * fails, and a report of each failure (an alert). Each reader that needs its own loop (ownership,
 * positions kept in Postgres) supplies only what it does with a consumer: {@link Session}.
 *
 * <p>A loop that fails on the same records again and again (a row it cannot write, a database that
 * is gone) restarts forever without moving. So the loop also keeps its {@link #progress()}: after
 * {@link #DEFAULT_FAILURES_BEFORE_STUCK} failures in a row with no batch handled in between it is
 * <em>stuck</em>, which a health check reports as DOWN, and {@link #whenStuck} is told once when it
 * becomes stuck (raise one alert, not one per retry) and once when a batch goes through again.
 */
public final class ConsumerLoop {

  private static final Logger LOG = Logger.getLogger(ConsumerLoop.class.getName());

  /** What a reader does with its consumer. */
  public interface Session {

    /** A fresh consumer, before its first poll: subscribe or assign, seek. */
    void open(KafkaConsumer<String, byte[]> consumer);

    /** One poll's records (possibly none: a chance for periodic work). */
    void handle(KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records);

    /** The consumer is closed (stop or failure): forget what belongs to it. */
    default void closed() {}
  }

  /**
   * How the loop is moving, for a health check.
   *
   * @param stuck whether it failed {@code failuresBeforeStuck} times in a row without handling a
   *     batch in between
   * @param consecutiveFailures failures since the last batch it handled
   * @param lastBatchAt when it last handled a batch of records, or null if it has not yet
   * @param failingSince when the current run of failures began, or null when it is not failing
   * @param lastError the message of the last failure, or null when it is not failing
   */
  public record Progress(
      boolean stuck,
      int consecutiveFailures,
      Instant lastBatchAt,
      Instant failingSince,
      String lastError) {

    static final Progress START = new Progress(false, 0, null, null, null);
  }

  /** Failures in a row after which a loop counts as stuck unless {@link #whenStuck} says else. */
  public static final int DEFAULT_FAILURES_BEFORE_STUCK = 3;

  private final String name;
  private final Properties properties;
  private final Session session;
  private final Duration poll;
  private final Duration restartDelay;
  private final Duration stopTimeout;
  private final Consumer<RuntimeException> onFailure;

  private int failuresBeforeStuck = DEFAULT_FAILURES_BEFORE_STUCK;
  private Consumer<Progress> onStuck = p -> {};
  private Consumer<Progress> onRecovered = p -> {};
  private volatile Progress progress = Progress.START;

  private volatile boolean running;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private Thread thread;

  /**
   * @param name the thread's name, also used in log lines
   * @param properties the consumer's configuration (see {@link LogConsumers})
   * @param poll how long one poll waits
   * @param restartDelay how long to wait before a failed loop starts again with a fresh consumer
   * @param stopTimeout how long {@link #stop} waits for the thread
   * @param onFailure told of every failure (after it is logged), e.g. to publish an alert
   */
  public ConsumerLoop(
      String name,
      Properties properties,
      Session session,
      Duration poll,
      Duration restartDelay,
      Duration stopTimeout,
      Consumer<RuntimeException> onFailure) {
    this.name = Objects.requireNonNull(name);
    this.properties = Objects.requireNonNull(properties);
    this.session = Objects.requireNonNull(session);
    this.poll = poll;
    this.restartDelay = restartDelay;
    this.stopTimeout = stopTimeout;
    this.onFailure = onFailure == null ? e -> {} : onFailure;
  }

  /**
   * Says when the loop counts as stuck and whom to tell; call before {@link #start}.
   *
   * @param failures failures in a row, with no batch handled in between, that make it stuck
   * @param onStuck told once when it becomes stuck (after the failure is logged), e.g. to raise an
   *     alert
   * @param onRecovered told once when a stuck loop handles a batch again
   * @return this loop
   */
  public ConsumerLoop whenStuck(
      int failures, Consumer<Progress> onStuck, Consumer<Progress> onRecovered) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be at least 1, was " + failures);
    }
    this.failuresBeforeStuck = failures;
    this.onStuck = Objects.requireNonNull(onStuck);
    this.onRecovered = Objects.requireNonNull(onRecovered);
    return this;
  }

  /** How the loop is moving now (since its last {@link #start}). */
  public Progress progress() {
    return progress;
  }

  /** Starts the loop's thread; does nothing when it is running already. */
  public synchronized void start() {
    if (thread != null && thread.isAlive()) {
      return;
    }
    progress = Progress.START;
    running = true;
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the loop (a poll in progress is woken up) and waits for its thread. */
  public void stop() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (t != null) {
      if (t != Thread.currentThread()) {
        try {
          t.join(stopTimeout.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      synchronized (this) {
        if (thread == t && !t.isAlive()) {
          thread = null;
        }
      }
    }
  }

  /** Whether the loop was started and not stopped. */
  public boolean isRunning() {
    return running;
  }

  private void run() {
    while (running) {
      try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(properties)) {
        consumer = c;
        session.open(c);
        while (running) {
          ConsumerRecords<String, byte[]> records = c.poll(poll);
          session.handle(c, records);
          if (!records.isEmpty()) {
            handledBatch();
          }
        }
      } catch (WakeupException | InterruptException e) {
        if (running) {
          LOG.warning(name + " was woken up while running; it starts again");
        }
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        LOG.log(
            Level.SEVERE,
            name
                + " stopped on an error and starts again in "
                + restartDelay.toSeconds()
                + " s: "
                + e.getMessage(),
            e);
        onFailure.accept(e);
        failed(e);
        pause();
      } finally {
        consumer = null;
        session.closed();
      }
    }
  }

  private void handledBatch() {
    Progress was = progress;
    progress = new Progress(false, 0, Instant.now(), null, null);
    if (was.stuck()) {
      LOG.info(
          name
              + " handled a batch again after "
              + was.consecutiveFailures()
              + " failures in a row since "
              + was.failingSince()
              + "; it is no longer stuck");
      tell(onRecovered, progress);
    }
  }

  private void failed(RuntimeException e) {
    Progress was = progress;
    int failures = was.consecutiveFailures() + 1;
    Progress now =
        new Progress(
            was.stuck() || failures >= failuresBeforeStuck,
            failures,
            was.lastBatchAt(),
            was.failingSince() == null ? Instant.now() : was.failingSince(),
            String.valueOf(e.getMessage()));
    progress = now;
    if (now.stuck() && !was.stuck()) {
      LOG.severe(
          name
              + " is stuck: "
              + failures
              + " failures in a row since "
              + now.failingSince()
              + " without handling a batch; it keeps retrying every "
              + restartDelay.toSeconds()
              + " s. Last error: "
              + now.lastError()
              + ". Fix its cause (see the errors logged above); it moves on by itself once a batch"
              + " goes through");
      tell(onStuck, now);
    }
  }

  private void tell(Consumer<Progress> listener, Progress p) {
    try {
      listener.accept(p);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, name + ": a progress listener failed: " + e.getMessage(), e);
    }
  }

  private void pause() {
    long until = System.nanoTime() + restartDelay.toNanos();
    while (running && System.nanoTime() < until) {
      try {
        Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
