package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.orchestrator.dispatch.TestTargets;
import dev.rmm.orchestrator.github.Credentials;
import dev.rmm.orchestrator.github.GitHubClient;
import dev.rmm.orchestrator.github.GitHubTarget;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An admin's 🔁 Retry dispatch after a failed production dispatch, through a whole orchestrator on
 * a real broker against the fake GitHub: the retry looks for the workflow run of the failed
 * dispatch first, dispatches again (same dispatch id) only when GitHub lists none, and never makes
 * two workflow runs for one approval. release-api is stood in for by {@link WriterStandIn}, which
 * decides with the domain's own decider.
 */
class DispatchRetryTest {

  private static final KafkaTestResource KAFKA = new KafkaTestResource();
  private static final long ADMIN = 9;
  private static final String REPOSITORY = "acme/billing";
  private static final String WORKFLOW = "on-approve-manual-testing.yml";
  private static String bootstrap;
  private static Admin admin;
  private static String github;

  private final String run = Long.toString(System.nanoTime() % 1_000_000);
  private final String events = "rmm.retry-events-" + run;
  private final String commands = "rmm.retry-commands-" + run;
  private final String results = "rmm.retry-results-" + run;
  private final String alerts = "rmm.retry-alerts-" + run;
  private final List<Orchestrator> started = new ArrayList<>();
  private WriterStandIn writer;

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
                new NewTopic(alerts, 1, (short) 1)))
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
  void givenADispatchGitHubRefused_whenAnAdminRetries_thenItIsDispatchedOnceWithTheSameId() {
    FakeGitHub.failNextDispatch(401, Map.of(), "{\"message\":\"Bad credentials\"}");
    String id = approvedRelease("v1.4.0");
    orchestrator();
    await().atMost(Duration.ofSeconds(60)).until(() -> has(id, ReleaseEvent.DispatchFailed.class));
    String dispatchId = only(id, ReleaseEvent.DispatchStarted.class).dispatchId();
    assertThat(FakeGitHub.runTitles()).isEmpty();

    Decision retry = retry(id, ADMIN);

    assertThat(retry).isInstanceOf(Decision.Accepted.class);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> has(id, ReleaseEvent.WorkflowDispatched.class));
    assertThat(FakeGitHub.runTitles()).containsExactly("Deploy v1.4.0 (" + dispatchId + ")");
    // looked up before it was sent again: a GET of the runs, then the one accepted POST
    List<String> calls =
        FakeGitHub.requests().stream().map(r -> r.method() + " " + r.status()).toList();
    assertThat(calls).first().isEqualTo("POST 401");
    assertThat(calls).last().isEqualTo("POST 204");
    assertThat(calls.subList(1, calls.size() - 1)).isNotEmpty().allMatch(c -> c.startsWith("GET"));
    assertThat(only(id, ReleaseEvent.DispatchStarted.class).dispatchId()).isEqualTo(dispatchId);
    // nothing more happens: no second run, and the same press again changes nothing
    assertThat(retry(id, ADMIN)).isEqualTo(new Decision.Accepted(List.of()));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> FakeGitHub.runTitles().size() == 1);
    assertThat(types(id))
        .containsExactly(
            ReleaseEvent.ReleaseCreated.TYPE,
            ReleaseEvent.ApprovalQuorumReached.TYPE,
            ReleaseEvent.DispatchStarted.TYPE,
            ReleaseEvent.DispatchFailed.TYPE,
            ReleaseEvent.DispatchRetryRequested.TYPE,
            ReleaseEvent.WorkflowDispatched.TYPE);
  }

  @Test
  void givenAFailedDispatchWhoseRunGitHubHasAfterAll_whenAnAdminRetries_thenNothingIsSentAgain() {
    String id = approvedRelease("v2.0.0");
    String dispatchId = "d-" + UUID.randomUUID();
    // the earlier attempt reached GitHub, but the orchestrator could not tell and recorded it
    // failed
    new GitHubClient(
            github,
            "test",
            Duration.ofSeconds(10),
            new GitHubClient.Retries(
                1, Duration.ofMillis(100), Duration.ofMillis(100), Duration.ZERO),
            d -> {})
        .dispatch(
            new GitHubTarget(
                REPOSITORY, WORKFLOW, "refs/tags/v2.0.0", Credentials.of(FakeGitHub.TOKEN)),
            Map.of(
                "release_id",
                id,
                "release_tag",
                "v2.0.0",
                "commit_sha",
                "abc1234",
                "dispatch_id",
                dispatchId));
    writer.seed(
        id,
        0,
        new ReleaseEvent.DispatchStarted(dispatchId, REPOSITORY, WORKFLOW, "refs/tags/v2.0.0"),
        new ReleaseEvent.DispatchFailed(
            dispatchId, 503, "unknown whether dispatch " + dispatchId + " reached GitHub", 6));
    orchestrator();
    assertThat(FakeGitHub.runTitles()).hasSize(1);

    retry(id, ADMIN);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> has(id, ReleaseEvent.WorkflowDispatched.class));
    assertThat(FakeGitHub.dispatchesTaken()).hasSize(1); // the earlier one only
    assertThat(FakeGitHub.runTitles()).containsExactly("Deploy v2.0.0 (" + dispatchId + ")");
  }

  @Test
  void givenAFailedDispatch_whenSomebodyWhoIsNoAdminRetries_thenRefusedAndNothingIsSent() {
    FakeGitHub.failNextDispatch(404, Map.of(), "{\"message\":\"Not Found\"}");
    String id = approvedRelease("v3.0.0");
    orchestrator();
    await().atMost(Duration.ofSeconds(60)).until(() -> has(id, ReleaseEvent.DispatchFailed.class));
    int requests = FakeGitHub.requests().size();

    Decision refused = retry(id, 1);

    assertThat(refused).isInstanceOf(Decision.Refused.class);
    assertThat(((Decision.Refused) refused).reason()).isEqualTo(Decision.Refusal.NOT_ALLOWED);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> FakeGitHub.requests().size() == requests);
    assertThat(types(id)).last().isEqualTo(ReleaseEvent.ActionRefused.TYPE);
  }

  @Test
  void
      givenANewerReleaseApprovedSinceTheFailure_whenAnAdminRetries_thenItFailsNamingItAndSendsNothing() {
    FakeGitHub.failNextDispatch(401, Map.of(), "{\"message\":\"Bad credentials\"}");
    String older = approvedRelease("v1.4.0");
    orchestrator();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> has(older, ReleaseEvent.DispatchFailed.class));
    String newer = approvedRelease("v1.5.0");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> has(newer, ReleaseEvent.WorkflowDispatched.class));

    retry(older, ADMIN);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                log(older).stream()
                        .filter(e -> e.data() instanceof ReleaseEvent.DispatchFailed)
                        .count()
                    == 2);
    ReleaseEvent.DispatchFailed again =
        log(older).stream()
            .map(EventEnvelope::data)
            .filter(ReleaseEvent.DispatchFailed.class::isInstance)
            .map(ReleaseEvent.DispatchFailed.class::cast)
            .reduce((x, y) -> y)
            .orElseThrow();
    assertThat(again.detail()).startsWith("not dispatched again: release v1.5.0 of billing");
    assertThat(FakeGitHub.runTitles()).singleElement().asString().startsWith("Deploy v1.5.0");
  }

  /** A release of billing whose approval quorum was reached (admin: {@link #ADMIN}). */
  private String approvedRelease(String tag) {
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
                List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, List.of(ADMIN))),
        new ReleaseEvent.ApprovalQuorumReached(List.of(1L)));
    return id;
  }

  /** The press of 🔁 as the gateway sends it, decided by the writer. */
  private Decision retry(String id, long user) {
    return writer.decide(
        id,
        new ReleaseCommand.RetryDispatch(id, user, null, Actor.telegram(user, "user " + user)),
        "tg-" + UUID.randomUUID());
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

  private <T extends ReleaseEvent> T only(String id, Class<T> type) {
    List<T> found =
        log(id).stream().map(EventEnvelope::data).filter(type::isInstance).map(type::cast).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private List<String> types(String id) {
    return log(id).stream().map(EventEnvelope::type).toList();
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
