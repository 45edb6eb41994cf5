package dev.rmm.contracts.kafka;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How rmm's non-transactional senders (commands, alerts) produce: string keys, byte values from the
 * codecs, acknowledged by every in-sync replica, idempotent, sent at once (linger 0: a person or a
 * pipeline is waiting), and never blocking the caller for more than 10 s when the broker or the
 * topic is not there.
 */
public final class Producers {

  private Producers() {}

  public static Properties properties(String bootstrapServers) {
    return properties(bootstrapServers, KafkaSecurity.fromEnvironment());
  }

  /** The same, with the given security settings instead of this process's environment. */
  public static Properties properties(String bootstrapServers, KafkaSecurity security) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    return security.applyTo(p);
  }
}
