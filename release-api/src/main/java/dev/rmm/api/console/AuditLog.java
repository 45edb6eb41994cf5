package dev.rmm.api.console;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads a whole topic of the log from its start, for the audit page: the as-of view and the
 * verification report are folded from the log itself, not from the read model (issue 16). Each read
 * opens its own consumer without a group (audits are rare, and two people auditing at once must not
 * share a position) and stops at a limit, so one page never reads an unbounded log. Blocking: call
 * it on a worker thread.
 */
@ApplicationScoped
public class AuditLog {

  private static final Duration WAIT = Duration.ofSeconds(15);

  /**
   * What one read covered.
   *
   * @param read the records handed over
   * @param total the records the topic held when the read began
   */
  public record Scan(long read, long total) {
    /** Whether the limit stopped the read before the topic's end. */
    public boolean complete() {
      return read >= total;
    }
  }

  private final String bootstrap;
  private final String events;
  private final String policies;

  AuditLog(
      RmmApiConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.bootstrap = bootstrap;
    this.events = config.topics().events();
    this.policies = config.topics().policies();
  }

  /** The release log's topic. */
  public String events() {
    return events;
  }

  /** The policy topic (its chain is part of the audit trail too). */
  public String policies() {
    return policies;
  }

  /**
   * Hands every committed record of {@code topic} present when the read begins, each partition in
   * log order, to {@code each}, until {@code limit} records. Partitions are read side by side, so a
   * read cut short by the limit has a prefix of every partition (each release's events up to some
   * point, never with a hole).
   */
  public Scan read(String topic, long limit, Consumer<ConsumerRecord<String, byte[]>> each) {
    var p = LogConsumers.properties(bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "release-api-console-audit");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(p)) {
      List<TopicPartition> parts =
          c.partitionsFor(topic, WAIT).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> starts = c.beginningOffsets(parts, WAIT);
      Map<TopicPartition, Long> ends = c.endOffsets(parts, WAIT);
      long total = parts.stream().mapToLong(tp -> ends.get(tp) - starts.get(tp)).sum();
      long read = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (read < limit && parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        var records = c.poll(Duration.ofMillis(200));
        if (records.isEmpty() && System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the log " + topic + " gave no records for " + WAIT + " before its end");
        }
        for (ConsumerRecord<String, byte[]> r : records) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (read >= limit || r.offset() >= ends.get(tp)) {
            continue; // appended after the read began, or past the limit
          }
          each.accept(r);
          read++;
          deadline = System.nanoTime() + WAIT.toNanos();
        }
      }
      // a transaction's markers take offsets without records, so "read" can fall short of total
      return new Scan(read, read < limit ? read : total);
    }
  }
}
