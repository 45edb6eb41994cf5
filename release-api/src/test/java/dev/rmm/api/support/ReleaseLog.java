package dev.rmm.api.support;

import static org.awaitility.Awaitility.await;

import dev.rmm.api.writer.Partitioning;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads the release log the way any downstream service does: a plain Kafka consumer with {@code
 * isolation.level=read_committed}, no mocks. Also tells whether anything was appended, by comparing
 * the topic's end offsets once no transaction is in flight.
 */
public final class ReleaseLog implements AutoCloseable {

  private final String bootstrap;
  private final Admin admin;

  public ReleaseLog() {
    this.bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    this.admin = Admin.create(p);
  }

  public static int partitions() {
    return ConfigProvider.getConfig().getValue("rmm.topics.partitions", Integer.class);
  }

  public static String eventsTopic() {
    return ConfigProvider.getConfig().getValue("rmm.topics.events", String.class);
  }

  public static String commandsTopic() {
    return ConfigProvider.getConfig().getValue("rmm.topics.commands", String.class);
  }

  public static String gatewayCommandsTopic() {
    return ConfigProvider.getConfig().getValue("rmm.topics.gateway-commands", String.class);
  }

  public static String orchestratorCommandsTopic() {
    return ConfigProvider.getConfig().getValue("rmm.topics.orchestrator-commands", String.class);
  }

  public static String resultsTopic() {
    return ConfigProvider.getConfig().getValue("rmm.topics.results", String.class);
  }

  public String bootstrap() {
    return bootstrap;
  }

  /**
   * End offsets of every events partition once the last transaction's markers are written (the
   * read_committed end equals the log end). Two equal snapshots around a request prove that the
   * request appended nothing.
   */
  public Map<Integer, Long> endOffsets() {
    Map<Integer, Long> committed = new TreeMap<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              Map<Integer, Long> c = offsets(IsolationLevel.READ_COMMITTED);
              Map<Integer, Long> all = offsets(IsolationLevel.READ_UNCOMMITTED);
              committed.clear();
              committed.putAll(c);
              return c.equals(all);
            });
    return committed;
  }

  /** Every committed record of one release, in log order. */
  public List<ConsumerRecord<String, byte[]>> records(String releaseId) {
    int partition = Partitioning.partitionOf(releaseId, partitions());
    return read(List.of(partition)).stream().filter(r -> releaseId.equals(r.key())).toList();
  }

  /** Every committed event of every release, by release id, each in log order. */
  public Map<String, List<EventEnvelope>> eventsByRelease() {
    return read(IntStream.range(0, partitions()).boxed().toList()).stream()
        .map(r -> EventCodec.decode(r.value()))
        .collect(Collectors.groupingBy(EventEnvelope::releaseId));
  }

  /** Every record of one events partition, in log order (void events included). */
  public List<ConsumerRecord<String, byte[]>> partition(int partition) {
    return read(List.of(partition));
  }

  /** Reads the given events partitions from the start to their committed end. */
  private List<ConsumerRecord<String, byte[]>> read(List<Integer> partitions) {
    Map<Integer, Long> end = endOffsets();
    List<TopicPartition> tps =
        partitions.stream().map(p -> new TopicPartition(eventsTopic(), p)).toList();
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp.partition()))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + tps + " up to offsets " + end);
        }
        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }

  /** Every committed event of one release, decoded with the contracts' codec. */
  public List<EventEnvelope> events(String releaseId) {
    return records(releaseId).stream().map(r -> EventCodec.decode(r.value())).toList();
  }

  /** The event types of one release, in order. */
  public List<String> types(String releaseId) {
    return events(releaseId).stream().map(EventEnvelope::type).toList();
  }

  public Properties consumerProperties() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return p;
  }

  private Map<Integer, Long> offsets(IsolationLevel isolation)
      throws InterruptedException, ExecutionException {
    Map<TopicPartition, OffsetSpec> request =
        IntStream.range(0, partitions())
            .mapToObj(p -> new TopicPartition(eventsTopic(), p))
            .collect(Collectors.toMap(Function.identity(), tp -> OffsetSpec.latest()));
    return admin
        .listOffsets(request, new ListOffsetsOptions(isolation))
        .all()
        .get()
        .entrySet()
        .stream()
        .collect(
            Collectors.toMap(
                e -> e.getKey().partition(),
                e -> e.getValue().offset(),
                (a, b) -> a,
                TreeMap::new));
  }

  @Override
  public void close() {
    admin.close();
  }
}
