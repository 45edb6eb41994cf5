package dev.rmm.api.writer;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.contracts.audit.CheckpointKeys;
import dev.rmm.contracts.kafka.KafkaSecurity;
import dev.rmm.contracts.kafka.LogConsumers;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Kafka client settings for the writers, built from the application's configuration. */
record WriterSettings(
    String bootstrapServers,
    String eventsTopic,
    CommandTopics commandTopics,
    String resultsTopic,
    String group,
    int maxBatch,
    int maxWaiting,
    CheckpointSigner signer,
    SnapshotPolicy snapshots,
    PartitionBook.Limits memory) {

  /**
   * When a partition writer snapshots its books (WriterSnapshots): after {@code everyRecords}
   * records of the log, at most once per {@code minInterval}. Null: never.
   */
  record SnapshotPolicy(String topic, long everyRecords, Duration minInterval) {}

  /**
   * Signs a partition's checkpoints: null when no key is configured.
   *
   * @param topic where the checkpoints go
   * @param every how often a writer signs one, when its partition moved
   */
  record CheckpointSigner(PrivateKey key, String keyId, String topic, Duration every) {

    /** The signer of a configured key pair; the public key must belong to the private one. */
    static CheckpointSigner of(String privateKey, RmmApiConfig config) {
      PrivateKey key = CheckpointKeys.privateKey(privateKey);
      String publicKey =
          config
              .checkpoints()
              .publicKey()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "RMM_CHECKPOINTS_PUBLIC_KEY is required with RMM_CHECKPOINTS_PRIVATE_KEY"));
      return new CheckpointSigner(
          key,
          CheckpointKeys.keyId(CheckpointKeys.matchingPublicKey(key, publicKey)),
          config.topics().checkpoints(),
          config.checkpoints().every());
    }
  }

  /** The topic this instance forwards HTTP requests to, for the owning instance. */
  String commandsTopic() {
    return commandTopics.api();
  }

  static WriterSettings of(RmmApiConfig config, String bootstrapServers) {
    return new WriterSettings(
        bootstrapServers,
        config.topics().events(),
        new CommandTopics(
            config.topics().commands(),
            config.topics().gatewayCommands(),
            config.topics().orchestratorCommands()),
        config.topics().results(),
        config.writer().group(),
        config.writer().maxBatch(),
        config.writer().maxWaiting(),
        config
            .checkpoints()
            .privateKey()
            .filter(k -> !k.isBlank())
            .map(k -> CheckpointSigner.of(k, config))
            .orElse(null),
        config.writer().snapshotEvery() <= 0
            ? null
            : new SnapshotPolicy(
                config.topics().snapshots(),
                config.writer().snapshotEvery(),
                config.writer().snapshotMinInterval()),
        new PartitionBook.Limits(
            config.writer().releasesInHeap(), config.writer().releasesOutsideFile()));
  }

  /**
   * The instance's one idempotent producer for its partition writers, without a transaction ({@link
   * dev.rmm.contracts.log.ChainRule}: the log is the lock); acks=all, at most 5 requests in flight,
   * which keeps the writer's records in order.
   */
  Properties producerProperties() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    // the HTTP answer waits for the ack: do not wait for more records to fill a batch
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
    p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 200);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "rmm-writer");
    return KafkaSecurity.fromEnvironment().applyTo(p);
  }

  /** Reads committed events only, without a group: used to load a partition's state. */
  Properties readerProperties() {
    Properties p = LogConsumers.properties(bootstrapServers);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    return p;
  }

  /**
   * The group member that holds partition ownership and reads commands. RangeAssignor gives
   * partition p of the events topic and partition p of the commands topic to the same member.
   */
  Properties memberProperties() {
    Properties p = readerProperties();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        org.apache.kafka.clients.consumer.RangeAssignor.class.getName());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    return p;
  }
}
