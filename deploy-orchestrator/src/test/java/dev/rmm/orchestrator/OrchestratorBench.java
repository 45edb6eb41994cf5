package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.FreezeWindow;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.kafka.Producers;
import dev.rmm.orchestrator.dispatch.TestTargets;
import dev.rmm.orchestrator.runbook.TestPlans;
import dev.rmm.testsupport.FakeGitHub;
import dev.rmm.testsupport.KafkaTestResource;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The bench of the tests that run whole orchestrators on a real broker ({@code DispatchRetryTest},
 * {@code BreakGlassDispatchTest}, {@code BreakGlassExpiryTest}, {@code FreezeHoldTest}, {@code
 * RunbookHandoverTest}): topics of each test's own (a run number in their names), release-api's
 * writer stood in for by {@link WriterStandIn}, orchestrators started with test timings and stopped
 * after the test, and the events of one release read back from the log.
 *
 * <pre>{@code
 * @RegisterExtension static final OrchestratorBench.Broker BROKER = new OrchestratorBench.Broker();
 * @RegisterExtension final OrchestratorBench bench = new OrchestratorBench(BROKER, "retry");
 * }</pre>
 */
final class OrchestratorBench implements BeforeEachCallback, AfterEachCallback {

  /** The in-JVM Kafka broker of a test class: started before its tests, stopped after them. */
  static final class Broker implements BeforeAllCallback, AfterAllCallback {
    private final KafkaTestResource kafka = new KafkaTestResource();
    private String bootstrap;
    private Admin admin;

    @Override
    public void beforeAll(ExtensionContext context) {
      bootstrap = kafka.start().get("kafka.bootstrap.servers");
      admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap));
    }

    @Override
    public void afterAll(ExtensionContext context) {
      admin.close();
      kafka.stop();
    }

    String bootstrap() {
      return bootstrap;
    }

    Admin admin() {
      return admin;
    }
  }

  /** This test's number, in its topics' names (and a test's own names where it wants them). */
  final String run = Long.toString(System.nanoTime() % 1_000_000);

  final String events;
  final String commands;
  final String results;
  final String alerts;
  final String policies;

  private final Broker broker;
  private final Map<String, String> settings = new LinkedHashMap<>();
  private int eventPartitions = 1;
  private boolean withPolicies;
  private String github;
  private final List<Orchestrator> started = new ArrayList<>();
  private WriterStandIn writer;

  /** The policy topic's head and version, for {@link #policy}. */
  private String policyHead = EventChain.GENESIS;

  private long policyVersion;

  /**
   * Reads the log for {@link #log}, again and again while a test waits: one consumer per test
   * rather than a new one per look (a new consumer took seconds on a loaded machine, longer than
   * some of the waits it was looking within).
   */
  private KafkaConsumer<String, byte[]> reader;

  /**
   * @param name in the topics' names ({@code rmm.<name>-events-<run>})
   */
  OrchestratorBench(Broker broker, String name) {
    this.broker = broker;
    this.events = "rmm." + name + "-events-" + run;
    this.commands = "rmm." + name + "-commands-" + run;
    this.results = "rmm." + name + "-results-" + run;
    this.alerts = "rmm." + name + "-alerts-" + run;
    this.policies = "rmm." + name + "-policies-" + run;
    settings.put("rmm.topics.events", events);
    settings.put("rmm.topics.commands", commands);
    settings.put("rmm.topics.results", results);
    settings.put("rmm.topics.alerts", alerts);
    settings.put("rmm.deploy.recheck", "300ms");
    settings.put("rmm.deploy.command-timeout", "10s");
  }

  /** The orchestrators dispatch to the fake GitHub, with short waits and backoffs. */
  OrchestratorBench withFakeGitHub() {
    github = FakeGitHub.start();
    settings.put("rmm.github.api-url", github);
    settings.put("rmm.github.token", FakeGitHub.TOKEN);
    settings.put("rmm.github.run-lookup", "1s");
    settings.put("rmm.github.first-backoff", "100ms");
    settings.put("rmm.github.max-backoff", "200ms");
    return this;
  }

  /** The orchestrators follow a policy topic of this test's own ({@link #policies}). */
  OrchestratorBench withPolicies() {
    withPolicies = true;
    settings.put("rmm.topics.policies", policies);
    return this;
  }

  /** The event log has this many partitions (one unless set). */
  OrchestratorBench withEventPartitions(int partitions) {
    eventPartitions = partitions;
    return this;
  }

  /** One more setting of the orchestrators, e.g. {@code rmm.deploy.runbook-lease}. */
  OrchestratorBench with(String name, String value) {
    settings.put(name, value);
    return this;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    List<NewTopic> topics = new ArrayList<>();
    topics.add(new NewTopic(events, eventPartitions, (short) 1));
    for (String t :
        withPolicies
            ? List.of(commands, results, alerts, policies)
            : List.of(commands, results, alerts)) {
      topics.add(new NewTopic(t, 1, (short) 1));
    }
    broker.admin().createTopics(topics).all().get(30, TimeUnit.SECONDS);
    writer = new WriterStandIn(broker.bootstrap(), events, commands, results);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    started.forEach(o -> o.onStop(new ShutdownEvent()));
    started.clear();
    writer.close();
    synchronized (this) {
      if (reader != null) {
        reader.close();
        reader = null;
      }
    }
  }

  String bootstrap() {
    return broker.bootstrap();
  }

  Admin admin() {
    return broker.admin();
  }

  /** The fake GitHub's URL ({@link #withFakeGitHub}). */
  String github() {
    return github;
  }

  /** release-api's writer as the orchestrators meet it, for seeding releases and pressing. */
  WriterStandIn writer() {
    return writer;
  }

  /** A started orchestrator with no deploy file entries (dispatch only). */
  Orchestrator orchestrator() {
    return orchestrator(new DeployFile(DeployFile.parse("{\"services\": {}}"), v -> null));
  }

  /**
   * A started orchestrator with the bench's settings and this deploy file; stopped after the test.
   */
  Orchestrator orchestrator(DeployFile file) {
    OrchestratorConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(OrchestratorConfig.class)
            // Quarkus's own form of durations ("20s"), as in application.properties
            .withConverter(Duration.class, 200, new DurationConverter())
            .withSources(new PropertiesConfigSource(Map.copyOf(settings), "test", 400))
            .build()
            .getConfigMapping(OrchestratorConfig.class);
    Orchestrator o =
        new Orchestrator(
            broker.bootstrap(),
            config,
            TestTargets.of(config, file),
            TestPlans.of(file),
            OpenTelemetry.noop().getTracer("test"));
    o.onStart(new StartupEvent());
    started.add(o);
    return o;
  }

  /**
   * Stops an orchestrator before the test ends (a restart, a rebalance), as SIGTERM does; a stop
   * that takes longer than 30 s fails the test.
   */
  void stop(Orchestrator o) {
    started.remove(o);
    try {
      CompletableFuture.runAsync(() -> o.onStop(new ShutdownEvent())).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping an orchestrator", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("the orchestrator did not stop within 30 s", e);
    }
  }

  /**
   * A release of {@code service} whose approval quorum was reached (Ann's approval), with these
   * admins, seeded on partition 0: {@code rel-<service>-<tag>-<run>}.
   */
  String approvedRelease(String service, String repository, String tag, List<Long> admins) {
    String id = "rel-" + service + "-" + tag + "-" + run;
    writer.seed(
        id,
        0,
        created(service, repository, tag, admins),
        new ReleaseEvent.ApprovalQuorumReached(List.of(1L)));
    return id;
  }

  /**
   * A release of {@code service} in manual testing (its stage passed), with these admins, seeded on
   * partition 0: {@code rel-<service>-<tag>-<run>}.
   */
  String releaseInManualTesting(String service, String repository, String tag, List<Long> admins) {
    String id = "rel-" + service + "-" + tag + "-" + run;
    writer.seed(
        id,
        0,
        created(service, repository, tag, admins),
        new ReleaseEvent.StatusChanged(
            ReleaseStatus.INITIATED, ReleaseStatus.MANUAL_TESTING, "stage passed"));
    return id;
  }

  /** A freeze window of these services (none: every service) from two minutes ago until then. */
  static FreezeWindow freeze(List<String> services, Instant until, String reason) {
    return FreezeWindow.range(services, until.minusSeconds(60 + 60), until, null, reason);
  }

  /**
   * Appends the next policy (approver Ann alone, this freeze) to the policy topic ({@link
   * #withPolicies}) as release-api does: the next version, chained to the one before.
   */
  void policy(FreezeWindow window) {
    policyVersion++;
    ApprovalPolicy approval =
        new ApprovalPolicy(
            List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, List.of());
    EventEnvelope e =
        new EventEnvelope(
                UUID.randomUUID().toString(),
                ReleaseEvent.PolicyChanged.SUBJECT,
                policyVersion,
                Instant.now(),
                Actor.system("release-api@test"),
                null,
                null,
                null,
                new ReleaseEvent.PolicyChanged(
                    Map.of(),
                    approval,
                    List.of("*freezes"),
                    "/etc/rmm/policy.json",
                    null,
                    null,
                    null,
                    List.of(window)))
            .chainedTo(policyHead);
    byte[] stored = EventCodec.encode(e);
    try (KafkaProducer<String, byte[]> p =
        KafkaClients.producer(Producers.properties(broker.bootstrap()))) {
      p.send(new ProducerRecord<>(policies, 0, ReleaseEvent.PolicyChanged.SUBJECT, stored)).get();
    } catch (Exception ex) {
      throw new IllegalStateException("cannot append the policy", ex);
    }
    policyHead = EventChain.hash(stored);
  }

  /** The first event of a release of {@code service}: approver Ann (1) alone, these admins. */
  static ReleaseEvent.ReleaseCreated created(
      String service, String repository, String tag, List<Long> admins) {
    return new ReleaseEvent.ReleaseCreated(
        new ReleaseSpec(
            service, tag, "octocat", "1", "https://x/1", "refs/tags/" + tag, repository, "abc1234"),
        new ApprovalPolicy(List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, admins));
  }

  boolean has(String id, Class<? extends ReleaseEvent> type) {
    return log(id).stream().anyMatch(e -> type.isInstance(e.data()));
  }

  /** The release's events of one type, in order. */
  <T extends ReleaseEvent> List<T> all(String id, Class<T> type) {
    return log(id).stream()
        .map(EventEnvelope::data)
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  /** The release's one event of this type (asserted to be one). */
  <T extends ReleaseEvent> T only(String id, Class<T> type) {
    List<T> found = all(id, type);
    assertThat(found).as("%s of %s", type.getSimpleName(), id).hasSize(1);
    return found.get(0);
  }

  List<String> types(String id) {
    return log(id).stream().map(EventEnvelope::type).toList();
  }

  /**
   * The release's events as the log holds them now, in order. Synchronized: Awaitility looks from a
   * thread of its own, and a consumer is for one thread at a time.
   */
  synchronized List<EventEnvelope> log(String releaseId) {
    List<TopicPartition> parts =
        IntStream.range(0, eventPartitions).mapToObj(p -> new TopicPartition(events, p)).toList();
    if (reader == null) {
      reader = KafkaClients.consumer(LogConsumers.properties(broker.bootstrap()));
      reader.assign(parts);
    }
    KafkaConsumer<String, byte[]> c = reader;
    c.seekToBeginning(parts);
    Map<TopicPartition, Long> ends = c.endOffsets(parts);
    List<EventEnvelope> out = new ArrayList<>();
    while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
        if (releaseId.equals(r.key())) {
          out.add(EventCodec.decode(r.value()));
        }
      }
    }
    return out;
  }
}
