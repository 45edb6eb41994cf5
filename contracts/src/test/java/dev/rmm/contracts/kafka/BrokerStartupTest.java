package dev.rmm.contracts.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/**
 * Which broker answers a starting service waits out, and how the wait ends. The same helper against
 * a real broker: TopicSetupTest (release-api) and LateBrokerTest (deploy/infra).
 */
class BrokerStartupTest {

  @Test
  void givenTheAnswersOfAStartingBroker_whenClassified_thenTheyAreTransient() {
    assertThat(
            BrokerStartup.isTransient(
                new ExecutionException(
                    new UnknownTopicOrPartitionException(
                        "This server does not host this topic-partition."))))
        .isTrue();
    assertThat(BrokerStartup.isTransient(new LeaderNotAvailableException("no leader"))).isTrue();
    assertThat(BrokerStartup.isTransient(new NotLeaderOrFollowerException("moved"))).isTrue();
    assertThat(BrokerStartup.isTransient(new TimeoutException("no node assignment"))).isTrue();
    assertThat(BrokerStartup.isTransient(new BrokerNotAvailableException("not yet"))).isTrue();
    assertThat(BrokerStartup.isTransient(new java.util.concurrent.TimeoutException())).isTrue();
    assertThat(
            BrokerStartup.isTransient(
                new KafkaException(new UnknownTopicOrPartitionException("wrapped"))))
        .isTrue();
  }

  @Test
  void givenAnswersThatDoNotGoAway_whenClassified_thenTheyAreNotTransient() {
    assertThat(BrokerStartup.isTransient(new TopicAuthorizationException("denied"))).isFalse();
    assertThat(BrokerStartup.isTransient(new InvalidReplicationFactorException("3 > 1"))).isFalse();
    assertThat(BrokerStartup.isTransient(new IllegalStateException("a bug"))).isFalse();
  }

  @Test
  void givenTransientAnswersFirst_whenAwaited_thenItRetriesUntilTheBrokerAnswers() {
    AtomicInteger tries = new AtomicInteger();
    BrokerStartup broker = new BrokerStartup("test", "127.0.0.1:1", Duration.ofSeconds(30));

    String answer =
        broker.await(
            "describe topics [t]",
            timeout -> {
              if (tries.incrementAndGet() < 3) {
                throw new ExecutionException(
                    new UnknownTopicOrPartitionException(
                        "This server does not host this topic-partition."));
              }
              return "described";
            });

    assertThat(answer).isEqualTo("described");
    assertThat(tries).hasValue(3);
  }

  @Test
  void givenAnAnswerThatIsNotTransient_whenAwaited_thenItFailsAtOnceSayingWhatAndWhere() {
    AtomicInteger tries = new AtomicInteger();
    BrokerStartup broker = new BrokerStartup("test", "127.0.0.1:1", Duration.ofSeconds(30));

    assertThatThrownBy(
            () ->
                broker.await(
                    "create the topics [t]",
                    timeout -> {
                      tries.incrementAndGet();
                      throw new ExecutionException(new TopicAuthorizationException("denied"));
                    }))
        .isInstanceOf(IllegalStateException.class)
        .isNotInstanceOf(BrokerStartup.BrokerNotReadyException.class)
        .hasMessage(
            "test could not create the topics [t] at Kafka 127.0.0.1:1:"
                + " TopicAuthorizationException: denied");
    assertThat(tries).hasValue(1);
  }

  @Test
  void givenOnlyTransientAnswers_whenTheWaitRunsOut_thenItFailsSayingWhatItWaitedFor() {
    long[] now = {0};
    AtomicInteger tries = new AtomicInteger();
    BrokerStartup broker =
        new BrokerStartup("test", "127.0.0.1:1", Duration.ofSeconds(60), () -> now[0]);

    assertThatThrownBy(
            () ->
                broker.await(
                    "count its brokers",
                    timeout -> {
                      assertThat(timeout).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
                      tries.incrementAndGet();
                      now[0] += Duration.ofSeconds(25).toNanos(); // each try takes 25 s
                      throw new TimeoutException("Timed out waiting for a node assignment.");
                    }))
        .isInstanceOf(BrokerStartup.BrokerNotReadyException.class)
        .hasMessageContaining("test gave up waiting for Kafka at 127.0.0.1:1 after 60 s (3 tries)")
        .hasMessageContaining("to count its brokers")
        .hasMessageContaining("TimeoutException: Timed out waiting for a node assignment.")
        .hasMessageContaining("Check that Kafka runs");
    assertThat(tries).hasValue(3);
  }
}
