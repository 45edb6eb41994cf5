package dev.rmm.contracts.kafka;

import java.time.Duration;
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

  private final String name;
  private final Properties properties;
  private final Session session;
  private final Duration poll;
  private final Duration restartDelay;
  private final Duration stopTimeout;
  private final Consumer<RuntimeException> onFailure;

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

  /** Starts the loop's thread; does nothing when it is running already. */
  public synchronized void start() {
    if (thread != null && thread.isAlive()) {
      return;
    }
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
      try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(properties)) {
        consumer = c;
        session.open(c);
        while (running) {
          session.handle(c, c.poll(poll));
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
        pause();
      } finally {
        consumer = null;
        session.closed();
      }
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
