package dev.rmm.api.console;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.query.ReleaseQueries.EventPosition;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads single records of the release log by their place (partition and offset), for the release
 * page's chain check. One consumer without a group, opened at the first use and shared (calls are
 * serialized: a release has a few dozen events, read in one or a few fetches). Blocking: call it on
 * a worker thread.
 */
@ApplicationScoped
public class LogRecords {

  private static final Duration FETCH_WAIT = Duration.ofSeconds(5);

  /** A record as stored: its key and value, null when there is no record at that place. */
  public record Found(String key, byte[] value) {}

  private final String bootstrap;
  private final String topic;
  private KafkaConsumer<String, byte[]> consumer;

  LogRecords(
      RmmApiConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.bootstrap = bootstrap;
    this.topic = config.topics().events();
  }

  /** The topic the positions are in, for a location such as {@code rmm.release-events-2@118}. */
  public String topic() {
    return topic;
  }

  /** The records at {@code positions} (all of one release, so of one partition), by offset. */
  public synchronized Map<Long, Found> read(List<EventPosition> positions) {
    Map<Long, Found> found = new HashMap<>();
    if (positions.isEmpty()) {
      return found;
    }
    KafkaConsumer<String, byte[]> c = consumer();
    Map<Integer, List<Long>> byPartition =
        positions.stream()
            .collect(
                Collectors.groupingBy(
                    EventPosition::partition,
                    Collectors.mapping(EventPosition::offset, Collectors.toList())));
    for (Map.Entry<Integer, List<Long>> e : byPartition.entrySet()) {
      TopicPartition tp = new TopicPartition(topic, e.getKey());
      c.assign(List.of(tp));
      Set<Long> wanted = Set.copyOf(e.getValue());
      long end = c.endOffsets(List.of(tp), FETCH_WAIT).getOrDefault(tp, 0L);
      for (long offset : new ArrayList<>(wanted).stream().sorted().toList()) {
        if (found.containsKey(offset) || offset >= end) {
          continue;
        }
        c.seek(tp, offset);
        long deadline = System.nanoTime() + FETCH_WAIT.toNanos();
        boolean reached = false;
        while (!reached && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200)).records(tp)) {
            if (wanted.contains(r.offset())) {
              found.put(r.offset(), new Found(r.key(), r.value()));
            }
            reached |= r.offset() >= offset;
          }
          // compacted or deleted: the consumer moved past the offset without a record there
          reached |= c.position(tp) > offset;
        }
      }
    }
    return found;
  }

  private KafkaConsumer<String, byte[]> consumer() {
    if (consumer == null) {
      var p = LogConsumers.properties(bootstrap);
      p.put(ConsumerConfig.CLIENT_ID_CONFIG, "release-api-console");
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
      consumer = KafkaClients.consumer(p);
    }
    return consumer;
  }

  synchronized void onStop(@Observes ShutdownEvent ev) {
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(2));
    }
  }
}
