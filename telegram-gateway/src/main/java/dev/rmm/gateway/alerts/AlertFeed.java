package dev.rmm.gateway.alerts;

import dev.rmm.contracts.kafka.ConsumerLoop;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.ops.AlertCodec;
import dev.rmm.gateway.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads the alerts that the services publish ({@code rmm.alerts}) into the alerts chat. Its own
 * consumer group starts at the end of the topic the first time (old failures are not news), and
 * commits a batch after the chat took it. When reading fails, the failure goes to the chat too and
 * reading starts again 5 s later from the last committed alert.
 */
@ApplicationScoped
public class AlertFeed {

  private static final Logger LOG = Logger.getLogger(AlertFeed.class);

  private final String topic;
  private final AlertsChat chat;
  private final ConsumerLoop loop;
  private volatile boolean assigned;

  AlertFeed(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      GatewayConfig config,
      AlertsChat chat) {
    this.topic = config.topics().alerts();
    this.chat = chat;
    String group = config.alerts().group();
    this.loop =
        new ConsumerLoop(
            "rmm-alert-feed",
            properties(bootstrap, group),
            new Feeding(),
            Duration.ofMillis(500),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            e -> chat.report(Alert.consumerError("telegram-gateway", group, e, null)));
  }

  public void start() {
    loop.start();
  }

  public void stop() {
    loop.stop();
  }

  /** Whether the topic's partitions are assigned, so newly published alerts will be read. */
  public boolean isReading() {
    return assigned;
  }

  private static Properties properties(String bootstrap, String group) {
    Properties p = LogConsumers.properties(bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // Telegram's rate limits may hold a batch for minutes: that is not a dead consumer
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    return p;
  }

  private void handle(ConsumerRecord<String, byte[]> r) {
    Alert alert;
    try {
      alert = AlertCodec.decode(r.value());
    } catch (IllegalArgumentException e) {
      LOG.warnf(
          "Skipping an unreadable alert at %s-%d offset %d: %s",
          r.topic(), r.partition(), r.offset(), e.getMessage());
      return;
    }
    chat.report(alert);
  }

  /** What the loop does with its consumer: each batch into the chat, then committed. */
  private final class Feeding implements ConsumerLoop.Session {

    @Override
    public void open(KafkaConsumer<String, byte[]> c) {
      c.subscribe(List.of(topic), new Assignment(c));
    }

    @Override
    public void handle(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> batch) {
      if (!batch.isEmpty()) {
        batch.forEach(AlertFeed.this::handle);
        c.commitSync();
      }
    }

    @Override
    public void closed() {
      assigned = false;
    }
  }

  private final class Assignment implements ConsumerRebalanceListener {
    private final KafkaConsumer<String, byte[]> c;

    Assignment(KafkaConsumer<String, byte[]> c) {
      this.c = c;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      partitions.forEach(c::position); // resolve "latest" now: later alerts come after it
      assigned = true;
      LOG.infof("Reading alerts from %s (partitions %s)", topic, partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
  }
}
