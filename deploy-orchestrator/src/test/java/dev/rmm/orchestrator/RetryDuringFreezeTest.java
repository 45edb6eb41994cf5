package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.FreezeWindow;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 point 5: an admin's 🔁 retry of a failed production dispatch while the service is frozen
 * is held like a first dispatch (recorded once, nothing asked of GitHub) and sent once when the
 * window ends. A whole orchestrator on a real broker against the fake GitHub; the policy topic is
 * written as release-api writes it; release-api is stood in for by {@link WriterStandIn}. (Set up
 * as {@code FreezeHoldTest}; a class of its own so that the two can move to a shared fixture
 * separately.)
 */
class RetryDuringFreezeTest {

  private static final KafkaTestResource KAFKA = new KafkaTestResource();
  private static final String REPOSITORY = "acme/billing";
  private static final String WORKFLOW = "on-approve-manual-testing.yml";
  private static final Duration FREEZE = Duration.ofSeconds(12);
  private static String bootstrap;
  private static Admin admin;
  private static String github;

  private final String run = Long.toString(System.nanoTime() % 1_000_000);
  private final String events = "rmm.retry-freeze-events-" + run;
  private final String commands = "rmm.retry-freeze-commands-" + run;
  private final String results = "rmm.retry-freeze-results-" + run;
  private final String alerts = "rmm.retry-freeze-alerts-" + run;
  private final String policies = "rmm.retry-freeze-policies-" + run;
  private final List<Orchestrator> started = new ArrayList<>();
  private WriterStandIn writer;
  private String policyHead = EventChain.GENESIS;
  private long policyVersion;

  @BeforeAll
  static void start() {
    bootstrap = KAFKA.start().get("kafka.bootstrap.servers");
    admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap));
    github = FakeGitHub.start();
  }

  @AfterAll
  static void stop() {
    admin.close();
    KAFKA.stop();
  }

  @BeforeEach
  void setUp() throws Exception {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow(REPOSITORY, WORKFLOW);
    admin
        .createTopics(
            List.of(
                new NewTopic(events, 1, (short) 1),
                new NewTopic(commands, 1, (short) 1),
                new NewTopic(results, 1, (short) 1),
                new NewTopic(alerts, 1, (short) 1),
                new NewTopic(policies, 1, (short) 1)))
        .all()
        .get(30, TimeUnit.SECONDS);
    writer = new WriterStandIn(bootstrap, events, commands, results);
  }

  @AfterEach
  void tearDown() {
    started.forEach(o -> o.onStop(new ShutdownEvent()));
    writer.close();
  }

  @Test
  void givenAFailedDispatch_whenAnAdminRetriesItDuringAFreeze_thenItIsHeldAndSentOnceAfter() {
    Instant until = Instant.now().plus(FREEZE).truncatedTo(ChronoUnit.MILLIS);
    policy(freeze(List.of("billing"), until, "release train"));
    String id = failedDispatchRetried("v5.0.0");

    orchestrator();

    await().atMost(Duration.ofSeconds(30)).until(() -> has(id, ReleaseEvent.DispatchHeld.class));
    assertThat(held(id)).containsExactly(new ReleaseEvent.DispatchHeld(until, "release train", 1L));
    assertThat(FakeGitHub.requests()).as("nothing asked of GitHub during the freeze").isEmpty();
    await()
        .atMost(FREEZE.plusSeconds(30))
        .until(() -> has(id, ReleaseEvent.WorkflowDispatched.class));
    assertThat(FakeGitHub.runTitles()).hasSize(1);
    Instant dispatched =
        log(id).stream()
            .filter(e -> e.data() instanceof ReleaseEvent.WorkflowDispatched)
            .map(EventEnvelope::occurredAt)
            .findFirst()
            .orElseThrow();
    assertThat(dispatched).isAfterOrEqualTo(until);
    assertThat(held(id)).as("held once, however often it was looked at").hasSize(1);
  }

  /**
   * A release of billing whose dispatch failed before the freeze (GitHub answered 502), and whose
   * retry an admin asked for: the dispatch is open again with the same id.
   */
  private String failedDispatchRetried(String tag) {
    String id = "rel-billing-" + tag + "-" + run;
    writer.seed(
        id,
        0,
        new ReleaseEvent.ReleaseCreated(
            new ReleaseSpec(
                "billing",
                tag,
                "octocat",
                "1",
                "https://x/1",
                "refs/tags/" + tag,
                REPOSITORY,
                "abc1234"),
            new ApprovalPolicy(
                List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, List.of())),
        new ReleaseEvent.ApprovalQuorumReached(List.of(1L)),
        new ReleaseEvent.DispatchStarted("d-" + run, REPOSITORY, WORKFLOW, "main"),
        new ReleaseEvent.DispatchFailed("d-" + run, 502, "Bad Gateway", 3),
        new ReleaseEvent.DispatchRetryRequested(9, "Olga", "d-" + run, null));
    return id;
  }

  /** A freeze window from a minute ago until {@code until}. */
  private static FreezeWindow freeze(List<String> services, Instant until, String reason) {
    return FreezeWindow.range(services, until.minusSeconds(60 + 60), until, null, reason);
  }

  /** Appends the next policy, with this freeze, to the policy topic as release-api would. */
  private void policy(FreezeWindow window) {
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
    try (KafkaProducer<String, byte[]> p = KafkaClients.producer(Producers.properties(bootstrap))) {
      p.send(new ProducerRecord<>(policies, 0, ReleaseEvent.PolicyChanged.SUBJECT, stored)).get();
    } catch (Exception ex) {
      throw new IllegalStateException("cannot append the policy", ex);
    }
    policyHead = EventChain.hash(stored);
  }

  private Orchestrator orchestrator() {
    OrchestratorConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(OrchestratorConfig.class)
            .withConverter(Duration.class, 200, new DurationConverter())
            .withSources(
                new PropertiesConfigSource(
                    Map.ofEntries(
                        Map.entry("rmm.topics.events", events),
                        Map.entry("rmm.topics.commands", commands),
                        Map.entry("rmm.topics.results", results),
                        Map.entry("rmm.topics.alerts", alerts),
                        Map.entry("rmm.topics.policies", policies),
                        Map.entry("rmm.github.api-url", github),
                        Map.entry("rmm.github.token", FakeGitHub.TOKEN),
                        Map.entry("rmm.github.run-lookup", "1s"),
                        Map.entry("rmm.github.first-backoff", "100ms"),
                        Map.entry("rmm.github.max-backoff", "200ms"),
                        Map.entry("rmm.deploy.recheck", "300ms"),
                        Map.entry("rmm.deploy.command-timeout", "10s")),
                    "test",
                    400))
            .build()
            .getConfigMapping(OrchestratorConfig.class);
    DeployFile file = new DeployFile(DeployFile.parse("{\"services\": {}}"), v -> null);
    Orchestrator o =
        new Orchestrator(
            bootstrap,
            config,
            TestTargets.of(config, file),
            TestPlans.of(file),
            OpenTelemetry.noop().getTracer("test"));
    o.onStart(new StartupEvent());
    started.add(o);
    return o;
  }

  private boolean has(String id, Class<? extends ReleaseEvent> type) {
    return log(id).stream().anyMatch(e -> type.isInstance(e.data()));
  }

  private List<ReleaseEvent.DispatchHeld> held(String id) {
    return log(id).stream()
        .map(EventEnvelope::data)
        .filter(ReleaseEvent.DispatchHeld.class::isInstance)
        .map(ReleaseEvent.DispatchHeld.class::cast)
        .toList();
  }

  /** The release's events as the log holds them now, in order. */
  private List<EventEnvelope> log(String releaseId) {
    List<EventEnvelope> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        KafkaClients.consumer(LogConsumers.properties(bootstrap))) {
      List<TopicPartition> parts = List.of(new TopicPartition(events, 0));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (releaseId.equals(r.key())) {
            out.add(EventCodec.decode(r.value()));
          }
        }
      }
    }
    return out;
  }
}
