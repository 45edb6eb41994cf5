package dev.rmm.orchestrator.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.kafka.CommandChannel;
import dev.rmm.orchestrator.OrchestratorConfig;
import dev.rmm.orchestrator.github.GitHubClient;
import dev.rmm.orchestrator.github.GitHubTarget;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Dispatches the production workflow of every release that reached its approval quorum, exactly
 * once, and records intent and outcome in the log.
 *
 * <p>The orchestrator keeps no state of its own: the log is its memory. Its consumer group only
 * shares out the partitions; on each assignment it reads its partitions from the beginning, folds
 * every release with the domain's own {@code evolve}, and acts on what is still due:
 *
 * <ul>
 *   <li>quorum reached and no dispatch started: claim it ({@code StartDispatch} with a fresh id;
 *       release-api accepts one claim per release, so of two instances only one wins), call GitHub,
 *       record the outcome ({@code RecordDispatch});
 *   <li>a dispatch started but no outcome (the instance that claimed it stopped in between): look
 *       for the workflow run carrying its id for a while; record it if it exists, else dispatch it
 *       once more with the same id, which the workflow checks against rmm before deploying.
 * </ul>
 */
@ApplicationScoped
public class Dispatcher {

  private static final Logger LOG = Logger.getLogger(Dispatcher.class);

  /** The consumer group that shares the event log's partitions between orchestrators. */
  public static final String GROUP = "rmm-deploy-orchestrator";

  private final String bootstrap;
  private final OrchestratorConfig config;
  private final ServiceTargets targets;
  private final GitHubClient github;
  private final Actor actor;
  private final Map<String, ReleaseState> states = new ConcurrentHashMap<>();
  private final Map<String, Integer> partitionOf = new ConcurrentHashMap<>();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<String> finished = ConcurrentHashMap.newKeySet();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(r -> daemon(r, "rmm-dispatch"));
  private final ScheduledExecutorService recheck =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "rmm-dispatch-recheck"));
  private volatile boolean running;
  private volatile boolean caughtUp;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private CommandChannel commands;
  private Thread thread;

  Dispatcher(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      OrchestratorConfig config,
      ServiceTargets targets) {
    this.bootstrap = bootstrap;
    this.config = config;
    this.targets = targets;
    OrchestratorConfig.GitHub g = config.github();
    this.github =
        new GitHubClient(
            g.apiUrl(),
            g.userAgent(),
            g.requestTimeout(),
            new GitHubClient.Retries(g.maxAttempts(), g.firstBackoff(), g.maxBackoff()),
            d -> Thread.sleep(d.toMillis()));
    String instance = "deploy-orchestrator-" + UUID.randomUUID().toString().substring(0, 8);
    this.actor = new Actor(Actor.Kind.ORCHESTRATOR, instance, "deploy-orchestrator");
  }

  void onStart(@Observes StartupEvent ev) {
    if (config.github().token().filter(t -> !t.isBlank()).isEmpty()) {
      LOG.warn(
          "GITHUB_TOKEN is not set: approved releases are recorded as 'dispatch failed: no GitHub"
              + " token' unless the deploy file names a token variable for their service.");
    }
    commands = new CommandChannel(bootstrap, config.topics().commands(), config.topics().results());
    running = true;
    thread = new Thread(this::consume, "rmm-dispatch-log");
    thread.setDaemon(true);
    thread.start();
    long every = config.deploy().recheck().toMillis();
    recheck.scheduleWithFixedDelay(this::considerAll, every, every, TimeUnit.MILLISECONDS);
    LOG.infof("Dispatching approved releases as %s", actor.id());
  }

  void onStop(@Observes ShutdownEvent ev) {
    running = false;
    recheck.shutdownNow();
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    worker.shutdownNow();
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (commands != null) {
      commands.close();
    }
  }

  private void consume() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // a crashed instance's partitions move to the others after 10 s, not Kafka's default 45 s
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    while (running) {
      try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
        consumer = c;
        Map<TopicPartition, Long> ends = new HashMap<>();
        c.subscribe(
            List.of(config.topics().events()),
            new ConsumerRebalanceListener() {
              @Override
              public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                forget(parts);
              }

              @Override
              public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                // the log is the memory: read what is ours from the start
                c.seekToBeginning(parts);
                ends.clear();
                ends.putAll(c.endOffsets(c.assignment()));
                caughtUp = false;
              }
            });
        while (running) {
          Set<String> touched = new HashSet<>();
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
            apply(r, touched);
          }
          if (!caughtUp
              && ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
            caughtUp = true;
            LOG.infof("Read %d releases from the log; acting on those still due", states.size());
            considerAll();
          } else if (caughtUp) {
            touched.forEach(this::consider);
          }
        }
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        LOG.errorf(e, "Reading the release log failed; starting over in 5 s: %s", e.getMessage());
        sleep(Duration.ofSeconds(5));
      }
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r, Set<String> touched) {
    EventEnvelope e;
    try {
      e = EventCodec.decode(r.value());
    } catch (RuntimeException ex) {
      LOG.warnf(
          "Skipping an unreadable event at %d@%d: %s", r.partition(), r.offset(), ex.getMessage());
      return;
    }
    ReleaseState s = states.getOrDefault(e.releaseId(), ReleaseState.none(e.releaseId()));
    if (e.sequence() <= s.version()) {
      return;
    }
    states.put(e.releaseId(), ReleaseDecider.evolve(s, e.data()));
    partitionOf.put(e.releaseId(), r.partition());
    touched.add(e.releaseId());
  }

  private void forget(Collection<TopicPartition> parts) {
    Set<Integer> gone = new HashSet<>();
    parts.forEach(tp -> gone.add(tp.partition()));
    partitionOf
        .entrySet()
        .removeIf(
            e -> {
              if (gone.contains(e.getValue())) {
                states.remove(e.getKey());
                return true;
              }
              return false;
            });
  }

  private void considerAll() {
    if (caughtUp) {
      states.keySet().forEach(this::consider);
    }
  }

  private void consider(String releaseId) {
    ReleaseState s = states.get(releaseId);
    if (s != null && due(s) && inFlight.add(releaseId)) {
      worker.execute(
          () -> {
            try {
              act(releaseId);
            } catch (RuntimeException e) {
              LOG.errorf(e, "Dispatching release %s failed; it is tried again later", releaseId);
            } finally {
              inFlight.remove(releaseId);
            }
          });
    }
  }

  private boolean due(ReleaseState s) {
    if (!s.exists()) {
      return false;
    }
    ReleaseState.Dispatch d = s.dispatch();
    if (d == null) {
      return s.status() == ReleaseStatus.MANUAL_TEST_PASSED;
    }
    return d.outcome() == null && !finished.contains(d.id());
  }

  private void act(String releaseId) {
    ReleaseState s = states.get(releaseId);
    if (s == null || !due(s)) {
      return;
    }
    ServiceTargets.Result t = targets.target(s.spec());
    GitHubTarget target = t.target();
    ReleaseState.Dispatch d = s.dispatch();
    if (d == null) {
      String id = "d-" + UUID.randomUUID();
      Optional<JsonNode> claim =
          decide(
              new ReleaseCommand.StartDispatch(
                  releaseId, id, target.repository(), target.workflow(), target.ref(), actor));
      if (claim.isEmpty()) {
        return;
      }
      boolean won =
          "accepted".equals(claim.get().path("outcome").asText())
              && claim.get().path("events").toString().contains(ReleaseEvent.DispatchStarted.TYPE);
      if (!won) {
        LOG.infof(
            "Release %s: not dispatching, release-api said %s: %s",
            releaseId,
            claim.get().path("reason").asText("nothing to do"),
            claim.get().path("detail").asText(""));
        return;
      }
      dispatch(s, releaseId, id, t);
    } else {
      recover(s, releaseId, d, t);
    }
  }

  /** A dispatch started before a restart: find its run, or dispatch it again with its id. */
  private void recover(
      ReleaseState s, String releaseId, ReleaseState.Dispatch d, ServiceTargets.Result t) {
    GitHubTarget target =
        new GitHubTarget(d.repository(), d.workflow(), d.ref(), t.target().token());
    if (t.missing() == null) {
      long deadline = System.nanoTime() + config.github().runLookup().toNanos();
      while (true) {
        Optional<Long> run = github.findRun(target, d.id());
        if (run.isPresent()) {
          LOG.infof(
              "Release %s: dispatch %s had reached GitHub (run %d); recording it",
              releaseId, d.id(), run.get());
          record(releaseId, d.id(), new GitHubClient.Outcome(true, 204, null, 0));
          return;
        }
        if (System.nanoTime() > deadline) {
          break;
        }
        sleep(Duration.ofSeconds(3));
      }
      LOG.infof(
          "Release %s: dispatch %s has no workflow run on GitHub; dispatching it again",
          releaseId, d.id());
    }
    dispatch(s, releaseId, d.id(), new ServiceTargets.Result(target, t.missing()));
  }

  private void dispatch(ReleaseState s, String releaseId, String id, ServiceTargets.Result t) {
    GitHubClient.Outcome outcome =
        t.missing() != null
            ? new GitHubClient.Outcome(false, 0, t.missing(), 0)
            : github.dispatch(t.target(), targets.inputs(s.spec(), releaseId, id));
    LOG.infof(
        "Release %s: dispatch %s of %s %s (%d attempts)",
        releaseId,
        id,
        t.target(),
        outcome.dispatched() ? "accepted by GitHub" : "failed: " + outcome.detail(),
        outcome.attempts());
    record(releaseId, id, outcome);
  }

  private void record(String releaseId, String id, GitHubClient.Outcome o) {
    Optional<JsonNode> answer =
        decide(
            new ReleaseCommand.RecordDispatch(
                releaseId, id, o.dispatched(), o.status(), o.detail(), o.attempts(), actor));
    if (answer.isPresent()) {
      finished.add(id);
    }
  }

  /** release-api's answer to a command, or empty when it did not answer in time. */
  private Optional<JsonNode> decide(ReleaseCommand command) {
    Duration timeout = config.deploy().commandTimeout();
    try {
      if (!commands.awaitReady(timeout)) {
        LOG.warn("release-api's answers are not readable yet; trying again later");
        return Optional.empty();
      }
      String id = "orch-" + UUID.randomUUID();
      return Optional.of(
          commands
              .send(id, command, id, null, null)
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      LOG.warnf(
          "release-api did not answer %s for release %s: %s; trying again later",
          command.getClass().getSimpleName(), command.releaseId(), e.toString());
      return Optional.empty();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
