package dev.rmm.api.writer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.contracts.kafka.RecordTracing;
import dev.rmm.contracts.kafka.TraceHeaders;
import dev.rmm.contracts.tracing.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * The only writer of one partition of the release log. It keeps the state of every release on its
 * partition in memory (rebuilt from the log when it takes the partition over), decides commands one
 * after another, and appends each batch of decisions in one Kafka transaction. Its transactional id
 * is tied to the partition, so when another instance takes the partition over, {@code
 * initTransactions} there fences this one: a stale owner can never append.
 */
final class PartitionWriter implements Runnable {

  private static final Logger LOG = Logger.getLogger(PartitionWriter.class);

  enum Phase {
    LOADING,
    READY,
    FAILED,
    CLOSED
  }

  private final int partition;
  private final WriterSettings settings;
  private final BlockingQueue<WriteRequest> queue = new LinkedBlockingQueue<>();
  private final Map<String, ReleaseState> states = new HashMap<>();

  /** The hash of each release's newest stored event: the link its next event carries. */
  private final Map<String, String> heads = new HashMap<>();

  private final Thread thread;
  private volatile Phase phase = Phase.LOADING;
  private volatile Throwable failure;
  private volatile boolean running = true;

  private final WriterMetrics metrics;
  private final Tracer tracer;

  PartitionWriter(int partition, WriterSettings settings, WriterMetrics metrics, Tracer tracer) {
    this.partition = partition;
    this.settings = settings;
    this.metrics = metrics;
    this.tracer = tracer;
    this.thread = new Thread(this, "rmm-writer-" + partition);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  int partition() {
    return partition;
  }

  Phase phase() {
    return phase;
  }

  /** Why the writer stopped, when its phase is FAILED. */
  Throwable failure() {
    return failure;
  }

  int backlog() {
    return queue.size();
  }

  void submit(WriteRequest request) {
    if (phase == Phase.FAILED || phase == Phase.CLOSED) {
      request.reply().completeExceptionally(new NotOwnerException(partition, "writer " + phase));
      return;
    }
    queue.add(request);
    if (phase == Phase.FAILED || phase == Phase.CLOSED) {
      failPending("writer " + phase);
    }
  }

  /** Stops after the batch in flight and answers what is still queued with 503. */
  void close() {
    running = false;
    try {
      thread.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (phase != Phase.FAILED) {
      phase = Phase.CLOSED;
    }
    failPending("partition handed over");
  }

  @Override
  public void run() {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(settings.producerProperties(partition))) {
      producer.initTransactions(); // fences any earlier owner of this partition
      load();
      phase = Phase.READY;
      LOG.infof("Writer for partition %d is ready: %d releases loaded", partition, states.size());
      List<WriteRequest> batch = new ArrayList<>();
      while (running) {
        WriteRequest first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.clear();
        batch.add(first);
        queue.drainTo(batch, settings.maxBatch() - 1);
        try {
          writeBatch(producer, batch);
        } catch (RuntimeException | Error e) {
          for (WriteRequest r : batch) {
            r.reply()
                .completeExceptionally(
                    new NotOwnerException(partition, "the write failed: " + e.getMessage()));
          }
          throw e;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = e;
      phase = Phase.FAILED;
    } catch (RuntimeException | Error e) {
      failure = e;
      // an Error too: a dead thread would otherwise still report READY and never be restarted
      LOG.errorf(
          e,
          "Writer for partition %d stopped: %s. Its requests are answered 503; the partition is"
              + " reloaded from the log.",
          partition,
          e.getMessage());
      phase = Phase.FAILED;
    } finally {
      failPending("writer for partition " + partition + " stopped");
    }
  }

  /** Rebuilds the state of every release on this partition from the committed log. */
  private void load() {
    TopicPartition tp = new TopicPartition(settings.eventsTopic(), partition);
    try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(settings.readerProperties())) {
      reader.assign(List.of(tp));
      reader.seekToBeginning(List.of(tp));
      long end = reader.endOffsets(List.of(tp)).get(tp);
      while (reader.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
          apply(r);
        }
      }
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    EventEnvelope e;
    try {
      e = EventCodec.decode(r.value());
    } catch (EventCodec.MalformedEventException ex) {
      LOG.errorf(
          "Skipping unreadable record at %s-%d offset %d: %s",
          r.topic(), r.partition(), r.offset(), ex.getMessage());
      return;
    }
    ReleaseState s = states.getOrDefault(e.releaseId(), ReleaseState.none(e.releaseId()));
    if (e.sequence() != s.version() + 1) {
      LOG.errorf(
          "Skipping event %s of release %s at offset %d: sequence %d, expected %d",
          e.id(), e.releaseId(), r.offset(), e.sequence(), s.version() + 1);
      return;
    }
    states.put(e.releaseId(), ReleaseDecider.evolve(s, e.data()));
    heads.put(e.releaseId(), EventChain.hash(r.value()));
  }

  private void writeBatch(KafkaProducer<String, byte[]> producer, List<WriteRequest> batch) {
    Map<String, ReleaseState> changed = new HashMap<>();
    Map<String, String> changedHeads = new HashMap<>();
    List<WriteResult> results = new ArrayList<>(batch.size());
    long t0 = System.nanoTime();
    List<Span> spans = new ArrayList<>(batch.size());
    try {
      appendBatch(producer, batch, spans, changed, changedHeads, results);
    } catch (RuntimeException | Error e) {
      RecordTracing.end(spans, e);
      throw e;
    }
    RecordTracing.end(spans, null);
    metrics.batch(batch.size(), System.nanoTime() - t0);
    states.putAll(changed);
    heads.putAll(changedHeads);
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).reply().complete(results.get(i));
    }
  }

  /** Decides every request of the batch and appends its events in one transaction. */
  private void appendBatch(
      KafkaProducer<String, byte[]> producer,
      List<WriteRequest> batch,
      List<Span> spans,
      Map<String, ReleaseState> changed,
      Map<String, String> changedHeads,
      List<WriteResult> results) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    ConsumerGroupMetadata group = null;
    producer.beginTransaction();
    for (WriteRequest req : batch) {
      if (req.command() == null) {
        skipUnreadable(producer, req, offsets);
        group = req.source().group();
        results.add(null);
        continue;
      }
      String id = req.command().releaseId();
      ReleaseState before =
          changed.getOrDefault(id, states.getOrDefault(id, ReleaseState.none(id)));
      Decision decision = decide(req, before);
      Span span = appendSpan(req);
      spans.add(span);
      List<EventEnvelope> envelopes = new ArrayList<>(decision.events().size());
      String link =
          before.version() == 0 ? EventChain.GENESIS : changedHeads.getOrDefault(id, heads.get(id));
      for (EventEnvelope e : envelopes(req, before, decision.events(), TraceContext.of(span))) {
        EventEnvelope chained = e.chainedTo(link);
        byte[] stored = EventCodec.encode(chained);
        producer.send(eventRecord(chained, stored));
        link = EventChain.hash(stored);
        envelopes.add(chained);
      }
      if (!envelopes.isEmpty()) {
        changedHeads.put(id, link);
      }
      ReleaseState after = ReleaseDecider.evolveAll(before, decision.events());
      changed.put(id, after);
      WriteResult result = new WriteResult(decision, after, envelopes);
      results.add(result);
      if (req.source() != null) {
        offsets.put(req.source().partition(), new OffsetAndMetadata(req.source().offset() + 1));
        group = req.source().group();
        producer.send(resultRecord(req, result));
      }
    }
    if (!offsets.isEmpty()) {
      producer.sendOffsetsToTransaction(offsets, group);
    }
    // any failure here stops the writer: the batch is aborted with the producer, nothing of it
    // is visible to read_committed readers, and its commands are read again by the next writer
    producer.commitTransaction();
  }

  /**
   * The span of one request's append, child of the request's trace (the HTTP call or the command's
   * sender): its context is what the events and their record headers carry on.
   */
  private Span appendSpan(WriteRequest req) {
    return tracer
        .spanBuilder("append " + settings.eventsTopic())
        .setParent(TraceContext.parse(req.meta().traceparent()))
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute(RecordTracing.SYSTEM, "kafka")
        .setAttribute(RecordTracing.DESTINATION, settings.eventsTopic())
        .setAttribute(RecordTracing.OPERATION, "send")
        .setAttribute(RecordTracing.RELEASE, req.command().releaseId())
        .setAttribute("rmm.command", req.command().getClass().getSimpleName())
        .startSpan();
  }

  /**
   * The guard's or the decider's answer. A decider that throws refuses that one command instead of
   * stopping the writer: a command read from Kafka would otherwise be read again after every
   * restart and stall the partition for good.
   */
  private Decision decide(WriteRequest req, ReleaseState before) {
    Decision.Refused refusedByGuard = req.guard() == null ? null : req.guard().apply(before);
    if (refusedByGuard != null) {
      return refusedByGuard;
    }
    try {
      return ReleaseDecider.decide(req.command(), before);
    } catch (RuntimeException e) {
      LOG.errorf(
          e,
          "Could not decide %s for release %s (request %s): %s; the command is refused, nothing"
              + " is appended",
          req.command().getClass().getSimpleName(),
          req.command().releaseId(),
          req.meta().causationId(),
          e.getMessage());
      return new Decision.Refused(
          Decision.Refusal.INVALID,
          "the command could not be decided: " + e.getMessage(),
          List.of());
    }
  }

  /** An unreadable command: answered on the results topic (when it has an id) and skipped. */
  private void skipUnreadable(
      KafkaProducer<String, byte[]> producer,
      WriteRequest req,
      Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.put(req.source().partition(), new OffsetAndMetadata(req.source().offset() + 1));
    String commandId = req.meta().causationId();
    if (commandId != null) {
      try {
        byte[] body =
            EventCodec.mapper()
                .writeValueAsBytes(CommandResults.malformed(commandId, req.meta().correlationId()));
        producer.send(new ProducerRecord<>(settings.resultsTopic(), commandId, body));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static List<EventEnvelope> envelopes(
      WriteRequest req, ReleaseState before, List<ReleaseEvent> events, String traceparent) {
    List<EventEnvelope> out = new ArrayList<>(events.size());
    // microseconds: what Postgres keeps, so every copy of the event (log, read model, rebuild)
    // agrees
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    long seq = before.version();
    for (ReleaseEvent event : events) {
      out.add(
          new EventEnvelope(
              UUID.randomUUID().toString(),
              req.command().releaseId(),
              ++seq,
              now,
              req.command().actor(),
              req.meta().correlationId(),
              req.meta().causationId(),
              traceparent,
              event));
    }
    return out;
  }

  private ProducerRecord<String, byte[]> eventRecord(EventEnvelope e, byte[] stored) {
    RecordHeaders headers = new RecordHeaders();
    // CloudEvents Kafka protocol binding, structured content mode
    headers.add(
        "content-type",
        "application/cloudevents+json; charset=UTF-8".getBytes(StandardCharsets.UTF_8));
    TraceHeaders.inject(e.traceparent(), headers);
    return new ProducerRecord<>(settings.eventsTopic(), partition, e.releaseId(), stored, headers);
  }

  private ProducerRecord<String, byte[]> resultRecord(WriteRequest req, WriteResult result) {
    ObjectNode n = CommandResults.toJson(req.meta().causationId(), result);
    try {
      return new ProducerRecord<>(
          settings.resultsTopic(),
          req.meta().causationId(),
          EventCodec.mapper().writeValueAsBytes(n));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void failPending(String why) {
    List<WriteRequest> left = new ArrayList<>();
    queue.drainTo(left);
    for (WriteRequest r : left) {
      r.reply().completeExceptionally(new NotOwnerException(partition, why));
    }
  }
}
