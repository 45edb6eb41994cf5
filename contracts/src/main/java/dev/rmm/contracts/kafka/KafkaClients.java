package dev.rmm.contracts.kafka;

import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The one place where rmm's code opens a Kafka client (an architecture test keeps it so).
 *
 * <p>Every client must carry this process's security settings ({@link KafkaSecurity}): a client
 * built from bare properties connects as nobody, which works on the local stack's PLAINTEXT broker
 * and fails (or worse, is refused only later) on a broker with SASL and ACLs. The orchestrator's
 * lease client was such a client. So a client whose properties did not pass through {@link
 * KafkaSecurity#applyTo} ({@link Producers}, {@link LogConsumers} and {@link #adminProperties} do)
 * is refused here, at once, instead of at its first request.
 */
public final class KafkaClients {

  private KafkaClients() {}

  /** A producer of string keys and byte values (the codecs' output). */
  public static KafkaProducer<String, byte[]> producer(Properties properties) {
    return new KafkaProducer<>(secured(properties));
  }

  /** A consumer of string keys and byte values. */
  public static KafkaConsumer<String, byte[]> consumer(Properties properties) {
    return new KafkaConsumer<>(secured(properties));
  }

  /** An admin client. */
  public static Admin admin(Properties properties) {
    return Admin.create(secured(properties));
  }

  /** The properties of an admin client of these brokers, with this process's security settings. */
  public static Properties adminProperties(String bootstrapServers) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return KafkaSecurity.fromEnvironment().applyTo(p);
  }

  private static Properties secured(Properties properties) {
    if (!properties.containsKey(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)) {
      throw new IllegalArgumentException(
          "a Kafka client without security settings: build its properties with Producers,"
              + " LogConsumers or KafkaClients.adminProperties (they apply KAFKA_SECURITY_*)");
    }
    return properties;
  }
}
