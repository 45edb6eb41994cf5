package dev.rmm.orchestrator.freeze;

import dev.rmm.contracts.PolicyHistory;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.kafka.PolicyFollower;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The policy in force as the orchestrator needs it for freezes: the policy topic followed like the
 * gateway follows it ({@link PolicyFollower}), but only trusted once it was read to the end the
 * topic had at some moment after this instance started. Until then a freeze cannot be ruled out
 * (after a restart during a freeze, dispatching before the policy is read would break it), so the
 * answer is "not known yet". A log without a policy topic has no freeze: release-api creates the
 * topic when it first records a policy.
 */
public final class PolicyInForceReader implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PolicyInForceReader.class);

  private final String bootstrap;
  private final String topic;
  private final PolicyFollower follower;
  private volatile boolean caughtUp;

  public PolicyInForceReader(String bootstrap, String topic) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.follower = new PolicyFollower(bootstrap, topic, "deploy-orchestrator");
  }

  /** Starts following the topic (it may not exist yet). */
  public void start() {
    follower.startFollowing();
  }

  /**
   * The policies recorded so far, once read to the topic's end; empty while that is not known (the
   * topic is not read up to its end within {@code wait}, or its end cannot be asked).
   */
  public Optional<PolicyHistory> history(Duration wait) {
    if (caughtUp) {
      return Optional.of(follower.history());
    }
    Properties p = LogConsumers.properties(bootstrap);
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(p)) {
      if (c.partitionsFor(topic, wait).isEmpty()) {
        return Optional.of(PolicyHistory.NONE); // no policy was ever recorded: nothing is frozen
      }
      TopicPartition tp = new TopicPartition(topic, 0);
      Long end = c.endOffsets(List.of(tp), wait).get(tp);
      if (end == null || !follower.awaitPosition(end, wait)) {
        LOG.infof(
            "The policy topic %s is not read up to its end (%s) yet: dispatches wait until it is,"
                + " so that no freeze is missed",
            topic, end);
        return Optional.empty();
      }
    } catch (KafkaException e) {
      LOG.warnf(
          "Could not ask the policy topic %s for its end: %s; dispatches wait until it can be"
              + " read",
          topic, e.toString());
      return Optional.empty();
    }
    caughtUp = true;
    return Optional.of(follower.history());
  }

  @Override
  public void close() {
    follower.close();
  }
}
