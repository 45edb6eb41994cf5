package dev.rmm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code RMM_KAFKA_BROKERS} gives the local stack a Kafka cluster (issue 14: the three-broker
 * faults on the stack a user runs), and a data directory written by another number of brokers is
 * refused before anything starts, since its read model belongs to the old log.
 */
class LocalStackBrokersTest {

  @TempDir Path home;

  @Test
  void givenNoBrokerCount_whenTheStackStarts_thenItRunsOneNode() {
    assertThat(LocalStack.kafkaBrokers(null)).isEqualTo(1);
    assertThat(LocalStack.kafkaBrokers(" ")).isEqualTo(1);
  }

  @Test
  void givenThreeBrokers_whenTheStackStarts_thenItRunsACluster() {
    assertThat(LocalStack.kafkaBrokers(" 3 ")).isEqualTo(3);
  }

  @Test
  void givenABrokerCountOutOfRange_whenTheStackStarts_thenTheVariableAndTheRangeAreNamed() {
    for (String wrong : new String[] {"0", "6", "-1", "three", "3.0"}) {
      assertThatThrownBy(() -> LocalStack.kafkaBrokers(wrong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("RMM_KAFKA_BROKERS=" + wrong + " is not a broker count from 1 to 5");
    }
  }

  @Test
  void givenANewDataDirectory_whenAnyBrokerCountStarts_thenItIsAccepted() {
    Path kafka = home.resolve("kafka");
    assertThatCode(() -> LocalStack.requireSameKafkaLayout(kafka, 1)).doesNotThrowAnyException();
    assertThatCode(() -> LocalStack.requireSameKafkaLayout(kafka, 3)).doesNotThrowAnyException();
  }

  @Test
  void givenALogOfOneNode_whenThreeBrokersAreAsked_thenTheStartIsRefusedWithTheWayOut()
      throws IOException {
    Path kafka = Files.createDirectories(home.resolve("kafka"));
    Files.writeString(kafka.resolve("meta.properties"), "node.id=1\n");

    assertThatCode(() -> LocalStack.requireSameKafkaLayout(kafka, 1)).doesNotThrowAnyException();
    assertThatThrownBy(() -> LocalStack.requireSameKafkaLayout(kafka, 3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("asks for 3 Kafka broker(s)")
        .hasMessageContaining("was written by 1")
        .hasMessageContaining("start with RMM_KAFKA_BROKERS=1")
        .hasMessageContaining("RMM_LOCAL_HOME");
  }

  @Test
  void givenALogOfThreeBrokers_whenOneOrTwoAreAsked_thenTheStartIsRefused() throws IOException {
    Path kafka = Files.createDirectories(home.resolve("kafka"));
    Files.writeString(kafka.resolve("cluster.id"), "abc\n");
    for (String node : new String[] {"controller", "broker-1", "broker-2", "broker-3"}) {
      Files.createDirectories(kafka.resolve(node));
    }

    assertThatCode(() -> LocalStack.requireSameKafkaLayout(kafka, 3)).doesNotThrowAnyException();
    assertThatThrownBy(() -> LocalStack.requireSameKafkaLayout(kafka, 1))
        .hasMessageContaining("was written by 3");
    assertThatThrownBy(() -> LocalStack.requireSameKafkaLayout(kafka, 2))
        .hasMessageContaining("start with RMM_KAFKA_BROKERS=3");
  }
}
