package dev.rmm.api.policy;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.PolicyHistory;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.kafka.Producers;
import dev.rmm.contracts.log.ChainFold;
import dev.rmm.contracts.log.ChainRule;
import dev.rmm.contracts.log.Link;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The policy topic ({@code rmm.release-policies}): one partition, one chain under the subject
 * {@link PolicyChanged#SUBJECT}, folded with the same {@link ChainRule} as the releases. Every
 * release-api instance reads all of it (it holds one small event per policy change) and keeps the
 * newest valid event as the policy in force; so every instance decides with the policy the log
 * says, whatever its own copy of the file says, and the log alone tells which policy decided what.
 *
 * <p>An instance appends a change as the next link of the chain without a transaction: when two
 * instances record a change at once, the first in the log wins and the other's event is void (every
 * reader ignores it), as for releases. {@link #append} says which happened.
 */
final class PolicyLog implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PolicyLog.class);

  private final TopicPartition partition;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final ChainFold chain = new ChainFold(); // the reader thread only
  private final Object progress = new Object();
  private final Thread reader;

  private volatile PolicyHistory history = PolicyHistory.NONE;
  private volatile ChainRule.Head head = ChainRule.Head.NONE;
  private volatile long position; // the next offset to fold

  /** The ids of the valid policy events (a handful: one per policy change). */
  private final Set<String> validIds = ConcurrentHashMap.newKeySet();

  private volatile boolean running = true;

  PolicyLog(String bootstrap, String topic) {
    this.partition = new TopicPartition(topic, 0);
    this.consumer = KafkaClients.consumer(LogConsumers.properties(bootstrap));
    this.producer = KafkaClients.producer(Producers.properties(bootstrap));
    this.reader = new Thread(this::readLoop, "rmm-policy-log");
    this.reader.setDaemon(true);
  }

  /** Reads the topic to its end (so the policy in force is known), then follows it. */
  void start(Duration wait) {
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    long end = consumer.endOffsets(List.of(partition), wait).get(partition);
    reader.start();
    if (!awaitPosition(end, wait)) {
      throw new IllegalStateException(
          "could not read the policy topic " + partition + " up to offset " + end + " in " + wait);
    }
  }

  /** The policies recorded so far: the newest valid policy event and its version. */
  PolicyHistory history() {
    return history;
  }

  /**
   * Appends {@code change} as the next policy version and waits until it is read back.
   *
   * @return the history with it in force, or empty when another event took its place (another
   *     instance recorded a change at the same moment): look at the new head and decide again
   */
  Optional<PolicyHistory> append(PolicyChanged change, Actor actor, Duration timeout)
      throws InterruptedException {
    ChainRule.Head h = head;
    EventEnvelope e =
        new EventEnvelope(
            UUID.randomUUID().toString(),
            PolicyChanged.SUBJECT,
            h.sequence() + 1,
            Instant.now(),
            actor,
            null,
            null,
            null,
            h.hash(),
            change);
    RecordMetadata md;
    try {
      md =
          producer
              .send(
                  new ProducerRecord<>(
                      partition.topic(),
                      partition.partition(),
                      e.releaseId(),
                      EventCodec.encode(e)))
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
      throw new IllegalStateException(
          "could not append the policy change to " + partition + ": " + ex.getMessage(), ex);
    }
    if (!awaitPosition(md.offset() + 1, timeout)) {
      throw new IllegalStateException(
          "the policy change at "
              + partition
              + "@"
              + md.offset()
              + " was not read back in "
              + timeout);
    }
    return validIds.contains(e.id()) ? Optional.of(history) : Optional.empty();
  }

  private boolean awaitPosition(long offset, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (progress) {
      while (position < offset) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !running) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(progress, left);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  private void readLoop() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          fold(r);
        }
        long p = consumer.position(partition);
        synchronized (progress) {
          position = p;
          progress.notifyAll();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.errorf(
          e,
          "Stopped reading the policy topic %s: %s. The policy in force stays version %d until"
              + " release-api restarts.",
          partition,
          e.getMessage(),
          history.version());
    } finally {
      running = false;
      synchronized (progress) {
        progress.notifyAll();
      }
    }
  }

  private void fold(ConsumerRecord<String, byte[]> r) {
    Link link = chain.accept(r.key(), r.value());
    if (link instanceof Link.Valid v
        && v.event().data() instanceof PolicyChanged
        && PolicyChanged.SUBJECT.equals(v.event().releaseId())) {
      history = history.then(v.event());
      head = v.head();
      validIds.add(v.event().id());
    } else if (link instanceof Link.Valid v) {
      // a valid link of another subject or type: not a policy, so it changes no policy
      LOG.warnf(
          "Ignored %s at %s@%d: the policy topic holds only %s events of subject %s",
          v.event().type(), partition, r.offset(), PolicyChanged.TYPE, PolicyChanged.SUBJECT);
    } else if (link instanceof Link.Void v) {
      LOG.infof("Policy event at %s@%d is void: %s", partition, r.offset(), v.why());
    } else if (link instanceof Link.Unreadable u) {
      LOG.warnf("Unreadable record at %s@%d skipped: %s", partition, r.offset(), u.why());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!reader.isAlive()) {
      consumer.close();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
