package dev.rmm.orchestrator.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.orchestrator.Orchestrator;
import dev.rmm.orchestrator.runbook.SshRunner;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.TestSshServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two orchestrators handing over a partition while a slow runbook step runs on a real SSH server,
 * with a real broker's group coordinator granting the leases: the old owner's step is stopped on
 * the host (it never finishes), and the new owner may settle the runbook only after its wait, by
 * which time the old owner has stopped. Each "orchestrator" is the part of one that decides this: a
 * group member polling the log, and its {@link PartitionLeases}.
 */
class PartitionLeasesTest {

  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final KafkaTestResource KAFKA = new KafkaTestResource();
  private static String bootstrap;
  private static TestSshServer sshServer;
  private static Admin admin;

  private final SshRunner ssh = new SshRunner();
  private final String topic = "rmm.lease-test-" + UUID.randomUUID();
  private final String group = "rmm-lease-test-" + UUID.randomUUID();
  private Member a;
  private Member b;

  @BeforeAll
  static void start() {
    bootstrap = KAFKA.start().get("kafka.bootstrap.servers");
    admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap));
    sshServer = TestSshServer.start();
  }

  @AfterAll
  static void stop() {
    sshServer.close();
    admin.close();
    KAFKA.stop();
  }

  @AfterEach
  void leave() {
    for (Member m : new Member[] {a, b}) {
      if (m != null) {
        m.close();
      }
    }
  }

  /** One orchestrator's group membership: a consumer polling on its own thread, and its leases. */
  private final class Member implements AutoCloseable {
    final PartitionLeases leases = new PartitionLeases(admin, group, topic, LEASE);
    final AtomicBoolean polling = new AtomicBoolean(true);
    final AtomicBoolean closing = new AtomicBoolean();

    /** Whether the log thread tells the leases its member id after each poll. */
    final AtomicBoolean reportsMember = new AtomicBoolean(true);

    final Thread thread;

    Member() {
      this(new Properties());
    }

    /** A member whose consumer has {@code base} as settings (the orchestrator's, say). */
    Member(Properties base) {
      Properties p = new Properties();
      p.putAll(base);
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
      p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
      // a member that stops polling (hung) leaves the group after this
      p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 3_000);
      thread =
          new Thread(
              () -> {
                try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
                  c.subscribe(
                      List.of(topic),
                      new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                          leases.revoked(parts.stream().map(TopicPartition::partition).toList());
                        }

                        @Override
                        public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                          leases.assigned(parts.stream().map(TopicPartition::partition).toList());
                        }
                      });
                  while (!closing.get()) {
                    if (polling.get()) {
                      c.poll(Duration.ofMillis(100));
                      if (reportsMember.get()) {
                        leases.member(c.groupMetadata().memberId());
                      }
                    } else {
                      sleepQuietly();
                    }
                  }
                }
              },
              "lease-test-member");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      closing.set(true);
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      leases.close();
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts A, lets it own the partition and starts a slow step under its lease. */
  private CompletableFuture<SshRunner.Result> slowStepUnderAsLease(Path marker, String nap)
      throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    a = new Member();
    await().atMost(Duration.ofSeconds(30)).until(() -> owns(a));
    PartitionLeases.OpenLease lease = a.leases.open(0);
    String[] hp = sshServer.address().split(":");
    SshRunner.Connection c =
        ssh.connect(
            hp[0],
            Integer.parseInt(hp[1]),
            "deploy",
            sshServer.hostKeyLine(),
            sshServer.clientPrivateKey(),
            Duration.ofSeconds(10));
    CompletableFuture<SshRunner.Result> step =
        CompletableFuture.supplyAsync(
            () -> {
              try (c;
                  lease) {
                return ssh.run(
                    c, nap + "; touch '" + marker + "'", Duration.ofSeconds(600), lease::held);
              }
            });
    await().until(() -> processRuns(nap));
    return step;
  }

  /** Whether the member holds the partition's lease now (asking the coordinator). */
  private static boolean owns(Member m) {
    return owns(m, 0);
  }

  private static boolean owns(Member m, int partition) {
    try (PartitionLeases.OpenLease l = m.leases.open(partition)) {
      return l.held();
    }
  }

  @Test
  void
      givenRunbooksOnTwoPartitions_whenASecondOrchestratorJoins_thenOnlyThePartitionThatMovesStops()
          throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
    Properties orchestrators = Orchestrator.logConsumerProperties(bootstrap);
    a = new Member(orchestrators);
    await().atMost(Duration.ofSeconds(30)).until(() -> owns(a, 0) && owns(a, 1));
    try (PartitionLeases.OpenLease first = a.leases.open(0);
        PartitionLeases.OpenLease second = a.leases.open(1)) {
      // what a running step sees each time it asks, while the group rebalances: A's leases are
      // renewed all the time (asking the coordinator, as the renewer does every third of a lease)
      Set<Integer> unheldWhileOwned = ConcurrentHashMap.newKeySet();
      AtomicBoolean watching = new AtomicBoolean(true);
      CompletableFuture<Void> watch =
          CompletableFuture.runAsync(
              () -> {
                while (watching.get()) {
                  a.leases.open(0).close();
                  a.leases.open(1).close();
                  for (PartitionLeases.OpenLease l : List.of(first, second)) {
                    if (!l.held() && !l.lost()) {
                      unheldWhileOwned.add(l == first ? 0 : 1);
                    }
                  }
                  sleepQuietly();
                }
              });

      b = new Member(orchestrators);

      await().atMost(Duration.ofSeconds(60)).until(() -> owns(b, 0) || owns(b, 1));
      watching.set(false);
      watch.get(10, TimeUnit.SECONDS);
      int keptPartition = owns(b, 0) ? 1 : 0;
      PartitionLeases.OpenLease kept = keptPartition == 0 ? first : second;
      PartitionLeases.OpenLease moved = kept == first ? second : first;
      assertThat(moved.lost()).isTrue();
      assertThat(kept.lost()).as("the lease of the partition that stayed was lost").isFalse();
      assertThat(unheldWhileOwned)
          .as("partitions whose lease lapsed during the rebalance though A kept them")
          .doesNotContain(keptPartition);
      assertThat(kept.held()).isTrue();
    }
  }

  @Test
  void givenASlowStep_whenItsOrchestratorHandsThePartitionOver_thenTheOldStopsFirstAndTheNewWaits(
      @TempDir Path dir) throws Exception {
    Path marker = dir.resolve("marker");
    String nap = "sleep 600." + System.nanoTime() % 100_000;
    CompletableFuture<SshRunner.Result> step = slowStepUnderAsLease(marker, nap);
    b = new Member();
    await().atMost(Duration.ofSeconds(30)).until(() -> !b.leases.memberId().isEmpty());

    // a rolling restart: A leaves the group (its rebalance callback runs), B gets the partition
    a.closing.set(true);

    await().atMost(Duration.ofSeconds(30)).until(() -> owns(b));
    assertThat(b.leases.mayTakeOver(0)).isFalse();

    assertThat(step.get(30, TimeUnit.SECONDS).problem()).isEqualTo(SshRunner.STOPPED);
    await().atMost(Duration.ofSeconds(15)).until(() -> b.leases.mayTakeOver(0));
    await().atMost(Duration.ofSeconds(15)).until(() -> !processRuns(nap));
    assertThat(marker).doesNotExist();
  }

  @Test
  void givenASlowStep_whenItsOrchestratorHangsAndLosesTheGroup_thenTheLeaseLapsesBeforeTheNewMayAct(
      @TempDir Path dir) throws Exception {
    Path marker = dir.resolve("marker");
    String nap = "sleep 600." + System.nanoTime() % 100_000;
    CompletableFuture<SshRunner.Result> step = slowStepUnderAsLease(marker, nap);
    b = new Member();
    await().atMost(Duration.ofSeconds(30)).until(() -> !b.leases.memberId().isEmpty());

    a.polling.set(false); // A's log thread hangs: no rebalance callback will ever tell it

    await().atMost(Duration.ofSeconds(60)).until(() -> owns(b));
    assertThat(step.get(30, TimeUnit.SECONDS).problem()).isEqualTo(SshRunner.STOPPED);
    assertThat(b.leases.mayTakeOver(0)).isFalse();
    await().atMost(Duration.ofSeconds(15)).until(() -> b.leases.mayTakeOver(0));
    await().atMost(Duration.ofSeconds(15)).until(() -> !processRuns(nap));
    assertThat(marker).doesNotExist();
  }

  @Test
  void givenALeaseThatLapsedWithoutARebalance_whenTheGroupConfirmsTheOwnerAgain_thenItIsHeldAgain()
      throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    a = new Member();
    await().atMost(Duration.ofSeconds(30)).until(() -> owns(a));
    try (PartitionLeases.OpenLease lease = a.leases.open(0)) {
      // the coordinator stops vouching for A (as when it cannot be asked during a failover), while
      // the group never took the partition away
      String me = a.leases.memberId();
      a.reportsMember.set(false);
      a.leases.member("not-" + me);
      await().atMost(Duration.ofSeconds(10)).until(() -> !lease.held());
      assertThat(lease.lost()).isFalse();

      CompletableFuture<Boolean> back =
          CompletableFuture.supplyAsync(() -> lease.awaitHeld(Duration.ofSeconds(30)));
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> !back.isDone());
      a.leases.member(me);

      assertThat(back.get(30, TimeUnit.SECONDS)).isTrue();
      assertThat(lease.held()).isTrue();
    }
  }

  @Test
  void givenALapsedLease_whenThePartitionIsTakenAway_thenWaitingForItEndsAtOnceUnheld()
      throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    a = new Member();
    await().atMost(Duration.ofSeconds(30)).until(() -> owns(a));
    try (PartitionLeases.OpenLease lease = a.leases.open(0)) {
      a.reportsMember.set(false);
      a.leases.member("nobody");
      await().atMost(Duration.ofSeconds(10)).until(() -> !lease.held());
      CompletableFuture<Boolean> back =
          CompletableFuture.supplyAsync(() -> lease.awaitHeld(Duration.ofSeconds(60)));

      a.leases.revoked(List.of(0));

      assertThat(back.get(10, TimeUnit.SECONDS)).isFalse();
      assertThat(lease.lost()).isTrue();
    }
  }

  private static boolean processRuns(String text) {
    return ProcessHandle.allProcesses()
        .anyMatch(
            p -> p.isAlive() && p.info().commandLine().map(l -> l.contains(text)).orElse(false));
  }
}
