package dev.rmm.orchestrator;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.kafka.AlertPublisher;
import dev.rmm.contracts.kafka.CommandChannel;
import dev.rmm.contracts.kafka.ConsumerLoop;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.kafka.RecordTracing;
import dev.rmm.contracts.log.Link;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.ops.Redactor;
import dev.rmm.contracts.tracing.TraceContext;
import dev.rmm.orchestrator.breakglass.BreakGlassExpiries;
import dev.rmm.orchestrator.dispatch.Dispatches;
import dev.rmm.orchestrator.dispatch.ServiceTargets;
import dev.rmm.orchestrator.freeze.FreezeGate;
import dev.rmm.orchestrator.freeze.PolicyInForceReader;
import dev.rmm.orchestrator.github.GitHubClient;
import dev.rmm.orchestrator.lease.PartitionLeases;
import dev.rmm.orchestrator.runbook.Rollbacks;
import dev.rmm.orchestrator.runbook.RunbookPlans;
import dev.rmm.orchestrator.runbook.SshRunner;
import dev.rmm.orchestrator.supersede.ServiceFollower;
import dev.rmm.orchestrator.supersede.ServiceReleases;
import dev.rmm.orchestrator.supersede.Supersedes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Turns decisions in the event log into actions on the outside world, exactly once: the production
 * dispatch of approved releases ({@link Dispatches}) and the rollback runbooks admins request
 * ({@link Rollbacks}).
 *
 * <p>The orchestrator keeps no state of its own: the log is its memory. Its consumer group only
 * shares out the partitions; on each assignment it reads its partitions from the beginning, folds
 * every release through the chain rule and the domain's own {@code evolve} ({@link OwnedReleases}:
 * an event that lost a race to another writer's counts for nothing), and acts on what is still due.
 * Intent and outcome go back into the log as commands to release-api, which accepts one claim per
 * release. Runbooks of one service run one at a time.
 *
 * <p>Superseding needs every release of a service, so {@link ServiceFollower} reads every partition
 * beside the group's share: an older release is superseded once a newer one reached manual testing,
 * and no release is dispatched while a newer one of its service was approved ({@link Supersedes}).
 *
 * <p>Which record makes it look at which release, which timers it sets, and what work a release
 * gets, is decided by {@link EventRouting}, without I/O.
 */
@ApplicationScoped
public class Orchestrator {

  private static final Logger LOG = Logger.getLogger(Orchestrator.class);

  /** The consumer group that shares the event log's partitions between orchestrators. */
  public static final String GROUP = "rmm-deploy-orchestrator";

  private final String bootstrap;
  private final OrchestratorConfig config;
  private final Dispatches dispatches;
  private final Rollbacks rollbacks;
  private final Actor actor;
  private final AlertPublisher alerts;
  private final LogHistory history;

  /** The log read again by the runbook workers right before they declare a runbook interrupted. */
  private final LogHistory tail;

  private final OwnedReleases releases;
  private final Tracer tracer;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<String> waiting = ConcurrentHashMap.newKeySet();

  /**
   * One dispatch worker per service, so that one release's dispatch that GitHub keeps failing
   * (retried for up to {@code rmm.github.retry-for}) holds up no other service's (F15 in
   * docs/reliability.md); a service's own releases still go one at a time. An idle worker's thread
   * ends after a minute.
   */
  private final Map<String, ExecutorService> dispatchWorkers = new ConcurrentHashMap<>();

  private final ExecutorService supersedeWorker =
      Executors.newSingleThreadExecutor(r -> daemon(r, "rmm-supersede"));
  private final ServiceFollower services;
  private final Supersedes supersedes;
  private final Map<String, ExecutorService> runbookWorkers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService recheck =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "rmm-orchestrator-recheck"));
  private final ConsumerLoop logLoop;
  private final PartitionLeases leases;
  private volatile boolean caughtUp;
  private volatile Commands commands;

  /** The policy in force, for its freeze windows (issue 15 point 5). */
  private final PolicyInForceReader policies;

  private final FreezeGate freezes;
  private final Clock clock;

  /** Break-glass requests nobody confirmed: their expiry recorded when they end. */
  private final BreakGlassExpiries expiries;

  private final ExecutorService breakGlassWorker =
      Executors.newSingleThreadExecutor(r -> daemon(r, "rmm-break-glass-expiry"));

  @Inject
  Orchestrator(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      OrchestratorConfig config,
      ServiceTargets targets,
      RunbookPlans plans,
      Tracer tracer) {
    this(bootstrap, config, targets, plans, tracer, Clock.systemUTC());
  }

  /**
   * @param clock what "now" is for freeze windows (tests give their own)
   */
  Orchestrator(
      String bootstrap,
      OrchestratorConfig config,
      ServiceTargets targets,
      RunbookPlans plans,
      Tracer tracer,
      Clock clock) {
    ConfigChecks.require(config);
    this.clock = clock;
    this.bootstrap = bootstrap;
    this.tracer = tracer;
    this.config = config;
    OrchestratorConfig.GitHub g = config.github();
    GitHubClient github =
        new GitHubClient(
            g.apiUrl(),
            g.userAgent(),
            g.requestTimeout(),
            new GitHubClient.Retries(
                g.maxAttempts(), g.firstBackoff(), g.maxBackoff(), g.runLookup(), g.retryFor()),
            GitHubClient.REAL_TIME);
    this.alerts = new AlertPublisher(bootstrap, config.topics().alerts());
    // superseding sees every release of a service, so it reads every partition, not only ours
    ServiceReleases view = new ServiceReleases();
    this.services =
        new ServiceFollower(
            bootstrap, config.topics().events(), view, this::servicesTouched, alerts);
    this.supersedes =
        new Supersedes(
            view, services, () -> commands, supersedeWorker, config.deploy().commandTimeout());
    this.policies = new PolicyInForceReader(bootstrap, config.topics().policies());
    this.freezes =
        new FreezeGate(
            () -> policies.history(config.deploy().commandTimeout()), clock, this::lookAgainAt);
    this.dispatches =
        new Dispatches(targets, github, supersedes::mayDispatch, supersedes::retryVerdict, freezes);
    this.rollbacks =
        new Rollbacks(
            plans,
            // a frozen orchestrator's step stops on the host within its lease (heartbeats go
            // every second, so the host waits a few of them at the least)
            new SshRunner(max(config.deploy().runbookLease().dividedBy(2), Duration.ofSeconds(3))),
            Redactor.fromEnvironment(System.getenv()),
            tracer);
    String instance = "deploy-orchestrator-" + UUID.randomUUID().toString().substring(0, 8);
    this.actor = new Actor(Actor.Kind.ORCHESTRATOR, instance, "deploy-orchestrator");
    this.history = new LogHistory(bootstrap, config.topics().events());
    this.tail = new LogHistory(bootstrap, config.topics().events());
    this.releases = new OwnedReleases(history);
    this.expiries =
        new BreakGlassExpiries(
            releases::state,
            () -> commands,
            () -> caughtUp,
            clock,
            recheck,
            breakGlassWorker,
            config.deploy().recheck());
    this.leases =
        new PartitionLeases(
            KafkaClients.admin(KafkaClients.adminProperties(bootstrap)),
            GROUP,
            config.topics().events(),
            config.deploy().runbookLease());
    this.logLoop =
        new ConsumerLoop(
            "rmm-orchestrator-log",
            // dispatches and runbooks may start 20 ms later; fewer, larger fetches cost less CPU
            LogConsumers.gathering(logConsumerProperties(bootstrap), Duration.ofMillis(20)),
            new Reading(),
            Duration.ofMillis(500),
            Duration.ofSeconds(5), // then it reads its partitions from the start again
            Duration.ofSeconds(10),
            e -> alerts.publish(Alert.consumerError("deploy-orchestrator", GROUP, e, null)));
  }

  void onStart(@Observes StartupEvent ev) {
    if (config.github().token().filter(t -> !t.isBlank()).isEmpty()) {
      LOG.warn(
          "GITHUB_TOKEN is not set: approved releases are recorded as 'dispatch failed: no GitHub"
              + " token' unless the deploy file names a token variable for their service.");
    }
    commands =
        new Commands(
            new CommandChannel(bootstrap, config.topics().commands(), config.topics().results()),
            config.deploy().commandTimeout(),
            actor);
    policies.start();
    logLoop.start();
    services.start();
    long every = config.deploy().recheck().toMillis();
    recheck.scheduleWithFixedDelay(this::considerAll, every, every, TimeUnit.MILLISECONDS);
    recheck.scheduleWithFixedDelay(supersedes::recheck, every, every, TimeUnit.MILLISECONDS);
    LOG.infof("Acting on the release log as %s", actor.id());
  }

  /**
   * Stops in an order that leaves the log saying what happened: a runbook step that is running is
   * stopped on the host and recorded, and its runbook ended, while this instance still owns the
   * partition and can still send commands (for at most {@code rmm.deploy.shutdown-grace}); only
   * then does it leave the group, handing the partitions over.
   */
  void onStop(@Observes ShutdownEvent ev) {
    recheck.shutdownNow();
    if (!rollbacks.stop(config.deploy().shutdownGrace())) {
      LOG.warnf(
          "A rollback runbook was still recording its end %d s after the shutdown began; the"
              + " partition's next owner settles it after its wait",
          config.deploy().shutdownGrace().toSeconds());
    }
    logLoop.stop(); // before the workers: the log's thread hands them work
    services.close();
    dispatchWorkers.values().forEach(ExecutorService::shutdownNow);
    supersedeWorker.shutdownNow();
    breakGlassWorker.shutdownNow();
    runbookWorkers.values().forEach(ExecutorService::shutdownNow);
    leases.close();
    policies.close();
    if (commands != null) {
      commands.close();
    }
    alerts.close();
    history.close();
    tail.close();
  }

  /**
   * The log consumer's settings. The group assigns cooperatively: a rebalance takes away only the
   * partitions that move to another orchestrator. Kafka's default (range, eager) revokes every
   * partition of every member at each rebalance, so a second orchestrator joining, or one leaving,
   * ended the lease of every runbook running anywhere, also on partitions that stayed where they
   * were: each running step was stopped and its runbook ended "finish by hand".
   */
  public static Properties logConsumerProperties(String bootstrap) {
    Properties p = LogConsumers.properties(bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    return p;
  }

  /**
   * What the log's loop does with its consumer: on each assignment, read the partitions from the
   * start; once caught up with their ends, act on every release still due, then on each release an
   * event touches.
   */
  private final class Reading implements ConsumerLoop.Session {
    /** The assigned partitions' end offsets when they were assigned: caught up once reached. */
    private final Map<TopicPartition, Long> ends = new HashMap<>();

    @Override
    public void open(KafkaConsumer<String, byte[]> c) {
      ends.clear();
      c.subscribe(
          List.of(config.topics().events()),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> parts) {
              leases.revoked(parts.stream().map(TopicPartition::partition).toList());
              forget(parts);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> parts) {
              onPartitionsRevoked(parts);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> parts) {
              if (parts.isEmpty()) {
                // a cooperative rebalance that gave nothing new; seekToBeginning(none) would
                // seek every partition this instance has to the start
                return;
              }
              // the log is the memory: read what is new to us from the start
              leases.assigned(parts.stream().map(TopicPartition::partition).toList());
              c.seekToBeginning(parts);
              ends.clear();
              ends.putAll(c.endOffsets(c.assignment()));
              caughtUp = false;
              releases.catchingUp();
            }
          });
    }

    @Override
    public void handle(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
      leases.member(c.groupMetadata().memberId());
      Set<String> touched = new HashSet<>();
      for (ConsumerRecord<String, byte[]> r : records) {
        apply(r, touched);
      }
      if (!caughtUp
          && ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
        Map<Integer, Long> positions = new HashMap<>();
        c.assignment().forEach(tp -> positions.put(tp.partition(), c.position(tp)));
        releases.caughtUp(positions);
        caughtUp = true;
        LOG.infof(
            "Read the log: %d releases in work in memory, %d settled ones left it; acting on those"
                + " still due",
            releases.size(), releases.settledAway());
        considerAll();
      } else if (caughtUp) {
        touched.forEach(Orchestrator.this::consider);
      }
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r, Set<String> touched) {
    Link link = releases.apply(r.partition(), r.offset(), r.key(), r.value());
    EventRouting.Route route = EventRouting.route(link);
    if (route instanceof EventRouting.Route.Skip skip) {
      if (skip.unreadable()) {
        LOG.warnf(
            "Skipping an unreadable event at %d@%d: %s", r.partition(), r.offset(), skip.why());
      } else {
        LOG.debugf("Ignoring a void event at %d@%d: %s", r.partition(), r.offset(), skip.why());
      }
      return;
    }
    EventRouting.Route.Touch touch = (EventRouting.Route.Touch) route;
    String releaseId = touch.releaseId();
    touched.add(releaseId);
    if (touch.timer() instanceof EventRouting.Timer.HeldUntil h) {
      freezes.heldInLog(releaseId, h.until());
    } else if (touch.timer() instanceof EventRouting.Timer.HoldOver) {
      freezes.forget(releaseId);
    } else if (touch.timer() instanceof EventRouting.Timer.BreakGlassExpires b) {
      expiries.requested(releaseId, b.at());
    }
  }

  /**
   * Looks at a release again when its freeze ends (a recheck would find it too, up to {@code
   * rmm.deploy.recheck} later).
   */
  private void lookAgainAt(String releaseId, Instant at) {
    long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis()) + 50;
    try {
      recheck.schedule(() -> consider(releaseId), delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debugf("Not looking at release %s again: stopping", releaseId);
    }
  }

  /** New events of these services were read (all of them once caught up): supersede what is due. */
  private void servicesTouched(Set<String> services) {
    supersedes.consider(services);
  }

  private void forget(Collection<TopicPartition> parts) {
    Set<Integer> gone = new HashSet<>();
    parts.forEach(tp -> gone.add(tp.partition()));
    releases.forget(gone);
  }

  private void considerAll() {
    if (caughtUp) {
      releases.actionable().forEach(s -> consider(s.releaseId()));
    }
  }

  private void consider(String releaseId) {
    ReleaseState s = releases.state(releaseId);
    if (s == null) {
      return;
    }
    EventRouting.Work work =
        EventRouting.work(
            dispatches.due(s), rollbacks.due(s), () -> deploying(s), () -> takingOver(s));
    if (work == EventRouting.Work.NONE || !inFlight.add(releaseId)) {
      return;
    }
    boolean dispatch = work == EventRouting.Work.DISPATCH;
    ExecutorService worker =
        dispatch
            ? dispatchWorkers.computeIfAbsent(s.spec().service(), Orchestrator::dispatchWorker)
            : runbookWorkers.computeIfAbsent(
                s.spec().service(),
                service ->
                    Executors.newSingleThreadExecutor(r -> daemon(r, "rmm-runbook-" + service)));
    worker.execute(
        () -> {
          Span span =
              tracer
                  .spanBuilder(dispatch ? "dispatch production workflow" : "rollback runbook")
                  .setParent(TraceContext.parse(releases.traceOf(releaseId)))
                  .setAttribute(RecordTracing.RELEASE, releaseId)
                  .startSpan();
          try (Scope ignored = span.makeCurrent()) {
            act(releaseId);
          } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getMessage());
            LOG.errorf(e, "Acting on release %s failed; it is tried again later", releaseId);
            alerts.publish(actionFailed(s, dispatch, e));
          } finally {
            span.end();
            inFlight.remove(releaseId);
          }
        });
  }

  /** An alert for a dispatch or runbook that failed with an error (not a recorded failure). */
  private static Alert actionFailed(ReleaseState s, boolean dispatch, RuntimeException e) {
    String kind = dispatch ? Alert.DISPATCH_FAILED : Alert.ROLLBACK_FAILED;
    return new Alert(
        UUID.randomUUID().toString(),
        kind,
        Alert.fingerprint(kind, "deploy-orchestrator", s.releaseId(), e.getClass().getName()),
        "deploy-orchestrator",
        s.releaseId(),
        s.spec().service(),
        s.spec().tag(),
        (dispatch ? "Dispatching the production workflow" : "Running the rollback runbook")
            + " failed with an error; it is tried again later",
        e.getMessage(),
        null,
        Instant.now());
  }

  /**
   * Whether the release's runbook was started (by an instance that owned its partition before) and
   * this instance got the partition too recently to know that instance has stopped: it is settled
   * only after {@link PartitionLeases#takeOverWait()} (from the later of getting the partition and
   * the newest runbook event read), on a later event or recheck.
   */
  private boolean takingOver(ReleaseState s) {
    return s.runbook() != null
        && !s.runbook().finished()
        && !leases.mayTakeOver(
            releases.partitionOf(s.releaseId()), releases.runbookSeenAt(s.releaseId()));
  }

  /**
   * Whether another release of the same service is being deployed to production right now: a
   * rollback runbook then waits (and is looked at again on the next event or recheck), so that one
   * deploy or rollback per service runs at a time.
   */
  private boolean deploying(ReleaseState s) {
    String service = s.spec().service();
    for (String other : releases.deploying(service)) {
      if (!other.equals(s.releaseId())) {
        if (waiting.add(s.releaseId())) {
          LOG.infof(
              "Release %s: the rollback of %s waits: release %s of the service is deploying",
              s.releaseId(), service, other);
        }
        return true;
      }
    }
    waiting.remove(s.releaseId());
    return false;
  }

  /** Acts on the release as the log shows it now (it may have moved on while queued). */
  private void act(String releaseId) {
    ReleaseState s = releases.state(releaseId);
    if (s == null) {
      return;
    }
    if (dispatches.due(s)) {
      dispatches.act(s, commands);
    } else if (rollbacks.due(s)) {
      int partition = releases.partitionOf(releaseId);
      try (PartitionLeases.OpenLease lease = leases.open(partition)) {
        if (s.runbook() != null && movedOn(s, partition)) {
          return;
        }
        rollbacks.act(s, commands, lease);
      }
    }
  }

  /**
   * Whether the log holds more of the release than the state this instance is about to declare its
   * runbook interrupted from (read again from the partition's end, right before): the old owner
   * appended a step result or the end meanwhile, which this instance's log thread has not folded
   * yet. The runbook is then not settled now; the wait starts again from this sign of life.
   */
  private boolean movedOn(ReleaseState s, int partition) {
    ReleaseState now = tail.latest(partition, s.releaseId());
    if (now.version() == s.version()) {
      return false;
    }
    releases.runbookSeenNow(s.releaseId());
    LOG.infof(
        "Release %s: runbook %s moved on in the log (version %d, %d here) since it was found"
            + " unfinished; it is not declared interrupted now",
        s.releaseId(), s.runbook().runId(), now.version(), s.version());
    return true;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** A service's dispatch worker: its releases one at a time, no thread while there are none. */
  private static ExecutorService dispatchWorker(String service) {
    return new ThreadPoolExecutor(
        0,
        1,
        1,
        TimeUnit.MINUTES,
        new LinkedBlockingQueue<>(),
        r -> daemon(r, "rmm-dispatch-" + service));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
