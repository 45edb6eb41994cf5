package dev.rmm.projector;

import dev.rmm.contracts.kafka.AlertPublisher;
import dev.rmm.contracts.kafka.ConsumerLoop;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.kafka.RecordTracing;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.readmodel.ReadModel;
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
 *
 * <p>A batch is written on its own thread ({@link BatchPipeline}) while the polling thread reads
 * and decodes the next one; a write's failure ends the consumer's session at the next poll, as if
 * it had failed there. The first batch after the consumer (re)opens is written before the poll
 * returns, so a batch that fails again after each restart is a failure in a row every time, and the
 * loop becomes stuck as it did when every batch was written in its poll.
 */
@ApplicationScoped
public class LiveProjector {

  public static final String LIVE_SCHEMA = ReadModel.SCHEMA;

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

  /** Writes the batches the loop's thread has decoded. */
  private final BatchPipeline pipeline = new BatchPipeline("rmm-live-projector-writer");

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
    pipeline.shutdown();
    alerts.close();
  }

  public void start() {
    loop.start();
  }

  /** Stops between batches: a batch being written is finished (or fails and rolls back) first. */
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
    return p;
  }

  /**
   * What the loop does with its consumer: each poll's batch is decoded on the loop's thread while
   * the previous one is written, then handed to the writer thread, which applies it under the batch
   * lock. Everything here runs on the loop's thread (the rebalance listener too).
   */
  private final class Projecting implements ConsumerLoop.Session {

    /** The offsets to commit to Kafka (monitoring only) once the batch in flight is written. */
    private Map<TopicPartition, OffsetAndMetadata> inFlight;

    /** Whether a batch was written since the consumer opened: until then, writes are awaited. */
    private boolean wroteSinceOpen;

    /** A write's failure met in the rebalance listener, thrown at the next poll's handling. */
    private RuntimeException failed;

    @Override
    public void open(KafkaConsumer<String, byte[]> c) {
      wroteSinceOpen = false;
      c.subscribe(List.of(config.topics().events()), new SeekToStored(c, this));
    }

    @Override
    public void handle(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
      throwFailed();
      if (records.isEmpty()) {
        finish(c);
        return;
      }
      List<ConsumerRecord<String, byte[]>> list = new ArrayList<>(records.count());
      records.forEach(list::add);
      // while the writer thread writes the previous batch
      Projection.Batch batch = Projection.decode(list).withTimelineArrays();
      finish(c);
      batchLock.lock();
      try {
        if (reseek) {
          reseek = false;
          seekToStored(c, c.assignment());
          return; // drop what was polled: it is read again from the stored positions
        }
      } finally {
        batchLock.unlock();
      }
      // one span per traced event, child of the span that appended it, ended at the commit
      List<Span> spans = RecordTracing.consumeTraced(tracer, "project release event", list);
      pipeline.submit(() -> write(batch, spans));
      inFlight = next(records);
      if (!wroteSinceOpen) {
        finish(c);
        wroteSinceOpen = true;
      }
    }

    /**
     * Waits for the batch in flight and commits its offsets to Kafka; its failure is thrown, which
     * ends this session (the loop logs it, counts it and starts again from the stored positions).
     */
    void finish(KafkaConsumer<String, byte[]> c) {
      Map<TopicPartition, OffsetAndMetadata> offsets = inFlight;
      inFlight = null;
      if (pipeline.await() && c != null) {
        c.commitAsync(offsets, null);
      }
    }

    /** Waits for the batch in flight inside the rebalance listener; a failure waits for handle. */
    void drain() {
      try {
        finish(null);
      } catch (RuntimeException e) {
        failed = e;
      }
    }

    private void throwFailed() {
      RuntimeException e = failed;
      failed = null;
      if (e != null) {
        throw e;
      }
    }

    @Override
    public void closed() {
      assigned = false;
      // the writer thread must be idle before a new consumer seeks and forgets the kept rows
      try {
        finish(null);
      } catch (RuntimeException e) {
        LOG.warnf(
            "The batch being written when the consumer closed failed (%s); it is read again from"
                + " the stored positions",
            e.getMessage());
      }
      if (failed != null) {
        LOG.warnf(
            "A batch failed during a rebalance (%s); it is read again from the stored positions",
            failed.getMessage());
        failed = null;
      }
    }
  }

  /**
   * Writes a decoded batch, on the writer thread, under the batch lock; answers false when a
   * rebuilt schema was swapped in meanwhile (the loop then seeks to its positions and reads again).
   */
  private boolean write(Projection.Batch batch, List<Span> spans) {
    batchLock.lock();
    try {
      if (reseek) {
        RecordTracing.end(spans, null);
        return false;
      }
      try {
        applied += projection.apply(batch);
      } catch (RuntimeException e) {
        RecordTracing.end(spans, e);
        throw e;
      }
      RecordTracing.end(spans, null);
      return true;
    } finally {
      batchLock.unlock();
    }
  }

  private final class SeekToStored implements ConsumerRebalanceListener {
    private final KafkaConsumer<String, byte[]> c;
    private final Projecting session;

    SeekToStored(KafkaConsumer<String, byte[]> c, Projecting session) {
      this.c = c;
      this.session = session;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // the stored positions are read once the batch in flight has stored its own
      session.drain();
      batchLock.lock();
      try {
        // another instance may have written these partitions' releases meanwhile
        projection.forget();
      } finally {
        batchLock.unlock();
      }
      seekToStored(c, partitions);
      assigned = true;
      LOG.infof("Projecting partitions %s into %s", partitions, LIVE_SCHEMA);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // the next owner finds this instance's last batch stored (positions make it safe either way)
      session.drain();
    }
  }
}
