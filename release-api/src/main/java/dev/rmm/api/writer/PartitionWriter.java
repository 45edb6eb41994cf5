package dev.rmm.api.writer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.PolicyInForce;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.audit.Checkpoint;
import dev.rmm.contracts.audit.PartitionDigest;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.RecordTracing;
import dev.rmm.contracts.kafka.TraceHeaders;
import dev.rmm.contracts.log.ChainRule;
import dev.rmm.contracts.log.Link;
import dev.rmm.contracts.tracing.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * The writer of one partition of the release log, without a Kafka transaction: <b>the log is the
 * lock</b> ({@link ChainRule}). It keeps the state of every release on its partition in memory,
 * folded from the log through the chain rule, and decides requests one after another on the state
 * that already includes its own events still in flight (pipelining). Events go out through the
 * instance's one idempotent producer ({@link SharedProducer}).
 *
 * <p>A request is answered only once its events are known to be valid in the log. The broker's
 * offsets show this cheaply: when a record lands at the offset right after the last one this writer
 * folded, nothing else was appended in between and the event is the next link. When there is a gap,
 * another writer appended (a stale owner that has not noticed it lost the partition); the gap is
 * read and folded with the rule first. A request whose events turned out void is decided again on
 * the true state; no caller ever gets an answer for a void event. A producer error makes the writer
 * re-read its partition from the last offset it folded before it decides anything else.
 *
 * <p>Commands read from the commands topic are handled at least once: a command whose id already
 * has events in the log gets the same answer again without new events ({@link AppliedCommands}),
 * and its offset becomes committable only after its events are valid ({@link CommandOffsets}).
 */
final class PartitionWriter implements Runnable {

  private static final Logger LOG = Logger.getLogger(PartitionWriter.class);
  private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long READ_NANOS = TimeUnit.SECONDS.toNanos(30);

  enum Phase {
    LOADING,
    READY,
    FAILED,
    CLOSED
  }

  private final int partition;
  private final TopicPartition events;
  private final WriterSettings settings;
  private final WriterMetrics metrics;
  private final Tracer tracer;
  private final CommandOffsets commandOffsets;
  private final SharedProducer producers;

  /** Requests from callers and acknowledgements from the producer, in arrival order. */
  private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

  private final AtomicInteger backlog = new AtomicInteger();

  /** The running digest of this partition's valid events below {@link #nextOffset}. */
  private PartitionDigest digest = new PartitionDigest();

  private long nextCheckpointAt = System.nanoTime();
  private long checkpointedEvents = -1;

  /**
   * The valid log of this partition, folded up to (not including) {@link #nextOffset}: the releases
   * in work in the heap, the others in a local file that is also the partition's snapshot.
   */
  private PartitionBook log;

  private long nextOffset;
  private AppliedCommands applied = new AppliedCommands(20_000);

  /** Where snapshots of the books above go and come from; null: none (always fold from 0). */
  private final WriterSnapshots snapshots;

  /** The offset the newest snapshot covers (written, being written, or loaded from). */
  private long snapshotOffset;

  private long nextSnapshotAt = System.nanoTime();

  /** The offset of the snapshot the last load started from; -1: it folded from the start. */
  private volatile long loadedFromSnapshot = -1;

  /** How many times the writer waited for a merge because too many releases were waiting. */
  private volatile long mergeWaits;

  /**
   * Merges a new file of the book's releases (and sends it as a snapshot) off the writer's thread.
   */
  private ExecutorService compactor;

  private Future<ColdReleases> compacting;
  private PartitionBook.Compaction compactingWhat;

  /** State and head of each release that has events in flight, as if they were all valid. */
  private final Map<String, Speculation> speculative = new HashMap<>();

  /** Requests whose events are sent, in send order (records of one partition land in order). */
  private final ArrayDeque<Pending> inflight = new ArrayDeque<>();

  /** Event id of every attempt of every unanswered request, to recognise them in the log. */
  private final Map<String, Pending> byEventId = new HashMap<>();

  /** Requests to decide again, on the true state, before any new one. */
  private final ArrayDeque<Pending> redo = new ArrayDeque<>();

  /** Releases whose speculation turned out wrong: new requests wait until none is in flight. */
  private final Set<String> poisoned = new HashSet<>();

  /** Requests of poisoned releases, waiting for the release's events in flight to settle. */
  private final Map<String, List<Pending>> parked = new HashMap<>();

  /** Requests that arrived while the writer recovered from a producer error. */
  private final List<WriteRequest> arrivedDuringRecovery = new ArrayList<>();

  private final Thread thread;
  private volatile Phase phase = Phase.LOADING;
  private volatile Throwable failure;
  private final Function<String, PolicyInForce> policies;

  /** The time of each decision; see {@link DecisionClock}. */
  private java.util.function.Supplier<Instant> decisionTime = Instant::now;

  private volatile boolean running = true;
  private KafkaProducer<String, byte[]> producer;
  private KafkaConsumer<String, byte[]> reader;
  private boolean producerFailed;

  PartitionWriter(
      int partition,
      WriterSettings settings,
      WriterMetrics metrics,
      Tracer tracer,
      SharedProducer producers,
      CommandOffsets commandOffsets) {
    this(partition, settings, metrics, tracer, producers, commandOffsets, null);
  }

  PartitionWriter(
      int partition,
      WriterSettings settings,
      WriterMetrics metrics,
      Tracer tracer,
      SharedProducer producers,
      CommandOffsets commandOffsets,
      WriterSnapshots snapshots) {
    this(partition, settings, metrics, tracer, producers, commandOffsets, snapshots, null);
  }

  /**
   * @param policies the policy in force for a service's releases (release-api's policy log), which
   *     decides users' actions and is named in their events; null: each release's own policy
   */
  PartitionWriter(
      int partition,
      WriterSettings settings,
      WriterMetrics metrics,
      Tracer tracer,
      SharedProducer producers,
      CommandOffsets commandOffsets,
      WriterSnapshots snapshots,
      Function<String, PolicyInForce> policies) {
    this.policies = policies;
    this.snapshots = snapshots;
    this.partition = partition;
    this.events = new TopicPartition(settings.eventsTopic(), partition);
    this.settings = settings;
    this.metrics = metrics;
    this.tracer = tracer;
    this.producers = producers;
    this.commandOffsets = commandOffsets;
    this.thread = new Thread(this, "rmm-writer-" + partition);
    this.thread.setDaemon(true);
  }

  /**
   * Decides at the times {@code clock} gives (before {@link #start()}); by default the system's.
   */
  PartitionWriter decidingBy(java.util.function.Supplier<Instant> clock) {
    this.decisionTime = clock;
    return this;
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
    return backlog.get();
  }

  CommandOffsets commandOffsets() {
    return commandOffsets;
  }

  /** The offset of the snapshot its load started from, or -1 when it folded from the start. */
  long loadedFromSnapshot() {
    return loadedFromSnapshot;
  }

  /** How many times it waited for a merge with twice the bound of releases outside the file. */
  long mergeWaits() {
    return mergeWaits;
  }

  /**
   * Queues a request. An HTTP request (no Kafka source) finding {@link WriterSettings#maxWaiting()}
   * requests ahead of it is refused at once ({@link OverloadedException}, 503); a command read from
   * Kafka is always taken, the group member pausing its partition when the backlog grows.
   */
  void submit(WriteRequest request) {
    if (phase == Phase.FAILED || phase == Phase.CLOSED || !running) {
      request.reply().completeExceptionally(new NotOwnerException(partition, "writer " + phase));
      return;
    }
    if (request.source() == null && backlog.get() >= settings.maxWaiting()) {
      metrics.refusedOverloaded();
      request
          .reply()
          .completeExceptionally(
              new OverloadedException("the writer of partition " + partition, backlog.get()));
      return;
    }
    backlog.incrementAndGet();
    inbox.add(request);
  }

  /**
   * Stops taking requests, waits (up to 10 s) for the answers of those whose events are in flight,
   * and answers the others with 503.
   */
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
    if (!thread.isAlive()) {
      failUndecided("partition handed over"); // a request that came in after its last look
    }
  }

  @Override
  public void run() {
    try {
      reader = KafkaClients.consumer(settings.readerProperties());
      reader.assign(List.of(events));
      load();
      // a long load is worth keeping even when the partition moves on at once
      maintainBook();
      producer = producers.get();
      phase = Phase.READY;
      LOG.infof("Writer for partition %d is ready: %d releases loaded", partition, log.size());
      loop();
    } catch (HandedOverWhileLoading e) {
      LOG.infof("Writer for partition %d stopped loading: %s", partition, e.getMessage());
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
      failAll("writer for partition " + partition + " stopped");
      if (reader != null) {
        reader.close();
      }
      closeBook();
    }
  }

  private void loop() throws InterruptedException {
    long drainUntil = Long.MAX_VALUE;
    List<WriteRequest> fresh = new ArrayList<>();
    while (running || (!inflight.isEmpty() && System.nanoTime() < drainUntil)) {
      Object first = inbox.poll(50, TimeUnit.MILLISECONDS);
      fresh.clear();
      if (first != null) {
        take(first, fresh);
        Object next;
        while (fresh.size() < settings.maxBatch() && (next = inbox.poll()) != null) {
          take(next, fresh);
        }
      }
      confirm();
      if (producerFailed) {
        recover();
      }
      checkpointIfDue();
      maintainBook();
      if (!running) {
        // handing the partition over: settle what is in flight, decide nothing new
        if (drainUntil == Long.MAX_VALUE) {
          drainUntil = System.nanoTime() + DRAIN_NANOS;
        }
        fresh.forEach(r -> r.reply().completeExceptionally(notOwner("partition handed over")));
        failUndecided("partition handed over");
        continue;
      }
      int decided = redo.size() + fresh.size();
      while (!redo.isEmpty()) {
        decideAndSend(redo.poll());
      }
      for (WriteRequest r : fresh) {
        decideAndSend(new Pending(r));
      }
      if (decided > 0) {
        metrics.decided(decided);
      }
    }
  }

  private void take(Object item, List<WriteRequest> fresh) {
    if (item instanceof Ack a) {
      a.pending.acked(a.index, a.metadata, a.error);
    } else if (item instanceof Inspection i) {
      i.run(log);
    } else {
      backlog.decrementAndGet();
      WriteRequest r = (WriteRequest) item;
      if (r.expiredAt(Instant.now())) {
        expire(r);
      } else if (r.undecidable() != null) {
        answerUndecidable(r);
      } else {
        fresh.add(r);
      }
    }
  }

  /**
   * Drops a request its requester no longer waits for, undecided: an HTTP client was answered 503
   * already; a command's sender is answered "expired" on the results topic and its offset settles.
   */
  private void expire(WriteRequest r) {
    metrics.expired();
    String id = r.meta().causationId();
    LOG.debugf(
        "Request %s passed its deadline %s before partition %d reached it",
        id, r.deadline(), partition);
    if (r.source() != null) {
      try {
        byte[] body =
            EventCodec.mapper()
                .writeValueAsBytes(
                    CommandResults.expired(
                        id, r.command() == null ? null : r.command().releaseId()));
        sendResult(new ProducerRecord<>(settings.resultsTopic(), id, body));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      commandOffsets.done(r.source());
    }
    r.reply().completeExceptionally(new ExpiredException(id));
  }

  /** Answers a request that cannot be decided now: "unavailable", nothing appended. */
  private void answerUndecidable(WriteRequest r) {
    String id = r.meta().causationId();
    LOG.warnf(
        "Request %s for release %s is not decided: %s. Nothing is appended; the sender may retry.",
        id, r.command().releaseId(), r.undecidable());
    if (r.source() != null) {
      try {
        byte[] body =
            EventCodec.mapper()
                .writeValueAsBytes(
                    CommandResults.unavailable(id, r.command().releaseId(), r.undecidable()));
        sendResult(new ProducerRecord<>(settings.resultsTopic(), id, body));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      commandOffsets.done(r.source());
    }
    r.reply().completeExceptionally(new WriteUnavailableException(r.undecidable()));
  }

  /**
   * Signs and sends a checkpoint of this partition when one is due ({@link
   * WriterSettings.CheckpointSigner#every()}) and the partition moved since the last one: the
   * digest of every valid event below {@link #nextOffset}. Best effort: a lost checkpoint only
   * leaves a longer stretch of the log to the next one.
   */
  private void checkpointIfDue() {
    WriterSettings.CheckpointSigner signer = settings.signer();
    long now = System.nanoTime();
    if (signer == null || now - nextCheckpointAt < 0 || digest.events() == checkpointedEvents) {
      return;
    }
    nextCheckpointAt = now + signer.every().toNanos();
    checkpointedEvents = digest.events();
    Checkpoint c =
        Checkpoint.sign(
            settings.eventsTopic(),
            partition,
            nextOffset,
            digest,
            Instant.now(),
            signer.key(),
            signer.keyId());
    try {
      producer.send(
          new ProducerRecord<>(signer.topic(), Integer.toString(partition), c.encode()),
          (md, e) -> {
            if (e != null) {
              LOG.warnf(
                  "The checkpoint of %s at offset %d was not sent: %s", events, c.offset(), e);
            }
          });
    } catch (RuntimeException e) {
      LOG.warnf("The checkpoint of %s at offset %d was not sent: %s", events, c.offset(), e);
    }
  }

  /**
   * Rebuilds the state of every release on this partition: from the newest snapshot when there is a
   * usable one (its release file becomes the book's file as it is downloaded, no object is built
   * per release), then the log after it; else the whole log from its start.
   */
  private void load() {
    long begin = System.nanoTime();
    long end = reader.endOffsets(List.of(events)).get(events);
    nextOffset = 0;
    int restored = 0;
    Path dir = PartitionBook.newDirectory(partition);
    ColdReleases base = null;
    if (snapshots != null) {
      var snapshot = snapshots.latest(partition, dir);
      if (snapshot.isPresent() && snapshot.get().header().offset() > end) {
        snapshot.get().releases().delete(); // a snapshot ahead of the log it read: not this log's
      } else if (snapshot.isPresent()) {
        WriterSnapshots.Restored s = snapshot.get();
        base = s.releases();
        digest = new PartitionDigest(s.header().digest(), s.header().digestEvents());
        applied = applied.restored(s.applied());
        nextOffset = s.header().offset();
        snapshotOffset = nextOffset;
        loadedFromSnapshot = nextOffset;
        restored = s.count();
      }
    }
    log = new PartitionBook(dir, settings.memory(), base);
    long from = nextOffset;
    long restoredAt = System.nanoTime();
    foldUpTo(end);
    LOG.infof(
        "Partition %d loaded in %d ms: %d releases from a snapshot at offset %d (%d ms), then %d"
            + " records of the log; %d releases in the heap",
        partition,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
        restored,
        from,
        TimeUnit.NANOSECONDS.toMillis(restoredAt - begin),
        end - from,
        log.inHeap());
  }

  /**
   * Keeps the book's heap bounded: finished releases (and the least recently used beyond the bound)
   * leave the heap; when enough left it, or a snapshot is due ({@link
   * WriterSettings.SnapshotPolicy}), a new release file is merged in the background and, when a
   * snapshot is due, sent to the snapshots topic. A merged file is swapped in at the next call.
   */
  private void maintainBook() {
    log.evict(speculative::containsKey);
    if (compacting != null) {
      if (!compacting.isDone() && !log.overlayOverrun()) {
        return;
      }
      if (!compacting.isDone()) {
        mergeWaits++;
        LOG.debugf(
            "Partition %d: %d releases wait outside the release file; waiting for the merge under"
                + " way before folding on",
            partition, log.inOverlay());
      }
      try { // waits for the merge when the overlay is overrun (back-pressure), else done already
        log.install(compactingWhat, compacting.get());
      } catch (ExecutionException e) {
        LOG.warnf(
            "Partition %d: the release file was not merged (%s); the releases stay in the heap"
                + " until the next attempt",
            partition, e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      compacting = null;
      compactingWhat = null;
    }
    WriterSettings.SnapshotPolicy policy = settings.snapshots();
    long now = System.nanoTime();
    boolean snapshotDue =
        snapshots != null
            && policy != null
            && nextOffset - snapshotOffset >= policy.everyRecords()
            && now - nextSnapshotAt >= 0;
    if (!snapshotDue && !log.overlayFull()) {
      return;
    }
    if (snapshotDue) {
      nextSnapshotAt = now + policy.minInterval().toNanos();
      snapshotOffset = nextOffset;
    }
    PartitionBook.Compaction c = log.compaction();
    WriterSnapshots.Header header =
        WriterSnapshots.header(nextOffset, digest.value(), digest.events());
    List<AppliedCommands.Entry> commands = applied.entries();
    if (compactor == null) {
      compactor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "rmm-writer-book-" + partition);
                t.setDaemon(true);
                return t;
              });
    }
    compactingWhat = c;
    compacting =
        compactor.submit(
            () -> {
              ColdReleases merged = c.merge(WriterSnapshots.meta(header, commands));
              if (snapshotDue) {
                try {
                  snapshots.write(partition, merged);
                } catch (Exception e) {
                  LOG.warnf(
                      "The snapshot of partition %d at offset %d was not written: %s. The next"
                          + " takeover folds more of the log; nothing is lost.",
                      partition, header.offset(), e.toString());
                }
              }
              return merged;
            });
  }

  /** Waits for a merge under way, then deletes the book's files (the next owner has its own). */
  private void closeBook() {
    if (compactor != null) {
      compactor.shutdown();
      try {
        if (compactor.awaitTermination(30, TimeUnit.SECONDS)
            && compacting != null
            && compacting.isDone()
            && !compacting.isCancelled()) {
          try {
            compacting.get().delete();
          } catch (ExecutionException e) {
            // it failed: nothing to delete
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (log != null) {
      log.close();
    }
  }

  /** Reads and folds the log from {@link #nextOffset} to {@code end} (exclusive). */
  private void foldUpTo(long end) {
    if (nextOffset >= end) {
      return;
    }
    reader.seek(events, nextOffset);
    long deadline = System.nanoTime() + READ_NANOS;
    while (reader.position(events) < end) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "reading " + events + " up to offset " + end + " made no progress for 30 s");
      }
      if (phase == Phase.LOADING && !running) {
        // closed before it was ready: another writer of this partition starts over anyway
        throw new HandedOverWhileLoading(nextOffset, end);
      }
      for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
        deadline = System.nanoTime() + READ_NANOS;
        if (r.offset() >= end) {
          break;
        }
        fold(r.key(), r.value(), r.offset());
      }
      if (phase == Phase.LOADING) {
        maintainBook(); // a long fold must not hold every release either
      }
    }
    nextOffset = end;
  }

  /** The writer was closed while it was still loading: the fold is abandoned, not failed. */
  private static final class HandedOverWhileLoading extends RuntimeException {
    HandedOverWhileLoading(long at, long end) {
      super(
          "the partition was handed over at offset " + at + " of " + end + ", before it was ready",
          null,
          false,
          false);
    }
  }

  /** Folds one stored record through the chain rule, keeping the writer's books. */
  private void fold(String key, byte[] stored, long offset) {
    track(log.accept(key, stored), offset);
  }

  private void track(Link link, long offset) {
    nextOffset = offset + 1;
    if (link instanceof Link.Valid v) {
      digest.add(v.head().hash());
      EventEnvelope e = v.event();
      applied.record(e);
      Pending ours = byEventId.get(e.id());
      if (ours != null) {
        ours.valid(e.id());
      } else if (speculative.containsKey(e.releaseId())) {
        // another writer extended a release we have events in flight for: they will be void
        poisoned.add(e.releaseId());
      }
    } else if (link instanceof Link.Void v) {
      LOG.debugf("Void event at %s@%d: %s", events, offset, v.why());
    } else if (link instanceof Link.Unreadable u) {
      LOG.errorf("Skipping unreadable record at %s@%d: %s", events, offset, u.why());
    }
  }

  /** Decides a request on the speculative state and sends its events; answers what it can. */
  private void decideAndSend(Pending p) {
    WriteRequest req = p.request;
    if (req.command() == null) {
      skipUnreadable(req);
      return;
    }
    String id = req.command().releaseId();
    if (poisoned.contains(id)) {
      parked.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
      return;
    }
    if (req.source() != null && p.attempts.isEmpty()) {
      AppliedCommands.Answer again = applied.answer(id, req.meta().causationId());
      if (again != null) {
        answer(p, again.decision(), current(id), again.eventTypes());
        return;
      }
    }
    Speculation spec = speculative.get(id);
    ReleaseState before = spec == null ? log.state(id) : spec.state;
    ChainRule.Head head = spec == null ? log.head(id) : spec.head;
    // microseconds: what Postgres keeps, so every copy of the event (log, read model, rebuild)
    // agrees; the decider judges approvals' expiry at the time its events will carry
    Instant now = decisionTime.get().truncatedTo(ChronoUnit.MICROS);
    Decision decision = decide(req, before, now);
    p.decision = decision;
    if (decision.events().isEmpty()) {
      if (spec == null) {
        answer(p, decision, before, List.of());
      } else {
        p.attempt(List.of(), List.of());
        p.releaseId = id;
        spec.inflight++;
        inflight.add(p); // answered in turn, once the events before it are known valid
      }
      return;
    }
    if (p.span == null) {
      p.span = appendSpan(req);
    }
    List<EventEnvelope> envelopes =
        envelopes(req, head.sequence(), decision.events(), TraceContext.of(p.span), now);
    List<byte[]> stored = new ArrayList<>(envelopes.size());
    List<String> hashes = new ArrayList<>(envelopes.size());
    List<EventEnvelope> chained = new ArrayList<>(envelopes.size());
    ChainRule.Head link = head;
    for (EventEnvelope e : envelopes) {
      EventEnvelope c = e.chainedTo(link.hash());
      byte[] bytes = EventCodec.encode(c);
      link = link.then(c, bytes);
      chained.add(c);
      stored.add(bytes);
      hashes.add(link.hash());
    }
    p.attempt(chained, hashes);
    p.releaseId = id;
    p.sentAt = System.nanoTime();
    chained.forEach(e -> byEventId.put(e.id(), p));
    if (spec == null) {
      spec = new Speculation();
      speculative.put(id, spec);
    }
    ReleaseState after = before;
    for (EventEnvelope e : chained) {
      after = ReleaseDecider.evolve(after, e); // with the events' time, as the log will fold them
    }
    spec.state = after;
    spec.head = link;
    spec.inflight++;
    inflight.add(p);
    for (int i = 0; i < chained.size(); i++) {
      int index = i;
      try {
        producer.send(
            eventRecord(chained.get(i), stored.get(i)),
            (md, ex) -> inbox.add(new Ack(p, index, md, ex)));
      } catch (RuntimeException e) {
        // the producer refused it outright (closed, record too large, serialisation)
        inbox.add(new Ack(p, index, null, e));
      }
    }
  }

  /** Settles the requests at the head of the in-flight queue whose records are all acknowledged. */
  private void confirm() {
    while (!inflight.isEmpty() && inflight.peek().complete()) {
      Pending p = inflight.peek();
      if (p.error != null) {
        producerFailed = true;
        return; // recover() settles it with the rest
      }
      inflight.poll();
      long[] offsets = p.offsets;
      for (int i = 0; i < offsets.length; i++) {
        long o = offsets[i];
        if (o > nextOffset) {
          LOG.debugf(
              "Partition %d: another writer appended at offsets %d..%d; folding them",
              partition, nextOffset, o - 1);
          foldUpTo(o);
        }
        if (o == nextOffset) {
          // hashed once, when it was encoded
          track(log.acceptHashed(p.events.get(i), p.hashes.get(i)), o);
        }
        // o < nextOffset: already folded while reading a gap
      }
      settle(p);
    }
  }

  /** Answers a request whose turn came, or sends it back to be decided again. */
  private void settle(Pending p) {
    String id = p.releaseId;
    boolean valid = p.lastAttemptValid() && !(p.events.isEmpty() && poisoned.contains(id));
    if (valid || p.anyAttemptValid()) {
      if (!p.events.isEmpty()) {
        metrics.appended(System.nanoTime() - p.sentAt);
      }
      answer(p, p.decision, log.state(id), p.eventTypes());
    } else {
      LOG.debugf(
          "Partition %d: the events of %s for release %s were void; deciding it again",
          partition, p.request.meta().causationId(), id);
      poisoned.add(id);
      redo.add(p);
    }
    Speculation spec = speculative.get(id);
    if (spec != null && --spec.inflight == 0) {
      speculative.remove(id);
      poisoned.remove(id);
      List<Pending> waiting = parked.remove(id);
      if (waiting != null) {
        redo.addAll(waiting);
      }
    }
  }

  /**
   * After a producer error: a fresh producer, and the log re-read from the last offset folded, so
   * that every request in flight is answered from what the log really holds or decided again.
   */
  private void recover() {
    LOG.warnf(
        "Partition %d: the producer failed (%s); re-reading the log from offset %d",
        partition, inflight.peek().error, nextOffset);
    producer = producers.renew(producer); // what the old one held fails; every callback comes
    long deadline = System.nanoTime() + DRAIN_NANOS;
    while (inflight.stream().anyMatch(p -> !p.complete()) && System.nanoTime() < deadline) {
      Object item;
      try {
        item = inbox.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while recovering", e);
      }
      if (item instanceof Ack a) {
        a.pending.acked(a.index, a.metadata, a.error);
      } else if (item instanceof Inspection i) {
        i.run(log);
      } else if (item != null) {
        backlog.decrementAndGet();
        arrivedDuringRecovery.add((WriteRequest) item);
      }
    }
    foldUpTo(reader.endOffsets(List.of(events)).get(events));
    producerFailed = false;
    List<Pending> left = new ArrayList<>(inflight);
    inflight.clear();
    speculative.clear();
    poisoned.clear();
    for (Pending p : left) {
      if (p.anyAttemptValid() && !p.events.isEmpty()) {
        answer(p, p.decision, log.state(p.releaseId), p.eventTypes());
      } else {
        redo.add(p);
      }
    }
    parked.values().forEach(redo::addAll);
    parked.clear();
    arrivedDuringRecovery.forEach(r -> redo.add(new Pending(r)));
    arrivedDuringRecovery.clear();
  }

  private ReleaseState current(String id) {
    Speculation spec = speculative.get(id);
    return spec == null ? log.state(id) : spec.state;
  }

  private void answer(Pending p, Decision d, ReleaseState state, List<String> types) {
    p.attempts.forEach(a -> a.forEach(e -> byEventId.remove(e.id())));
    if (p.span != null) {
      RecordTracing.end(List.of(p.span), null);
    }
    WriteRequest req = p.request;
    WriteResult result = new WriteResult(d, state, types, req.rollbackTargets());
    if (req.source() != null) {
      sendResult(resultRecord(req, result));
      commandOffsets.done(req.source());
    }
    req.reply().complete(result);
  }

  /**
   * Publishes a command's answer. Best effort: a lost answer makes the requester time out and send
   * the command again, which is then answered from the log.
   */
  private void sendResult(ProducerRecord<String, byte[]> result) {
    try {
      producer.send(
          result,
          (md, e) -> {
            if (e != null) {
              LOG.warnf("The answer to command %s was not published: %s", result.key(), e);
            }
          });
    } catch (RuntimeException e) {
      LOG.warnf("The answer to command %s was not published: %s", result.key(), e);
    }
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
  private Decision decide(WriteRequest req, ReleaseState before, Instant now) {
    Decision.Refused refusedByGuard = req.guard() == null ? null : req.guard().apply(before);
    if (refusedByGuard != null) {
      return refusedByGuard;
    }
    try {
      PolicyInForce policy =
          policies == null || !before.exists() ? null : policies.apply(before.spec().service());
      return ReleaseDecider.decide(req.command(), before, req.rollbackTargets(), policy, now);
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
  private void skipUnreadable(WriteRequest req) {
    String commandId = req.meta().causationId();
    if (commandId != null) {
      try {
        byte[] body =
            EventCodec.mapper()
                .writeValueAsBytes(CommandResults.malformed(commandId, req.meta().correlationId()));
        sendResult(new ProducerRecord<>(settings.resultsTopic(), commandId, body));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    commandOffsets.done(req.source());
    req.reply().complete(null);
  }

  private static List<EventEnvelope> envelopes(
      WriteRequest req,
      long lastSequence,
      List<ReleaseEvent> events,
      String traceparent,
      Instant now) {
    List<EventEnvelope> out = new ArrayList<>(events.size());
    long seq = lastSequence;
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

  private NotOwnerException notOwner(String why) {
    return new NotOwnerException(partition, why);
  }

  /** Answers 503 to the requests not decided yet: queued, parked, or waiting to be redone. */
  private void failUndecided(String why) {
    List<Object> left = new ArrayList<>();
    inbox.drainTo(left);
    for (Object o : left) {
      if (o instanceof WriteRequest r) {
        backlog.decrementAndGet();
        r.reply().completeExceptionally(notOwner(why));
      } else if (o instanceof Ack a && Thread.currentThread() == thread) {
        a.pending.acked(a.index, a.metadata, a.error);
      }
    }
    if (Thread.currentThread() != thread) {
      return; // the writer's own collections belong to its thread
    }
    List<Pending> pending = new ArrayList<>(redo);
    parked.values().forEach(pending::addAll);
    arrivedDuringRecovery.forEach(r -> pending.add(new Pending(r)));
    redo.clear();
    parked.clear();
    arrivedDuringRecovery.clear();
    pending.forEach(p -> fail(p, why));
  }

  /** Answers 503 to everything not answered yet, in flight included: the writer stops. */
  private void failAll(String why) {
    failUndecided(why);
    if (Thread.currentThread() == thread) {
      inflight.forEach(p -> fail(p, why));
      inflight.clear();
    }
  }

  private void fail(Pending p, String why) {
    if (p.span != null) {
      RecordTracing.end(List.of(p.span), notOwner(why));
    }
    p.request.reply().completeExceptionally(notOwner(why));
  }

  /**
   * Runs {@code query} on the writer's thread against its book, between two batches (tests and
   * diagnostics: the book is not thread-safe).
   */
  <T> CompletableFuture<T> inspect(Function<PartitionBook, T> query) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    inbox.add(
        new Inspection(
            book -> {
              try {
                answer.complete(query.apply(book));
              } catch (RuntimeException e) {
                answer.completeExceptionally(e);
              }
            }));
    return answer;
  }

  /** A look at the book, queued like a request. */
  private record Inspection(java.util.function.Consumer<PartitionBook> action) {
    void run(PartitionBook book) {
      action.accept(book);
    }
  }

  /** What this writer assumes of a release while its events are in flight. */
  private static final class Speculation {
    ReleaseState state;
    ChainRule.Head head;
    int inflight;
  }

  /** The producer's word on one record. */
  private record Ack(Pending pending, int index, RecordMetadata metadata, Exception error) {}

  /** One request on its way: its decision, and the events of each attempt at appending it. */
  private static final class Pending {
    final WriteRequest request;
    final List<List<EventEnvelope>> attempts = new ArrayList<>();
    final Set<String> validIds = new HashSet<>();
    String releaseId;
    Decision decision;
    Span span;
    long sentAt;
    List<EventEnvelope> events = List.of();
    List<String> hashes = List.of();
    long[] offsets = new long[0];
    int acks;
    Exception error;

    Pending(WriteRequest request) {
      this.request = request;
    }

    void attempt(List<EventEnvelope> events, List<String> hashes) {
      this.events = events;
      this.hashes = hashes;
      this.offsets = new long[events.size()];
      this.acks = 0;
      this.error = null;
      attempts.add(events);
    }

    void acked(int index, RecordMetadata md, Exception e) {
      acks++;
      if (e != null) {
        error = e;
      } else {
        offsets[index] = md.offset();
      }
    }

    boolean complete() {
      return acks >= events.size();
    }

    void valid(String eventId) {
      validIds.add(eventId);
    }

    boolean lastAttemptValid() {
      return events.stream().allMatch(e -> validIds.contains(e.id()));
    }

    /** Whether all events of one attempt (an earlier one may have landed late) are valid. */
    boolean anyAttemptValid() {
      return attempts.stream()
          .anyMatch(a -> !a.isEmpty() && a.stream().allMatch(e -> validIds.contains(e.id())));
    }

    /** The types of the events of the attempt that counts (or of the last one). */
    List<String> eventTypes() {
      List<EventEnvelope> counted =
          attempts.stream()
              .filter(a -> !a.isEmpty() && a.stream().allMatch(e -> validIds.contains(e.id())))
              .findFirst()
              .orElse(events);
      return counted.stream().map(EventEnvelope::type).toList();
    }
  }
}
