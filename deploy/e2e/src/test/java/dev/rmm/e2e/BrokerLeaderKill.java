package dev.rmm.e2e;

import static org.awaitility.Awaitility.await;

import dev.rmm.local.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The leader of a partition of the event log killed under load, on a cluster of three brokers
 * (replication factor 3, {@code min.insync.replicas=2}). The partition is one the load is writing
 * to (its end offset grew in the last moment); its leader broker is stopped as a crash would be
 * ({@link LocalKafkaCluster#stopBroker}: no controlled shutdown, so leadership moves only once the
 * controller fences it). The load then runs on the two remaining brokers for {@link #ON_TWO}, and
 * writes must be answered there; the broker is started again on its data and must catch up until
 * every partition's ISR is full again. The {@link Verdict} judges the rest: every acknowledged
 * event is in the log, nothing happened twice, readers followed the new leaders.
 */
final class BrokerLeaderKill implements Fault {

  static final String EVENTS = "rmm.release-events";

  /** How long the load runs on two brokers once the partition has its new leader. */
  static final Duration ON_TWO = Duration.ofSeconds(5);

  /** A stopped broker is fenced after its session (9 s); then the controller elects a leader. */
  private static final Duration ELECTION = Duration.ofSeconds(60);

  /** How long the restarted broker may take to catch up on every partition. */
  private static final Duration CATCH_UP = Duration.ofSeconds(90);

  private final StackExtension stack;
  private final Random random;

  BrokerLeaderKill(StackExtension stack, Random random) {
    this.stack = stack;
    this.random = random;
  }

  @Override
  public String name() {
    return "leader of a " + EVENTS + " partition killed";
  }

  @Override
  public List<String> inject(ChaosLoad load) throws Exception {
    LocalKafkaCluster kafka = stack.stack().kafkaCluster();
    List<String> failed = new ArrayList<>();
    try (Admin admin = admin()) {
      Thread.sleep(1000 + random.nextInt(2000));
      TopicPartition written = partitionBeingWritten(admin);
      if (written == null) {
        return List.of("broker kill: the load wrote nothing to " + EVENTS + " within 30 s");
      }
      int leader = describe(admin, EVENTS).partitions().get(written.partition()).leader().id();
      Set<Integer> led = partitionsLedBy(admin, leader);
      long killed = System.nanoTime();
      kafka.stopBroker(leader);
      log(
          "killed broker %d, leader of %s (and of %s's partitions %s)",
          leader, written, EVENTS, led);
      try {
        Node newLeader;
        try {
          newLeader =
              await()
                  .atMost(ELECTION)
                  .pollInterval(Duration.ofMillis(200))
                  .ignoreExceptions()
                  .until(
                      () -> describe(admin, EVENTS).partitions().get(written.partition()).leader(),
                      n -> n != null && !n.isEmpty() && n.id() != leader);
        } catch (ConditionTimeoutException e) {
          failed.add(
              "broker kill: "
                  + written
                  + " got no new leader within "
                  + ELECTION.toSeconds()
                  + " s of broker "
                  + leader
                  + " stopping");
          return failed;
        }
        log(
            "%s led by broker %d after %.1f s; load runs on two brokers for %d s",
            written, newLeader.id(), seconds(killed), ON_TWO.toSeconds());
        load.resetWriteCounters();
        Thread.sleep(ON_TWO.toMillis());
        int answered = load.writesAnswered();
        log(
            "on two brokers: writes %d answered, %d refused (503), %d unanswered",
            answered, load.writesRefused(), load.writesUnanswered());
        if (answered == 0) {
          failed.add(
              "broker kill: no write was answered in "
                  + ON_TWO.toSeconds()
                  + " s on the two brokers left after broker "
                  + leader
                  + " stopped");
        }
      } finally {
        long restarted = System.nanoTime();
        kafka.startBroker(leader);
        try {
          await()
              .atMost(CATCH_UP)
              .pollInterval(Duration.ofMillis(500))
              .ignoreExceptions()
              .until(() -> shortIsr(admin).isEmpty());
          log("broker %d back, every ISR full after %.1f s", leader, seconds(restarted));
        } catch (ConditionTimeoutException e) {
          failed.add(
              "broker kill: broker "
                  + leader
                  + " restarted, but after "
                  + CATCH_UP.toSeconds()
                  + " s these partitions still lack a replica in their ISR: "
                  + shortIsr(admin));
        }
      }
    }
    return failed;
  }

  /**
   * A partition of the event log whose end offset grew while we watched (the one that grew most),
   * or null when the load wrote nothing for 30 s.
   */
  private static TopicPartition partitionBeingWritten(Admin admin) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Map<TopicPartition, Long> before = endOffsets(admin);
    while (System.nanoTime() < until) {
      Thread.sleep(1000);
      Map<TopicPartition, Long> after = endOffsets(admin);
      TopicPartition best = null;
      long most = 0;
      for (Map.Entry<TopicPartition, Long> e : after.entrySet()) {
        long grew = e.getValue() - before.getOrDefault(e.getKey(), 0L);
        if (grew > most) {
          most = grew;
          best = e.getKey();
        }
      }
      if (best != null) {
        return best;
      }
      before = after;
    }
    return null;
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartitionInfo p : describe(admin, EVENTS).partitions()) {
      latest.put(new TopicPartition(EVENTS, p.partition()), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> offsets = new HashMap<>();
    admin
        .listOffsets(latest)
        .all()
        .get(10, TimeUnit.SECONDS)
        .forEach((tp, info) -> offsets.put(tp, info.offset()));
    return offsets;
  }

  private static Set<Integer> partitionsLedBy(Admin admin, int broker) throws Exception {
    return describe(admin, EVENTS).partitions().stream()
        .filter(p -> p.leader() != null && p.leader().id() == broker)
        .map(TopicPartitionInfo::partition)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  /** Every partition of every topic (Kafka's own included) whose ISR lacks one of its replicas. */
  static Map<String, String> shortIsr(Admin admin) throws Exception {
    Set<String> names =
        admin
            .listTopics(new ListTopicsOptions().listInternal(true))
            .names()
            .get(10, TimeUnit.SECONDS);
    Map<String, String> shortOnes = new TreeMap<>();
    for (TopicDescription d :
        admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        if (p.isr().size() < p.replicas().size()) {
          shortOnes.put(
              d.name() + "-" + p.partition(),
              "isr " + ids(p.isr()) + " of replicas " + ids(p.replicas()));
        }
      }
    }
    return shortOnes;
  }

  static TopicDescription describe(Admin admin, String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(10, TimeUnit.SECONDS)
        .get(topic);
  }

  private Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            stack.kafkaBootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            5000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            10000));
  }

  private static List<Integer> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).toList();
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  private static void log(String format, Object... args) {
    System.out.println("[chaos] " + String.format(format, args));
  }
}
