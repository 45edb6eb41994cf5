package dev.rmm.projector;

import dev.rmm.contracts.kafka.AlertPublisher;
import dev.rmm.contracts.kafka.ConsumerLoop;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.kafka.RecordTracing;
import dev.rmm.contracts.ops.Alert;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The live projection: a consumer-group member that applies the partitions assigned to it into the
 * {@code read_model} schema. Its position lives in Postgres, written in the same transaction as the
 * rows, and it seeks there on every assignment; the offsets it also commits to Kafka are only for
 * monitoring (kafka-consumer-groups shows the lag). A batch that fails rolls back and is logged;
 * the loop then starts again after a second with a fresh consumer, from the stored positions. When
 * it keeps failing ({@link ConsumerLoop.Progress#stuck()}), one alert is raised and {@link
 * ProjectorReadiness} reports DOWN until a batch goes through again.
 */
@ApplicationScoped
public class LiveProjector {

  public static final String LIVE_SCHEMA = "read_model";

  /** The kind of the alert raised when the live projection is stuck. */
  public static final String CONSUMER_STUCK = "consumer-stuck";

  static final String SOURCE = "release-projector";
  private static final Logger LOG = Logger.getLogger(LiveProjector.class);

  private final ProjectorConfig config;
  private final Projection projection;
  private final AlertPublisher alerts;
  private final Tracer tracer;
  private final ConsumerLoop loop;

  /** Held while a batch is applied; a rebuild holds it to swap schemas between batches. */
  private final ReentrantLock batchLock = new ReentrantLock();

  private volatile boolean reseek;
  private volatile boolean assigned;
  private volatile long applied;

  LiveProjector(
      ProjectorConfig config,
      Pool pg,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      Tracer tracer) {
    ConfigChecks.require(config);
    this.config = config;
    this.tracer = tracer;
    this.projection = new Projection(pg, LIVE_SCHEMA, config.topics().events());
    this.alerts = new AlertPublisher(bootstrap, config.topics().alerts());
    this.loop =
        new ConsumerLoop(
                "rmm-live-projector",
                properties(bootstrap),
                new Projecting(),
                Duration.ofMillis(100),
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                null) // each failure is logged by the loop; people are told once, when it is stuck
            .whenStuck(
                ConsumerLoop.DEFAULT_FAILURES_BEFORE_STUCK,
                p -> alerts.publish(stuckAlert(config.projector().group(), p)),
                p -> {});
  }

  /** The alert raised once when the projection stops moving. */
  static Alert stuckAlert(String group, ConsumerLoop.Progress p) {
    return new Alert(
        UUID.randomUUID().toString(),
        CONSUMER_STUCK,
        Alert.fingerprint(CONSUMER_STUCK, SOURCE, group),
        SOURCE,
        null,
        null,
        null,
        SOURCE
            + ": the live projection ("
            + group
            + ") is stuck; the read model is not kept up to date",
        p.consecutiveFailures()
            + " failures in a row since "
            + p.failingSince()
            + ", retried every second; last error: "
            + p.lastError(),
        null,
        Instant.now());
  }

  /** Where the projection stands: stuck or moving, failures in a row, last batch and error. */
  public ConsumerLoop.Progress progress() {
    return loop.progress();
  }

  void onStart(@Observes StartupEvent ev) {
    if (config.projector().autoStart()) {
      start();
    }
  }

  void onStop(@Observes ShutdownEvent ev) {
    stop();
    alerts.close();
  }

  public void start() {
    loop.start();
  }

  /** Stops between batches (or aborts the one in flight; its transaction then rolls back). */
  public void stop() {
    loop.stop();
  }

  public boolean isRunning() {
    return loop.isRunning() && assigned;
  }

  /** Events applied since start (duplicates excluded). */
  public long applied() {
    return applied;
  }

  /**
   * Runs {@code step} while no batch is being applied. When it answers true (it swapped schemas),
   * the projector continues from the positions stored in the (new) live schema.
   */
  boolean betweenBatches(BooleanSupplier step) {
    batchLock.lock();
    try {
      boolean swapped = step.getAsBoolean();
      if (swapped) {
        // the rows kept between batches are the old schema's
        projection.forget();
        reseek = true;
      }
      return swapped;
    } finally {
      batchLock.unlock();
    }
  }

  private void seekToStored(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> parts) {
    Map<Integer, Long> stored = projection.positions();
    for (TopicPartition tp : parts) {
      Long at = stored.get(tp.partition());
      if (at == null) {
        c.seekToBeginning(List.of(tp));
      } else {
        c.seek(tp, at);
      }
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> next(ConsumerRecords<String, byte[]> rs) {
    Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
    for (TopicPartition tp : rs.partitions()) {
      List<ConsumerRecord<String, byte[]>> l = rs.records(tp);
      m.put(tp, new OffsetAndMetadata(l.get(l.size() - 1).offset() + 1));
    }
    return m;
  }

  private Properties properties(String bootstrap) {
    Properties p = LogConsumers.properties(bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.projector().group());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.projector().maxBatch());
    // a few milliseconds of the freshness budget (PRODUCT.md §9: p99 <= 25 ms) buy larger batches
    LogConsumers.gathering(p, Duration.ofMillis(5));
    // a crashed instance's partitions move to the others after 10 s, not the default 45 s
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    return p;
  }

  /** What the loop does with its consumer: one batch per poll, applied under the batch lock. */
  private final class Projecting implements ConsumerLoop.Session {

    @Override
    public void open(KafkaConsumer<String, byte[]> c) {
      c.subscribe(List.of(config.topics().events()), new SeekToStored(c));
    }

    @Override
    public void handle(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
      batchLock.lock();
      try {
        if (reseek) {
          reseek = false;
          seekToStored(c, c.assignment());
          return; // drop what was polled: it is read again from the stored positions
        }
        if (records.isEmpty()) {
          return;
        }
        List<ConsumerRecord<String, byte[]>> list = new ArrayList<>(records.count());
        records.forEach(list::add);
        // one span per traced event, child of the span that appended it, ended at the commit
        List<Span> spans = RecordTracing.consumeTraced(tracer, "project release event", list);
        try {
          applied += projection.apply(list);
        } catch (RuntimeException e) {
          RecordTracing.end(spans, e);
          throw e;
        }
        RecordTracing.end(spans, null);
      } finally {
        batchLock.unlock();
      }
      c.commitAsync(next(records), null);
    }

    @Override
    public void closed() {
      assigned = false;
    }
  }

  private final class SeekToStored implements ConsumerRebalanceListener {
    private final KafkaConsumer<String, byte[]> c;

    SeekToStored(KafkaConsumer<String, byte[]> c) {
      this.c = c;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // another instance may have written these partitions' releases meanwhile
      projection.forget();
      seekToStored(c, partitions);
      assigned = true;
      LOG.infof("Projecting partitions %s into %s", partitions, LIVE_SCHEMA);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
  }
}
