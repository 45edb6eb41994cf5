package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.testsupport.TestSshServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault 2 of issue 14's chaos harness: the whole stack on a Kafka cluster of three brokers (a
 * dedicated controller and three brokers in the test JVM), and the leader of an event-log partition
 * the load is writing to killed under that load ({@link BrokerLeaderKill}), with the same {@link
 * ChaosLoad} and {@link Verdict} as {@link ChaosTest}. Its own class, because its stack differs.
 *
 * <p>{@code -Drmm.chaos.broker.trials} (1) sets the number of trials; {@code
 * deploy/chaos/broker-leader-kill [TRIALS]} is the full run (10). {@code -Drmm.chaos.seed} fixes
 * the random moments; the seed is printed. Out of the build like {@link ChaosTest}: {@code
 * -Drmm.chaos=true} runs it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@EnabledIfSystemProperty(named = "rmm.chaos", matches = "true")
class BrokerChaosTest {

  static final TestSshServer ssh = TestSshServer.start();

  @RegisterExtension
  static final StackExtension stack = ChaosStack.extension(ssh).withKafkaBrokers(3);

  private static final int PIPELINES = Integer.getInteger("rmm.chaos.pipelines", 4);
  private static final long SEED = Long.getLong("rmm.chaos.seed", System.nanoTime());

  private final Random random = new Random(SEED);
  private final ChaosTrials trials = new ChaosTrials(stack, ssh, PIPELINES);

  @BeforeAll
  static void fakes() {
    System.out.println("[chaos] seed " + SEED + " (-Drmm.chaos.seed to repeat the moments)");
    ChaosStack.resetFakes(ssh);
  }

  @AfterAll
  static void stopSsh() {
    ssh.close();
  }

  /**
   * What the services chose when they saw three brokers, and what Kafka's own topics got. After the
   * trials, so that every consumer group has committed and Kafka's consumer offsets topic exists.
   */
  @Order(2)
  @Test
  void givenThreeBrokers_thenEveryTopicHasThreeReplicasAndRmmTopicsNeedTwoInSync()
      throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers()))) {
      Set<String> names =
          admin
              .listTopics(new ListTopicsOptions().listInternal(true))
              .names()
              .get(30, TimeUnit.SECONDS);
      assertThat(names).contains(BrokerLeaderKill.EVENTS, "__consumer_offsets");
      List<String> wrong = new ArrayList<>();
      for (TopicDescription d :
          admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
        for (TopicPartitionInfo p : d.partitions()) {
          if (p.replicas().size() != 3) {
            wrong.add(d.name() + "-" + p.partition() + " has " + p.replicas().size() + " replicas");
          }
        }
      }
      List<ConfigResource> rmm =
          names.stream()
              .filter(n -> n.startsWith("rmm."))
              .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
              .toList();
      Map<ConfigResource, Config> configs =
          admin.describeConfigs(rmm).all().get(30, TimeUnit.SECONDS);
      configs.forEach(
          (topic, config) -> {
            String minIsr = config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value();
            if (!"2".equals(minIsr)) {
              wrong.add(topic.name() + " has min.insync.replicas " + minIsr);
            }
          });
      System.out.println(
          "[chaos] topics on three brokers: "
              + rmm.size()
              + " rmm topics, "
              + names.size()
              + " in all");
      assertThat(rmm).as("rmm's topics").hasSizeGreaterThanOrEqualTo(5);
      assertThat(wrong).as("topics not replicated as a 3-broker cluster needs").isEmpty();
    }
  }

  @Order(1)
  @Test
  void givenThePartitionLeaderKilledUnderLoad_thenTheVerdictHolds() throws Exception {
    List<String> failed =
        trials.run(
            new BrokerLeaderKill(stack, random), Integer.getInteger("rmm.chaos.broker.trials", 1));
    assertThat(failed).as("failed verdict lines (see target/chaos/trials.log)").isEmpty();
  }
}
