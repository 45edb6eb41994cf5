package dev.rmm.api.policy;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.log.ChainFold;
import dev.rmm.contracts.log.Link;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.ops.AlertCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads the policy topic (and the alerts topic) as an auditor would: whole, with a plain consumer.
 */
final class PolicyTopic {

  private PolicyTopic() {}

  /** The policy events that count, in order (the chain rule folded, as every reader does). */
  static List<EventEnvelope> valid() {
    ChainFold chain = new ChainFold();
    List<EventEnvelope> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : read(topic("rmm.topics.policies"))) {
      if (chain.accept(r.key(), r.value()) instanceof Link.Valid v) {
        out.add(v.event());
      }
    }
    return out;
  }

  /** The newest valid policy event. */
  static EventEnvelope newest() {
    List<EventEnvelope> all = valid();
    if (all.isEmpty()) {
      throw new AssertionError("no policy event in " + topic("rmm.topics.policies"));
    }
    return all.get(all.size() - 1);
  }

  static PolicyChanged policy(EventEnvelope e) {
    return (PolicyChanged) e.data();
  }

  /** Every alert published so far. */
  static List<Alert> alerts() {
    return read(topic("rmm.topics.alerts")).stream()
        .map(r -> AlertCodec.decode(r.value()))
        .toList();
  }

  private static String topic(String property) {
    return ConfigProvider.getConfig().getValue(property, String.class);
  }

  private static List<ConsumerRecord<String, byte[]>> read(String topic) {
    String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    TopicPartition tp = new TopicPartition(topic, 0);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(LogConsumers.properties(bootstrap))) {
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (c.position(tp) < end) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + tp + " up to offset " + end);
        }
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }
}
