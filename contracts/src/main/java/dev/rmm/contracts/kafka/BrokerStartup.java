package dev.rmm.contracts.kafka;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Talks to Kafka while a service starts, when the broker may not be ready yet: a broker that was
 * just started is not reachable for a few seconds, and a new broker's metadata lags its topic
 * creation (a topic created a moment ago can still be answered with {@code
 * UnknownTopicOrPartitionException} or {@code LeaderNotAvailableException}). Such answers are
 * retried, with a log line per retry saying what the service waits for, until a total deadline
 * (default {@link #DEFAULT_WAIT}); any other answer, and the deadline, fail at once with a message
 * that says what was tried, at which address, and what to check. Written once for every service, so
 * that none of them exits on the first transient answer.
 */
public final class BrokerStartup {

  /** How long a service waits for Kafka at start-up unless it is configured otherwise. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

  /** The longest a single attempt may take, so that a hung call is retried and logged. */
  static final Duration MAX_ATTEMPT = Duration.ofSeconds(10);

  private static final Duration FIRST_PAUSE = Duration.ofMillis(250);
  private static final Duration MAX_PAUSE = Duration.ofSeconds(2);

  private static final Logger LOG = Logger.getLogger(BrokerStartup.class.getName());

  /** One call to the broker; it may throw whatever the Kafka client throws. */
  @FunctionalInterface
  public interface Attempt<T> {
    /**
     * @param timeout how long this attempt may wait for an answer (see {@link #await})
     */
    T call(Duration timeout) throws Exception;
  }

  private final String service;
  private final String bootstrap;
  private final Duration wait;
  private final LongSupplier nanoClock;
  private final long deadline;

  /**
   * Starts the clock: every {@link #await} of this instance shares one deadline, {@code wait} from
   * now.
   *
   * @param service the service that starts, for the log lines (e.g. {@code release-api})
   * @param bootstrap the Kafka address, for the log lines
   * @param wait the total time to wait for the broker's transient answers
   */
  public BrokerStartup(String service, String bootstrap, Duration wait) {
    this(service, bootstrap, wait, System::nanoTime);
  }

  BrokerStartup(String service, String bootstrap, Duration wait, LongSupplier nanoClock) {
    this.service = Objects.requireNonNull(service);
    this.bootstrap = Objects.requireNonNull(bootstrap);
    if (wait.isNegative() || wait.isZero()) {
      throw new IllegalArgumentException("the start-up wait for Kafka must be positive: " + wait);
    }
    this.wait = wait;
    this.nanoClock = nanoClock;
    this.deadline = nanoClock.getAsLong() + wait.toNanos();
  }

  /**
   * Runs {@code attempt} until it answers, retrying transient broker answers ({@link #isTransient})
   * until the deadline.
   *
   * @param what what the attempt does, as it reads after "waits for Kafka ... to": e.g. {@code
   *     "describe topics [rmm.release-events]"}
   * @throws BrokerNotReadyException when the deadline passed with transient answers only
   * @throws IllegalStateException when the broker gave another answer (the cause)
   */
  public <T> T await(String what, Attempt<T> attempt) {
    Duration pause = FIRST_PAUSE;
    int tries = 0;
    while (true) {
      tries++;
      Duration remaining = remaining();
      Duration timeout = remaining.compareTo(MAX_ATTEMPT) < 0 ? remaining : MAX_ATTEMPT;
      Throwable failure;
      try {
        T answer = attempt.call(timeout.isZero() ? Duration.ofMillis(1) : timeout);
        if (tries > 1) {
          LOG.info(service + ": Kafka at " + bootstrap + " answered: " + what + " done");
        }
        return answer;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(service + " was interrupted while trying to " + what, e);
      } catch (Exception e) {
        failure = unwrap(e);
      }
      if (!isTransient(failure)) {
        throw new IllegalStateException(
            service + " could not " + what + " at Kafka " + bootstrap + ": " + describe(failure),
            failure);
      }
      remaining = remaining();
      if (remaining.isZero()) {
        throw new BrokerNotReadyException(
            service
                + " gave up waiting for Kafka at "
                + bootstrap
                + " after "
                + wait.toSeconds()
                + " s ("
                + tries
                + " tries) to "
                + what
                + "; the last answer was "
                + describe(failure)
                + ". Check that Kafka runs and is reachable at that address, or allow a longer"
                + " start-up wait.",
            failure);
      }
      Duration sleep = pause.compareTo(remaining) < 0 ? pause : remaining;
      LOG.info(
          service
              + " waits for Kafka at "
              + bootstrap
              + " to "
              + what
              + " ("
              + describe(failure)
              + "); try "
              + (tries + 1)
              + " in "
              + sleep.toMillis()
              + " ms, gives up in "
              + remaining.toSeconds()
              + " s");
      sleep(sleep);
      pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) < 0 ? pause.multipliedBy(2) : MAX_PAUSE;
    }
  }

  /**
   * Waits for a Kafka client future, for use inside an attempt whose call was given {@code timeout}
   * too: a second longer, so that the client's own timeout, with its message, comes first.
   */
  public static <T> T get(KafkaFuture<T> future, Duration timeout) throws Exception {
    return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
  }

  /**
   * Whether a broker answer can go away by itself while a cluster starts: every Kafka {@link
   * RetriableException} (unknown topic or partition, leader not available, not leader or follower,
   * timeouts, disconnects, the controller moving, not enough replicas yet), a broker that is not
   * available yet, and a call that did not answer in time.
   */
  public static boolean isTransient(Throwable failure) {
    Throwable t = unwrap(failure);
    return t instanceof RetriableException
        || t instanceof BrokerNotAvailableException
        || t instanceof java.util.concurrent.TimeoutException;
  }

  private Duration remaining() {
    long left = deadline - nanoClock.getAsLong();
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  /** The broker's answer inside the wrappers the client and futures put around it. */
  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof ExecutionException
            || t instanceof CompletionException
            || (t instanceof KafkaException
                && !(t instanceof RetriableException)
                && t.getClass() == KafkaException.class))
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable failure) {
    return failure.getClass().getSimpleName()
        + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(Math.max(1, pause.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka", e);
    }
  }

  /** Kafka kept answering with transient errors until the start-up wait ran out. */
  public static final class BrokerNotReadyException extends IllegalStateException {
    BrokerNotReadyException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
