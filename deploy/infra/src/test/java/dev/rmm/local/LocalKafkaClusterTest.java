package dev.rmm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real brokers and a controller in this JVM ({@link LocalKafkaCluster}): the leader of a
 * replicated partition stopped as a crash would, writes acknowledged by the two others, and the
 * stopped broker started again on its directory, back in the ISR with every record.
 */
class LocalKafkaClusterTest {

  private static final String TOPIC = "cluster-test";

  @TempDir Path dataDir;

  @Test
  void givenThreeBrokers_whenTheLeaderStopsAndStartsAgain_thenNoWriteIsLostAndItRejoinsTheIsr()
      throws Exception {
    try (LocalKafkaCluster kafka =
            new LocalKafkaCluster(dataDir.resolve("kafka"), Ports.free(), 3).start();
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
      // replication factor and min ISR from the cluster's defaults
      admin
          .createTopics(List.of(new NewTopic(TOPIC, 1, (short) -1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> fullIsr(admin));
      assertThat(partition(admin).replicas()).hasSize(3);

      List<String> written = new ArrayList<>();
      try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
        send(producer, written, "before", 20);
        int leader = partition(admin).leader().id();

        kafka.stopBroker(leader);
        assertThat(kafka.isRunning(leader)).isFalse();
        // acks=all with min.insync.replicas=2: the two others acknowledge once one of them leads
        send(producer, written, "during", 20);
        assertThat(partition(admin).leader().id()).isNotEqualTo(leader);
        assertThat(partition(admin).isr()).hasSize(2);

        kafka.startBroker(leader);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> fullIsr(admin));
        send(producer, written, "after", 20);
      }
      assertThat(readAll(kafka.bootstrapServers())).containsExactlyElementsOf(written);
    }
  }

  private static void send(
      KafkaProducer<String, String> producer, List<String> written, String tag, int count)
      throws Exception {
    for (int i = 0; i < count; i++) {
      String value = tag + "-" + i;
      producer.send(new ProducerRecord<>(TOPIC, "key", value)).get(60, TimeUnit.SECONDS);
      written.add(value);
    }
  }

  private static TopicPartitionInfo partition(Admin admin) throws Exception {
    TopicDescription d =
        admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
    return d.partitions().get(0);
  }

  private static boolean fullIsr(Admin admin) throws Exception {
    TopicPartitionInfo p = partition(admin);
    return p.leader() != null && p.isr().size() == 3;
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  private static List<String> readAll(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      List<String> read = new ArrayList<>();
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          read.add(r.value());
        }
      }
      return read;
    }
  }
}
