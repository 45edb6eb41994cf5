package dev.rmm.gateway.alerts;

import dev.rmm.contracts.kafka.ConsumerLoop;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.ops.AlertCodec;
import dev.rmm.gateway.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads the alerts that the services publish ({@code rmm.alerts}) into the alerts chat. Its own
 * consumer group starts at the end of the topic the first time (old failures are not news), and
 * commits an alert only once the chat took it (or Telegram refused it for good). An alert that
 * cannot be posted now (Redis or Telegram unavailable) stops its partition: the position goes back
 * to it and the partition is paused for a backoff (0.5 s doubling to 5 s) and then read again from
 * there, so nothing after it overtakes it and nothing is lost; its id keeps it from being posted
 * twice. When reading fails, the failure goes to the chat too and reading starts again 5 s later
 * from the last committed alert.
 */
@ApplicationScoped
public class AlertFeed {

  private static final Logger LOG = Logger.getLogger(AlertFeed.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

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
            config.telegram().readerRestartDelay(),
            Duration.ofSeconds(10),
            e -> chat.report(Alert.consumerError("telegram-gateway", group, e, null)));
  }

  public void start() {
    loop.start();
  }

  public void stop() {
    loop.stop();
  }

  /** How the reading moves, for the readiness check. */
  public ConsumerLoop.Progress progress() {
    return loop.progress();
  }

  /** Whether the reading was started and not stopped. */
  public boolean isRunning() {
    return loop.isRunning();
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

  /** Whether the record is done with: posted, refused for good, or unreadable. */
  private boolean handle(ConsumerRecord<String, byte[]> r) {
    Alert alert;
    try {
      alert = AlertCodec.decode(r.value());
    } catch (IllegalArgumentException e) {
      LOG.warnf(
          "Skipping an unreadable alert at %s-%d offset %d: %s",
          r.topic(), r.partition(), r.offset(), e.getMessage());
      return true;
    }
    try {
      chat.deliver(alert);
      return true;
    } catch (AlertsChat.NotDelivered e) {
      LOG.warnf(
          "The alert %s at %s-%d offset %d could not be posted (%s); it stays uncommitted and is"
              + " tried again",
          alert.fingerprint(), r.topic(), r.partition(), r.offset(), e.getMessage());
      return false;
    }
  }

  /**
   * What the loop does with its consumer: each alert into the chat, committed up to the last one
   * the chat took; a partition whose alert could not be posted waits (see the class comment).
   */
  private final class Feeding implements ConsumerLoop.Session {

    /** Paused partitions and when they are read again ({@link System#nanoTime()}). */
    private final Map<TopicPartition, Long> retryAt = new HashMap<>();

    private Duration backoff = FIRST_BACKOFF;

    @Override
    public void open(KafkaConsumer<String, byte[]> c) {
      c.subscribe(List.of(topic), new Assignment(c, retryAt));
    }

    @Override
    public void handle(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> batch) {
      resumeDue(c);
      Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
      for (TopicPartition tp : batch.partitions()) {
        for (ConsumerRecord<String, byte[]> r : batch.records(tp)) {
          if (!AlertFeed.this.handle(r)) {
            c.seek(tp, r.offset());
            c.pause(Set.of(tp));
            retryAt.put(tp, System.nanoTime() + backoff.toNanos());
            backoff =
                backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                    ? MAX_BACKOFF
                    : backoff.multipliedBy(2);
            break;
          }
          backoff = FIRST_BACKOFF;
          done.put(tp, new OffsetAndMetadata(r.offset() + 1));
        }
      }
      if (!done.isEmpty()) {
        c.commitSync(done);
      }
    }

    private void resumeDue(KafkaConsumer<String, byte[]> c) {
      long now = System.nanoTime();
      retryAt
          .entrySet()
          .removeIf(
              e -> {
                if (now - e.getValue() < 0) {
                  return false;
                }
                if (c.assignment().contains(e.getKey())) {
                  c.resume(Set.of(e.getKey()));
                }
                return true;
              });
    }

    @Override
    public void closed() {
      assigned = false;
      retryAt.clear();
    }
  }

  private final class Assignment implements ConsumerRebalanceListener {
    private final KafkaConsumer<String, byte[]> c;
    private final Map<TopicPartition, Long> retryAt;

    Assignment(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> retryAt) {
      this.c = c;
      this.retryAt = retryAt;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      partitions.forEach(c::position); // resolve "latest" now: later alerts come after it
      assigned = true;
      LOG.infof("Reading alerts from %s (partitions %s)", topic, partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(retryAt::remove); // their uncommitted alerts go to the next owner
    }
  }
}
