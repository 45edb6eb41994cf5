package dev.rmm.api.writer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.policy.PolicyRegistry;
import dev.rmm.api.rollback.RollbackTargetLookup;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.PolicyInForce;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.kafka.AlertPublisher;
import dev.rmm.contracts.kafka.CommandChannel;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.ops.Alert;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The single writer of the release log. This instance joins a consumer group over the events and
 * commands topics; the partitions the group assigns to it are the ones it may write. For each it
 * runs a {@link PartitionWriter}. Commands arriving on the commands topic are handed to the writer
 * of the same partition; HTTP requests are handed over with {@link #submit}.
 */
@ApplicationScoped
public class ReleaseWriter {

  private static final Logger LOG = Logger.getLogger(ReleaseWriter.class);
  private static final int PAUSE_BACKLOG = 5_000;
  private static final int RESUME_BACKLOG = 500;
  private static final int FORWARD_QUEUE = 1_024;

  private final RmmApiConfig config;
  private final TopicSetup topics;
  private final WriterSettings settings;
  private final WriterMetrics metrics;
  private final Tracer tracer;
  private final AlertPublisher alerts;
  private final RollbackTargetLookup rollbackTargets;

  /** The policy in force for decisions (the policy log), or null: each release's own policy. */
  private final PolicyRegistry policies;

  private final Map<Integer, PartitionWriter> writers = new ConcurrentHashMap<>();

  /** The offsets last committed per commands partition (member thread only). */
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  private volatile boolean running;
  private volatile boolean joined;
  private Thread memberThread;
  private KafkaConsumer<String, byte[]> member;
  private CommandChannel forwarder;
  private SharedProducer producers;
  private WriterSnapshots snapshots;

  /** Sends forwarded requests to the commands topic; bounded, so a Kafka outage answers 503. */
  private final ThreadPoolExecutor forwarding =
      new ThreadPoolExecutor(
          2,
          2,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(FORWARD_QUEUE),
          r -> {
            Thread t = new Thread(r, "rmm-writer-forward");
            t.setDaemon(true);
            return t;
          });

  /** An instance that decides by the policy each release was created under (no policy log). */
  ReleaseWriter(
      RmmApiConfig config,
      TopicSetup topics,
      String bootstrap,
      MeterRegistry registry,
      Tracer tracer,
      RollbackTargetLookup rollbackTargets) {
    this(config, topics, bootstrap, registry, tracer, rollbackTargets, null);
  }

  @Inject
  ReleaseWriter(
      RmmApiConfig config,
      TopicSetup topics,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      MeterRegistry registry,
      Tracer tracer,
      RollbackTargetLookup rollbackTargets,
      PolicyRegistry policies) {
    this.policies = policies;
    this.config = config;
    this.rollbackTargets = rollbackTargets;
    this.tracer = tracer;
    this.alerts = new AlertPublisher(bootstrap, config.topics().alerts());
    this.metrics = new WriterMetrics(registry);
    this.topics = topics;
    this.settings = WriterSettings.of(config, bootstrap);
  }

  void onStart(@Observes StartupEvent ev) {
    topics.ensureTopics();
    if (policies != null) {
      // the policy in force is known (and the file's recorded) before anything is decided
      policies.start();
    }
    forwarder =
        new CommandChannel(
            settings.bootstrapServers(), settings.commandsTopic(), settings.resultsTopic());
    try {
      if (!forwarder.awaitReady(config.topics().startupWait())) {
        throw new IllegalStateException(
            "cannot read " + settings.resultsTopic() + " at " + settings.bootstrapServers());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    }
    producers = new SharedProducer(settings.producerProperties());
    if (settings.snapshots() != null) {
      snapshots =
          new WriterSnapshots(
              settings.snapshots().topic(),
              settings.producerProperties(),
              settings.readerProperties());
    }
    running = true;
    memberThread = new Thread(this::memberLoop, "rmm-writer-member");
    memberThread.setDaemon(true);
    memberThread.start();
  }

  void onStop(@Observes ShutdownEvent ev) {
    running = false;
    if (member != null) {
      member.wakeup();
    }
    if (memberThread != null) {
      try {
        memberThread.join(20_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    forwarding.shutdown();
    if (forwarder != null) {
      forwarder.close();
    }
    if (producers != null) {
      producers.close();
    }
    if (snapshots != null) {
      snapshots.close();
    }
    alerts.close();
  }

  /**
   * The time of the writer's decisions (a test moves it forward past a time limit); null when this
   * writer was made outside CDI, and then the system's clock.
   */
  @Inject DecisionClock decisionClock;

  private java.util.function.Supplier<java.time.Instant> decisionTime() {
    DecisionClock clock = decisionClock;
    return clock == null ? java.time.Instant::now : clock::now;
  }

  /** The policy in force for a service's releases, or null for none (see {@link #policies}). */
  private java.util.function.Function<String, PolicyInForce> policyInForce() {
    return policies == null ? null : policies::inForce;
  }

  /**
   * Decides a command on the writer that owns its release and completes, once the resulting events
   * are known valid in the log, with the answer in the results-topic format ({@link
   * CommandResults}). When another instance owns the release, the command is forwarded to it over
   * Kafka. Fails with {@link NotOwnerException} while this instance has not joined the group yet.
   *
   * @param repositoryScope when set, the command may only act on releases of this repository
   */
  public CompletableFuture<JsonNode> submit(
      ReleaseCommand command, RequestMeta meta, String repositoryScope) {
    return submit(command, meta, repositoryScope, null);
  }

  /**
   * Like {@link #submit(ReleaseCommand, RequestMeta, String)} for a pipeline's request.
   *
   * @param workflowScope with a {@code repositoryScope}: the {@code job_workflow_ref} the pipeline
   *     proved with its OIDC token, or null for a repository token (see {@link Guards#pipeline})
   */
  public CompletableFuture<JsonNode> submit(
      ReleaseCommand command, RequestMeta meta, String repositoryScope, String workflowScope) {
    int p = Partitioning.partitionOf(command.releaseId(), config.topics().partitions());
    Duration timeout = config.writer().requestTimeout();
    Instant deadline = Instant.now().plus(timeout);
    PartitionWriter w = writers.get(p);
    CompletableFuture<JsonNode> answer;
    if (w != null) {
      CompletableFuture<WriteResult> reply = new CompletableFuture<>();
      WriteRequest request =
          new WriteRequest(
              command,
              meta,
              reply,
              Guards.pipeline(repositoryScope, workflowScope, policies),
              null,
              deadline);
      if (command instanceof ReleaseCommand.RequestRollback) {
        // looked up here, at the door; a forwarded request is looked up by the owner on arrival
        answer =
            rollbackTargets
                .of(command.releaseId())
                .thenCompose(
                    t -> {
                      w.submit(request.withRollbackTargets(t));
                      return reply;
                    })
                .thenApply(r -> CommandResults.toJson(meta.causationId(), r));
      } else {
        w.submit(request);
        answer = reply.thenApply(r -> CommandResults.toJson(meta.causationId(), r));
      }
    } else if (joined && forwarder != null) {
      answer = forward(command, meta, repositoryScope, workflowScope, deadline);
    } else {
      answer = new CompletableFuture<>();
      answer.completeExceptionally(new NotOwnerException(p, "this instance has not joined yet"));
      return answer;
    }
    return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Hands a request to the owning instance over the commands topic. The send runs on {@link
   * #forwarding}, never on the caller's thread: it is an HTTP event loop, and a Kafka send blocks
   * while the broker has no metadata (up to max.block.ms).
   */
  private CompletableFuture<JsonNode> forward(
      ReleaseCommand command,
      RequestMeta meta,
      String repositoryScope,
      String workflowScope,
      Instant deadline) {
    try {
      return CompletableFuture.supplyAsync(
              () ->
                  forwarder.send(
                      meta.causationId(),
                      command,
                      meta.correlationId(),
                      meta.traceparent(),
                      repositoryScope,
                      deadline,
                      workflowScope),
              forwarding)
          .thenCompose(f -> f);
    } catch (RejectedExecutionException e) {
      metrics.refusedOverloaded();
      return CompletableFuture.failedFuture(
          new OverloadedException("forwarding to the owning instance", FORWARD_QUEUE));
    }
  }

  /** Ready when the group has given this instance its partitions and each has been loaded. */
  public boolean isReady() {
    return joined
        && writers.values().stream().allMatch(w -> w.phase() == PartitionWriter.Phase.READY);
  }

  /** Partitions this instance writes, with their phase: for the health check. */
  public Map<Integer, String> ownedPartitions() {
    Map<Integer, String> m = new java.util.TreeMap<>();
    writers.forEach((p, w) -> m.put(p, w.phase().name().toLowerCase(java.util.Locale.ROOT)));
    return m;
  }

  private void memberLoop() {
    try (KafkaConsumer<String, byte[]> consumer =
        KafkaClients.consumer(settings.memberProperties())) {
      member = consumer;
      consumer.subscribe(topics(), new Ownership(consumer));
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            handOver(consumer, r);
          }
          restartFailedWriters(consumer);
          applyBackpressure(consumer);
          commitSettled(consumer, false);
        } catch (WakeupException e) {
          // shutting down
        }
      }
      writers.values().forEach(PartitionWriter::close);
      try {
        commitSettled(consumer, true);
      } catch (RuntimeException e) {
        LOG.warnf("Could not commit the settled commands on shutdown: %s", e.getMessage());
      }
      writers.clear();
    } catch (RuntimeException e) {
      LOG.errorf(e, "The writer's group membership failed: %s", e.getMessage());
      alerts.publish(Alert.consumerError("release-api", config.writer().group(), e, null));
      writers.values().forEach(PartitionWriter::close);
      writers.clear();
    }
  }

  private void handOver(KafkaConsumer<String, byte[]> consumer, ConsumerRecord<String, byte[]> r) {
    PartitionWriter w = writers.get(r.partition());
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    if (w == null) {
      // cannot happen with RangeAssignor over co-partitioned topics; never skip a command
      LOG.errorf("Command at %s offset %d has no local writer; pausing %s", tp, r.offset(), tp);
      consumer.seek(tp, r.offset());
      consumer.pause(List.of(tp));
      return;
    }
    WriteRequest.KafkaSource source = new WriteRequest.KafkaSource(tp, r.offset());
    w.commandOffsets().handed(source);
    WriteRequest request;
    boolean rollback = false;
    try {
      CommandCodec.Envelope c = CommandCodec.decode(r.value());
      // what the command may do follows from who could write its topic, not from its own fields
      Decision.Refused foreign = settings.commandTopics().senderOf(r.topic()).refuses(c.command());
      if (foreign != null) {
        LOG.warnf(
            "Command %s (%s as %s) at %s offset %d is refused: %s",
            c.commandId(),
            c.command().getClass().getSimpleName(),
            c.command().actor().kind(),
            tp,
            r.offset(),
            foreign.detail());
      }
      request =
          new WriteRequest(
              c.command(),
              new RequestMeta(c.commandId(), c.correlationId(), c.traceparent()),
              new CompletableFuture<>(),
              foreign != null
                  ? state -> foreign
                  : Guards.pipeline(c.repositoryScope(), c.workflowScope(), policies),
              source,
              c.deadline());
      rollback = foreign == null && c.command() instanceof ReleaseCommand.RequestRollback;
    } catch (CommandCodec.MalformedCommandException e) {
      LOG.warnf(
          "Unreadable command at %s offset %d (command id %s): %s; answered and skipped",
          tp, r.offset(), e.commandId(), e.getMessage());
      request = WriteRequest.unreadable(e.commandId(), e.getMessage(), source);
    }
    if (rollback) {
      submitWithRollbackTargets(w, request);
    } else {
      w.submit(request);
    }
  }

  /**
   * A rollback command read from Kafka goes to its writer once its targets are looked up (without
   * blocking this loop), or is answered "unavailable" when they cannot be. Its offset stays
   * uncommitted until then ({@link CommandOffsets}). It may be decided after commands read later,
   * which is harmless: rollbacks act only on deployed releases, which no other command moves.
   */
  private void submitWithRollbackTargets(PartitionWriter w, WriteRequest request) {
    rollbackTargets
        .of(request.command().releaseId())
        .whenComplete(
            (targets, failure) ->
                w.submit(
                    failure == null
                        ? request.withRollbackTargets(targets)
                        : request.undecidable(
                            (failure.getCause() != null ? failure.getCause() : failure)
                                .getMessage())));
  }

  /**
   * A writer that failed (Kafka error, fenced) is replaced by a fresh one that reloads the
   * partition; the commands it had taken are read again from the last committed offset.
   */
  private void restartFailedWriters(KafkaConsumer<String, byte[]> consumer) {
    for (PartitionWriter w : List.copyOf(writers.values())) {
      if (w.phase() != PartitionWriter.Phase.FAILED) {
        continue;
      }
      int p = w.partition();
      w.close();
      for (TopicPartition commands : commandPartitions(p)) {
        if (!consumer.assignment().contains(commands)) {
          continue;
        }
        // the commands it had not settled are read again; those already in the log are answered
        // from it without new events (AppliedCommands)
        long settled = w.commandOffsets().committable(commands.topic());
        OffsetAndMetadata committed = consumer.committed(Set.of(commands)).get(commands);
        if (settled >= 0) {
          consumer.seek(commands, settled);
        } else if (committed != null) {
          consumer.seek(commands, committed.offset());
        } else {
          consumer.seekToBeginning(List.of(commands));
        }
      }
      LOG.warnf("Restarting the writer for partition %d", p);
      if (w.failure() != null) {
        alerts.publish(
            Alert.consumerError("release-api", "writer of partition " + p, w.failure(), null));
      }
      PartitionWriter fresh =
          new PartitionWriter(
                  p,
                  settings,
                  metrics,
                  tracer,
                  producers,
                  new CommandOffsets(),
                  snapshots,
                  policyInForce())
              .decidingBy(decisionTime());
      writers.put(p, fresh);
      fresh.start();
    }
  }

  private void applyBackpressure(KafkaConsumer<String, byte[]> consumer) {
    Set<TopicPartition> paused = consumer.paused();
    for (PartitionWriter w : writers.values()) {
      for (TopicPartition tp : commandPartitions(w.partition())) {
        if (!consumer.assignment().contains(tp)) {
          continue;
        }
        if (w.backlog() > PAUSE_BACKLOG && !paused.contains(tp)) {
          consumer.pause(List.of(tp));
        } else if (w.backlog() < RESUME_BACKLOG
            && paused.contains(tp)
            && w.phase() == PartitionWriter.Phase.READY) {
          consumer.resume(List.of(tp));
        }
      }
    }
  }

  /**
   * Commits, for each partition writer, the commands it has settled (their events are valid in the
   * log, or they needed none). Asynchronous while running; a lost commit only means a command is
   * read again and answered from the log.
   */
  private void commitSettled(KafkaConsumer<String, byte[]> consumer, boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionWriter w : writers.values()) {
      for (TopicPartition tp : commandPartitions(w.partition())) {
        long next = w.commandOffsets().committable(tp.topic());
        Long done = committed.get(tp);
        if (next >= 0 && (done == null || done != next) && consumer.assignment().contains(tp)) {
          offsets.put(tp, new OffsetAndMetadata(next));
        }
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
    if (sync) {
      consumer.commitSync(offsets, Duration.ofSeconds(5));
    } else {
      consumer.commitAsync(
          offsets,
          (o, e) -> {
            if (e != null) {
              o.keySet().forEach(committed::remove);
              LOG.debugf("Committing settled commands failed (%s); retried", e.getMessage());
            }
          });
    }
  }

  /**
   * The events topic and every commands topic: RangeAssignor gives partition p of each to one
   * member.
   */
  private List<String> topics() {
    List<String> all = new ArrayList<>();
    all.add(settings.eventsTopic());
    all.addAll(settings.commandTopics().all());
    return all;
  }

  /** Partition {@code p} of each commands topic. */
  private List<TopicPartition> commandPartitions(int p) {
    return settings.commandTopics().all().stream().map(t -> new TopicPartition(t, p)).toList();
  }

  /** Starts and stops partition writers as the group moves partitions between instances. */
  private final class Ownership implements ConsumerRebalanceListener {
    private final KafkaConsumer<String, byte[]> consumer;

    Ownership(KafkaConsumer<String, byte[]> consumer) {
      this.consumer = consumer;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      Set<TopicPartition> events = new HashSet<>();
      for (TopicPartition tp : partitions) {
        if (tp.topic().equals(settings.eventsTopic())) {
          events.add(tp);
          PartitionWriter w =
              new PartitionWriter(
                      tp.partition(),
                      settings,
                      metrics,
                      tracer,
                      producers,
                      new CommandOffsets(),
                      snapshots,
                      policyInForce())
                  .decidingBy(decisionTime());
          PartitionWriter old = writers.put(tp.partition(), w);
          if (old != null) {
            old.close();
          }
          w.start();
        }
      }
      // the member only holds the events partitions; their writers read them
      consumer.pause(events);
      joined = true;
      LOG.infof("This instance now writes partitions %s", ownedPartitions().keySet());
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> settled = new HashMap<>();
      for (TopicPartition tp : partitions) {
        if (tp.topic().equals(settings.eventsTopic())) {
          PartitionWriter w = writers.remove(tp.partition());
          commandPartitions(tp.partition()).forEach(committed::remove);
          if (w != null) {
            w.close(); // settles the commands whose events are in flight
            for (TopicPartition commands : commandPartitions(tp.partition())) {
              long next = w.commandOffsets().committable(commands.topic());
              if (next >= 0) {
                settled.put(commands, new OffsetAndMetadata(next));
              }
            }
          }
        }
      }
      if (!settled.isEmpty()) {
        try {
          consumer.commitSync(settled, Duration.ofSeconds(5));
        } catch (RuntimeException e) {
          LOG.warnf(
              "Could not commit the settled commands of %s on hand-over (%s); the next owner reads"
                  + " them again and answers them from the log",
              settled.keySet(), e.getMessage());
        }
      }
    }
  }
}
