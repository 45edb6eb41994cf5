package dev.rmm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.kafka.BrokerStartup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service that starts before its broker waits for it ({@link BrokerStartup}) instead of exiting:
 * the broker is a real one ({@link LocalKafka}) started on a known port only after the service has
 * been turned away at least once.
 */
class LateBrokerTest {

  @TempDir Path dataDir;

  @Test
  void givenNoBrokerYet_whenAServiceWaitsForIt_thenItGoesOnOnceTheBrokerHasStarted()
      throws Exception {
    int port = Ports.free();
    String bootstrap = "127.0.0.1:" + port;
    BrokerStartup startup =
        new BrokerStartup("late-broker-test", bootstrap, Duration.ofSeconds(90));
    AtomicInteger tries = new AtomicInteger();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        LocalKafka kafka = new LocalKafka(dataDir.resolve("kafka"), port)) {
      CompletableFuture<Integer> brokers =
          CompletableFuture.supplyAsync(
              () ->
                  startup.await(
                      "count its brokers",
                      timeout -> {
                        tries.incrementAndGet();
                        return BrokerStartup.get(
                                admin
                                    .describeCluster(
                                        new DescribeClusterOptions()
                                            .timeoutMs((int) timeout.toMillis()))
                                    .nodes(),
                                timeout)
                            .size();
                      }));

      // the first try found no broker, and the service is still waiting
      await().atMost(Duration.ofSeconds(30)).until(() -> tries.get() >= 2);
      assertThat(brokers).isNotDone();

      kafka.start();

      assertThat(brokers.get(60, TimeUnit.SECONDS)).isEqualTo(1);
    }
  }
}
