package dev.rmm.contracts.kafka;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * How every rmm reader of its topics consumes: keys as strings (release or command ids), values as
 * bytes for the codecs, committed transactions only (the writer is transactional), and no automatic
 * offset commits (each reader decides where its position lives).
 */
public final class LogConsumers {

  private LogConsumers() {}

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
    return security.applyTo(p);
  }
}
