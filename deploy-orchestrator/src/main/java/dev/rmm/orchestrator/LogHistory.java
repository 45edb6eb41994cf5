package dev.rmm.orchestrator;

import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.log.StateFold;
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
 * memory, and how a runbook worker reads a release as the log shows it right now ({@link #latest})
 * before it declares its runbook interrupted. One instance per thread that reads (the log thread
 * has its own); the methods are synchronized so that the runbook workers may share one.
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

  /**
   * The release as its valid events in {@code partition} make it, up to the partition's end now:
   * what the log says, whatever this instance's log thread has read so far.
   */
  synchronized ReleaseState latest(int partition, String releaseId) {
    TopicPartition tp = new TopicPartition(topic, partition);
    long end = consumer.endOffsets(List.of(tp), STALL).get(tp);
    StateFold fold = new StateFold();
    records(partition, Set.of(releaseId), end)
        .getOrDefault(releaseId, List.of())
        .forEach(r -> fold.accept(releaseId, r));
    return fold.state(releaseId);
  }

  @Override
  public synchronized Map<String, List<byte[]>> records(
      int partition, Set<String> releaseIds, long upTo) {
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
  public synchronized void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
