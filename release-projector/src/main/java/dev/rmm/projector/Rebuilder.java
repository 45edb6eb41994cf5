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

  /** The live projection is behind the log for longer than the rebuild waits for it. */
  public static final class LiveBehind extends RuntimeException {
    LiveBehind(Duration waited) {
      super(
          "the live projection stayed behind the log for "
              + waited.toSeconds()
              + " s, so the two could not be compared at one position; try again when it has"
              + " caught up (see /q/health and the consumer group's lag)");
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
    boolean kept = false;
    try {
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
        Projection liveSchema =
            new Projection(pg, LiveProjector.LIVE_SCHEMA, config.topics().events());
        Duration liveWait = config.projector().rebuildLiveWait();
        long deadline = System.nanoTime() + liveWait.toNanos();
        boolean finished = false;
        while (!finished) {
          // the two schemas are compared at the live projection's positions: the rebuild is
          // drained up to them, never past them; while the live projection is behind what the
          // rebuild has already read (after a restart, say), it is given time to catch up
          finished =
              live.betweenBatches(
                  () -> {
                    Map<Integer, Long> at = liveSchema.positions();
                    if (ahead(c, parts, at)) {
                      return false;
                    }
                    events[0] += drainTo(c, target, parts, at);
                    diff.putAll(ReadModelDiff.compare(pg, LiveProjector.LIVE_SCHEMA, schema));
                    if (swap) {
                      swapIn(schema);
                    }
                    return true;
                  });
          if (!finished) {
            if (System.nanoTime() > deadline) {
              throw new LiveBehind(liveWait);
            }
            sleep();
          }
        }
      }
      kept = swap;
      long millis = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
      Report r = new Report(schema, events[0], millis, events[0] * 1000 / millis, diff, swap);
      LOG.infof("Rebuild finished: %s", r);
      return r;
    } finally {
      if (!kept) {
        // a comparison-only rebuild, or a failed one, leaves no schema behind
        pg.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().await().indefinitely();
      }
    }
  }

  /** True when the rebuild has read past the live projection's position in some partition. */
  private static boolean ahead(
      KafkaConsumer<String, byte[]> c, List<TopicPartition> parts, Map<Integer, Long> at) {
    return parts.stream().anyMatch(tp -> c.position(tp) > at.getOrDefault(tp.partition(), 0L));
  }

  /** Reads every partition up to {@code at} (the live projection's positions), no further. */
  private long drainTo(
      KafkaConsumer<String, byte[]> c,
      Projection target,
      List<TopicPartition> parts,
      Map<Integer, Long> at) {
    long n = 0;
    Map<TopicPartition, Long> end = c.endOffsets(parts);
    while (true) {
      List<TopicPartition> open = new ArrayList<>();
      for (TopicPartition tp : parts) {
        long stop = Math.min(at.getOrDefault(tp.partition(), 0L), end.get(tp));
        if (c.position(tp) < stop) {
          open.add(tp);
        }
      }
      if (open.isEmpty()) {
        return n;
      }
      c.pause(parts);
      c.resume(open);
      List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
        long stop = at.getOrDefault(r.partition(), 0L);
        if (r.offset() < stop) {
          batch.add(r);
        } else {
          // read past the live position: put the consumer back, so the loop sees it done
          c.seek(new TopicPartition(r.topic(), r.partition()), stop);
        }
      }
      n += target.apply(batch);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("rebuild interrupted while the live projection caught up", e);
    }
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
