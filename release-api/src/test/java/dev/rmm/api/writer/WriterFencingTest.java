package dev.rmm.api.writer;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.ops.AlertCodec;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A new owner of a partition fences the old one through the partition's transactional id. Here the
 * test plays the new owner: the fenced writer must not append, must answer 503, and the fresh
 * writer that replaces it must rebuild the releases of the partition from the log alone.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class WriterFencingTest {

  private ReleaseLog log;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
  }

  @AfterEach
  void tearDown() {
    log.close();
  }

  @Test
  void givenAFencedWriter_thenItAppendsNothingAndItsSuccessorContinuesFromTheLog() {
    String id = Api.createRelease(BILLING_REPO);
    Api.stepOk(ADMIN, id, "stage_building");
    int partition = Partitioning.partitionOf(id, ReleaseLog.partitions());

    try (KafkaProducer<String, byte[]> usurper = new KafkaProducer<>(usurper(partition))) {
      usurper.initTransactions(); // bumps the epoch: the writer's producer is now fenced
    }

    var before = log.endOffsets();
    Response fenced = Api.step(ADMIN, id, "stage_test_rollback");
    assertProblem(fenced, 503, "retry");
    assertThat(fenced.header("Retry-After")).isEqualTo("1");
    assertThat(log.endOffsets()).isEqualTo(before);

    // a fresh writer takes the partition back, reloads it, and the retried request goes through
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> Api.step(ADMIN, id, "stage_test_rollback").statusCode() == 200);
    Api.step(ADMIN, id, "manual_testing").then().statusCode(200).body("version", equalTo(4));
    assertThat(log.events(id)).extracting(EventEnvelope::sequence).containsExactly(1L, 2L, 3L, 4L);

    // and the alerts chat hears of it: the writer's failure is on the alerts topic
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                alerts().stream()
                    .anyMatch(
                        a ->
                            a.source().equals("release-api")
                                && a.kind().equals(Alert.CONSUMER_ERROR)
                                && a.summary().contains("writer of partition " + partition)));
  }

  private List<Alert> alerts() {
    Properties p = log.consumerProperties();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition("rmm.alerts", 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      List<Alert> out = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofSeconds(2))) {
        out.add(AlertCodec.decode(r.value()));
      }
      return out;
    }
  }

  /** The same transactional id as the writer of {@code partition} (see WriterSettings). */
  private Properties usurper(int partition) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, log.bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
        "rmm-writer-" + ReleaseLog.eventsTopic() + "-" + partition);
    return p;
  }
}
