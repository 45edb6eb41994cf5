package dev.rmm.projector;

import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import io.agroal.api.AgroalDataSource;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * Rebuilds the read model from offset 0 into a fresh schema while the live one keeps serving
 * queries, compares the two at the same log position, and swaps the fresh one in under the live
 * name between two live batches.
 */
@ApplicationScoped
public class Rebuilder {

  private static final Logger LOG = Logger.getLogger(Rebuilder.class);

  /** What a rebuild did. */
  public record Report(
      String schema,
      long events,
      long millis,
      long eventsPerSecond,
      Map<String, Long> differences,
      boolean swapped) {}

  /** Only one rebuild at a time. */
  public static final class AlreadyRunning extends RuntimeException {
    AlreadyRunning() {
      super("a rebuild is already running; try again when it has finished");
    }
  }

  private final AgroalDataSource jdbc;
  private final Pool pg;
  private final LiveProjector live;
  private final ProjectorConfig config;
  private final String bootstrap;
  private final AtomicBoolean busy = new AtomicBoolean();

  Rebuilder(
      AgroalDataSource jdbc,
      Pool pg,
      LiveProjector live,
      ProjectorConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.jdbc = jdbc;
    this.pg = pg;
    this.live = live;
    this.config = config;
    this.bootstrap = bootstrap;
  }

  /**
   * Rebuilds and, when {@code swap} is true, swaps the result in.
   *
   * @throws AlreadyRunning when a rebuild is already running
   */
  public Report rebuild(boolean swap) {
    if (!busy.compareAndSet(false, true)) {
      throw new AlreadyRunning();
    }
    try {
      return run(swap);
    } finally {
      busy.set(false);
    }
  }

  private Report run(boolean swap) {
    long t0 = System.nanoTime();
    String schema = "read_model_rebuild_" + System.currentTimeMillis();
    Flyway.configure()
        .dataSource(jdbc)
        .schemas(schema)
        .locations("classpath:db/readmodel")
        .load()
        .migrate();
    Projection target = new Projection(pg, schema, config.topics().events());
    long[] events = {0};
    Map<String, Long> diff = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(properties())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo p : c.partitionsFor(config.topics().events())) {
        parts.add(new TopicPartition(p.topic(), p.partition()));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      events[0] += new BulkLoader(jdbc, schema, config.topics().events()).load(c, parts);
      LOG.infof(
          "Rebuild into %s caught up: %d events; finishing between live batches",
          schema, events[0]);
      live.swapBetweenBatches(
          () -> {
            events[0] += drain(c, target, parts);
            diff.putAll(ReadModelDiff.compare(pg, LiveProjector.LIVE_SCHEMA, schema));
            if (swap) {
              swapIn(schema);
            }
          });
    }
    if (!swap) {
      pg.query("DROP SCHEMA " + schema + " CASCADE").execute().await().indefinitely();
    }
    long millis = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
    Report r = new Report(schema, events[0], millis, events[0] * 1000 / millis, diff, swap);
    LOG.infof("Rebuild finished: %s", r);
    return r;
  }

  /** Reads every partition up to its current end, applying batch by batch. */
  private long drain(
      KafkaConsumer<String, byte[]> c, Projection target, List<TopicPartition> parts) {
    Map<TopicPartition, Long> end = c.endOffsets(parts);
    long n = 0;
    while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
      List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
      c.poll(Duration.ofMillis(200)).forEach(batch::add);
      n += target.apply(batch);
    }
    return n;
  }

  /** Renames the fresh schema to the live name in one transaction, then drops the old one. */
  private void swapIn(String schema) {
    String retired = "read_model_retired_" + System.currentTimeMillis();
    pg.withTransaction(
            conn ->
                conn.query("ALTER SCHEMA " + LiveProjector.LIVE_SCHEMA + " RENAME TO " + retired)
                    .execute()
                    .chain(
                        () ->
                            conn.query(
                                    "ALTER SCHEMA "
                                        + schema
                                        + " RENAME TO "
                                        + LiveProjector.LIVE_SCHEMA)
                                .execute()))
        .await()
        .indefinitely();
    pg.query("DROP SCHEMA " + retired + " CASCADE").execute().await().indefinitely();
  }

  private Properties properties() {
    Properties p = LogConsumers.properties(bootstrap);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    return p;
  }
}
