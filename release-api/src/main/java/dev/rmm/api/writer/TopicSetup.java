package dev.rmm.api.writer;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.contracts.kafka.BrokerStartup;
import dev.rmm.contracts.kafka.KafkaClients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates rmm's topics with explicit settings when they are missing, waits until Kafka serves each
 * of their partitions, and refuses to start when existing ones disagree with what the single writer
 * needs.
 *
 * <ul>
 *   <li>events: N partitions, kept forever ({@code retention.ms=-1}, {@code cleanup.policy=delete}
 *       with no deadline: never compacted, never deleted)
 *   <li>commands, one topic per sender (other release-api instances, the gateway, the
 *       orchestrator): N partitions each (the same N), kept 7 days
 *   <li>command results: N partitions, kept 1 day
 *   <li>signed checkpoints of the events: 1 partition, kept forever
 *   <li>the policy in force, as events: 1 partition, kept forever
 *   <li>alerts (for the gateway's alerts chat): 1 partition, kept 1 day
 * </ul>
 *
 * <p>Their replication follows the cluster's size unless it is configured: replication factor 3 and
 * {@code min.insync.replicas=2} with 3 or more brokers, 1 and 1 on a single broker. Kafka's
 * transient answers while it starts (not reachable yet, a new topic's metadata lagging its
 * creation) are retried up to {@code rmm.topics.startup-wait} ({@link BrokerStartup}).
 */
@ApplicationScoped
public class TopicSetup {

  private static final Logger LOG = Logger.getLogger(TopicSetup.class);

  private final RmmApiConfig.Topics topics;
  private final String bootstrap;

  @Inject
  TopicSetup(
      RmmApiConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this(config.topics(), bootstrap);
  }

  TopicSetup(RmmApiConfig.Topics topics, String bootstrap) {
    this.topics = topics;
    this.bootstrap = bootstrap;
  }

  /** The replication of the topics this setup creates. */
  record Replication(short factor, int minInsync) {}

  public void ensureTopics() {
    BrokerStartup broker = new BrokerStartup("release-api", bootstrap, topics.startupWait());
    try (Admin admin = KafkaClients.admin(KafkaClients.adminProperties(bootstrap))) {
      Replication replication =
          replicationFor(
              broker.await(
                  "count its brokers",
                  timeout ->
                      BrokerStartup.get(
                              admin
                                  .describeCluster(
                                      new DescribeClusterOptions().timeoutMs(millis(timeout)))
                                  .nodes(),
                              timeout)
                          .size()));
      List<NewTopic> wanted = wanted(replication);
      List<String> names = wanted.stream().map(NewTopic::name).toList();
      broker.await("create the topics " + names, timeout -> createMissing(admin, wanted, timeout));
      Map<String, TopicDescription> described =
          broker.await(
              "serve every partition of " + names,
              timeout -> {
                Map<String, TopicDescription> d =
                    BrokerStartup.get(
                        admin
                            .describeTopics(
                                names, new DescribeTopicsOptions().timeoutMs(millis(timeout)))
                            .allTopicNames(),
                        timeout);
                requireLeaders(d.values());
                return d;
              });
      requirePartitions(described.get(topics.events()));
      requirePartitions(described.get(topics.commands()));
      requirePartitions(described.get(topics.gatewayCommands()));
      requirePartitions(described.get(topics.orchestratorCommands()));
    }
  }

  /** Configured values first; else what the number of brokers allows. */
  Replication replicationFor(int brokers) {
    short factor = topics.replicationFactor().orElse((short) Math.max(1, Math.min(3, brokers)));
    int minInsync = topics.minInsyncReplicas().orElse(factor >= 3 ? 2 : 1);
    return new Replication(factor, minInsync);
  }

  private List<NewTopic> wanted(Replication r) {
    List<NewTopic> wanted = new ArrayList<>();
    wanted.add(
        topic(topics.events(), topics.partitions(), r)
            .configs(
                withMinInsync(
                    r,
                    Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, "-1",
                        TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE))));
    for (String commands :
        List.of(topics.commands(), topics.gatewayCommands(), topics.orchestratorCommands())) {
      wanted.add(
          topic(commands, topics.partitions(), r)
              .configs(
                  withMinInsync(
                      r,
                      Map.of(
                          TopicConfig.RETENTION_MS_CONFIG, String.valueOf(7L * 24 * 3600_000)))));
    }
    wanted.add(
        topic(topics.results(), topics.partitions(), r)
            .configs(
                withMinInsync(
                    r, Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(24L * 3600_000)))));
    wanted.add(
        topic(topics.snapshots(), topics.partitions(), r)
            .configs(
                withMinInsync(
                    r,
                    Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT,
                        // chunks of old snapshots are tombstoned; let the cleaner drop them soon
                        TopicConfig.SEGMENT_MS_CONFIG,
                        String.valueOf(3600_000L),
                        TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG,
                        "0.1",
                        TopicConfig.DELETE_RETENTION_MS_CONFIG,
                        String.valueOf(3600_000L)))));
    wanted.add(
        topic(topics.checkpoints(), 1, r)
            .configs(
                withMinInsync(
                    r,
                    Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, "-1",
                        TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE))));
    wanted.add(
        topic(topics.policies(), 1, r)
            .configs(
                withMinInsync(
                    r,
                    Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, "-1",
                        TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE))));
    wanted.add(
        topic(topics.alerts(), 1, r)
            .configs(
                withMinInsync(
                    r, Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(24L * 3600_000)))));
    return wanted;
  }

  private static NewTopic topic(String name, int partitions, Replication r) {
    return new NewTopic(name, partitions, r.factor());
  }

  private static Map<String, String> withMinInsync(Replication r, Map<String, String> configs) {
    Map<String, String> all = new HashMap<>(configs);
    all.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(r.minInsync()));
    return all;
  }

  /**
   * Creates the topics that are missing; another instance creating one at the same time is fine.
   */
  private Void createMissing(Admin admin, List<NewTopic> wanted, Duration timeout)
      throws Exception {
    Set<String> existing =
        BrokerStartup.get(
            admin.listTopics(new ListTopicsOptions().timeoutMs(millis(timeout))).names(), timeout);
    List<NewTopic> missing = wanted.stream().filter(n -> !existing.contains(n.name())).toList();
    if (missing.isEmpty()) {
      return null;
    }
    try {
      BrokerStartup.get(
          admin.createTopics(missing, new CreateTopicsOptions().timeoutMs(millis(timeout))).all(),
          timeout);
      NewTopic first = missing.get(0);
      LOG.infof(
          "Created topics %s (replication factor %d, min.insync.replicas %s)",
          missing.stream().map(NewTopic::name).toList(),
          first.replicationFactor(),
          first.configs().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    return null;
  }

  /** A partition without a leader cannot be written yet: wait for Kafka to elect one. */
  private static void requireLeaders(Iterable<TopicDescription> described) {
    for (TopicDescription d : described) {
      for (TopicPartitionInfo p : d.partitions()) {
        if (p.leader() == null || p.leader().isEmpty()) {
          throw new LeaderNotAvailableException(
              "partition " + p.partition() + " of " + d.name() + " has no leader yet");
        }
      }
    }
  }

  private void requirePartitions(TopicDescription d) {
    if (d.partitions().size() != topics.partitions()) {
      throw new IllegalStateException(
          "topic "
              + d.name()
              + " has "
              + d.partitions().size()
              + " partitions but rmm.topics.partitions is "
              + topics.partitions()
              + "; the events and commands topics must both have exactly that many");
    }
  }

  private static int millis(Duration timeout) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }
}
