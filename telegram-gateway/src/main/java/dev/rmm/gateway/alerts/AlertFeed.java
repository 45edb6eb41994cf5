package dev.rmm.gateway.alerts;

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
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads the alerts that the services publish ({@code rmm.alerts}) into the alerts chat. Its own
 * consumer group starts at the end of the topic the first time (old failures are not news), and
 * commits a batch after the chat took it.
 */
@ApplicationScoped
public class AlertFeed {

  private static final Logger LOG = Logger.getLogger(AlertFeed.class);

  private final String bootstrap;
  private final String topic;
  private final String group;
  private final AlertsChat chat;
  private volatile boolean running;
  private volatile boolean assigned;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private Thread thread;

  AlertFeed(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      GatewayConfig config,
      AlertsChat chat) {
    this.bootstrap = bootstrap;
    this.topic = config.topics().alerts();
    this.group = config.alerts().group();
    this.chat = chat;
  }

  public synchronized void start() {
    if (thread != null) {
      return;
    }
    running = true;
    thread = new Thread(this::run, "rmm-alert-feed");
    thread.setDaemon(true);
    thread.start();
  }

  public synchronized void stop() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
  }

  /** Whether the topic's partitions are assigned, so newly published alerts will be read. */
  public boolean isReading() {
    return assigned;
  }

  private void run() {
    Properties p = LogConsumers.properties(bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // Telegram's rate limits may hold a batch for minutes: that is not a dead consumer
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    while (running) {
      try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
        consumer = c;
        c.subscribe(List.of(topic), new Assignment(c));
        while (running) {
          ConsumerRecords<String, byte[]> batch = c.poll(Duration.ofMillis(500));
          if (!batch.isEmpty()) {
            batch.forEach(this::handle);
            c.commitSync();
          }
        }
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        LOG.errorf(
            e,
            "Reading alerts from %s stopped on an error; restarting in 5 s from the last committed"
                + " alert: %s",
            topic,
            e.getMessage());
        chat.report(Alert.consumerError("telegram-gateway", group, e, null));
        sleep(Duration.ofSeconds(5));
      } finally {
        assigned = false;
        consumer = null;
      }
    }
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

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
