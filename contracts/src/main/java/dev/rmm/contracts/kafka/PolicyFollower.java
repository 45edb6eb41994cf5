package dev.rmm.contracts.kafka;

import dev.rmm.contracts.PolicyHistory;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.log.ChainFold;
import dev.rmm.contracts.log.ChainRule;
import dev.rmm.contracts.log.Link;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads the policy topic ({@code rmm.release-policies}: one partition, one chain under the subject
 * {@link PolicyChanged#SUBJECT}) from its start and follows it, folding it with the same {@link
 * ChainRule} as the releases: the newest valid event is the policy in force. release-api decides
 * with it (and appends changes, {@code PolicyLog}); the gateway checks a press and draws a card
 * with it, so that both follow the same policy, not the one copied into each release when it was
 * created.
 */
public final class PolicyFollower implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PolicyFollower.class.getName());

  private final TopicPartition partition;
  private final KafkaConsumer<String, byte[]> consumer;
  private final ChainFold chain = new ChainFold(); // the reader thread only
  private final Object progress = new Object();
  private final Thread reader;
  private final String owner;

  private volatile PolicyHistory history = PolicyHistory.NONE;
  private volatile ChainRule.Head head = ChainRule.Head.NONE;
  private volatile long position; // the next offset to fold

  /** The ids of the valid policy events (a handful: one per policy change). */
  private final Set<String> validIds = ConcurrentHashMap.newKeySet();

  private volatile boolean running = true;

  /**
   * @param owner who follows it, for log lines ("release-api", "telegram-gateway")
   */
  public PolicyFollower(String bootstrap, String topic, String owner) {
    this.partition = new TopicPartition(topic, 0);
    java.util.Properties props = LogConsumers.properties(bootstrap);
    // never create it by asking: release-api creates it, kept forever (a broker default would not)
    props.put(
        org.apache.kafka.clients.consumer.ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    this.consumer = KafkaClients.consumer(props);
    this.owner = owner;
    this.reader = new Thread(this::readLoop, "rmm-policy-log");
    this.reader.setDaemon(true);
  }

  /**
   * Reads the topic to its end (so the policy in force is known), then follows it.
   *
   * @throws IllegalStateException when the topic cannot be read to its end within {@code wait}
   */
  public void start(Duration wait) {
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
  public PolicyHistory history() {
    return history;
  }

  /** The head of the policy chain: what the next policy event must follow. */
  public ChainRule.Head head() {
    return head;
  }

  /**
   * Starts following without waiting: until the first policy event is read, {@link #history()} is
   * {@link PolicyHistory#NONE}. For a reader that has a fallback meanwhile (the gateway uses the
   * policy each release recorded) and may start before release-api has created the topic.
   */
  public void startFollowing() {
    waitForTopic = true;
    reader.start();
  }

  /** Set by {@link #startFollowing}: the reader assigns the partition once the topic exists. */
  private volatile boolean waitForTopic;

  /** Whether the event with this id was read and counted (a valid link of the policy chain). */
  public boolean counted(String eventId) {
    return validIds.contains(eventId);
  }

  /** Waits until the topic was read up to {@code offset} (exclusive); false when it was not. */
  public boolean awaitPosition(long offset, Duration wait) {
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

  /** Whether it still follows the topic (false once it stopped on an error, or was closed). */
  public boolean following() {
    return running;
  }

  private void readLoop() {
    try {
      if (waitForTopic) {
        awaitTopic();
        if (consumer.assignment().isEmpty()) {
          return; // closed before the topic existed
        }
      }
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
      LOG.log(
          Level.SEVERE,
          String.format(
              "Stopped reading the policy topic %s: %s. The policy in force stays version %d until"
                  + " %s restarts.",
              partition, e.getMessage(), history.version(), owner),
          e);
    } finally {
      running = false;
      synchronized (progress) {
        progress.notifyAll();
      }
    }
  }

  /** Waits (while running) until the topic exists, then reads it from its start. */
  private void awaitTopic() {
    boolean told = false;
    while (running) {
      try {
        if (!consumer.partitionsFor(partition.topic(), Duration.ofSeconds(5)).isEmpty()) {
          consumer.assign(List.of(partition));
          consumer.seekToBeginning(List.of(partition));
          return;
        }
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        // the broker is not reachable yet: asked again below
      }
      if (!told) {
        LOG.info(
            String.format(
                "The policy topic %s does not exist yet (release-api creates it); %s uses the"
                    + " policy each release recorded until it does",
                partition.topic(), owner));
        told = true;
      }
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
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
      LOG.warning(
          String.format(
              "Ignored %s at %s@%d: the policy topic holds only %s events of subject %s",
              v.event().type(), partition, r.offset(), PolicyChanged.TYPE, PolicyChanged.SUBJECT));
    } else if (link instanceof Link.Void v) {
      LOG.info(String.format("Policy event at %s@%d is void: %s", partition, r.offset(), v.why()));
    } else if (link instanceof Link.Unreadable u) {
      LOG.warning(
          String.format("Unreadable record at %s@%d skipped: %s", partition, r.offset(), u.why()));
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
  }
}
