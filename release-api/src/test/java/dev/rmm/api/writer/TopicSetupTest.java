package dev.rmm.api.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.rmm.api.RmmApiConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.Test;

/**
 * release-api's topics against real in-JVM KRaft clusters started for each case: checked right
 * after they are created on a broker that has just started (its metadata lags the creation), and
 * with a replication that follows the cluster's size (1 broker, then 3).
 */
class TopicSetupTest {

  /**
   * One new broker per build: each costs a cluster start (~10 s on 2 cores), and the race is tried
   * 20 times by {@code deploy/chaos/fresh-start} (FreshStartTest, the whole stack on a new data
   * directory).
   */
  private static final int NEW_BROKERS = 1;

  @Test
  void givenANewBroker_whenTheTopicsAreCreatedAndCheckedAtOnce_thenEveryPartitionHasALeader()
      throws Exception {
    // each round is a broker that has just started, as on a first deploy/local/start
    for (int round = 0; round < NEW_BROKERS; round++) {
      try (KafkaClusterTestKit cluster = started(1)) {
        Topics topics = new Topics("r" + round, Optional.empty(), Optional.empty());

        new TopicSetup(topics, cluster.bootstrapServers()).ensureTopics();

        try (Admin admin = admin(cluster)) {
          Map<String, TopicDescription> described = describe(admin, topics.names());
          assertThat(described).hasSize(9);
          described
              .values()
              .forEach(
                  d ->
                      assertThat(d.partitions())
                          .allSatisfy(
                              p -> {
                                assertThat(p.leader()).isNotNull();
                                assertThat(p.replicas()).hasSize(1);
                              }));
          assertThat(described.get(topics.events()).partitions()).hasSize(6);
          assertThat(minInsync(admin, topics.events())).isEqualTo("1");
          // one snapshot per writer partition survives compaction
          assertThat(described.get(topics.snapshots()).partitions()).hasSize(6);
          assertThat(setting(admin, topics.snapshots(), TopicConfig.CLEANUP_POLICY_CONFIG))
              .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
          // the policy log: one chain, read whole by every instance, kept forever
          assertThat(described.get(topics.policies()).partitions()).hasSize(1);
          assertThat(setting(admin, topics.policies(), TopicConfig.RETENTION_MS_CONFIG))
              .isEqualTo("-1");
        }
      }
    }
  }

  @Test
  void givenThreeBrokers_whenTheTopicsAreCreated_thenReplicationFactor3AndMinInsync2()
      throws Exception {
    try (KafkaClusterTestKit cluster = started(3);
        Admin admin = admin(cluster)) {
      Topics byClusterSize = new Topics("three", Optional.empty(), Optional.empty());
      Topics configured = new Topics("configured", Optional.of((short) 2), Optional.of(1));

      new TopicSetup(byClusterSize, cluster.bootstrapServers()).ensureTopics();
      new TopicSetup(configured, cluster.bootstrapServers()).ensureTopics();

      // ensureTopics saw every topic served; another broker's metadata may lag a moment behind
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                for (String topic : byClusterSize.names()) {
                  assertThat(describe(admin, List.of(topic)).get(topic).partitions())
                      .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                  assertThat(minInsync(admin, topic)).isEqualTo("2");
                }
                for (String topic : configured.names()) {
                  assertThat(describe(admin, List.of(topic)).get(topic).partitions())
                      .allSatisfy(p -> assertThat(p.replicas()).hasSize(2));
                  assertThat(minInsync(admin, topic)).isEqualTo("1");
                }
              });
    }
  }

  @Test
  void givenAnEventsTopicWithOtherPartitions_whenChecked_thenItFailsAtOnceSayingWhy()
      throws Exception {
    try (KafkaClusterTestKit cluster = started(1);
        Admin admin = admin(cluster)) {
      Topics topics = new Topics("mismatch", Optional.empty(), Optional.empty());
      admin
          .createTopics(List.of(new NewTopic(topics.events(), 2, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);

      assertThatThrownBy(() -> new TopicSetup(topics, cluster.bootstrapServers()).ensureTopics())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "topic mismatch.events has 2 partitions but rmm.topics.partitions is 6; the events"
                  + " and commands topics must both have exactly that many");
    }
  }

  private static KafkaClusterTestKit started(int brokers) throws Exception {
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    // three combined nodes are flaky on 2 cores: one dedicated controller
                    .setCombined(brokers == 1)
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("auto.create.topics.enable", "false")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return cluster;
  }

  private static Admin admin(KafkaClusterTestKit cluster) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
  }

  private static Map<String, TopicDescription> describe(Admin admin, List<String> names)
      throws Exception {
    return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
  }

  private static String minInsync(Admin admin, String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config =
        admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    return config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value();
  }

  private static String setting(Admin admin, String topic, String name) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin
        .describeConfigs(List.of(resource))
        .all()
        .get(30, TimeUnit.SECONDS)
        .get(resource)
        .get(name)
        .value();
  }

  /** The topics settings of one case, its topic names prefixed so that cases do not meet. */
  private record Topics(
      String prefix, Optional<Short> replicationFactor, Optional<Integer> minInsyncReplicas)
      implements RmmApiConfig.Topics {

    List<String> names() {
      return List.of(
          events(),
          commands(),
          gatewayCommands(),
          orchestratorCommands(),
          results(),
          alerts(),
          checkpoints(),
          snapshots(),
          policies());
    }

    @Override
    public String events() {
      return prefix + ".events";
    }

    @Override
    public String commands() {
      return prefix + ".commands";
    }

    @Override
    public String checkpoints() {
      return prefix + ".checkpoints";
    }

    @Override
    public String snapshots() {
      return prefix + ".snapshots";
    }

    @Override
    public String gatewayCommands() {
      return prefix + ".gateway-commands";
    }

    @Override
    public String orchestratorCommands() {
      return prefix + ".orchestrator-commands";
    }

    @Override
    public String results() {
      return prefix + ".results";
    }

    @Override
    public String alerts() {
      return prefix + ".alerts";
    }

    @Override
    public String policies() {
      return prefix + ".policies";
    }

    @Override
    public int partitions() {
      return 6;
    }

    @Override
    public Duration startupWait() {
      return Duration.ofSeconds(60);
    }
  }
}
