package dev.rmm.contracts.kafka;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * How every rmm reader of its topics consumes: keys as strings (release or command ids), values as
 * bytes for the codecs, committed transactions only (the writer is transactional), and no automatic
 * offset commits (each reader decides where its position lives), and a group that notices a crashed
 * member in 10 s.
 */
public final class LogConsumers {

  private LogConsumers() {}

  /** How long a group member may go unheard before the group gives its partitions to others. */
  public static final int SESSION_TIMEOUT_MS = 10_000;

  /** Consumer properties to add a group, offsets reset and limits to. */
  public static Properties properties(String bootstrapServers) {
    return properties(bootstrapServers, KafkaSecurity.fromEnvironment());
  }

  /** The same, with the given security settings instead of this process's environment. */
  public static Properties properties(String bootstrapServers, KafkaSecurity security) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // in a group, a crashed (kill -9) instance's partitions move to the others after 10 s, not
    // Kafka's default 45 s, during which its restarted successor waits for its own assignment
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
    return security.applyTo(p);
  }

  /**
   * Lets the broker gather records for up to {@code maxWait} (or until 64 KiB are there) before it
   * answers a fetch, for a reader that may act a few milliseconds later. With Kafka's default
   * (answer as soon as one byte is there) a reader of a busy log fetches, decodes and handles a
   * handful of records at a time: in the write-path benchmark (docs/benchmarks.md, 2 December) the
   * orchestrator's and the projector's readers together used about as much CPU per creation as
   * release-api deciding it, most of it the cost of each small fetch on both sides (consumer and
   * broker). Not for a reader a person waits on (command results, the writer's commands).
   */
  public static Properties gathering(Properties p, Duration maxWait) {
    p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) maxWait.toMillis());
    return p;
  }
}
