package dev.rmm.e2e;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.audit.LogVerifier;
import dev.rmm.contracts.log.ChainFold;
import dev.rmm.contracts.log.Link;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The release log as it is now, read from offset 0 to the end of every partition: each release's
 * valid events and its state after each of them (folded with the chain rule every reader uses,
 * {@link ChainFold}), and the audit verifier's report on the hash chains ({@link LogVerifier}).
 */
record LogSnapshot(
    Map<String, List<EventEnvelope>> events,
    Map<String, List<ReleaseState>> states,
    LogVerifier.Report audit) {

  static final String TOPIC = "rmm.release-events";

  static LogSnapshot read(String bootstrapServers) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    ChainFold fold = new ChainFold();
    LogVerifier verifier = new LogVerifier();
    Map<String, List<EventEnvelope>> events = new HashMap<>();
    Map<String, List<ReleaseState>> states = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts =
          c.partitionsFor(TOPIC, Duration.ofSeconds(30)).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + TOPIC + " to its end in 60 s");
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          verifier.accept(r.topic() + "-" + r.partition() + "@" + r.offset(), r.key(), r.value());
          if (fold.accept(r.key(), r.value()) instanceof Link.Valid v) {
            String id = v.event().releaseId();
            List<ReleaseState> chain = states.computeIfAbsent(id, k -> new ArrayList<>());
            ReleaseState before =
                chain.isEmpty() ? ReleaseState.none(id) : chain.get(chain.size() - 1);
            chain.add(ReleaseDecider.evolve(before, v.event().data()));
            events.computeIfAbsent(id, k -> new ArrayList<>()).add(v.event());
          }
        }
      }
    }
    return new LogSnapshot(events, states, verifier.report());
  }

  /** The release's state after its last valid event, or null when it has none. */
  ReleaseState last(String releaseId) {
    List<ReleaseState> chain = states.get(releaseId);
    return chain == null || chain.isEmpty() ? null : chain.get(chain.size() - 1);
  }

  /** The valid events of one release of one type ({@code release.dispatch-started.v1}, ...). */
  long count(String releaseId, String type) {
    return events.getOrDefault(releaseId, List.of()).stream()
        .filter(e -> e.type().equals(type))
        .count();
  }
}
