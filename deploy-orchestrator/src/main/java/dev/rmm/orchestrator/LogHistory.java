package dev.rmm.orchestrator;

import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a partition of the release log from its start for the records of a few releases (by their
 * key, without decoding the others): how {@link OwnedReleases} gets back a release that left
 * memory. Used by the log thread only.
 */
final class LogHistory implements OwnedReleases.History, AutoCloseable {

  /** A read that makes no progress for this long fails (the log thread then starts again). */
  private static final Duration STALL = Duration.ofSeconds(60);

  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;

  LogHistory(String bootstrap, String topic) {
    this.topic = topic;
    this.consumer = KafkaClients.consumer(LogConsumers.properties(bootstrap));
  }

  @Override
  public Map<String, List<byte[]>> records(int partition, Set<String> releaseIds, long upTo) {
    Map<String, List<byte[]>> out = new HashMap<>();
    TopicPartition tp = new TopicPartition(topic, partition);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    long deadline = System.nanoTime() + STALL.toNanos();
    while (consumer.position(tp) < upTo) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "reading " + tp + " up to offset " + upTo + " made no progress for " + STALL);
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        deadline = System.nanoTime() + STALL.toNanos();
        if (r.offset() >= upTo) {
          break;
        }
        if (r.key() != null && releaseIds.contains(r.key())) {
          out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
      }
    }
    consumer.unsubscribe();
    return out;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
