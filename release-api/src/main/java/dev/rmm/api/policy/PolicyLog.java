package dev.rmm.api.policy;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.PolicyHistory;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.PolicyFollower;
import dev.rmm.contracts.kafka.Producers;
import dev.rmm.contracts.log.ChainRule;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

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

  private final TopicPartition partition;
  private final PolicyFollower follower;
  private final KafkaProducer<String, byte[]> producer;

  PolicyLog(String bootstrap, String topic) {
    this.partition = new TopicPartition(topic, 0);
    this.follower = new PolicyFollower(bootstrap, topic, "release-api");
    this.producer = KafkaClients.producer(Producers.properties(bootstrap));
  }

  /** Reads the topic to its end (so the policy in force is known), then follows it. */
  void start(Duration wait) {
    follower.start(wait);
  }

  /** The policies recorded so far: the newest valid policy event and its version. */
  PolicyHistory history() {
    return follower.history();
  }

  /**
   * Appends {@code change} as the next policy version and waits until it is read back.
   *
   * @return the history with it in force, or empty when another event took its place (another
   *     instance recorded a change at the same moment): look at the new head and decide again
   */
  Optional<PolicyHistory> append(PolicyChanged change, Actor actor, Duration timeout)
      throws InterruptedException {
    ChainRule.Head h = follower.head();
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
    if (!follower.awaitPosition(md.offset() + 1, timeout)) {
      throw new IllegalStateException(
          "the policy change at "
              + partition
              + "@"
              + md.offset()
              + " was not read back in "
              + timeout);
    }
    return follower.counted(e.id()) ? Optional.of(follower.history()) : Optional.empty();
  }

  @Override
  public void close() {
    follower.close();
    producer.close(Duration.ofSeconds(5));
  }
}
